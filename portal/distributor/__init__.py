"""The distributor portal, ``/d``: a distributor of any tier and everything below it."""

from litestar import Router
from litestar.di import Provide

from channel.roles import OrgKind
from portal.distributor.home import home
from portal.pages.account import AccountPages
from portal.pages.activity import ActivityPages
from portal.pages.cart import CartPages
from portal.pages.catalogue import CataloguePages
from portal.pages.commission_plans import CommissionPlanPages
from portal.pages.commissions import CommissionPages
from portal.pages.incentives import IncentivePages
from portal.pages.leads import LeadPages
from portal.pages.mdf import MdfPages
from portal.pages.notifications import NotificationPages
from portal.pages.orders import OrderPages, StockPages
from portal.pages.partners import PartnerPages
from portal.pages.people import PeoplePages
from portal.pages.performance import PerformancePages
from portal.pages.price_books import PriceBookPages
from portal.pages.promotions import PromotionPages
from portal.pages.quotes import QuotePages
from portal.pages.registrations import RegistrationPages
from portal.pages.reports import InventoryPages, ReportPages
from portal.pages.tokens import ApiTokenPages
from portal.portals import DISTRIBUTOR
from portal.security.guards import requires_portal

router = Router(
    path=DISTRIBUTOR.prefix,
    guards=[requires_portal(OrgKind.DISTRIBUTOR)],
    dependencies={"portal": Provide(lambda: DISTRIBUTOR, sync_to_thread=False)},
    route_handlers=[
        home,
        PartnerPages,
        CataloguePages,
        LeadPages,
        QuotePages,
        RegistrationPages,
        CartPages,
        PeoplePages,
        ActivityPages,
        ApiTokenPages,
        AccountPages,
        NotificationPages,
        OrderPages,
        StockPages,
        InventoryPages,
        ReportPages,
        PriceBookPages,
        PromotionPages,
        PerformancePages,
        IncentivePages,
        MdfPages,
        CommissionPages,
        CommissionPlanPages,
    ],
    include_in_schema=False,
)
