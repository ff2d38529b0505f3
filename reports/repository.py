"""The only module that touches the reports tables (and reads the ledger and catalogue it sums)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from piccolo.querystring import QueryString

from channel.network import PATH_END
from channel.repository import column_values, decode_cursor, encode_cursor, where_all, within
from channel.tables import Organisation, PartnerLevel, Region
from channel.transactions import engine
from channel.visibility import Scope
from deal_registration.tables import LeadEvent, LeadPolicySetting, Registration
from ordering.tables import Order, Shipment
from pricing.tables import Quote
from reports import measures as m
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
    Rollup,
    RollupCategory,
    RollupMonth,
    RollupWatermark,
    ScorecardWeight,
    StockThreshold,
    Target,
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


HUNDRED = Decimal(100)
_IDS_PER_QUERY = 400  # ids per IN list (SQLite's bound-parameter limit)


def moment(value: Any) -> datetime | None:
    """A timestamp from a row; SQLite hands back text for computed columns."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _in(column: str, ids: Sequence[UUID]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join('{}' for _ in ids)})", list(ids)


def _statement(*parts: str) -> str:
    """SQL from fixed fragments and placeholder lists (values always go as parameters)."""
    return " ".join(parts)


def _chunks(ids: Sequence[UUID] | None) -> Iterable[Sequence[UUID] | None]:
    if ids is None:
        yield None
        return
    listed = list(ids)
    for start in range(0, len(listed), _IDS_PER_QUERY):
        yield listed[start : start + _IDS_PER_QUERY]


# --- raw facts ------------------------------------------------------------------------------------


def _promotion_expression() -> str:
    if engine().engine_type == "sqlite":
        return "COALESCE(json_array_length(priced, '$.promotion_ids'), 0) > 0"
    return "COALESCE(jsonb_array_length(CAST(priced AS jsonb) -> 'promotion_ids'), 0) > 0"


async def order_facts(start: date, end: date, org_ids: Sequence[UUID] | None) -> list[m.OrderFact]:
    """Orders submitted on days ``start`` <= day < ``end`` (bought or supplied by ``org_ids``)."""
    facts: list[m.OrderFact] = []
    for ids in _chunks(org_ids):
        condition = "created_at >= {} AND created_at < {}"
        args: list[Any] = [_start(start), _start(end)]
        if ids is not None:
            buyers, buyer_args = _in("buyer_id", ids)
            suppliers, supplier_args = _in("supplier_id", ids)
            condition += f" AND ({buyers} OR {suppliers})"
            args += buyer_args + supplier_args
        outer = condition.replace("created_at", "o.created_at")
        outer = outer.replace("buyer_id", "o.buyer_id").replace("supplier_id", "o.supplier_id")
        sql = _statement(
            "SELECT o.id, o.buyer_id, o.supplier_id, o.created_at, o.status, o.total, l.units, l.shipped,",
            "l.promotion_lines, s.last_shipped, s.last_received, s.open_count FROM ordering_order o",
            "LEFT JOIN (SELECT order_id, SUM(quantity) AS units, SUM(shipped) AS shipped,",
            f"SUM(CASE WHEN {_promotion_expression()} THEN 1 ELSE 0 END) AS promotion_lines",
            "FROM ordering_order_line WHERE order_id IN (SELECT id FROM ordering_order WHERE",
            condition,
            ") GROUP BY order_id) l ON l.order_id = o.id",
            "LEFT JOIN (SELECT order_id, MAX(shipped_at) AS last_shipped, MAX(received_at) AS last_received,",
            "SUM(CASE WHEN received_at IS NULL THEN 1 ELSE 0 END) AS open_count",
            "FROM ordering_shipment WHERE order_id IN (SELECT id FROM ordering_order WHERE",
            condition,
            ") GROUP BY order_id) s ON s.order_id = o.id WHERE",
            outer,
        )
        for row in await Order.raw(sql, *args, *args, *args):
            open_count = int(row["open_count"] or 0)
            facts.append(
                m.OrderFact(
                    id=_uuid(row["id"]),
                    buyer_id=_uuid(row["buyer_id"]),
                    supplier_id=_uuid(row["supplier_id"]),
                    created_at=moment(row["created_at"]) or _start(start),
                    status=row["status"],
                    total=Decimal(str(row["total"])),
                    units=int(row["units"] or 0),
                    shipped_units=int(row["shipped"] or 0),
                    promotion_lines=int(row["promotion_lines"] or 0),
                    last_shipped_at=moment(row["last_shipped"]),
                    last_received_at=moment(row["last_received"]) if open_count == 0 else None,
                    open_shipments=open_count,
                )
            )
    return facts


async def registration_facts(
    start: date, end: date, org_ids: Sequence[UUID] | None
) -> list[m.RegistrationFact]:
    facts = []
    for ids in _chunks(org_ids):
        query = Registration.select(
            Registration.partner_id, Registration.created_at, Registration.status
        ).where((Registration.created_at >= _start(start)) & (Registration.created_at < _start(end)))
        if ids is not None:
            query = query.where(Registration.partner_id.is_in(list(ids)))
        facts += [m.RegistrationFact(r["partner_id"], r["created_at"], r["status"]) for r in await query]
    return facts


