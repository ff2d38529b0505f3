"""What the pricing engine reads and returns: carts, the buyer's context, and explained prices.

Plain msgspec Structs, so carts and priced results are stored as JSON on orders and quotes and sent
over the API as they are. Amounts are Decimal in the cart's currency; reasons are codes with
parameters, turned into sentences in the reader's language by ``pricing.messages``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec


class ProductFacts(msgspec.Struct, frozen=True, kw_only=True):
    """A product as pricing sees it: what rules may target."""

    sku: str
    category_path: str = ""  # codes from the root, "KITCHEN/HOBS/"
    brand: str = ""
    # A configurable set's own price rule: priced from its chosen options, less this percent.
    set_percent_off: Decimal = Decimal(0)


class CartOption(msgspec.Struct, frozen=True, kw_only=True):
    """One chosen option of a configured set: its SKU and the units of it in each set."""

    sku: str
    quantity: int


class CartLine(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    sku: str
    quantity: int
    # A configured set, priced from these options (each option's own price); empty: priced as
    # the line's SKU.
    options: tuple[CartOption, ...] = ()


class Cart(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    lines: tuple[CartLine, ...]


class ManualDiscount(msgspec.Struct, frozen=True, kw_only=True):
    """A seller's own concession on a quote: a percent of the net, or an amount off the order."""

    percent: Decimal | None = None
    amount: Decimal | None = None


class DealDiscount(msgspec.Struct, frozen=True, kw_only=True):
    """The discount a protected deal registration earns its partner for that customer."""

    registration_id: UUID
    percent: Decimal


class PricingContext(msgspec.Struct, frozen=True, kw_only=True):
    """Who buys from whom, when: everything eligibility and price books are decided on."""

    buyer_id: UUID
    buyer_kind: str  # distributor | store
    buyer_tier: int  # depth below the manufacturer: 1 for a tier-1 distributor
    seller_id: UUID
    at: datetime
    partner_level: str | None = None
    region: str | None = None
    customer_groups: frozenset[str] = frozenset()
    coupon_codes: frozenset[str] = frozenset()
    first_order: bool = False
    # The buyer's channel, root first: promotions of any issuer on it reach the buyer.
    upstream_ids: frozenset[UUID] = frozenset()
    # Times each promotion was used by this buyer so far, for per-partner limits.
    usage: dict[UUID, int] = {}
    # What is left of each promotion's budget (money in the promotion's currency, and units).
    budget_left: dict[UUID, Decimal] = {}
    units_left: dict[UUID, int] = {}
    deal: DealDiscount | None = None
    manual: ManualDiscount | None = None


# --- the explained result ------------------------------------------------------------------------


class Step(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One step of a line's waterfall: what changed the line's amount, by how much, and why.

    ``amount`` is the change to the line total (negative for a discount); ``code`` and ``params``
    say why, in words ``pricing.messages`` turns into the reader's language.
    """

    kind: str  # list_price | price_book | promotion | deal_registration | manual | rounding
    amount: Decimal
    code: str
    params: dict[str, Any] = {}
    promotion_id: UUID | None = None


# The result's structs are not tracked by the cycle collector (``gc=False``): they hold only values
# and tuples of them, never a cycle. Tracked, they were half of what a pricing handed the collector:
# it ran twice as often, and the slowest 1 % of pricings took nearly twice as long.


class PricedLine(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sku: str
    quantity: int
    free_quantity: int  # units given free on top of (or within) the quantity, by a rule
    list_unit_price: Decimal
    unit_price: Decimal  # after the price book, before promotions
    list_total: Decimal
    net_total: Decimal  # what the buyer pays for the line
    steps: tuple[Step, ...]
    price_book: str | None = None
    is_gift: bool = False
    promotion_ids: tuple[UUID, ...] = ()

    @property
    def discount_total(self) -> Decimal:
        return self.list_total - self.net_total


class Hint(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A promotion the cart nearly qualifies for, and what is missing."""

    promotion_id: UUID
    code: str
    params: dict[str, Any] = {}


class Consumption(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What an order committed with this price would take from a promotion's budget."""

    promotion_id: UUID
    amount: Decimal
    units: int


class PricedCart(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    currency: str
    lines: tuple[PricedLine, ...]
    list_total: Decimal
    subtotal: Decimal  # after price books
    discount_total: Decimal  # promotions, deal registration and manual discounts
    total: Decimal
    free_shipping: bool
    applied: tuple[UUID, ...]
    hints: tuple[Hint, ...]
    consumption: tuple[Consumption, ...]
    problems: tuple[Step, ...] = ()  # lines that could not be priced (no price for the SKU)
