"""The manufacturer portal, ``/m``: the whole channel (or a channel manager's part of it)."""

from litestar import Router
from litestar.di import Provide

from channel.roles import OrgKind
from portal.manufacturer.home import home
from portal.manufacturer.settings import ChannelSettingsPages
from portal.pages.account import AccountPages
from portal.pages.activity import ActivityPages
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
from portal.pages.performance import PerformancePages, WeightPages
from portal.pages.price_books import PriceBookPages
from portal.pages.promotions import PromotionPages
from portal.pages.quotes import QuotePages
from portal.pages.registrations import RegistrationPages
from portal.pages.reports import InventoryPages, InventorySettingsPages, ReportPages
from portal.pages.tokens import ApiTokenPages
from portal.portals import MANUFACTURER
from portal.security.guards import requires_portal

router = Router(
    path=MANUFACTURER.prefix,
    guards=[requires_portal(OrgKind.MANUFACTURER)],
    dependencies={"portal": Provide(lambda: MANUFACTURER, sync_to_thread=False)},
    route_handlers=[
        home,
        PartnerPages,
        CataloguePages,
        LeadPages,
        QuotePages,
        RegistrationPages,
        PeoplePages,
        ActivityPages,
        ApiTokenPages,
        AccountPages,
        NotificationPages,
        OrderPages,
        StockPages,
        InventoryPages,
        InventorySettingsPages,
        ReportPages,
        PriceBookPages,
        PromotionPages,
        ChannelSettingsPages,
        PerformancePages,
        WeightPages,
        IncentivePages,
        MdfPages,
        CommissionPages,
        CommissionPlanPages,
    ],
    include_in_schema=False,
)
