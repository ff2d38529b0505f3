"""The pricing package's inputs and outputs; the same Structs are the API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from channel.schemas import check_code, check_currency, check_locale
from core.validation import FieldValueError, check_decimal, check_text
from pricing.catalogue import ProductStatus, normalise_sku, sku_is_valid
from pricing.configuration import Violation
from pricing.model import PricedCart
from pricing.promotions import Benefit, Condition, Eligibility, Promotion

Sku = Annotated[str, Meta(min_length=1, max_length=64)]
Names = Annotated[dict[str, str], Meta(max_length=20)]


def check_sku(value: str, field: str = "sku") -> str:
    value = normalise_sku(value)
    if not sku_is_valid(value):
        raise FieldValueError(field, "bad_sku", f"{field} may hold letters, digits, '.', '_', '/' and '-'")
    return value


def check_names(
    names: dict[str, str], field: str, *, required: bool = True, max_length: int = 200
) -> dict[str, str]:
    """Names per language (``{"en": ..., "zh_Hans": ...}``); at least one when required."""
    cleaned: dict[str, str] = {}
    for locale, text in names.items():
        check_locale(locale)
        value = check_text(text, f"{field}.{locale}", max_length=max_length, required=False)
        if value:
            cleaned[locale] = value
    if required and not cleaned:
        raise FieldValueError(field, "required", f"{field} needs at least one language")
    return cleaned


# --- catalogue ------------------------------------------------------------------------------------


class Category(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    path: str
    names: dict[str, str]
    position: int = 0

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def parent_path(self) -> str | None:
        parent = self.path[: -len(self.code) - 1]
        return parent or None


class CategoryCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=1, max_length=32)]
    names: Names
    parent: str | None = None  # the parent's code
    position: int = 0

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.names = check_names(self.names, "names")
        if self.parent:
            self.parent = check_code(self.parent, "parent")


class Product(msgspec.Struct, frozen=True):
    id: UUID
    sku: str
    names: dict[str, str]
    category_path: str
    brand: str
    unit: str
    case_quantity: int
    minimum_order_quantity: int
    status: ProductStatus
    descriptions: dict[str, str] = {}
    image: str = ""
    is_bundle: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    set_percent_off: Decimal = Decimal(0)  # a configurable set: its discount on its options

    @property
    def category(self) -> str:
        return self.category_path.rstrip("/").rsplit("/", 1)[-1] if self.category_path else ""


class ProductCreate(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku
    names: Names
    category: Annotated[str, Meta(min_length=1, max_length=32)]
    brand: Annotated[str, Meta(max_length=80)] = ""
    unit: Annotated[str, Meta(min_length=1, max_length=16)] = "pc"
    case_quantity: Annotated[int, Meta(ge=1, le=100_000)] = 1
    minimum_order_quantity: Annotated[int, Meta(ge=1, le=1_000_000)] = 1
    status: ProductStatus = ProductStatus.ACTIVE
    descriptions: Names = {}
    image: Annotated[str, Meta(max_length=200)] = ""

    def __post_init__(self) -> None:
        self.sku = check_sku(self.sku)
        self.names = check_names(self.names, "names")
        self.descriptions = check_names(self.descriptions, "descriptions", required=False, max_length=4000)
        self.category = check_code(self.category, "category")
        self.brand = check_text(self.brand, "brand", max_length=80, required=False)
        self.unit = check_text(self.unit, "unit", max_length=16)


class ConfigurationCheck(msgspec.Struct, forbid_unknown_fields=True):
    """A configuration to check: option SKU -> units (0 or absent: not chosen)."""

    chosen: Annotated[
        dict[Annotated[str, Meta(max_length=64)], Annotated[int, Meta(ge=0, le=1_000_000)]],
        Meta(max_length=200),
    ]


class ConfigurationVerdict(msgspec.Struct, frozen=True):
    valid: bool
    violations: list[Violation]


class ProductUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Changes to a product; fields left out stay as they are. The SKU never changes."""

    names: Names | UnsetType = UNSET
    category: Annotated[str, Meta(min_length=1, max_length=32)] | UnsetType = UNSET
    brand: Annotated[str, Meta(max_length=80)] | UnsetType = UNSET
    unit: Annotated[str, Meta(min_length=1, max_length=16)] | UnsetType = UNSET
    case_quantity: Annotated[int, Meta(ge=1, le=100_000)] | UnsetType = UNSET
    minimum_order_quantity: Annotated[int, Meta(ge=1, le=1_000_000)] | UnsetType = UNSET
    status: ProductStatus | UnsetType = UNSET
    descriptions: Names | UnsetType = UNSET
    image: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET

    def __post_init__(self) -> None:
        if not isinstance(self.names, UnsetType):
            self.names = check_names(self.names, "names")
        if not isinstance(self.descriptions, UnsetType):
            self.descriptions = check_names(
                self.descriptions, "descriptions", required=False, max_length=4000
            )
        if not isinstance(self.category, UnsetType):
            self.category = check_code(self.category, "category")
        if not isinstance(self.brand, UnsetType):
            self.brand = check_text(self.brand, "brand", max_length=80, required=False)
        if not isinstance(self.unit, UnsetType):
            self.unit = check_text(self.unit, "unit", max_length=16)

    def changes(self) -> dict[str, object]:
        return {f: v for f in self.__struct_fields__ if (v := getattr(self, f)) is not UNSET}


