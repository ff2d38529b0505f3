"""Inputs and outputs of stock and sell-out reporting and of the channel inventory (the API's bodies)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from reports.ingestion import ReportLine, RowProblem
from reports.inventory import StockHealth
from reports.kpis import Direction, Kpi, KpiValue, PeriodKind, ScorePart, TargetMeasure
from reports.reporting import ReportKind, ReportSource

Sku = Annotated[str, Meta(min_length=1, max_length=64)]


class ReportSummary(msgspec.Struct, frozen=True):
    id: UUID
    organisation_id: UUID
    organisation_code: str
    organisation_name: str
    kind: ReportKind
    report_date: date
    revision: int
    current: bool
    source: ReportSource
    file_name: str
    line_count: int
    total_quantity: int
    submitted_by: str
    submitted_at: datetime
    superseded_at: datetime | None = None


class ReportLineOut(msgspec.Struct, frozen=True):
    sku: str
    quantity: int
    amount: Decimal | None = None


class Report(msgspec.Struct, frozen=True):
    """A report with its lines and every revision of the same partner, kind and day."""

    report: ReportSummary
    lines: list[ReportLineOut]
    revisions: list[ReportSummary]


class ReportFilter(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kind: ReportKind | None = None
    organisation_id: UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_history: bool = False
    limit: Annotated[int, Meta(ge=1, le=500)] = 100
    cursor: Annotated[str, Meta(max_length=200)] | None = None


class LineIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One line typed into the form or sent by a partner's system; text, checked like a file's cell."""

    sku: Annotated[str, Meta(max_length=64)]
    quantity: int | Annotated[str, Meta(max_length=40)]
    date: Annotated[str, Meta(max_length=40)] = ""
    # a string keeps an amount exact ("1299.90"); a JSON number is read through its shortest form
    amount: int | float | Annotated[str, Meta(max_length=40)] | None = None


