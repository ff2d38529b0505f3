"""The partner network's inputs and outputs; the same Structs are the API's request and response bodies.

Inputs forbid unknown fields (no ``organisation_id`` slipped into a body that should not carry one)
and check what msgspec cannot: finite decimals, codes, e-mail shape, known currencies and locales.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar
from uuid import UUID

import msgspec
from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from msgspec import UNSET, Meta, UnsetType

from channel.roles import OrgKind, PartnerStatus, Permission, Role, UserStatus
from core.validation import FieldValueError, check_decimal, check_text

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$")
_CURRENCIES = frozenset(list_currencies())

Code = Annotated[str, Meta(min_length=1, max_length=32)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Email = Annotated[str, Meta(min_length=3, max_length=254)]
Password = Annotated[str, Meta(min_length=1, max_length=256)]


def check_code(value: str, field: str) -> str:
    """Codes are upper-cased: ``d-east`` and ``D-EAST`` are one code."""
    value = value.strip().upper()
    if not _CODE.match(value):
        raise FieldValueError(
            field, "bad_code", f"{field} may hold letters, digits, '.', '_' and '-' (at most 32)"
        )
    return value


def normalise_email(value: str, field: str = "email") -> str:
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise FieldValueError(field, "bad_email", f"{field} is not an e-mail address")
    return email


def check_currency(value: str) -> str:
    if value not in _CURRENCIES:
        raise FieldValueError("currency", "unknown_currency", "currency is not an ISO 4217 currency code")
    return value


def check_locale(value: str) -> str:
    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError):
        raise FieldValueError(
            "locale", "unknown_locale", "locale is not a known locale identifier (e.g. en, zh_Hans_CN, de_DE)"
        ) from None
    return value


def check_country(value: str) -> str:
    if value and not re.fullmatch(r"[A-Z]{2}", value):
        raise FieldValueError("country", "bad_country", "country is a two-letter ISO 3166 code")
    return value


T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; pass ``next_cursor`` back to get the next page (absent on the last)."""

    items: list[T]
    next_cursor: str | None = None


# --- reference data -----------------------------------------------------------------------------


