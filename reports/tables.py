"""Persistence of partner reports (stock snapshots and sell-out)."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Date,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from reports.reporting import ReportKind, ReportSource


class PartnerReport(Table, tablename="reports_partner_report"):
    """One partner's stock snapshot or sell-out for one day.

    A report is idempotent per partner, kind and day: a re-upload adds a new revision and marks the
    earlier one superseded, which stays as history.
    """

    id = UUID(primary_key=True, default=UUID4())
    organisation_id = UUID(index=True)
    organisation_path = Varchar(
        length=400, index_method=IndexMethod.btree
    )  # who sees it: the partner's upstream
    kind = Varchar(length=20, choices=ReportKind)
    report_date = Date(index=True)
    revision = Integer(default=1)
    current = Boolean(default=True)
    source = Varchar(length=10, choices=ReportSource)
    file_name = Varchar(length=255, default="")
    line_count = Integer(default=0)
    total_quantity = Integer(default=0)
    submitted_by = Varchar(length=254, default="")
    submitted_at = Timestamptz(default=TimestamptzNow())
    superseded_at = Timestamptz(null=True, default=None)


class PartnerReportLine(Table, tablename="reports_partner_report_line"):
    """One product of a report: units on hand at the end of the day, or units sold that day.

    The partner, kind and day are copied from the report so that aggregation reads one table.
    """

    id = BigSerial(primary_key=True)
    report_id = UUID(index=True)
    organisation_id = UUID()
    kind = Varchar(length=20, choices=ReportKind)
    report_date = Date()
    sku = Varchar(length=64)
    quantity = Integer()
    amount = Numeric(digits=(14, 2), null=True, default=None)  # sell-out revenue, when the partner reports it


class Target(Table, tablename="reports_target"):
    """What a partner should reach in one period on one measure; set by its upstream."""

    id = UUID(primary_key=True, default=UUID4())
    organisation_id = UUID(index=True)
    organisation_path = Varchar(length=400, index_method=IndexMethod.btree)
    period = Varchar(length=10)  # month | quarter | year
    period_start = Date()
    measure = Varchar(length=20)  # purchases | sell_out | new_stores | registered_deals
    value = Numeric(digits=(16, 2))
    set_by = Varchar(length=254, default="")
    set_by_organisation_id = UUID(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class ScorecardWeight(Table, tablename="reports_scorecard_weight"):
    """How much one KPI counts in the score of partners at one level ('' = partners without one)."""

    id = BigSerial(primary_key=True)
    partner_level = Varchar(length=32, default="")
    kpi = Varchar(length=40)
    weight = Integer()


class Rollup(Table, tablename="reports_rollup"):
    """One measure of one partner on one day, folded from orders, registrations, quotes, leads and
    reports; KPIs and dashboards read these rows instead of the raw ones."""

    id = BigSerial(primary_key=True)
    organisation_id = UUID()
    day = Date(index=True)
    measure = Varchar(length=32)
    hundredths = BigInt()  # the value x 100: money has cents, cycle times hundredths of an hour;
    # an integer sums exactly on both engines (SQLite sums NUMERIC as floats)


class RollupWatermark(Table, tablename="reports_rollup_watermark"):
    """How far the incremental job has folded each source in: a timestamp or a ledger id, as text."""

    id = BigSerial(primary_key=True)
    source = Varchar(length=32, unique=True)
    mark = Varchar(length=64, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class RollupMonth(Table, tablename="reports_rollup_month"):
    """The daily rollups summed per month (stock aside), so a quarter or a year reads a few rows per
    partner; rewritten from the daily rows of every month a change touches."""

    id = BigSerial(primary_key=True)
    organisation_id = UUID()
    month = Date(index=True)  # the first day of the month
    measure = Varchar(length=32)
    hundredths = BigInt()


class RollupCategory(Table, tablename="reports_rollup_category"):
    """The product-based measures of one partner in one month, per product category.

    A row per category of the tree (by its full path, "KITCHEN/HOBS/"): a product counts in its own
    category and in every category above it, so filtering on any node reads that node's rows and
    a parent takes in its descendants. A month (not a day) because every period is whole months;
    stock is the partner's units on hand at its last stock report of the month."""

    id = BigSerial(primary_key=True)
    organisation_id = UUID()
    month = Date(index=True)  # the first day of the month
    category_path = Varchar(length=400)
    measure = Varchar(length=32)
    hundredths = BigInt()


class PendingUpload(Table, tablename="reports_pending_upload"):
    """A parsed upload between its preview and the partner's confirmation.

    Kept in the database, not in a worker's memory, so the confirmation may reach any app worker;
    it expires after a while and is deleted once confirmed.
    """

    id = UUID(primary_key=True, default=UUID4())
    organisation_id = UUID(index=True)
    kind = Varchar(length=20, choices=ReportKind)
    file_name = Varchar(length=255, default="")
    row_count = Integer(default=0)
    line_count = Integer(default=0)
    problem_count = Integer(default=0)
    lines = Text(default="")  # the parsed lines, msgspec JSON
    problems = Text(default="")  # every problem, msgspec JSON
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow(), index=True)


class ReportedStock(Table, tablename="reports_reported_stock"):
    """Each partner's latest reported stock of each product: the inventory pages read this, not history."""

    id = BigSerial(primary_key=True)
    organisation_id = UUID(index=True)
    sku = Varchar(length=64)
    quantity = Integer(default=0)
    report_date = Date()
    report_id = UUID()


class StockThreshold(Table, tablename="reports_stock_threshold"):
    """Days of supply that make a product's stock low or overstock; the row with sku "*" is the default."""

    id = BigSerial(primary_key=True)
    sku = Varchar(length=64, unique=True)
    low_days = Integer(null=True, default=None)
    high_days = Integer(null=True, default=None)
    updated_by = Varchar(length=254, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class ReportSchedule(Table, tablename="reports_schedule"):
    """When partners owe a stock report: weekly on a weekday or monthly on a day; one row."""

    id = BigSerial(primary_key=True)
    frequency = Varchar(length=10, default="off")  # off | weekly | monthly
    due_day = Integer(default=1)  # weekly: 1 = Monday ... 7 = Sunday; monthly: 1..28
    updated_by = Varchar(length=254, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class ReportReminder(Table, tablename="reports_reminder"):
    """A reminder sent to a partner for one due date; unique, so each is sent once."""

    id = BigSerial(primary_key=True)
    organisation_id = UUID()
    due_date = Date()
    sent_at = Timestamptz(default=TimestamptzNow())