async def quote_facts(start: date, end: date, org_ids: Sequence[UUID] | None) -> list[m.QuoteFact]:
    facts = []
    for ids in _chunks(org_ids):
        query = Quote.select(Quote.seller_id, Quote.created_at, Quote.status, Quote.order_id).where(
            (Quote.created_at >= _start(start)) & (Quote.created_at < _start(end))
        )
        if ids is not None:
            query = query.where(Quote.seller_id.is_in(list(ids)))
        facts += [
            m.QuoteFact(r["seller_id"], r["created_at"], r["status"], r["order_id"]) for r in await query
        ]
    return facts


async def lead_event_facts(start: date, end: date, org_ids: Sequence[UUID] | None) -> list[m.LeadEventFact]:
    """Every event of the leads offered to or accepted by ``org_ids`` on those days."""
    lead_ids: set[UUID] = set()
    for ids in _chunks(org_ids):
        query = LeadEvent.select(LeadEvent.lead_id).where(
            (LeadEvent.occurred_at >= _start(start))
            & (LeadEvent.occurred_at < _start(end))
            & LeadEvent.kind.is_in(["offered", "accepted"])
        )
        if ids is not None:
            query = query.where(LeadEvent.organisation_id.is_in(list(ids)))
        lead_ids |= {r["lead_id"] for r in await query}
    facts = []
    for chunk in _chunks(sorted(lead_ids)):
        assert chunk is not None
        rows = await LeadEvent.select(
            LeadEvent.lead_id, LeadEvent.occurred_at, LeadEvent.kind, LeadEvent.organisation_id
        ).where(LeadEvent.lead_id.is_in(list(chunk)))
        facts += [
            m.LeadEventFact(r["lead_id"], r["occurred_at"], r["kind"], r["organisation_id"]) for r in rows
        ]
    return facts


async def lead_policy() -> m.LeadPolicy:
    row = await LeadPolicySetting.select().first()
    if row is None:
        return m.LeadPolicy(timedelta(hours=24), timedelta(days=15))
    return m.LeadPolicy(
        timedelta(hours=row["accept_within_hours"]), timedelta(days=row["follow_up_within_days"])
    )


async def report_facts(start: date, end: date, org_ids: Sequence[UUID] | None) -> list[m.ReportFact]:
    facts = []
    for ids in _chunks(org_ids):
        condition = "r.current = {} AND r.report_date >= {} AND r.report_date < {}"
        args: list[Any] = [True, start, end]
        if ids is not None:
            clause, extra = _in("r.organisation_id", ids)
            condition += f" AND {clause}"
            args += extra
        sql = _statement(
            "SELECT l.organisation_id, l.kind, l.report_date, SUM(l.quantity) AS quantity,",
            "CAST(SUM(COALESCE(l.amount, 0) * 100) AS BIGINT) AS amount_hundredths",
            "FROM reports_partner_report_line l JOIN reports_partner_report r ON r.id = l.report_id WHERE",
            condition,
            "GROUP BY l.organisation_id, l.kind, l.report_date",
        )
        for row in await PartnerReport.raw(sql, *args):
            day = row["report_date"]
            facts.append(
                m.ReportFact(
                    organisation_id=_uuid(row["organisation_id"]),
                    kind=row["kind"],
                    report_date=day if isinstance(day, date) else date.fromisoformat(str(day)),
                    quantity=int(row["quantity"] or 0),
                    amount=Decimal(int(row["amount_hundredths"] or 0)) / HUNDRED,
                )
            )
    return facts


