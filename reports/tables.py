"""Persistence of partner reports (stock snapshots and sell-out)."""

from __future__ import annotations

from piccolo.columns import UUID, BigSerial, Boolean, Date, Integer, Numeric, Text, Timestamptz, Varchar
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