class ProductFilter(msgspec.Struct, forbid_unknown_fields=True):
    q: Annotated[str, Meta(max_length=100)] = ""
    category: str | None = None  # a category code: the category and everything below it
    brand: str | None = None
    status: ProductStatus | None = None
    cursor: str | None = None
    limit: Annotated[int, Meta(ge=1, le=500)] = 50


class RowProblem(msgspec.Struct, frozen=True):
    """One refused cell of an upload: the row a person sees in their spreadsheet, the column, why."""

    row: int
    column: str
    code: str
    params: dict[str, object] = {}


class ImportResult(msgspec.Struct, frozen=True):
    """What an upload did; when ``problems`` is not empty nothing was changed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = []

    @property
    def accepted(self) -> bool:
        return not self.problems


# --- price books ----------------------------------------------------------------------------------


class PriceEntry(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    unit_price: Decimal
    min_quantity: int = 1


class PriceBookInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    name: str
    currency: str
    kind: str  # list | book
    owner_id: UUID
    seller_id: UUID | None = None
    buyer_ids: list[UUID] = []
    partner_levels: list[str] = []
    tiers: list[int] = []
    buyer_kinds: list[str] = []
    percent_off_list: Decimal | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None


class PriceBookCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new book. A distributor's book is always its own sell prices (``seller_id`` is set to it)."""

    code: Annotated[str, Meta(min_length=1, max_length=32)]
    currency: Annotated[str, Meta(min_length=3, max_length=3)]
    name: Annotated[str, Meta(max_length=200)] = ""
    kind: Literal["list", "book"] = "book"
    buyer_ids: Annotated[list[UUID], Meta(max_length=500)] = []
    partner_levels: Annotated[list[Annotated[str, Meta(max_length=32)]], Meta(max_length=20)] = []
    tiers: Annotated[list[Annotated[int, Meta(ge=1, le=10)]], Meta(max_length=10)] = []
    buyer_kinds: list[Literal["distributor", "store"]] = []
    percent_off_list: Decimal | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    entries: Annotated[list[PriceEntry], Meta(max_length=50_000)] = []

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.currency = check_currency(self.currency.upper())
        self.name = check_text(self.name, "name", max_length=200, required=False)
        if self.percent_off_list is not None:
            check_decimal(self.percent_off_list, "percent_off_list", maximum=Decimal(100), places=4)
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise FieldValueError("valid_to", "ends_before_start", "valid_to must come after valid_from")
        self.entries = [_checked_entry(e) for e in self.entries]


def _checked_entry(entry: PriceEntry) -> PriceEntry:
    check_decimal(entry.unit_price, "unit_price", places=4)
    if entry.min_quantity < 1:
        raise FieldValueError("min_quantity", "below_minimum", "min_quantity must be at least 1", minimum=1)
    return PriceEntry(sku=check_sku(entry.sku), unit_price=entry.unit_price, min_quantity=entry.min_quantity)


