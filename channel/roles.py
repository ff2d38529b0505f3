"""Kinds of organisation, the roles of their people, and what each role may do."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"
    STORE = "store"


class PartnerStatus(StrEnum):
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class UserStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Role(StrEnum):
    # manufacturer
    MANUFACTURER_ADMIN = "manufacturer_admin"
    CHANNEL_MANAGER = "channel_manager"
    SALES_OPS = "sales_ops"
    # distributor (any tier)
    DISTRIBUTOR_ADMIN = "distributor_admin"
    BUYER = "buyer"
    SALES = "sales"
    WAREHOUSE = "warehouse"
    # store
    STORE_MANAGER = "store_manager"
    CLERK = "clerk"


ROLES_BY_KIND: dict[OrgKind, tuple[Role, ...]] = {
    OrgKind.MANUFACTURER: (Role.MANUFACTURER_ADMIN, Role.CHANNEL_MANAGER, Role.SALES_OPS),
    OrgKind.DISTRIBUTOR: (Role.DISTRIBUTOR_ADMIN, Role.BUYER, Role.SALES, Role.WAREHOUSE),
    OrgKind.STORE: (Role.STORE_MANAGER, Role.CLERK),
}

# The role that administers an organisation of each kind: users, API tokens, its downstream.
ADMIN_ROLE: dict[OrgKind, Role] = {
    OrgKind.MANUFACTURER: Role.MANUFACTURER_ADMIN,
    OrgKind.DISTRIBUTOR: Role.DISTRIBUTOR_ADMIN,
    OrgKind.STORE: Role.STORE_MANAGER,
}


class Permission(StrEnum):
    VIEW_NETWORK = "view_network"  # see partners, their users and activity within one's scope
    MANAGE_PARTNERS = "manage_partners"  # create downstream partners, change level/region/status/credit
    ASSIGN_CHANNEL_MANAGERS = "assign_channel_managers"
    MANAGE_USERS = "manage_users"  # invite, suspend, change roles (own organisation and downstream)
    MANAGE_API_TOKENS = "manage_api_tokens"  # own organisation only
    CONFIGURE_CHANNEL = "configure_channel"  # partner levels and regions
    VIEW_CATALOGUE = "view_catalogue"  # products and bundles at one's own prices
    MANAGE_CATALOGUE = "manage_catalogue"  # the manufacturer's products, categories, bundles
    MANAGE_PRICES = "manage_prices"  # price books (manufacturer) or one's own sell prices (distributor)
    MANAGE_PROMOTIONS = "manage_promotions"  # promotions for one's own downstream
    CREATE_QUOTES = "create_quotes"  # quote end customers
    APPROVE_QUOTES = "approve_quotes"  # manual discounts past the threshold
    MANAGE_LEADS = "manage_leads"  # the manufacturer's lead pool, dispatch rules and policy
    WORK_LEADS = "work_leads"  # accept, follow up and close leads dispatched to one's organisation
    REGISTER_DEALS = "register_deals"  # register end-customer opportunities, extend, report outcomes
    REVIEW_DEALS = "review_deals"  # decide registrations and their conflicts, set programmes
    VIEW_ORDERS = "view_orders"  # orders and stock in one's scope
    PLACE_ORDERS = "place_orders"  # order from one's supplier, cancel before approval, receive
    FULFIL_ORDERS = "fulfil_orders"  # approve, allocate and ship the orders of one's buyers; adjust stock


_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Everything but working leads: the manufacturer hands leads out, it does not take them.
    Role.MANUFACTURER_ADMIN: frozenset(_P) - {_P.WORK_LEADS, _P.REGISTER_DEALS, _P.PLACE_ORDERS},
    Role.CHANNEL_MANAGER: frozenset(
        {
            _P.VIEW_NETWORK,
            _P.MANAGE_PARTNERS,
            _P.MANAGE_USERS,
            _P.VIEW_CATALOGUE,
            _P.MANAGE_PROMOTIONS,
            _P.APPROVE_QUOTES,
            _P.MANAGE_LEADS,
            _P.REVIEW_DEALS,
            _P.VIEW_ORDERS,
        }
    ),
    Role.SALES_OPS: frozenset(
        {
            _P.VIEW_NETWORK,
            _P.VIEW_CATALOGUE,
            _P.MANAGE_CATALOGUE,
            _P.MANAGE_PRICES,
            _P.MANAGE_PROMOTIONS,
            _P.CREATE_QUOTES,
            _P.MANAGE_LEADS,
            _P.VIEW_ORDERS,
            _P.FULFIL_ORDERS,
        }
    ),
    Role.DISTRIBUTOR_ADMIN: frozenset(
        {
            _P.VIEW_NETWORK,
            _P.MANAGE_PARTNERS,
            _P.MANAGE_USERS,
            _P.MANAGE_API_TOKENS,
            _P.VIEW_CATALOGUE,
            _P.MANAGE_PRICES,
            _P.MANAGE_PROMOTIONS,
            _P.CREATE_QUOTES,
            _P.WORK_LEADS,
            _P.REGISTER_DEALS,
            _P.VIEW_ORDERS,
            _P.PLACE_ORDERS,
            _P.FULFIL_ORDERS,
        }
    ),
    Role.BUYER: frozenset({_P.VIEW_NETWORK, _P.VIEW_CATALOGUE, _P.VIEW_ORDERS, _P.PLACE_ORDERS}),
    Role.SALES: frozenset(
        {
            _P.VIEW_NETWORK,
            _P.VIEW_CATALOGUE,
            _P.MANAGE_PROMOTIONS,
            _P.CREATE_QUOTES,
            _P.WORK_LEADS,
            _P.REGISTER_DEALS,
            _P.VIEW_ORDERS,
            _P.FULFIL_ORDERS,
        }
    ),
    Role.WAREHOUSE: frozenset({_P.VIEW_NETWORK, _P.VIEW_CATALOGUE, _P.VIEW_ORDERS, _P.FULFIL_ORDERS}),
    Role.STORE_MANAGER: frozenset(
        {
            _P.VIEW_NETWORK,
            _P.MANAGE_USERS,
            _P.MANAGE_API_TOKENS,
            _P.VIEW_CATALOGUE,
            _P.VIEW_ORDERS,
            _P.PLACE_ORDERS,
        }
    ),
    Role.CLERK: frozenset({_P.VIEW_CATALOGUE, _P.VIEW_ORDERS, _P.PLACE_ORDERS}),
}


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def roles_fit_kind(roles: frozenset[Role], kind: OrgKind) -> bool:
    """A user's roles must all belong to their organisation's kind, and there must be at least one."""
    return bool(roles) and roles <= set(ROLES_BY_KIND[kind])
