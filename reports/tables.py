"""Persistence of partner reports (stock snapshots and sell-out)."""

from __future__ import annotations

from piccolo.columns import UUID, BigSerial, Boolean, Date, Integer, Numeric, Timestamptz, Varchar
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