class PriceControlSet(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    sku: Sku
    currency: Annotated[str, Meta(min_length=3, max_length=3)]
    floor: Decimal | None = None
    ceiling: Decimal | None = None

    def __post_init__(self) -> None:
        self.sku = check_sku(self.sku)
        self.currency = check_currency(self.currency.upper())
        for field in ("floor", "ceiling"):
            value = getattr(self, field)
            if value is not None:
                check_decimal(value, field, places=4)
        if self.floor is not None and self.ceiling is not None and self.ceiling < self.floor:
            raise FieldValueError("ceiling", "ceiling_below_floor", "ceiling must not be below floor")


# --- promotions -----------------------------------------------------------------------------------


class PromotionRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    name: str
    issuer_id: UUID
    status: str  # draft | active | ended
    currency: str
    rule: Promotion
    budget_amount: Decimal | None
    spent_amount: Decimal
    budget_units: int | None
    spent_units: int
    created_at: datetime | None = None


class PromotionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A promotion as the editor or an API client sends it; the issuer is whoever sends it."""

    code: Annotated[str, Meta(min_length=1, max_length=32)]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    currency: Annotated[str, Meta(min_length=3, max_length=3)]
    benefit: Benefit
    eligibility: Eligibility = Eligibility()
    condition: Condition = Condition()
    priority: Annotated[int, Meta(ge=-100, le=100)] = 0
    stacking: Literal["combinable", "exclusive"] = "combinable"
    exclusivity_group: Annotated[str, Meta(max_length=40)] | None = None
    free_shipping: bool = False
    budget_amount: Decimal | None = None
    budget_units: Annotated[int, Meta(ge=1)] | None = None
    per_partner_limit: Annotated[int, Meta(ge=1)] | None = None

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.name = check_text(self.name, "name", max_length=200)
        self.currency = check_currency(self.currency.upper())
        if self.budget_amount is not None:
            check_decimal(self.budget_amount, "budget_amount")


class PromotionStatusChange(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["active", "ended"]


# --- pricing a cart -------------------------------------------------------------------------------


class CartOptionRequest(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One chosen option of a configurable set: units of it in each set."""

    sku: Sku
    quantity: Annotated[int, Meta(ge=1, le=1_000_000)] = 1


class CartLineRequest(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    sku: Sku
    quantity: Annotated[int, Meta(ge=1, le=1_000_000)]
    # A configurable set priced from these options; checked against the set's rules.
    options: Annotated[list[CartOptionRequest], Meta(max_length=200)] = []


class CartRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A cart to price. ``buyer_id`` prices it for a buyer below the actor (a seller previewing)."""

    lines: Annotated[list[CartLineRequest], Meta(min_length=1, max_length=2000)]
    coupon_codes: Annotated[list[Annotated[str, Meta(max_length=40)]], Meta(max_length=10)] = []
    buyer_id: UUID | None = None

    def __post_init__(self) -> None:
        self.lines = [
            CartLineRequest(
                sku=check_sku(line.sku),
                quantity=line.quantity,
                options=[CartOptionRequest(sku=check_sku(o.sku), quantity=o.quantity) for o in line.options],
            )
            for line in self.lines
        ]
        self.coupon_codes = sorted({c.strip().upper() for c in self.coupon_codes if c.strip()})


class WhatIfCart(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    buyer_id: UUID
    lines: Annotated[list[CartLineRequest], Meta(min_length=1, max_length=2000)]


class WhatIfRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Preview a promotion (not yet saved) against carts of a past period or entered by hand."""

    promotion: PromotionCreate
    carts: Annotated[list[WhatIfCart], Meta(min_length=1, max_length=5000)]


class WhatIfResult(msgspec.Struct, frozen=True, kw_only=True):
    carts: int
    carts_touched: int
    partners_touched: int
    cost: Decimal
    units: int
    budget_consumed: Decimal | None  # share of the budget it would have used, 0..1
    budget_exhausted: bool


# --- quotes ---------------------------------------------------------------------------------------


class QuoteCustomer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    company: Annotated[str, Meta(min_length=1, max_length=200)]
    contact: Annotated[str, Meta(max_length=120)] = ""
    email: Annotated[str, Meta(max_length=254)] = ""
    address: Annotated[str, Meta(max_length=500)] = ""
    tax_id: Annotated[str, Meta(max_length=40)] = ""
    locale: Annotated[str, Meta(min_length=2, max_length=16)] = "en"

    def __post_init__(self) -> None:
        self.company = check_text(self.company, "customer.company", max_length=200)
        self.contact = check_text(self.contact, "customer.contact", max_length=120, required=False)
        self.address = check_text(self.address, "customer.address", max_length=500, required=False)
        self.tax_id = check_text(self.tax_id, "customer.tax_id", max_length=40, required=False)
        check_locale(self.locale)


class QuoteCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    customer: QuoteCustomer
    lines: Annotated[list[CartLineRequest], Meta(min_length=1, max_length=500)]
    valid_days: Annotated[int, Meta(ge=1, le=365)] = 30
    manual_discount_percent: Decimal | None = None
    terms: Annotated[str, Meta(max_length=4000)] = ""

    def __post_init__(self) -> None:
        self.lines = [CartLineRequest(sku=check_sku(x.sku), quantity=x.quantity) for x in self.lines]
        if self.manual_discount_percent is not None:
            check_decimal(
                self.manual_discount_percent, "manual_discount_percent", maximum=Decimal(100), places=2
            )
        self.terms = check_text(self.terms, "terms", max_length=4000, required=False)


class QuoteRevision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    lines: Annotated[list[CartLineRequest], Meta(min_length=1, max_length=500)]
    manual_discount_percent: Decimal | None = None
    note: Annotated[str, Meta(max_length=1000)] = ""

    def __post_init__(self) -> None:
        self.lines = [CartLineRequest(sku=check_sku(x.sku), quantity=x.quantity) for x in self.lines]
        if self.manual_discount_percent is not None:
            check_decimal(
                self.manual_discount_percent, "manual_discount_percent", maximum=Decimal(100), places=2
            )


class QuoteDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The end customer's answer, with the name of whoever gives it."""

    accept: bool
    name: Annotated[str, Meta(min_length=1, max_length=120)]
    note: Annotated[str, Meta(max_length=1000)] = ""

    def __post_init__(self) -> None:
        self.name = check_text(self.name, "name", max_length=120)


class QuoteVersionInfo(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    lines: list[CartLineRequest]
    manual_discount_percent: Decimal | None
    priced: PricedCart
    created_at: datetime
    created_by: str
    note: str = ""


class Quote(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    seller_id: UUID
    status: str  # draft | pending_approval | approved | sent | accepted | declined | expired
    version: int
    currency: str
    customer: QuoteCustomer
    valid_until: datetime
    terms: str
    total: Decimal
    created_by: str
    decided_by: str = ""
    decision_note: str = ""
    created_at: datetime | None = None
    needs_approval: bool = False
    versions: list[QuoteVersionInfo] = []
    order_id: UUID | None = None  # the seller's order to its supplier for the accepted quote
