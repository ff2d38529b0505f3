"""The three portals: where each kind of organisation works, and what its navigation offers."""

from __future__ import annotations

import msgspec

from channel.roles import OrgKind, Permission
from channel.visibility import Actor
from portal.i18n import N_


class NavItem(msgspec.Struct, frozen=True):
    path: str  # below the portal's prefix
    label: str  # a message id, translated when shown
    permission: Permission | None = None


class Portal(msgspec.Struct, frozen=True):
    kind: OrgKind
    prefix: str
    title: str
    nav: tuple[NavItem, ...]

    def url(self, path: str = "") -> str:
        return self.prefix + path

    def visible_nav(self, actor: Actor) -> list[NavItem]:
        return [item for item in self.nav if item.permission is None or actor.can(item.permission)]


_ACCOUNT = NavItem("/account", N_("My account"))

MANUFACTURER = Portal(
    kind=OrgKind.MANUFACTURER,
    prefix="/m",
    title=N_("Manufacturer portal"),
    nav=(
        NavItem("", N_("Home")),
        NavItem("/partners", N_("Partners"), Permission.VIEW_NETWORK),
        NavItem("/catalogue", N_("Catalogue"), Permission.VIEW_CATALOGUE),
        NavItem("/orders", N_("Orders"), Permission.VIEW_ORDERS),
        NavItem("/stock", N_("Stock"), Permission.VIEW_ORDERS),
        NavItem("/performance", N_("Performance"), Permission.VIEW_NETWORK),
        NavItem("/inventory", N_("Channel inventory"), Permission.VIEW_ORDERS),
        NavItem("/reports", N_("Partner reports"), Permission.VIEW_ORDERS),
        NavItem("/incentives", N_("Rebates"), Permission.VIEW_ORDERS),
        NavItem("/price-books", N_("Price books"), Permission.MANAGE_PRICES),
        NavItem("/promotions", N_("Promotions"), Permission.MANAGE_PROMOTIONS),
        NavItem("/leads", N_("Leads"), Permission.MANAGE_LEADS),
        NavItem("/quotes", N_("Quotes"), Permission.APPROVE_QUOTES),
        NavItem("/registrations", N_("Deal registrations"), Permission.REVIEW_DEALS),
        NavItem("/people", N_("People"), Permission.VIEW_NETWORK),
        NavItem("/activity", N_("Activity"), Permission.VIEW_NETWORK),
        NavItem("/settings", N_("Channel settings"), Permission.CONFIGURE_CHANNEL),
        NavItem("/api-tokens", N_("API tokens"), Permission.MANAGE_API_TOKENS),
        _ACCOUNT,
    ),
)
DISTRIBUTOR = Portal(
    kind=OrgKind.DISTRIBUTOR,
    prefix="/d",
    title=N_("Distributor portal"),
    nav=(
        NavItem("", N_("Home")),
        NavItem("/partners", N_("My partners"), Permission.VIEW_NETWORK),
        NavItem("/catalogue", N_("Catalogue"), Permission.VIEW_CATALOGUE),
        NavItem("/cart", N_("Cart"), Permission.VIEW_CATALOGUE),
        NavItem("/orders", N_("Orders"), Permission.VIEW_ORDERS),
        NavItem("/stock", N_("Stock"), Permission.VIEW_ORDERS),
        NavItem("/performance", N_("Performance"), Permission.VIEW_NETWORK),
        NavItem("/reports", N_("Stock reports"), Permission.VIEW_ORDERS),
        NavItem("/inventory", N_("Channel inventory"), Permission.VIEW_ORDERS),
        NavItem("/incentives", N_("Rebates"), Permission.VIEW_ORDERS),
        NavItem("/price-books", N_("Sell prices"), Permission.MANAGE_PRICES),
        NavItem("/promotions", N_("Promotions"), Permission.MANAGE_PROMOTIONS),
        NavItem("/leads", N_("Leads"), Permission.WORK_LEADS),
        NavItem("/quotes", N_("Quotes"), Permission.CREATE_QUOTES),
        NavItem("/registrations", N_("Deal registrations"), Permission.REGISTER_DEALS),
        NavItem("/people", N_("People"), Permission.VIEW_NETWORK),
        NavItem("/activity", N_("Activity"), Permission.VIEW_NETWORK),
        NavItem("/api-tokens", N_("API tokens"), Permission.MANAGE_API_TOKENS),
        _ACCOUNT,
    ),
)
STORE = Portal(
    kind=OrgKind.STORE,
    prefix="/s",
    title=N_("Store portal"),
    nav=(
        NavItem("", N_("Home")),
        NavItem("/catalogue", N_("Catalogue"), Permission.VIEW_CATALOGUE),
        NavItem("/cart", N_("Cart"), Permission.VIEW_CATALOGUE),
        NavItem("/orders", N_("Orders"), Permission.VIEW_ORDERS),
        NavItem("/stock", N_("Stock"), Permission.VIEW_ORDERS),
        NavItem("/performance", N_("My targets"), Permission.VIEW_NETWORK),
        NavItem("/reports", N_("Stock reports"), Permission.VIEW_ORDERS),
        NavItem("/inventory", N_("Stock health"), Permission.VIEW_ORDERS),
        NavItem("/incentives", N_("Rebates"), Permission.VIEW_ORDERS),
        NavItem("/people", N_("People"), Permission.MANAGE_USERS),
        NavItem("/api-tokens", N_("API tokens"), Permission.MANAGE_API_TOKENS),
        _ACCOUNT,
    ),
)

PORTALS: dict[OrgKind, Portal] = {p.kind: p for p in (MANUFACTURER, DISTRIBUTOR, STORE)}


def portal_of(actor: Actor) -> Portal:
    return PORTALS[actor.organisation_kind]
