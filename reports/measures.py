"""What each raw fact adds to the rollups: a partner, a day and an amount per measure (pure).

Every measure is additive over days except ``stock_units`` (units on hand at the end of a day), which
a period reads at its last reported day. Order facts count on the day the order was submitted, so an
order's later shipments and receipts change the figures of the day it was placed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

import msgspec

HOUR = Decimal(3600)
HUNDREDTHS = Decimal("0.01")
ON_TIME_DAYS = 3  # an order ships on time when its last unit left within this many days of submission


class Measure(StrEnum):
    # the partner as a buyer
    PURCHASES_AMOUNT = "purchases_amount"
    PURCHASES_ORDERS = "purchases_orders"
    PURCHASES_UNITS = "purchases_units"
    PROMOTION_ORDERS = "promotion_orders"
    # the partner as a supplier of its downstream
    SALES_AMOUNT = "sales_amount"
    SALES_ORDERS = "sales_orders"
    FILL_ORDERED_UNITS = "fill_ordered_units"
    FILL_SHIPPED_UNITS = "fill_shipped_units"
    SHIPPED_ORDERS = "shipped_orders"
    ON_TIME_ORDERS = "on_time_orders"
    RECEIVED_ORDERS = "received_orders"
    CYCLE_HOURS = "cycle_hours"
    # deal registrations, quotes, leads
    REGISTRATIONS_SUBMITTED = "registrations_submitted"
    REGISTRATIONS_APPROVED = "registrations_approved"
    REGISTRATIONS_WON = "registrations_won"
    QUOTES_SENT = "quotes_sent"
    QUOTES_CONVERTED = "quotes_converted"
    LEADS_OFFERED = "leads_offered"
    LEADS_ACCEPTED_IN_TIME = "leads_accepted_in_time"
    LEADS_ACCEPTED = "leads_accepted"
    LEADS_FOLLOWED_IN_TIME = "leads_followed_in_time"
    # partner reports and the network
    SELL_OUT_UNITS = "sell_out_units"
    SELL_OUT_AMOUNT = "sell_out_amount"
    STOCK_UNITS = "stock_units"
    NEW_STORES = "new_stores"


ORDER_MEASURES = (
    Measure.PURCHASES_AMOUNT,
    Measure.PURCHASES_ORDERS,
    Measure.PURCHASES_UNITS,
    Measure.PROMOTION_ORDERS,
    Measure.SALES_AMOUNT,
    Measure.SALES_ORDERS,
    Measure.FILL_ORDERED_UNITS,
    Measure.FILL_SHIPPED_UNITS,
    Measure.SHIPPED_ORDERS,
    Measure.ON_TIME_ORDERS,
    Measure.RECEIVED_ORDERS,
    Measure.CYCLE_HOURS,
)
REGISTRATION_MEASURES = (
    Measure.REGISTRATIONS_SUBMITTED,
    Measure.REGISTRATIONS_APPROVED,
    Measure.REGISTRATIONS_WON,
)
QUOTE_MEASURES = (Measure.QUOTES_SENT, Measure.QUOTES_CONVERTED)
LEAD_MEASURES = (
    Measure.LEADS_OFFERED,
    Measure.LEADS_ACCEPTED_IN_TIME,
    Measure.LEADS_ACCEPTED,
    Measure.LEADS_FOLLOWED_IN_TIME,
)
SELL_OUT_MEASURES = (Measure.SELL_OUT_UNITS, Measure.SELL_OUT_AMOUNT)
STOCK_MEASURES = (Measure.STOCK_UNITS,)
NETWORK_MEASURES = (Measure.NEW_STORES,)
# The measures that are sums over products, kept again per product category (``reports_rollup_category``).
ORDER_CATEGORY_MEASURES = (
    Measure.PURCHASES_AMOUNT,
    Measure.PURCHASES_UNITS,
    Measure.SALES_AMOUNT,
    Measure.FILL_ORDERED_UNITS,
    Measure.FILL_SHIPPED_UNITS,
)
REPORT_CATEGORY_MEASURES = (Measure.SELL_OUT_UNITS, Measure.SELL_OUT_AMOUNT, Measure.STOCK_UNITS)
CATEGORY_MEASURES = ORDER_CATEGORY_MEASURES + REPORT_CATEGORY_MEASURES

NOT_PLACED = frozenset({"rejected", "cancelled"})  # orders that never became a purchase
ACCEPTED = frozenset({"approved", "partially_shipped", "shipped", "received", "closed"})
DELIVERED = frozenset({"received", "closed"})
APPROVED_REGISTRATION = frozenset({"protected", "won", "lost", "expired"})
SENT_QUOTE = frozenset({"sent", "accepted", "declined", "expired", "ordered"})

Key = tuple[UUID, date, str]
CategoryKey = tuple[UUID, date, str, str]  # partner, first day of the month, category path, measure


class OrderFact(msgspec.Struct, frozen=True, kw_only=True):
    """One order with its lines and shipments summed (what the rollups need of it)."""

    id: UUID
    buyer_id: UUID
    supplier_id: UUID
    created_at: datetime
    status: str
    total: Decimal
    units: int
    shipped_units: int
    promotion_lines: int
    last_shipped_at: datetime | None = None
    last_received_at: datetime | None = None
    open_shipments: int = 0


class OrderCategoryFact(msgspec.Struct, frozen=True, kw_only=True):
    """The lines of the orders between one buyer and its supplier in one month, in one category."""

    buyer_id: UUID
    supplier_id: UUID
    month: date
    category_path: str
    placed_amount: Decimal  # net line totals of orders not rejected or cancelled
    placed_units: int
    accepted_units: int  # units on accepted orders (approved and later)
    accepted_shipped: int  # of those, shipped (never more than ordered, line by line)


class ReportCategoryFact(msgspec.Struct, frozen=True, kw_only=True):
    """One partner's reported units (and sell-out amount) of one category in one month; for stock,
    the units on hand at its last stock report of the month."""

    organisation_id: UUID
    month: date
    kind: str  # stock | sell_out
    category_path: str
    quantity: int
    amount: Decimal = Decimal(0)


class RegistrationFact(msgspec.Struct, frozen=True):
    partner_id: UUID
    created_at: datetime
    status: str


class QuoteFact(msgspec.Struct, frozen=True):
    seller_id: UUID
    created_at: datetime
    status: str
    order_id: UUID | None


class LeadEventFact(msgspec.Struct, frozen=True):
    lead_id: UUID
    occurred_at: datetime
    kind: str
    organisation_id: UUID | None


class LeadPolicy(msgspec.Struct, frozen=True):
    accept_within: timedelta
    follow_up_within: timedelta


class ReportFact(msgspec.Struct, frozen=True):
    organisation_id: UUID
    kind: str  # stock | sell_out
    report_date: date
    quantity: int
    amount: Decimal


class OrganisationFact(msgspec.Struct, frozen=True):
    supplier_id: UUID | None
    kind: str
    created_at: datetime


def day_of(moment: datetime) -> date:
    """The UTC day of a moment: every rollup day is a UTC day."""
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).date()


class Folded:
    """Sums per (partner, day, measure); zero sums are dropped (but for stock) so rebuild and increments agree."""

    def __init__(self) -> None:
        self.sums: defaultdict[Key, Decimal] = defaultdict(Decimal)
        self.by_category: defaultdict[CategoryKey, Decimal] = defaultdict(Decimal)

    def add(self, organisation_id: UUID, day: date, measure: Measure, value: Decimal | int) -> None:
        self.sums[(organisation_id, day, measure.value)] += Decimal(value)

    def add_category(
        self, organisation_id: UUID, month: date, path: str, measure: Measure, value: Decimal | int
    ) -> None:
        self.by_category[(organisation_id, month, path, measure.value)] += Decimal(value)

    def category_rows(self) -> dict[CategoryKey, Decimal]:
        """Zero sums dropped, stock too: a category missing from the last report holds nothing."""
        return {key: value for key, value in self.by_category.items() if value != 0}

    def rows(self) -> dict[Key, Decimal]:
        return {
            key: value
            for key, value in self.sums.items()
            if value != 0 or key[2] == Measure.STOCK_UNITS.value  # an empty shelf is a figure
        }


def fold_orders(orders: Iterable[OrderFact], folded: Folded) -> None:
    for o in orders:
        if o.status in NOT_PLACED:
            continue
        day = day_of(o.created_at)
        folded.add(o.buyer_id, day, Measure.PURCHASES_AMOUNT, o.total)
        folded.add(o.buyer_id, day, Measure.PURCHASES_ORDERS, 1)
        folded.add(o.buyer_id, day, Measure.PURCHASES_UNITS, o.units)
        if o.promotion_lines:
            folded.add(o.buyer_id, day, Measure.PROMOTION_ORDERS, 1)
        folded.add(o.supplier_id, day, Measure.SALES_AMOUNT, o.total)
        folded.add(o.supplier_id, day, Measure.SALES_ORDERS, 1)
        if o.status in ACCEPTED:
            folded.add(o.supplier_id, day, Measure.FILL_ORDERED_UNITS, o.units)
            folded.add(o.supplier_id, day, Measure.FILL_SHIPPED_UNITS, min(o.shipped_units, o.units))
        if o.units and o.shipped_units >= o.units and o.last_shipped_at is not None:
            folded.add(o.supplier_id, day, Measure.SHIPPED_ORDERS, 1)
            if o.last_shipped_at - o.created_at <= timedelta(days=ON_TIME_DAYS):
                folded.add(o.supplier_id, day, Measure.ON_TIME_ORDERS, 1)
        if o.status in DELIVERED and o.last_received_at is not None:
            hours = Decimal((o.last_received_at - o.created_at).total_seconds()) / HOUR
            folded.add(o.supplier_id, day, Measure.RECEIVED_ORDERS, 1)
            folded.add(o.supplier_id, day, Measure.CYCLE_HOURS, hours.quantize(HUNDREDTHS))


def category_and_ancestors(path: str) -> list[str]:
    """ "KITCHEN/HOBS/" -> ["KITCHEN/", "KITCHEN/HOBS/"]: a product counts in its category and in
    every category above it, so a filter on any node reads that node's rows alone."""
    codes = [code for code in path.split("/") if code]
    return ["".join(f"{code}/" for code in codes[: depth + 1]) for depth in range(len(codes))]