def _cents(column: str) -> str:
    """A money column as whole hundredths, rounded per row: exact on both engines once summed."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


async def order_category_facts(
    start: date, end: date, org_ids: Sequence[UUID] | None
) -> list[m.OrderCategoryFact]:
    """The lines of orders submitted in the month ``start`` (to ``end``), summed per buyer, supplier
    and product category; lines of products without a category are left out."""
    facts: list[m.OrderCategoryFact] = []
    not_placed = sorted(m.NOT_PLACED)
    accepted = sorted(m.ACCEPTED)
    for ids in _chunks(org_ids):
        placed = f"o.status NOT IN ({', '.join('{}' for _ in not_placed)})"
        taken = f"o.status IN ({', '.join('{}' for _ in accepted)})"
        args: list[Any] = [*not_placed, *not_placed, *accepted, *accepted, _start(start), _start(end)]
        condition = "o.created_at >= {} AND o.created_at < {}"
        if ids is not None:
            buyers, buyer_args = _in("o.buyer_id", ids)
            suppliers, supplier_args = _in("o.supplier_id", ids)
            condition += f" AND ({buyers} OR {suppliers})"
            args += buyer_args + supplier_args
        sql = _statement(
            "SELECT o.buyer_id, o.supplier_id, p.category_path,",
            f"SUM(CASE WHEN {placed} THEN {_cents('l.net_total')} ELSE 0 END) AS amount_hundredths,",
            f"SUM(CASE WHEN {placed} THEN l.quantity ELSE 0 END) AS units,",
            f"SUM(CASE WHEN {taken} THEN l.quantity ELSE 0 END) AS accepted_units,",
            f"SUM(CASE WHEN {taken} THEN CASE WHEN l.shipped < l.quantity THEN l.shipped ELSE l.quantity END",
            "ELSE 0 END) AS accepted_shipped",
            "FROM ordering_order o JOIN ordering_order_line l ON l.order_id = o.id",
            "JOIN pricing_product p ON p.sku = l.sku WHERE",
            condition,
            "AND p.category_path <> '' GROUP BY o.buyer_id, o.supplier_id, p.category_path",
        )
        for row in await Order.raw(sql, *args):
            facts.append(
                m.OrderCategoryFact(
                    buyer_id=_uuid(row["buyer_id"]),
                    supplier_id=_uuid(row["supplier_id"]),
                    month=start,
                    category_path=row["category_path"],
                    placed_amount=Decimal(int(row["amount_hundredths"] or 0)) / HUNDRED,
                    placed_units=int(row["units"] or 0),
                    accepted_units=int(row["accepted_units"] or 0),
                    accepted_shipped=int(row["accepted_shipped"] or 0),
                )
            )
    return facts


async def report_category_facts(
    start: date, end: date, org_ids: Sequence[UUID] | None
) -> list[m.ReportCategoryFact]:
    """Per partner and product category in the month ``start`` (to ``end``): units and amount sold
    (current reports), and units on hand at the partner's last stock report of the month."""
    facts: list[m.ReportCategoryFact] = []
    for ids in _chunks(org_ids):
        org_clause, org_args = ("", []) if ids is None else _in("r.organisation_id", ids)
        org_clause = f"AND {org_clause}" if org_clause else ""
        base = _statement(
            "FROM reports_partner_report_line l JOIN reports_partner_report r ON r.id = l.report_id",
            "JOIN pricing_product p ON p.sku = l.sku",
        )
        sold = _statement(
            "SELECT r.organisation_id, p.category_path, SUM(l.quantity) AS quantity,",
            f"SUM({_cents('COALESCE(l.amount, 0)')}) AS amount_hundredths",
            base,
            "WHERE r.current = {} AND r.kind = {} AND r.report_date >= {} AND r.report_date < {}",
            org_clause,
            "AND p.category_path <> '' GROUP BY r.organisation_id, p.category_path",
        )
        last = org_clause.replace("r.organisation_id", "organisation_id")
        held = _statement(
            "SELECT r.organisation_id, p.category_path, SUM(l.quantity) AS quantity, 0 AS amount_hundredths",
            base,
            "JOIN (SELECT organisation_id, MAX(report_date) AS last_day FROM reports_partner_report",
            "WHERE current = {} AND kind = {} AND report_date >= {} AND report_date < {}",
            last,
            "GROUP BY organisation_id) x ON x.organisation_id = r.organisation_id AND x.last_day = r.report_date",
            "WHERE r.current = {} AND r.kind = {} AND p.category_path <> ''",
            "GROUP BY r.organisation_id, p.category_path",
        )
        for kind, sql, args in (
            (ReportKind.SELL_OUT, sold, [True, ReportKind.SELL_OUT.value, start, end, *org_args]),
            (
                ReportKind.STOCK,
                held,
                [True, ReportKind.STOCK.value, start, end, *org_args, True, ReportKind.STOCK.value],
            ),
        ):
            for row in await PartnerReport.raw(sql, *args):
                facts.append(
                    m.ReportCategoryFact(
                        organisation_id=_uuid(row["organisation_id"]),
                        month=start,
                        kind=kind.value,
                        category_path=row["category_path"],
                        quantity=int(row["quantity"] or 0),
                        amount=Decimal(int(row["amount_hundredths"] or 0)) / HUNDRED,
                    )
                )
    return facts


async def organisation_facts(
    start: date, end: date, org_ids: Sequence[UUID] | None
) -> list[m.OrganisationFact]:
    facts = []
    for ids in _chunks(org_ids):
        query = Organisation.select(Organisation.supplier, Organisation.kind, Organisation.created_at).where(
            (Organisation.created_at >= _start(start)) & (Organisation.created_at < _start(end))
        )
        if ids is not None:
            query = query.where(Organisation.supplier.is_in(list(ids)))
        facts += [m.OrganisationFact(r["supplier"], r["kind"], r["created_at"]) for r in await query]
    return facts


