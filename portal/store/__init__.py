"""The store portal, ``/s``: one store, its people and (as features land) its orders."""

from litestar import Router
from litestar.di import Provide

from channel.roles import OrgKind
from portal.pages.account import AccountPages
from portal.pages.cart import CartPages
from portal.pages.catalogue import CataloguePages
from portal.pages.commissions import CommissionPages
from portal.pages.incentives import IncentivePages
from portal.pages.mdf import MdfPages
from portal.pages.notifications import NotificationPages
from portal.pages.orders import OrderPages, StockPages
from portal.pages.people import PeoplePages
from portal.pages.performance import PerformancePages
from portal.pages.reports import InventoryPages, ReportPages
from portal.pages.tokens import ApiTokenPages
from portal.portals import STORE
from portal.security.guards import requires_portal
from portal.store.home import home

router = Router(
    path=STORE.prefix,
    guards=[requires_portal(OrgKind.STORE)],
    dependencies={"portal": Provide(lambda: STORE, sync_to_thread=False)},
    route_handlers=[
        home,
        CataloguePages,
        CartPages,
        PeoplePages,
        ApiTokenPages,
        AccountPages,
        NotificationPages,
        OrderPages,
        StockPages,
        PerformancePages,
        InventoryPages,
        ReportPages,
        IncentivePages,
        MdfPages,
        CommissionPages,
    ],
    include_in_schema=False,
)
