"""What the ordering services take and give."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from core.validation import FieldValueError, check_decimal, check_text
from ordering.orders import OrderStatus
from pricing.schemas import PromotionCreate, check_sku

Quantity = Annotated[int, Meta(ge=1, le=1_000_000)]


class OrderLineRequest(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    sku: Annotated[str, Meta(min_length=1, max_length=64)]
    quantity: Quantity


class OrderCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An order to the buyer's supplier; priced by the pricing engine when it is submitted."""

    lines: Annotated[list[OrderLineRequest], Meta(min_length=1, max_length=2000)]
    note: Annotated[str, Meta(max_length=2000)] = ""
    coupon_codes: Annotated[list[Annotated[str, Meta(max_length=40)]], Meta(max_length=10)] = []
    # Paid from the buyer's rebate fund, within the limit its programmes set (0: nothing).
    fund_amount: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        check_decimal(self.fund_amount, "fund_amount")
        merged: dict[str, int] = {}
        for index, line in enumerate(self.lines):  # one line per product: a pasted list may name one twice
            sku = check_sku(line.sku, f"lines[{index}].sku")
            merged[sku] = merged.get(sku, 0) + line.quantity
        self.lines = [OrderLineRequest(sku=sku, quantity=q) for sku, q in merged.items()]
        self.note = check_text(self.note, "note", max_length=2000, required=False)


class OrderLineView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    sku: str
    quantity: int
    free_quantity: int
    net_total: Decimal
    allocated: int
    shipped: int
    received: int
    backordered: int  # approved, not reserved, not shipped: waits for stock
    priced: dict[str, Any]


class ShipmentLineView(msgspec.Struct, frozen=True):
    order_line_id: UUID
    sku: str
    quantity: int
    received: int
    damaged: int


class ShipmentView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    status: str
    carrier: str
    tracking: str
    packages: int
    shipped_at: datetime
    received_at: datetime | None
    discrepancy: str
    lines: list[ShipmentLineView]
    # Drop-shipped: sent by the supplier's own supplier straight to the buyer (on the buyer's
    # order), or by this order's supplier straight to a buyer further down (on an upstream order).
    drop_ship: bool = False
    deliver_to: str = ""  # on an upstream order: whom the goods went to


class ForwardedView(msgspec.Struct, frozen=True):
    """Where a line stands a tier further up: the supplier ordered it from its own supplier."""

    sku: str
    quantity: int
    upstream_status: OrderStatus


class FillsView(msgspec.Struct, frozen=True):
    """A downstream order this (upstream) order was placed to fill."""

    order_id: UUID
    order_number: str
    sku: str
    quantity: int


class ForwardRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Order what the buyers wait for from one's own supplier; all backorders, or these SKUs."""

    skus: Annotated[list[Annotated[str, Meta(max_length=64)]], Meta(max_length=500)] = []
    note: Annotated[str, Meta(max_length=2000)] = ""