async def first_fact_day() -> date | None:
    """The earliest day any source has a fact on: where a rebuild starts."""
    firsts = [
        await Order.select(Order.created_at).order_by(Order.created_at).first(),
        await Registration.select(Registration.created_at).order_by(Registration.created_at).first(),
        await Quote.select(Quote.created_at).order_by(Quote.created_at).first(),
        await LeadEvent.select(LeadEvent.occurred_at).order_by(LeadEvent.occurred_at).first(),
        await Organisation.select(Organisation.created_at).order_by(Organisation.created_at).first(),
    ]
    days = [m.day_of(next(iter(row.values()))) for row in firsts if row]
    report = await PartnerReport.select(PartnerReport.report_date).order_by(PartnerReport.report_date).first()
    if report:
        days.append(report["report_date"])
    return min(days) if days else None


# --- what changed since a watermark ---------------------------------------------------------------


Changes = tuple[set[tuple[UUID, date]], datetime | None]


def _latest(marks: Iterable[datetime | None]) -> datetime | None:
    present = [t for t in marks if t is not None]
    return max(present) if present else None


async def changed_orders(since: datetime) -> Changes:
    """The (partner, day) pairs whose order figures moved: orders changed, shipped or received since."""
    columns = (Order.id, Order.buyer_id, Order.supplier_id, Order.created_at, Order.updated_at)
    rows: list[dict[str, Any]] = await Order.select(*columns).where(Order.updated_at > since)
    shipped = await Shipment.select(Shipment.order_id, Shipment.shipped_at, Shipment.received_at).where(
        (Shipment.shipped_at > since) | (Shipment.received_at > since)
    )
    extra = sorted({s["order_id"] for s in shipped} - {r["id"] for r in rows})
    for chunk in _chunks(extra):
        assert chunk is not None
        rows += await Order.select(*columns).where(Order.id.is_in(list(chunk)))
    keys = {(r[party], m.day_of(r["created_at"])) for r in rows for party in ("buyer_id", "supplier_id")}
    mark = _latest(
        [r["updated_at"] for r in rows]
        + [t for s in shipped for t in (s["shipped_at"], s["received_at"]) if t is not None and t > since]
    )
    return keys, mark


async def changed_registrations(since: datetime) -> Changes:
    rows = await Registration.select(
        Registration.partner_id, Registration.created_at, Registration.updated_at
    ).where(Registration.updated_at > since)
    return {(r["partner_id"], m.day_of(r["created_at"])) for r in rows}, _latest(
        r["updated_at"] for r in rows
    )


async def changed_quotes(since: datetime) -> Changes:
    rows = await Quote.select(Quote.seller_id, Quote.created_at, Quote.updated_at).where(
        Quote.updated_at > since
    )
    return {(r["seller_id"], m.day_of(r["created_at"])) for r in rows}, _latest(r["updated_at"] for r in rows)


async def changed_reports(since: datetime) -> Changes:
    rows = await PartnerReport.select(
        PartnerReport.organisation_id,
        PartnerReport.report_date,
        PartnerReport.submitted_at,
        PartnerReport.superseded_at,
    ).where((PartnerReport.submitted_at > since) | (PartnerReport.superseded_at > since))
    keys = {(r["organisation_id"], r["report_date"]) for r in rows}
    return keys, _latest([r["submitted_at"] for r in rows] + [r["superseded_at"] for r in rows])


async def changed_organisations(since: datetime) -> Changes:
    rows = await Organisation.select(
        Organisation.supplier, Organisation.created_at, Organisation.updated_at
    ).where((Organisation.updated_at > since) | (Organisation.created_at > since))
    keys = {(r["supplier"], m.day_of(r["created_at"])) for r in rows if r["supplier"] is not None}
    return keys, _latest([r["updated_at"] for r in rows] + [r["created_at"] for r in rows])


async def changed_lead_events(after_id: int) -> tuple[set[tuple[UUID, date]], int]:
    """The offers and acceptances of every lead with an event after ``after_id``, and the last id."""
    fresh = await LeadEvent.select(LeadEvent.id, LeadEvent.lead_id).where(LeadEvent.id > after_id)
    keys: set[tuple[UUID, date]] = set()
    for chunk in _chunks(sorted({r["lead_id"] for r in fresh})):
        assert chunk is not None
        rows = await LeadEvent.select(LeadEvent.organisation_id, LeadEvent.occurred_at).where(
            LeadEvent.lead_id.is_in(list(chunk))
            & LeadEvent.kind.is_in(["offered", "accepted"])
            & LeadEvent.organisation_id.is_not_null()
        )
        keys |= {(r["organisation_id"], m.day_of(r["occurred_at"])) for r in rows}
    return keys, max((r["id"] for r in fresh), default=after_id)


async def last_lead_event_id() -> int:
    row = await LeadEvent.select(LeadEvent.id).order_by(LeadEvent.id, ascending=False).first()
    return int(row["id"]) if row else 0


async def watermark(source: str) -> str:
    row = await RollupWatermark.select(RollupWatermark.mark).where(RollupWatermark.source == source).first()
    return str(row["mark"]) if row else ""