class PartnerLevel(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    name: str
    rank: int


class PartnerLevelCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Name
    rank: Annotated[int, Meta(ge=1, le=100)]

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.name = check_text(self.name, "name", max_length=100)


class Region(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    name: str


class RegionCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Name

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.name = check_text(self.name, "name", max_length=100)


# --- organisations ------------------------------------------------------------------------------


class OrganisationRef(msgspec.Struct, frozen=True):
    """Enough to name an organisation: what a partner may know of its supplier, too."""

    id: UUID
    code: str
    name: str
    kind: OrgKind


class OrganisationSummary(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    name: str
    kind: OrgKind
    depth: int
    status: PartnerStatus
    supplier_id: UUID | None
    partner_level: str | None
    partner_level_name: str | None
    region: str | None
    region_name: str | None
    city: str


class Organisation(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    name: str
    kind: OrgKind
    depth: int
    status: PartnerStatus
    supplier: OrganisationRef | None
    partner_level: PartnerLevel | None
    region: Region | None
    currency: str
    locale: str
    credit_limit: Decimal
    contact_email: str
    phone: str
    city: str
    country: str
    created_at: datetime
    updated_at: datetime
    channel_managers: list[UserRef] = []


class OrganisationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new distributor or store under ``supplier_id``."""

    supplier_id: UUID
    kind: OrgKind
    code: Code
    name: Name
    currency: Annotated[str, Meta(min_length=3, max_length=3)]
    locale: Annotated[str, Meta(min_length=2, max_length=16)]
    partner_level: str | None = None
    region: str | None = None
    credit_limit: Decimal = Decimal(0)
    status: PartnerStatus = PartnerStatus.ONBOARDING
    contact_email: Annotated[str, Meta(max_length=254)] = ""
    phone: Annotated[str, Meta(max_length=40)] = ""
    city: Annotated[str, Meta(max_length=100)] = ""
    country: Annotated[str, Meta(max_length=2)] = ""

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.name = check_text(self.name, "name", max_length=200)
        check_currency(self.currency)
        check_locale(self.locale)
        check_decimal(self.credit_limit, "credit_limit")
        check_country(self.country)
        self.city = check_text(self.city, "city", max_length=100, required=False)
        self.phone = check_text(self.phone, "phone", max_length=40, required=False)
        if self.contact_email:
            self.contact_email = normalise_email(self.contact_email, "contact_email")


class OrganisationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Changes to a partner; fields left out stay as they are. ``null`` clears level or region."""

    name: Name | UnsetType = UNSET
    partner_level: str | UnsetType | None = UNSET
    region: str | UnsetType | None = UNSET
    status: PartnerStatus | UnsetType = UNSET
    credit_limit: Decimal | UnsetType = UNSET
    locale: Annotated[str, Meta(min_length=2, max_length=16)] | UnsetType = UNSET
    contact_email: Annotated[str, Meta(max_length=254)] | UnsetType = UNSET
    phone: Annotated[str, Meta(max_length=40)] | UnsetType = UNSET
    city: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    country: Annotated[str, Meta(max_length=2)] | UnsetType = UNSET

    def __post_init__(self) -> None:
        if not isinstance(self.name, UnsetType):
            self.name = check_text(self.name, "name", max_length=200)
        if not isinstance(self.credit_limit, UnsetType):
            check_decimal(self.credit_limit, "credit_limit")
        if not isinstance(self.locale, UnsetType):
            check_locale(self.locale)
        if not isinstance(self.country, UnsetType):
            check_country(self.country)
        if not isinstance(self.contact_email, UnsetType) and self.contact_email:
            self.contact_email = normalise_email(self.contact_email, "contact_email")
        if not isinstance(self.city, UnsetType):
            self.city = check_text(self.city, "city", max_length=100, required=False)
        if not isinstance(self.phone, UnsetType):
            self.phone = check_text(self.phone, "phone", max_length=40, required=False)

    def changes(self) -> dict[str, object]:
        return {f: v for f in self.__struct_fields__ if (v := getattr(self, f)) is not UNSET}


class PartnerFilter(msgspec.Struct, forbid_unknown_fields=True):
    """Search and filters of the partner tree; ``under`` narrows to one partner's subtree."""

    q: Annotated[str, Meta(max_length=100)] = ""
    kind: OrgKind | None = None
    partner_level: str | None = None
    region: str | None = None
    status: PartnerStatus | None = None
    under: UUID | None = None
    cursor: str | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 50


# --- people -------------------------------------------------------------------------------------


class UserRef(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    display_name: str


class User(msgspec.Struct, frozen=True):
    id: UUID
    organisation: OrganisationRef
    email: str
    display_name: str
    roles: list[Role]
    status: UserStatus
    locale: str | None
    last_sign_in_at: datetime | None
    created_at: datetime


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Invite a person into ``organisation_id`` (one's own organisation or a downstream partner)."""

    organisation_id: UUID
    email: Email
    display_name: Name
    roles: Annotated[list[Role], Meta(min_length=1, max_length=4)]

    def __post_init__(self) -> None:
        self.email = normalise_email(self.email)
        self.display_name = check_text(self.display_name, "display_name", max_length=120)


class Invitation(msgspec.Struct, frozen=True):
    id: UUID
    user: UserRef
    organisation: OrganisationRef
    roles: list[Role]
    created_at: datetime
    expires_at: datetime
    invited_by: UserRef | None


class InvitationIssued(msgspec.Struct, frozen=True):
    """A fresh invitation; ``token`` appears only here, once, to build the link."""

    invitation: Invitation
    token: str


class InvitationAcceptance(msgspec.Struct, forbid_unknown_fields=True):
    password: Password


class UserRolesUpdate(msgspec.Struct, forbid_unknown_fields=True):
    roles: Annotated[list[Role], Meta(min_length=1, max_length=4)]


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Password
    new_password: Password


class ChannelManagerAssignment(msgspec.Struct, forbid_unknown_fields=True):
    manager_id: UUID


# --- machine access -----------------------------------------------------------------------------


class ApiTokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    roles: Annotated[list[Role], Meta(min_length=1, max_length=4)]

    def __post_init__(self) -> None:
        self.name = check_text(self.name, "name", max_length=100)


class ApiToken(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    prefix: str
    roles: list[Role]
    created_by: UserRef | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenIssued(msgspec.Struct, frozen=True):
    """A fresh token; ``token`` is shown only here, once. Send it as ``Authorization: Bearer <token>``."""

    api_token: ApiToken
    token: str


# --- the trail and the overview -----------------------------------------------------------------


class AuditEntry(msgspec.Struct, frozen=True):
    id: int
    occurred_at: datetime
    actor_label: str
    organisation_id: UUID | None
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: dict[str, object] | None
    after: dict[str, object] | None


class ActivityFilter(msgspec.Struct, forbid_unknown_fields=True):
    organisation_id: UUID | None = None
    object_type: Annotated[str, Meta(max_length=32)] | None = None
    cursor: str | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 50


class NetworkOverview(msgspec.Struct, frozen=True):
    """The figures on a portal's home page, for the actor's own scope."""

    organisation: OrganisationRef
    distributors: int
    stores: int
    partners_by_status: dict[str, int]
    users: int
    active_users: int
    pending_invitations: int


class Me(msgspec.Struct, frozen=True):
    user: UserRef | None
    organisation: OrganisationRef
    roles: list[Role]
    permissions: list[Permission]
    locale: str


class Notification(msgspec.Struct, frozen=True):
    id: int
    created_at: datetime
    kind: str
    params: dict[str, str]
    link: str
    read: bool
