"""The only module that touches the reports tables (and reads the ledger and catalogue it sums)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from channel.network import PATH_END
from channel.repository import column_values, decode_cursor, encode_cursor, where_all, within
from channel.visibility import Scope
from reports import schemas
from reports.ingestion import ReportLine, RowProblem
from reports.reporting import ReportKind, ReportSource
from reports.tables import (
    PartnerReport,
    PartnerReportLine,
    PendingUpload,
    ReportedStock,
    ReportReminder,
    ReportSchedule,
    StockThreshold,
)

_CHUNK = 500  # rows per INSERT: within SQLite's bound-parameter limit at 8 columns
_INSERT_LINES = (
    "INSERT INTO reports_partner_report_line "
    "(report_id, organisation_id, kind, report_date, sku, quantity, amount) VALUES "
)
_INSERT_REPORTED = (
    "INSERT INTO reports_reported_stock (organisation_id, sku, quantity, report_date, report_id) VALUES "
)
_ORGANISATIONS = (
    "SELECT o.id, o.code, o.name, o.kind, o.depth, o.path, r.code AS region FROM channel_organisation o "
    "LEFT JOIN channel_region r ON r.id = o.region WHERE "
)


def _scope_sql(column: str, scope: Scope) -> tuple[str, list[Any]]:
    """A raw WHERE fragment keeping rows whose path lies in ``scope``."""
    if scope.everything:
        return "TRUE", []
    parts: list[str] = []
    params: list[Any] = []
    for root in scope.roots:
        parts.append(f"({column} >= {{}} AND {column} < {{}})")
        params += [root, root + PATH_END]
    for single in scope.singles:
        parts.append(f"{column} = {{}}")
        params.append(single)
    return ("(" + " OR ".join(parts) + ")") if parts else "FALSE", params


# --- the catalogue, as reports need it ------------------------------------------------------------


async def catalogue_statuses() -> dict[str, str]:
    """Every SKU with its status, in one query (a file's rows are checked against it in memory)."""
    rows = await PartnerReport.raw("SELECT sku, status FROM pricing_product")
    return {r["sku"]: r["status"] for r in rows}


async def organisation_names(ids: Iterable[UUID]) -> dict[UUID, tuple[str, str]]:
    wanted = sorted(set(ids), key=str)
    found: dict[UUID, tuple[str, str]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ", ".join("{}" for _ in chunk)
        rows = await PartnerReport.raw(
            f"SELECT id, code, name FROM channel_organisation WHERE id IN ({marks})",  # noqa: S608 (placeholders only)
            *chunk,
        )
        found.update((_uuid(r["id"]), (r["code"], r["name"])) for r in rows)
    return found


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


# --- reports -------------------------------------------------------------------------------------


def _summary(row: dict[str, Any], names: dict[UUID, tuple[str, str]]) -> schemas.ReportSummary:
    code, name = names.get(row["organisation_id"], ("", ""))
    return schemas.ReportSummary(
        id=row["id"],
        organisation_id=row["organisation_id"],
        organisation_code=code,
        organisation_name=name,
        kind=ReportKind(row["kind"]),
        report_date=row["report_date"],
        revision=row["revision"],
        current=bool(row["current"]),
        source=ReportSource(row["source"]),
        file_name=row["file_name"],
        line_count=row["line_count"],
        total_quantity=row["total_quantity"],
        submitted_by=row["submitted_by"],
        submitted_at=row["submitted_at"],
        superseded_at=row["superseded_at"],
    )


async def summaries(rows: list[dict[str, Any]]) -> list[schemas.ReportSummary]:
    names = await organisation_names(r["organisation_id"] for r in rows)
    return [_summary(r, names) for r in rows]


async def current_reports(
    organisation_id: UUID, kind: ReportKind, days: Sequence[date]
) -> dict[date, dict[str, Any]]:
    found: dict[date, dict[str, Any]] = {}
    for start in range(0, len(days), _CHUNK):
        rows = await PartnerReport.select().where(
            (PartnerReport.organisation_id == organisation_id)
            & (PartnerReport.kind == kind.value)
            & (PartnerReport.report_date.is_in(list(days[start : start + _CHUNK])))
            & (PartnerReport.current.eq(True))
        )
        found.update((r["report_date"], r) for r in rows)
    return found


async def lines_of_reports(report_ids: Sequence[UUID]) -> dict[UUID, list[ReportLine]]:
    found: dict[UUID, list[ReportLine]] = {rid: [] for rid in report_ids}
    for start in range(0, len(report_ids), _CHUNK):
        rows = await PartnerReportLine.select(
            PartnerReportLine.report_id,
            PartnerReportLine.sku,
            PartnerReportLine.report_date,
            PartnerReportLine.quantity,
            PartnerReportLine.amount,
        ).where(PartnerReportLine.report_id.is_in(list(report_ids[start : start + _CHUNK])))
        for r in rows:
            found[r["report_id"]].append(
                ReportLine(
                    sku=r["sku"],
                    report_date=r["report_date"],
                    quantity=r["quantity"],
                    amount=_money(r["amount"]),
                )
            )
    return found


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


async def supersede(report_id: UUID, at: datetime) -> None:
    await PartnerReport.update(column_values({"current": False, "superseded_at": at})).where(
        PartnerReport.id == report_id
    )


async def insert_report(values: dict[str, Any]) -> None:
    await PartnerReport.insert(PartnerReport(**values))


async def insert_lines(
    report_id: UUID, organisation_id: UUID, kind: ReportKind, lines: Sequence[ReportLine]
) -> None:
    """All of a report's lines in a few multi-row statements: no statement per line."""
    for start in range(0, len(lines), _CHUNK):
        chunk = lines[start : start + _CHUNK]
        marks = ", ".join("({}, {}, {}, {}, {}, {}, {})" for _ in chunk)
        params: list[Any] = []
        for line in chunk:
            params += [
                report_id,
                organisation_id,
                kind.value,
                line.report_date,
                line.sku,
                line.quantity,
                line.amount,
            ]
        await PartnerReportLine.raw(_INSERT_LINES + marks, *params)


async def find_report(report_id: UUID) -> dict[str, Any] | None:
    return await PartnerReport.select().where(PartnerReport.id == report_id).first()


async def revisions(organisation_id: UUID, kind: str, day: date) -> list[dict[str, Any]]:
    return await (
        PartnerReport.select()
        .where(
            (PartnerReport.organisation_id == organisation_id)
            & (PartnerReport.kind == kind)
            & (PartnerReport.report_date == day)
        )
        .order_by(PartnerReport.revision, ascending=False)
    )


async def report_lines(report_id: UUID) -> list[schemas.ReportLineOut]:
    rows = await (
        PartnerReportLine.select(PartnerReportLine.sku, PartnerReportLine.quantity, PartnerReportLine.amount)
        .where(PartnerReportLine.report_id == report_id)
        .order_by(PartnerReportLine.sku)
    )
    return [
        schemas.ReportLineOut(sku=r["sku"], quantity=r["quantity"], amount=_money(r["amount"])) for r in rows
    ]


async def list_reports(
    scope: Scope, filters: schemas.ReportFilter, under_path: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest day first, then newest revision; keyset pages on (day, submitted, id)."""
    after = decode_cursor(filters.cursor)
    where = where_all(
        within(PartnerReport.organisation_path, scope),
        (PartnerReport.organisation_path >= under_path)
        & (PartnerReport.organisation_path < under_path + PATH_END)
        if under_path
        else None,
        PartnerReport.kind == filters.kind.value if filters.kind else None,
        PartnerReport.report_date >= filters.date_from if filters.date_from else None,
        PartnerReport.report_date <= filters.date_to if filters.date_to else None,
        None if filters.include_history else PartnerReport.current.eq(True),
        (
            (PartnerReport.report_date < date.fromisoformat(str(after[0])))
            | (
                (PartnerReport.report_date == date.fromisoformat(str(after[0])))
                & (PartnerReport.submitted_at < datetime.fromisoformat(str(after[1])))
            )
        )
        if after
        else None,
    )
    query = (
        PartnerReport.select()
        .order_by(PartnerReport.report_date, PartnerReport.submitted_at, ascending=False)
        .limit(filters.limit + 1)
    )
    if where is not None:
        query = query.where(where)
    rows = await query
    page = rows[: filters.limit]
    more = len(rows) > filters.limit
    cursor = (
        encode_cursor(page[-1]["report_date"].isoformat(), page[-1]["submitted_at"].isoformat())
        if more
        else None
    )
    return page, cursor


# --- the latest reported stock --------------------------------------------------------------------


async def latest_stock_date(organisation_id: UUID) -> date | None:
    row = await (
        ReportedStock.select(ReportedStock.report_date)
        .where(ReportedStock.organisation_id == organisation_id)
        .first()
    )
    return row["report_date"] if row else None


async def replace_reported_stock(
    organisation_id: UUID, report_id: UUID, day: date, lines: Sequence[ReportLine]
) -> None:
    await ReportedStock.delete().where(ReportedStock.organisation_id == organisation_id)
    for start in range(0, len(lines), _CHUNK):
        chunk = lines[start : start + _CHUNK]
        marks = ", ".join("({}, {}, {}, {}, {})" for _ in chunk)
        params: list[Any] = []
        for line in chunk:
            params += [organisation_id, line.sku, line.quantity, day, report_id]
        await ReportedStock.raw(_INSERT_REPORTED + marks, *params)


async def latest_current_stock_report(organisation_id: UUID) -> dict[str, Any] | None:
    return await (
        PartnerReport.select()
        .where(
            (PartnerReport.organisation_id == organisation_id)
            & (PartnerReport.kind == ReportKind.STOCK.value)
            & (PartnerReport.current.eq(True))
        )
        .order_by(PartnerReport.report_date, ascending=False)
        .first()
    )


# --- pending uploads ------------------------------------------------------------------------------


async def insert_pending(values: dict[str, Any], lines: list[ReportLine], problems: list[RowProblem]) -> None:
    values = dict(values)
    values["lines"] = msgspec.json.encode(lines).decode()
    values["problems"] = msgspec.json.encode(problems).decode()
    await PendingUpload.insert(PendingUpload(**values))


async def find_pending(upload_id: UUID, organisation_id: UUID, now: datetime) -> dict[str, Any] | None:
    return await (
        PendingUpload.select()
        .where(
            (PendingUpload.id == upload_id)
            & (PendingUpload.organisation_id == organisation_id)
            & (PendingUpload.expires_at > now)
        )
        .first()
    )


def pending_lines(row: dict[str, Any]) -> list[ReportLine]:
    return msgspec.json.decode(row["lines"] or "[]", type=list[ReportLine])


def pending_problems(row: dict[str, Any]) -> list[RowProblem]:
    return msgspec.json.decode(row["problems"] or "[]", type=list[RowProblem])


async def delete_pending(upload_id: UUID) -> int:
    deleted = await PendingUpload.delete().where(PendingUpload.id == upload_id).returning(PendingUpload.id)
    return len(deleted)


async def delete_expired_pending(now: datetime) -> None:
    await PendingUpload.delete().where(PendingUpload.expires_at <= now)


# --- thresholds and schedule ----------------------------------------------------------------------


async def list_thresholds() -> list[schemas.Threshold]:
    rows = await StockThreshold.select().order_by(StockThreshold.sku)
    return [schemas.Threshold(sku=r["sku"], low_days=r["low_days"], high_days=r["high_days"]) for r in rows]


async def save_threshold(threshold: schemas.Threshold, by: str, at: datetime) -> None:
    existing = (
        await StockThreshold.select(StockThreshold.id).where(StockThreshold.sku == threshold.sku).first()
    )
    values = {
        "low_days": threshold.low_days,
        "high_days": threshold.high_days,
        "updated_by": by,
        "updated_at": at,
    }
    if existing:
        await StockThreshold.update(column_values(values)).where(StockThreshold.id == existing["id"])
    else:
        await StockThreshold.insert(
            StockThreshold(
                sku=threshold.sku,
                low_days=threshold.low_days,
                high_days=threshold.high_days,
                updated_by=by,
                updated_at=at,
            )
        )


async def delete_threshold(sku: str) -> int:
    deleted = await StockThreshold.delete().where(StockThreshold.sku == sku).returning(StockThreshold.id)
    return len(deleted)


async def find_schedule() -> schemas.Schedule:
    row = await ReportSchedule.select().first()
    if row is None:
        return schemas.Schedule()
    return schemas.Schedule(frequency=row["frequency"], due_day=row["due_day"])


async def save_schedule(schedule: schemas.Schedule, by: str, at: datetime) -> None:
    values = {
        "frequency": schedule.frequency,
        "due_day": schedule.due_day,
        "updated_by": by,
        "updated_at": at,
    }
    existing = await ReportSchedule.select(ReportSchedule.id).first()
    if existing:
        await ReportSchedule.update(column_values(values)).where(ReportSchedule.id == existing["id"])
    else:
        await ReportSchedule.insert(
            ReportSchedule(
                frequency=schedule.frequency, due_day=schedule.due_day, updated_by=by, updated_at=at
            )
        )


# --- reminders ------------------------------------------------------------------------------------


async def partners_overdue(since: date, due: date) -> list[dict[str, Any]]:
    """Active distributors and stores with no current stock report dated on or after ``since``,
    not yet reminded for ``due``."""
    rows: list[dict[str, Any]] = await PartnerReport.raw(
        "SELECT o.id, o.code, o.path FROM channel_organisation o "
        "WHERE o.kind IN ('distributor', 'store') AND o.status = 'active' "
        "AND NOT EXISTS (SELECT 1 FROM reports_partner_report r WHERE r.organisation_id = o.id "
        "AND r.kind = 'stock' AND r.report_date >= {}) "
        "AND NOT EXISTS (SELECT 1 FROM reports_reminder m WHERE m.organisation_id = o.id AND m.due_date = {}) "
        "ORDER BY o.path",
        since,
        due,
    )
    for r in rows:
        r["id"] = _uuid(r["id"])
    return rows


async def insert_reminder(organisation_id: UUID, due: date, at: datetime) -> bool:
    """Record the reminder; ``False`` when another worker sent it first."""
    rows = await ReportReminder.raw(
        "INSERT INTO reports_reminder (organisation_id, due_date, sent_at) VALUES ({}, {}, {}) "
        "ON CONFLICT (organisation_id, due_date) DO NOTHING RETURNING id",
        organisation_id,
        due,
        at,
    )
    return bool(rows)


# --- channel inventory ----------------------------------------------------------------------------


async def organisations_in(
    scope: Scope, filters: schemas.InventoryFilter, under_path: str | None
) -> list[dict[str, Any]]:
    clause, params = _scope_sql("o.path", scope)
    sql = _ORGANISATIONS + clause
    if under_path:
        sql += " AND o.path >= {} AND o.path < {}"
        params += [under_path, under_path + PATH_END]
    if filters.region:
        sql += " AND r.code = {}"
        params.append(filters.region.upper())
    if filters.depth is not None:
        sql += " AND o.depth = {}"
        params.append(filters.depth)
    if filters.kind:
        sql += " AND o.kind = {}"
        params.append(filters.kind)
    rows: list[dict[str, Any]] = await PartnerReport.raw(sql + " ORDER BY o.path", *params)
    for r in rows:
        r["id"] = _uuid(r["id"])
    return rows


async def products_for_inventory(category_path: str | None, sku: str | None) -> dict[str, dict[str, Any]]:
    sql = "SELECT sku, names, category_path FROM pricing_product WHERE status <> 'draft'"
    params: list[Any] = []
    if category_path:
        sql += " AND category_path >= {} AND category_path < {}"
        params += [category_path, category_path + PATH_END]
    if sku:
        sql += " AND sku = {}"
        params.append(sku.upper())
    rows = await PartnerReport.raw(sql, *params)
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        names = r["names"]
        if isinstance(names, str):
            names = msgspec.json.decode(names) if names else {}
        out[r["sku"]] = {"names": names or {}, "category_path": r["category_path"]}
    return out


async def find_category_path(code: str) -> str | None:
    rows = await PartnerReport.raw("SELECT path FROM pricing_category WHERE code = {}", code.upper())
    return rows[0]["path"] if rows else None


async def _per_org(sql: str, org_ids: Sequence[UUID], *extra: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for start in range(0, len(org_ids), _CHUNK):
        chunk = list(org_ids[start : start + _CHUNK])
        marks = ", ".join("{}" for _ in chunk)
        rows += await PartnerReport.raw(sql.replace("{ORGS}", marks), *chunk, *extra)
    for r in rows:
        r["organisation_id"] = _uuid(r["organisation_id"])
    return rows


async def ledger_levels(org_ids: Sequence[UUID]) -> dict[tuple[UUID, str], int]:
    rows = await _per_org(
        "SELECT organisation_id, sku, on_hand FROM ordering_stock_level WHERE organisation_id IN ({ORGS})",
        org_ids,
    )
    return {(r["organisation_id"], r["sku"]): r["on_hand"] for r in rows}


async def reported_levels(org_ids: Sequence[UUID]) -> dict[tuple[UUID, str], tuple[int, date]]:
    rows = await _per_org(
        "SELECT organisation_id, sku, quantity, report_date FROM reports_reported_stock "
        "WHERE organisation_id IN ({ORGS})",
        org_ids,
    )
    return {(r["organisation_id"], r["sku"]): (r["quantity"], _date(r["report_date"])) for r in rows}


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def sold(org_ids: Sequence[UUID], first_day: date, last_day: date) -> dict[tuple[UUID, str], int]:
    rows = await _per_org(
        "SELECT l.organisation_id, l.sku, SUM(l.quantity) AS units FROM reports_partner_report_line l "
        "JOIN reports_partner_report r ON r.id = l.report_id "
        "WHERE l.organisation_id IN ({ORGS}) AND l.kind = 'sell_out' AND l.report_date >= {} "
        'AND l.report_date <= {} AND r."current" GROUP BY l.organisation_id, l.sku',
        org_ids,
        first_day,
        last_day,
    )
    return {(r["organisation_id"], r["sku"]): int(r["units"]) for r in rows}


async def shipped(org_ids: Sequence[UUID], since: datetime, until: datetime) -> dict[tuple[UUID, str], int]:
    rows = await _per_org(
        "SELECT organisation_id, sku, SUM(quantity) AS units FROM ordering_stock_movement "
        "WHERE organisation_id IN ({ORGS}) AND kind = 'shipment_out' AND occurred_at >= {} AND occurred_at < {} "
        "GROUP BY organisation_id, sku",
        org_ids,
        since,
        until,
    )
    return {(r["organisation_id"], r["sku"]): int(r["units"]) for r in rows}


async def receipts(
    org_ids: Sequence[UUID], since: datetime
) -> dict[tuple[UUID, str], list[tuple[datetime, int]]]:
    rows = await _per_org(
        "SELECT organisation_id, sku, occurred_at, on_hand FROM ordering_stock_movement "
        "WHERE organisation_id IN ({ORGS}) AND on_hand > 0 AND occurred_at >= {}",
        org_ids,
        since,
    )
    found: dict[tuple[UUID, str], list[tuple[datetime, int]]] = {}
    for r in rows:
        at = r["occurred_at"]
        if not isinstance(at, datetime):
            at = datetime.fromisoformat(str(at))
        found.setdefault((r["organisation_id"], r["sku"]), []).append((at, r["on_hand"]))
    return found