async def set_watermark(source: str, mark: str, now: datetime) -> None:
    updated = (
        await RollupWatermark.update({RollupWatermark.mark: mark, RollupWatermark.updated_at: now})
        .where(RollupWatermark.source == source)
        .returning(RollupWatermark.id)
    )
    if not updated:
        await RollupWatermark.insert(RollupWatermark(source=source, mark=mark, updated_at=now))


async def clear_watermarks() -> None:
    await RollupWatermark.delete(force=True)


# --- the rollups ----------------------------------------------------------------------------------


def to_hundredths(value: Decimal) -> int:
    return int((value * HUNDRED).to_integral_value())


async def replace_rollups(
    measures: Sequence[str], keys: Iterable[tuple[UUID, date]], rows: dict[m.Key, Decimal]
) -> None:
    """Delete the ``measures`` of every (partner, day) in ``keys``, then write ``rows``."""
    by_day: dict[date, list[UUID]] = {}
    for org, day in keys:
        by_day.setdefault(day, []).append(org)
    for day, orgs in by_day.items():
        for chunk in _chunks(sorted(set(orgs))):
            assert chunk is not None
            await Rollup.delete().where(
                (Rollup.day == day)
                & Rollup.measure.is_in(list(measures))
                & Rollup.organisation_id.is_in(list(chunk))
            )
    await insert_rollups(rows)
    await refresh_months(by_day.items())


def _month_expression() -> str:
    if engine().engine_type == "sqlite":
        return "date(day, 'start of month')"
    return "CAST(date_trunc('month', day) AS date)"


async def refresh_months(days: Iterable[tuple[date, list[UUID]]]) -> None:
    """Rewrite the monthly sums of these partners in the months of these days from the daily rows."""
    by_month: dict[date, set[UUID]] = {}
    for day, orgs in days:
        by_month.setdefault(day.replace(day=1), set()).update(orgs)
    for month, partners in by_month.items():
        end = (month + timedelta(days=32)).replace(day=1)
        for chunk in _chunks(sorted(partners)):
            assert chunk is not None
            await RollupMonth.delete().where(
                (RollupMonth.month == month) & RollupMonth.organisation_id.is_in(list(chunk))
            )
            clause, ids = _in("organisation_id", chunk)
            await RollupMonth.raw(
                _statement(
                    "INSERT INTO reports_rollup_month (organisation_id, month, measure, hundredths)",
                    "SELECT organisation_id, {}, measure, SUM(hundredths) FROM reports_rollup",
                    "WHERE day >= {} AND day < {} AND measure <> {} AND",
                    clause,
                    "GROUP BY organisation_id, measure",
                ),
                month,
                month,
                end,
                m.Measure.STOCK_UNITS.value,
                *ids,
            )


async def rebuild_months() -> None:
    await RollupMonth.delete(force=True)
    await RollupMonth.raw(
        _statement(
            "INSERT INTO reports_rollup_month (organisation_id, month, measure, hundredths)",
            "SELECT organisation_id,",
            _month_expression(),
            ", measure, SUM(hundredths) FROM reports_rollup WHERE measure <> {}",
            "GROUP BY organisation_id,",
            _month_expression(),
            ", measure",
        ),
        m.Measure.STOCK_UNITS.value,
    )


async def insert_rollups(rows: dict[m.Key, Decimal]) -> None:
    db = engine()
    current = db.current_transaction.get()
    if db.engine_type != "sqlite" and current is not None and len(rows) > 1000:
        # PostgreSQL's COPY: a rebuild writes millions of rows, far faster than INSERT statements
        await current.connection.copy_records_to_table(
            "reports_rollup",
            columns=["organisation_id", "day", "measure", "hundredths"],
            records=[
                (org, day, measure, to_hundredths(value)) for (org, day, measure), value in rows.items()
            ],
        )
        return
    batch = [
        Rollup(organisation_id=org, day=day, measure=measure, hundredths=to_hundredths(value))
        for (org, day, measure), value in rows.items()
    ]
    size = 150 if engine().engine_type == "sqlite" else 3000  # 5 parameters a row, under each engine's limit
    for start in range(0, len(batch), size):
        await Rollup.insert(*batch[start : start + size])


async def replace_category_rollups(
    measures: Sequence[str], month: date, orgs: Sequence[UUID], rows: dict[m.CategoryKey, Decimal]
) -> None:
    """Delete the category ``measures`` of these partners in ``month``, then write ``rows``."""
    for chunk in _chunks(sorted(set(orgs))):
        assert chunk is not None
        await RollupCategory.delete().where(
            (RollupCategory.month == month)
            & RollupCategory.measure.is_in(list(measures))
            & RollupCategory.organisation_id.is_in(list(chunk))
        )
    await insert_category_rollups(rows)