def fold_order_categories(facts: Iterable[OrderCategoryFact], folded: Folded) -> None:
    for f in facts:
        for path in category_and_ancestors(f.category_path):
            folded.add_category(f.buyer_id, f.month, path, Measure.PURCHASES_AMOUNT, f.placed_amount)
            folded.add_category(f.buyer_id, f.month, path, Measure.PURCHASES_UNITS, f.placed_units)
            folded.add_category(f.supplier_id, f.month, path, Measure.SALES_AMOUNT, f.placed_amount)
            folded.add_category(f.supplier_id, f.month, path, Measure.FILL_ORDERED_UNITS, f.accepted_units)
            folded.add_category(f.supplier_id, f.month, path, Measure.FILL_SHIPPED_UNITS, f.accepted_shipped)


def fold_report_categories(facts: Iterable[ReportCategoryFact], folded: Folded) -> None:
    for f in facts:
        for path in category_and_ancestors(f.category_path):
            if f.kind == "stock":
                folded.add_category(f.organisation_id, f.month, path, Measure.STOCK_UNITS, f.quantity)
            else:
                folded.add_category(f.organisation_id, f.month, path, Measure.SELL_OUT_UNITS, f.quantity)
                folded.add_category(f.organisation_id, f.month, path, Measure.SELL_OUT_AMOUNT, f.amount)