class ReportSubmission(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A report entered by hand or sent by the API: one kind, lines on one or more days."""

    kind: ReportKind
    lines: Annotated[list[LineIn], Meta(min_length=1, max_length=20_000)]
    report_date: date | None = None  # the day of every line that names none


class SavedReports(msgspec.Struct, frozen=True):
    """What a confirmation or submission did: one report per day, new revisions or unchanged."""

    reports: list[ReportSummary]
    unchanged: list[date] = []

    @property
    def line_count(self) -> int:
        return sum(r.line_count for r in self.reports)


class UploadPreview(msgspec.Struct, frozen=True):
    """A parsed upload waiting for confirmation: what would be saved, and every problem."""

    id: UUID
    kind: ReportKind
    file_name: str
    rows: int
    line_count: int
    days: list[date]
    total_quantity: int
    problems: list[RowProblem]
    expires_at: datetime
    sample: list[ReportLine] = []  # the first lines, for a look before confirming
    replaces: list[date] = []  # days that already have a report, which this one would replace

    @property
    def can_confirm(self) -> bool:
        return not self.problems and self.line_count > 0


class InventoryFilter(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    region: Annotated[str, Meta(max_length=32)] | None = None
    depth: Annotated[int, Meta(ge=0, le=10)] | None = None  # 0 manufacturer, 1 tier-1, ...
    kind: Literal["manufacturer", "distributor", "store"] | None = None
    category: Annotated[str, Meta(max_length=32)] | None = None
    organisation_id: UUID | None = None  # that partner and its subtree
    sku: Annotated[str, Meta(max_length=64)] | None = None
    health: StockHealth | None = None
    limit: Annotated[int, Meta(ge=1, le=5000)] = 500


class InventoryRow(msgspec.Struct, frozen=True):
    """One partner's stock of one product, from the ledger and from its own reports."""

    organisation_id: UUID
    organisation_code: str
    organisation_name: str
    organisation_kind: str
    depth: int
    region: str | None
    sku: str
    product_name: dict[str, str]
    category_path: str
    ledger_on_hand: int | None
    reported_on_hand: int | None
    reported_on: date | None
    discrepancy: int | None
    on_hand: int
    sold_in_window: int
    daily_rate: Decimal
    days_of_supply: Decimal | None
    average_age_days: int | None
    oldest_age_days: int | None
    health: StockHealth


class ProductTotal(msgspec.Struct, frozen=True):
    """One product across the visible channel: on hand per tier and in total."""

    sku: str
    product_name: dict[str, str]
    by_depth: dict[int, int]  # 0 the manufacturer, 1 tier-1 distributors, ...
    by_kind: dict[str, int]  # manufacturer, distributor, store
    on_hand: int
    sold_in_window: int
    days_of_supply: Decimal | None
    alerts: int


class Inventory(msgspec.Struct, frozen=True):
    as_of: date
    window_days: int
    rows: list[InventoryRow]
    products: list[ProductTotal]
    truncated: bool = False


class Threshold(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Days of supply below which a product's stock is low, above which it is overstock; sku "*" is the default."""

    sku: Sku
    low_days: Annotated[int, Meta(ge=0, le=3650)] | None = None
    high_days: Annotated[int, Meta(ge=1, le=3650)] | None = None

    def __post_init__(self) -> None:
        if self.low_days is not None and self.high_days is not None and self.low_days >= self.high_days:
            raise ValueError("low_days must be below high_days")


class Schedule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """When stock reports are due: ``weekly`` on ``due_day`` 1 (Monday) to 7, ``monthly`` on 1 to 28."""

    frequency: Literal["off", "weekly", "monthly"] = "off"
    due_day: Annotated[int, Meta(ge=1, le=28)] = 1

    def __post_init__(self) -> None:
        if self.frequency == "weekly" and self.due_day > 7:
            raise ValueError("a weekly due day is 1 (Monday) to 7 (Sunday)")


class ReportSettings(msgspec.Struct, frozen=True):
    schedule: Schedule
    thresholds: list[Threshold]


class ReminderRun(msgspec.Struct, frozen=True):
    due_date: date | None
    reminded: int


class PartnerRef(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    name: str
    kind: str
    depth: int
    level: str | None
    region: str | None
    currency: str


class TargetValue(msgspec.Struct, frozen=True):
    measure: TargetMeasure
    value: Decimal
    actual: Decimal
    achievement: Decimal | None  # percent


class PartnerTargets(msgspec.Struct, frozen=True):
    partner: PartnerRef
    targets: list[TargetValue]
    editable: bool  # the actor may set this partner's targets


class TargetSheet(msgspec.Struct, frozen=True):
    period: PeriodKind
    period_label: str
    period_start: date
    rows: list[PartnerTargets]


class TargetSet(msgspec.Struct, frozen=True, kw_only=True):
    """One target; a value of null removes it."""

    organisation_id: UUID
    period: PeriodKind
    period_label: Annotated[str, msgspec.Meta(max_length=10)]  # 2026-07, 2026-Q3 or 2026
    measure: TargetMeasure
    value: Decimal | None  # 0 or more, below 10^14


class TargetBatch(msgspec.Struct, frozen=True):
    targets: Annotated[list[TargetSet], msgspec.Meta(max_length=2000)]


class TargetBatchResult(msgspec.Struct, frozen=True):
    saved: int
    removed: int


class LevelWeights(msgspec.Struct, frozen=True):
    level: str  # a partner level's code; '' for partners without a level
    weights: dict[Kpi, Annotated[int, msgspec.Meta(ge=0, le=100)]]
    defaults: bool = False  # nothing set: the built-in weights apply


class WeightsUpdate(msgspec.Struct, frozen=True):
    weights: dict[Kpi, Annotated[int, msgspec.Meta(ge=0, le=100)]]
    level: Annotated[str, msgspec.Meta(max_length=32)] = ""  # a partner level's code; '' for none


class Suggestion(msgspec.Struct, frozen=True):
    direction: Direction
    level: str | None
    reasons: list[str]


class TrendPoint(msgspec.Struct, frozen=True):
    month: str  # YYYY-MM
    purchases: Decimal
    sell_out_units: Decimal
    target: Decimal | None  # the month's purchases target
    score: Decimal | None


class OrderRef(msgspec.Struct, frozen=True):
    id: UUID
    number: str
    status: str
    total: Decimal
    currency: str
    created_at: datetime


class Scorecard(msgspec.Struct, frozen=True):
    partner: PartnerRef
    period: PeriodKind
    period_label: str
    kpis: list[KpiValue]
    targets: list[TargetValue]
    score: Decimal | None
    previous_score: Decimal | None
    parts: list[ScorePart]
    suggestion: Suggestion
    trend: list[TrendPoint]
    downstream: list[PartnerRow]  # for a distributor: its direct partners
    orders: list[OrderRef]  # the latest orders the partner placed in the period
    # the product category the figures are filtered by (its code), and the KPIs that follow it;
    # the others (targets, score, deals, leads, quotes, on-time, cycle time) are the partner's whole
    category: str | None = None
    category_kpis: list[Kpi] = msgspec.field(default_factory=list)


class PartnerRow(msgspec.Struct, frozen=True):
    partner: PartnerRef
    purchases: Decimal
    sales: Decimal
    sell_out_units: Decimal
    achievement: Decimal | None
    growth: Decimal | None
    score: Decimal | None


class Slice(msgspec.Struct, frozen=True):
    key: str  # a tier ('distributor:1', 'store') or a region code
    purchases: Decimal
    partners: int


class Funnel(msgspec.Struct, frozen=True):
    registrations_submitted: Decimal
    registrations_approved: Decimal
    registrations_won: Decimal
    leads_offered: Decimal
    leads_accepted_in_time: Decimal
    leads_followed_in_time: Decimal
    quotes_sent: Decimal
    quotes_converted: Decimal


class InventoryHealth(msgspec.Struct, frozen=True):
    reporting: int  # partners with a stock report in the period
    units: Decimal
    sell_out_units: Decimal
    low: int  # under LOW_DAYS days of supply
    healthy: int
    over: int  # over OVER_DAYS days of supply
    no_sell_out: int  # stock reported but nothing sold


class OverviewFilter(msgspec.Struct, frozen=True, kw_only=True):
    period: PeriodKind = PeriodKind.QUARTER
    period_label: str | None = None  # default: the period containing today
    region: str | None = None
    level: str | None = None
    category: str | None = None  # a product category's code: its products and its descendants'


class Overview(msgspec.Struct, frozen=True):
    period: PeriodKind
    period_label: str
    currency: str
    purchases: Decimal  # what the partners in view bought, all tiers
    purchases_last_year: Decimal
    by_tier: list[Slice]
    by_region: list[Slice]
    top: list[PartnerRow]
    bottom: list[PartnerRow]
    partners: list[PartnerRow]
    inventory: InventoryHealth
    funnel: Funnel
    trend: list[TrendPoint]
    # with a category: purchases, sales, sell-out, growth, stock and the trend are the category's;
    # achievement, score and the deal and lead funnel are not filtered by category
    category: str | None = None
    category_kpis: list[Kpi] = msgspec.field(default_factory=list)


class CategoryChoice(msgspec.Struct, frozen=True):
    code: str
    path: str  # "KITCHEN/HOBS/"
    depth: int  # 0 for a root category
    names: dict[str, str]  # per locale


class FilterChoices(msgspec.Struct, frozen=True):
    levels: list[tuple[str, str]]  # code, name, best first
    regions: list[tuple[str, str]]
    categories: list[CategoryChoice] = msgspec.field(default_factory=list)  # in tree order