async def insert_category_rollups(rows: dict[m.CategoryKey, Decimal]) -> None:
    db = engine()
    current = db.current_transaction.get()
    records = [
        (org, month, path, measure, to_hundredths(value))
        for (org, month, path, measure), value in rows.items()
    ]
    if db.engine_type != "sqlite" and current is not None and len(records) > 1000:
        await current.connection.copy_records_to_table(
            "reports_rollup_category",
            columns=["organisation_id", "month", "category_path", "measure", "hundredths"],
            records=records,
        )
        return
    batch = [
        RollupCategory(
            organisation_id=org, month=month, category_path=path, measure=measure, hundredths=value
        )
        for org, month, path, measure, value in records
    ]
    size = 150 if db.engine_type == "sqlite" else 3000  # 6 parameters a row, under each engine's limit
    for start in range(0, len(batch), size):
        await RollupCategory.insert(*batch[start : start + size])


async def all_category_rollups() -> dict[m.CategoryKey, int]:
    rows = await RollupCategory.select(
        RollupCategory.organisation_id,
        RollupCategory.month,
        RollupCategory.category_path,
        RollupCategory.measure,
        RollupCategory.hundredths,
    )
    return {
        (r["organisation_id"], r["month"], r["category_path"], r["measure"]): r["hundredths"] for r in rows
    }


async def delete_rollups(measures: Sequence[str], start: date, end: date) -> None:
    await Rollup.delete().where(
        Rollup.measure.is_in(list(measures)) & (Rollup.day >= start) & (Rollup.day < end)
    )


async def delete_all_rollups() -> None:
    await Rollup.delete(force=True)
    await RollupMonth.delete(force=True)
    await RollupCategory.delete(force=True)


async def all_rollups() -> dict[m.Key, int]:
    rows = await Rollup.select(Rollup.organisation_id, Rollup.day, Rollup.measure, Rollup.hundredths)
    return {(r["organisation_id"], r["day"], r["measure"]): r["hundredths"] for r in rows}


async def all_month_rollups() -> dict[m.Key, int]:
    rows = await RollupMonth.select(
        RollupMonth.organisation_id, RollupMonth.month, RollupMonth.measure, RollupMonth.hundredths
    )
    return {(r["organisation_id"], r["month"], r["measure"]): r["hundredths"] for r in rows}


async def prefer_custom_plans() -> None:
    """Plan each rollup read for its own partners and days (PostgreSQL).

    Inside one transaction the same statement comes back with other parameters; after five runs
    PostgreSQL may switch to a generic plan that cannot see how selective the partner list is, and
    a 40 ms sum becomes a 4 s scan.
    """
    if engine().engine_type != "sqlite":
        await Rollup.raw("SET LOCAL plan_cache_mode = force_custom_plan")


async def _fetch(sql: str, *args: Any) -> Sequence[Any]:
    """The rows of a large read as the driver gives them (asyncpg records, SQLite dicts: both read
    by column name), without turning each into a dict first: the overview reads tens of thousands."""
    rows: Sequence[Any] = await engine().run_querystring(QueryString(sql, *args))
    return rows


def _org_filter(org_ids: Sequence[UUID] | None, args: list[Any]) -> str:
    if org_ids is None:
        return ""
    clause, extra = _in("organisation_id", org_ids)
    args += extra
    return "AND " + clause


async def period_sums(
    org_ids: Sequence[UUID] | None, start: date, end: date
) -> dict[tuple[UUID, str], Decimal]:
    """Per partner and measure, the sum over ``start`` <= day <= ``end`` (stock excepted)."""
    return (await spans_sums(org_ids, [(start, end)]))[0]


async def spans_sums(
    org_ids: Sequence[UUID] | None, spans: Sequence[tuple[date, date]], path: str | None = None
) -> list[dict[tuple[UUID, str], Decimal]]:
    """For each span of whole months (a period and the same one a year earlier, say), per partner
    and measure, the sum of the monthly rollups (stock excepted), in one query; with ``path``, of
    the category rollups of that category and its descendants."""
    found: list[dict[tuple[UUID, str], Decimal]] = [{} for _ in spans]
    table = "reports_rollup_month" if path is None else "reports_rollup_category"
    for ids in _chunks(org_ids):
        args: list[Any] = []
        parts = []
        for index, (start, end) in enumerate(spans):  # one range each, so each reads its own index range
            args += [start, end, m.Measure.STOCK_UNITS.value]
            parts.append(
                _statement(
                    "SELECT",
                    str(index),
                    "AS span, organisation_id, measure, SUM(hundredths) AS total FROM",
                    table,
                    "WHERE month >= {} AND month <= {} AND measure <> {}",
                    "" if path is None else "AND " + _category_filter(path, args),
                    _org_filter(ids, args),
                    "GROUP BY organisation_id, measure",
                )
            )
        for row in await _fetch(" UNION ALL ".join(parts), *args):
            found[int(row["span"])][(_uuid(row["organisation_id"]), row["measure"])] = (
                Decimal(int(row["total"])) / HUNDRED
            )
    return found