def fold_registrations(registrations: Iterable[RegistrationFact], folded: Folded) -> None:
    for r in registrations:
        day = day_of(r.created_at)
        folded.add(r.partner_id, day, Measure.REGISTRATIONS_SUBMITTED, 1)
        if r.status in APPROVED_REGISTRATION:
            folded.add(r.partner_id, day, Measure.REGISTRATIONS_APPROVED, 1)
        if r.status == "won":
            folded.add(r.partner_id, day, Measure.REGISTRATIONS_WON, 1)


def fold_quotes(quotes: Iterable[QuoteFact], folded: Folded) -> None:
    for q in quotes:
        if q.status not in SENT_QUOTE and q.order_id is None:
            continue
        day = day_of(q.created_at)
        folded.add(q.seller_id, day, Measure.QUOTES_SENT, 1)
        if q.order_id is not None:
            folded.add(q.seller_id, day, Measure.QUOTES_CONVERTED, 1)


OFFER_ENDS = frozenset({"accepted", "declined", "offer_lapsed"})
FOLLOW_UP_ENDS = frozenset({"follow_up", "registered", "no_follow_up", "declined"})


def fold_lead_events(events: Iterable[LeadEventFact], policy: LeadPolicy, folded: Folded) -> None:
    """Offers count once settled (accepted, declined or lapsed), on the day of the offer; accepted
    leads count once followed up or returned for neglect, on the day of acceptance."""
    by_lead: defaultdict[UUID, list[LeadEventFact]] = defaultdict(list)
    for e in events:
        by_lead[e.lead_id].append(e)
    for history in by_lead.values():
        history.sort(key=lambda e: e.occurred_at)
        for index, e in enumerate(history):
            if e.organisation_id is None or e.kind not in ("offered", "accepted"):
                continue
            later = [x for x in history[index + 1 :] if x.organisation_id == e.organisation_id]
            day = day_of(e.occurred_at)
            if e.kind == "offered":
                end = next((x for x in later if x.kind in OFFER_ENDS), None)
                if end is None:
                    continue
                folded.add(e.organisation_id, day, Measure.LEADS_OFFERED, 1)
                if end.kind == "accepted" and end.occurred_at - e.occurred_at <= policy.accept_within:
                    folded.add(e.organisation_id, day, Measure.LEADS_ACCEPTED_IN_TIME, 1)
            else:
                end = next((x for x in later if x.kind in FOLLOW_UP_ENDS), None)
                if end is None:
                    continue
                folded.add(e.organisation_id, day, Measure.LEADS_ACCEPTED, 1)
                if end.kind in ("follow_up", "registered") and (
                    end.occurred_at - e.occurred_at <= policy.follow_up_within
                ):
                    folded.add(e.organisation_id, day, Measure.LEADS_FOLLOWED_IN_TIME, 1)


def fold_reports(lines: Iterable[ReportFact], folded: Folded) -> None:
    for line in lines:
        if line.kind == "stock":
            folded.add(line.organisation_id, line.report_date, Measure.STOCK_UNITS, line.quantity)
        else:
            folded.add(line.organisation_id, line.report_date, Measure.SELL_OUT_UNITS, line.quantity)
            folded.add(line.organisation_id, line.report_date, Measure.SELL_OUT_AMOUNT, line.amount)


def fold_organisations(organisations: Iterable[OrganisationFact], folded: Folded) -> None:
    for o in organisations:
        if o.kind == "store" and o.supplier_id is not None:
            folded.add(o.supplier_id, day_of(o.created_at), Measure.NEW_STORES, 1)
