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