async def last_stock(org_ids: Sequence[UUID] | None, start: date, end: date) -> dict[UUID, Decimal]:
    """Per partner, the units on hand at its last stock report in the period."""
    found: dict[UUID, Decimal] = {}
    for ids in _chunks(org_ids):
        args: list[Any] = [m.Measure.STOCK_UNITS.value, start, end]
        sql = _statement(
            "SELECT r.organisation_id, r.hundredths FROM reports_rollup r JOIN (",
            "SELECT organisation_id, MAX(day) AS last_day FROM reports_rollup",
            "WHERE measure = {} AND day >= {} AND day <= {}",
            _org_filter(ids, args),
            "GROUP BY organisation_id) x ON x.organisation_id = r.organisation_id AND x.last_day = r.day",
            "WHERE r.measure = {}",
        )
        args.append(m.Measure.STOCK_UNITS.value)
        for row in await _fetch(sql, *args):
            found[_uuid(row["organisation_id"])] = Decimal(int(row["hundredths"])) / HUNDRED
    return found


async def monthly_sums(
    org_ids: Sequence[UUID] | None, start: date, end: date, measures: Sequence[str] | None = None
) -> dict[tuple[str, str], Decimal]:
    """Per month ('YYYY-MM') and measure (all of them, or ``measures``), the sum over the partners
    (stock excepted)."""
    sums: dict[tuple[str, str], Decimal] = {}
    for ids in _chunks(org_ids):
        args: list[Any] = [start, end, m.Measure.STOCK_UNITS.value]
        wanted = ""
        if measures is not None:
            clause, extra = _in("measure", measures)  # type: ignore[arg-type]
            wanted = "AND " + clause
            args += extra
        sql = _statement(
            "SELECT month, measure, SUM(hundredths) AS total FROM reports_rollup_month",
            "WHERE month >= {} AND month <= {} AND measure <> {}",
            wanted,
            _org_filter(ids, args),
            "GROUP BY month, measure",
        )
        for row in await _fetch(sql, *args):
            month = row["month"] if isinstance(row["month"], date) else date.fromisoformat(str(row["month"]))
            key = (f"{month:%Y-%m}", row["measure"])
            sums[key] = sums.get(key, Decimal(0)) + Decimal(int(row["total"])) / HUNDRED
    return sums


def _category_filter(path: str, args: list[Any]) -> str:
    """Rows of the category at ``path``: they hold its products and those of every category below."""
    args.append(path)
    return "category_path = {}"


async def category_period_sums(
    org_ids: Sequence[UUID] | None, start: date, end: date, path: str
) -> dict[tuple[UUID, str], Decimal]:
    """Per partner and product-based measure, the sum over the months of ``start``..``end`` of the
    category at ``path`` and its descendants (stock excepted)."""
    return (await spans_sums(org_ids, [(start, end)], path))[0]


async def category_last_stock(
    org_ids: Sequence[UUID] | None, start: date, end: date, path: str
) -> dict[UUID, Decimal]:
    """Per partner that reported stock in the period: its units of the category (and descendants)
    on hand at its last stock report in the period (zero when that report held none of them)."""
    found: dict[UUID, Decimal] = {}
    month = (
        "date(x.last_day, 'start of month')"
        if engine().engine_type == "sqlite"
        else "CAST(date_trunc('month', x.last_day) AS date)"
    )
    for ids in _chunks(org_ids):
        args: list[Any] = [m.Measure.STOCK_UNITS.value, start, end]
        inner = _statement(
            "SELECT organisation_id, MAX(day) AS last_day FROM reports_rollup",
            "WHERE measure = {} AND day >= {} AND day <= {}",
            _org_filter(ids, args),
            "GROUP BY organisation_id",
        )
        args.append(m.Measure.STOCK_UNITS.value)
        sql = _statement(
            "SELECT x.organisation_id, SUM(c.hundredths) AS total FROM (",
            inner,
            ") x LEFT JOIN reports_rollup_category c ON c.organisation_id = x.organisation_id",
            f"AND c.month = {month} AND c.measure = {{}} AND",
            _category_filter(path, args).replace("category_path", "c.category_path"),
            "GROUP BY x.organisation_id",
        )
        for row in await _fetch(sql, *args):
            found[_uuid(row["organisation_id"])] = Decimal(int(row["total"] or 0)) / HUNDRED
    return found


async def category_monthly_sums(
    org_ids: Sequence[UUID] | None, start: date, end: date, path: str, measures: Sequence[str]
) -> dict[tuple[str, str], Decimal]:
    """Per month ('YYYY-MM') and measure, the sum over the partners of the category at ``path``
    and its descendants."""
    sums: dict[tuple[str, str], Decimal] = {}
    for ids in _chunks(org_ids):
        args: list[Any] = []
        where = _category_filter(path, args)
        measure_clause, measure_args = _in("measure", measures)  # type: ignore[arg-type]
        args += [start, end, *measure_args]
        sql = _statement(
            "SELECT month, measure, SUM(hundredths) AS total FROM reports_rollup_category WHERE",
            where,
            "AND month >= {} AND month <= {} AND",
            measure_clause,
            _org_filter(ids, args),
            "GROUP BY month, measure",
        )
        for row in await _fetch(sql, *args):
            month = row["month"] if isinstance(row["month"], date) else date.fromisoformat(str(row["month"]))
            key = (f"{month:%Y-%m}", row["measure"])
            sums[key] = sums.get(key, Decimal(0)) + Decimal(int(row["total"])) / HUNDRED
    return sums