class ReturnLine(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    order_line_id: UUID
    quantity: Quantity


class ReturnCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    lines: Annotated[list[ReturnLine], Meta(min_length=1, max_length=2000)]
    reason: Annotated[str, Meta(min_length=1, max_length=1000)]

    def __post_init__(self) -> None:
        self.reason = check_text(self.reason, "reason", max_length=1000)


class ReturnDecision(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "refuse"]
    answer: Annotated[str, Meta(max_length=1000)] = ""


class ReturnView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    order_line_id: UUID
    sku: str
    quantity: int
    reason: str
    status: str
    requested_at: datetime
    answer: str


class Order(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    status: OrderStatus
    buyer_id: UUID
    buyer_name: str
    supplier_id: UUID
    supplier_name: str
    currency: str
    total: Decimal  # the lines' total: what the goods cost after every discount
    fund_amount: Decimal  # paid from the buyer's rebate fund
    total_due: Decimal  # what the buyer owes the supplier: the total less the fund's part
    note: str
    reason: str
    placed_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLineView] = []
    shipments: list[ShipmentView] = []
    forwarded: list[ForwardedView] = []  # lines the supplier ordered upstream for this order
    fills: list[FillsView] = []  # downstream orders this order fills
    returns: list[ReturnView] = []


class OrderSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    status: OrderStatus
    buyer_id: UUID
    supplier_id: UUID
    currency: str
    total: Decimal
    line_count: int
    created_at: datetime
    fund_amount: Decimal = Decimal(0)
    buyer_name: str = ""
    supplier_name: str = ""


class OrderFilter(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    role: Literal["placed", "received", "all"] = "all"  # orders the organisation placed or must fill
    status: OrderStatus | None = None
    cursor: Annotated[str, Meta(max_length=200)] | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 50


class OrderDecision(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, Meta(max_length=1000)] = ""


class OrderCancel(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=1000)] = ""


class ShipLine(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    order_line_id: UUID
    quantity: Quantity


class ShipmentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Ship all or part of what is reserved; without lines, everything reserved now."""

    lines: Annotated[list[ShipLine], Meta(max_length=2000)] = []
    carrier: Annotated[str, Meta(max_length=80)] = ""
    tracking: Annotated[str, Meta(max_length=80)] = ""
    packages: Annotated[int, Meta(ge=1, le=10_000)] = 1


class DropShipmentFilter(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The drop-shipments of the supplier that ships them: ``to_do`` the downstream orders it may
    still ship straight to (oldest first), ``done`` those it has shipped everything to (newest
    first), ``all`` both (newest first); optionally for one buyer (the store receiving them)."""

    state: Literal["to_do", "done", "all"] = "to_do"
    buyer_id: UUID | None = None
    cursor: Annotated[str, Meta(max_length=200)] | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 50


class DropShipmentRef(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID  # the shipment on the upstream order
    number: str
    status: str  # shipped | received
    units: int
    shipped_at: datetime
    received_at: datetime | None = None


class DropShipmentView(msgspec.Struct, frozen=True, kw_only=True):
    """One downstream order the supplier can fill by shipping straight to its buyer, through one of
    its own orders that was forwarded for it: what was forwarded, shipped direct and is still open."""

    state: Literal["to_do", "done"]
    upstream_order_id: UUID
    upstream_number: str
    upstream_status: OrderStatus
    via_id: UUID  # the middle tier: who placed the upstream order
    via_name: str
    order_id: UUID  # the downstream order
    order_number: str
    order_status: OrderStatus
    deliver_to_id: UUID  # its buyer, where the goods go
    deliver_to_name: str
    ordered_at: datetime  # when the downstream order was placed
    forwarded: int  # units forwarded upstream for it
    shipped: int  # of them, shipped straight to its buyer
    open: int  # what may still go straight to it
    shipments: list[DropShipmentRef] = []


class DropShipCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Ship what is reserved for an upstream order straight to the buyer of a downstream order it
    fills; without lines, everything reserved that order still waits for (up to what was forwarded)."""

    downstream_order_id: UUID
    lines: Annotated[list[ShipLine], Meta(max_length=2000)] = []  # lines of the upstream order
    carrier: Annotated[str, Meta(max_length=80)] = ""
    tracking: Annotated[str, Meta(max_length=80)] = ""
    packages: Annotated[int, Meta(ge=1, le=10_000)] = 1


class ReceiptLine(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    order_line_id: UUID
    received: Annotated[int, Meta(ge=0, le=1_000_000)]
    damaged: Annotated[int, Meta(ge=0, le=1_000_000)] = 0


class ReceiptCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What arrived; lines left out arrived in full and undamaged."""

    lines: Annotated[list[ReceiptLine], Meta(max_length=2000)] = []
    note: Annotated[str, Meta(max_length=2000)] = ""


class StockRow(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    on_hand: int
    reserved: int
    in_transit: int
    available: int
    backordered: int  # what the organisation's buyers wait for


class StockAdjustment(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    sku: Annotated[str, Meta(min_length=1, max_length=64)]
    quantity: Annotated[int, Meta(ge=-1_000_000, le=1_000_000)]  # counted in (+) or written off (-)
    reason: Annotated[str, Meta(min_length=1, max_length=500)]

    def __post_init__(self) -> None:
        self.sku = check_sku(self.sku)
        self.reason = check_text(self.reason, "reason", max_length=500)


class LedgerCheck(msgspec.Struct, frozen=True):
    levels: int
    mismatches: list[str]


class WhatIfPast(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Preview a draft promotion against the orders placed in a past period, in the actor's scope."""

    promotion: PromotionCreate
    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.until <= self.since:
            raise FieldValueError("until", "ends_before_start", "The end must come after the start.")