async def categories() -> list[dict[str, Any]]:
    """The catalogue's category tree in path order, with each category's names per locale."""
    rows: list[dict[str, Any]] = await PartnerReport.raw(
        "SELECT code, path, names FROM pricing_category ORDER BY path"
    )
    for r in rows:
        if isinstance(r["names"], str):
            r["names"] = msgspec.json.decode(r["names"]) if r["names"] else {}
    return rows


# --- partners, targets, weights -------------------------------------------------------------------


async def partners_in(scope: Scope) -> list[dict[str, Any]]:
    """Every organisation in ``scope`` with its level and region codes."""
    query = Organisation.select(
        Organisation.id,
        Organisation.kind,
        Organisation.code,
        Organisation.name,
        Organisation.supplier,
        Organisation.path,
        Organisation.depth,
        Organisation.currency,
        Organisation.partner_level.code.as_alias("level"),
        Organisation.region.code.as_alias("region"),
    ).order_by(Organisation.path)
    clause = within(Organisation.path, scope)
    if clause is not None:
        query = query.where(clause)
    rows: list[dict[str, Any]] = await query
    return rows


async def partner_levels() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await PartnerLevel.select(
        PartnerLevel.code, PartnerLevel.name, PartnerLevel.rank
    ).order_by(PartnerLevel.rank)
    return rows


async def regions() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Region.select(Region.code, Region.name).order_by(Region.code)
    return rows


async def targets_of(org_ids: Sequence[UUID] | None, period: str, period_start: date) -> list[dict[str, Any]]:
    """The targets of these partners (every partner: None) for one period."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(org_ids):
        query = Target.select().where((Target.period == period) & (Target.period_start == period_start))
        if chunk is not None:
            query = query.where(Target.organisation_id.is_in(list(chunk)))
        rows += await query
    return rows


async def monthly_targets(org_ids: Sequence[UUID] | None, first: date, last: date) -> list[dict[str, Any]]:
    """The month targets of these partners (every partner: None) for months ``first`` to ``last``."""
    rows: list[dict[str, Any]] = []
    for ids in _chunks(org_ids):
        query = Target.select(
            Target.organisation_id, Target.period_start, Target.measure, Target.value
        ).where((Target.period == "month") & (Target.period_start >= first) & (Target.period_start <= last))
        if ids is not None:
            query = query.where(Target.organisation_id.is_in(list(ids)))
        rows += await query
    return rows


async def upsert_target(values: dict[str, Any]) -> dict[str, Any] | None:
    """Set a target; returns the row it replaced, if any."""
    where = (
        (Target.organisation_id == values["organisation_id"])
        & (Target.period == values["period"])
        & (Target.period_start == values["period_start"])
        & (Target.measure == values["measure"])
    )
    before: dict[str, Any] | None = await Target.select().where(where).first()
    if before is None:
        await Target.insert(Target(**values))
    else:
        await Target.update(
            {
                Target.value: values["value"],
                Target.set_by: values["set_by"],
                Target.set_by_organisation_id: values["set_by_organisation_id"],
                Target.updated_at: values["updated_at"],
            }
        ).where(Target.id == before["id"])
    return before


async def delete_target(organisation_id: UUID, period: str, period_start: date, measure: str) -> int:
    deleted = (
        await Target.delete()
        .where(
            (Target.organisation_id == organisation_id)
            & (Target.period == period)
            & (Target.period_start == period_start)
            & (Target.measure == measure)
        )
        .returning(Target.id)
    )
    return len(deleted)


async def weights() -> dict[tuple[str, str], int]:
    rows = await ScorecardWeight.select()
    return {(r["partner_level"], r["kpi"]): r["weight"] for r in rows}


async def replace_weights(level: str, weights: dict[str, int]) -> None:
    await ScorecardWeight.delete().where(ScorecardWeight.partner_level == level)
    if weights:
        await ScorecardWeight.insert(
            *(ScorecardWeight(partner_level=level, kpi=kpi, weight=w) for kpi, w in sorted(weights.items()))
        )


async def recent_orders(buyer_id: UUID, start: date, end: date, limit: int) -> list[dict[str, Any]]:
    """The latest orders a partner placed on days ``start`` <= day <= ``end``."""
    rows: list[dict[str, Any]] = (
        await Order.select(
            Order.id, Order.number, Order.status, Order.total, Order.currency, Order.created_at
        )
        .where(
            (Order.buyer_id == buyer_id)
            & (Order.created_at >= _start(start))
            & (Order.created_at < _start(end + timedelta(days=1)))
        )
        .order_by(Order.created_at, ascending=False)
        .limit(limit)
    )
    return rows
