"""The only package that touches the incentives tables, and that reads the volumes a rebate is
measured on from ordering (received orders, approved returns) and reports (current sell-out).
Market development funds are in ``incentives.repository.mdf``."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from channel.network import PATH_END
from channel.repository import within
from channel.tables import Organisation
from channel.visibility import Scope
from incentives import fund, rebates, schemas
from incentives.tables import FundAccount, FundEntry, Programme, SettledAmount, Settlement
from ordering.orders import OPEN, OrderStatus
from pricing.repository import products_by_sku

CENTS = Decimal("0.01")


def money(value: Any) -> Decimal:
    """SQLite hands NUMERIC back without its scale (and as a float): both engines answer alike."""
    return Decimal(str(value)).quantize(CENTS)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def as_day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    text = str(value)
    return (
        datetime.fromisoformat(text).astimezone(UTC).date()
        if "T" in text or " " in text
        else date.fromisoformat(text)
    )


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


# --- partners -------------------------------------------------------------------------------------


async def partners_under(path: str) -> list[rebates.PartnerFacts]:
    """Every organisation strictly under ``path``, with its level and region codes."""
    rows = await Organisation.select(
        Organisation.id,
        Organisation.kind,
        Organisation.path,
        Organisation.partner_level.code.as_alias("level"),
        Organisation.region.code.as_alias("region"),
    ).where((Organisation.path > path) & (Organisation.path < path + PATH_END))
    return [
        rebates.PartnerFacts(
            id=r["id"], kind=r["kind"], path=r["path"], partner_level=r["level"], region=r["region"]
        )
        for r in rows
    ]


async def partner_facts(partner_id: UUID) -> tuple[rebates.PartnerFacts, str, str] | None:
    """A partner's facts, name and currency."""
    row = await (
        Organisation.select(
            Organisation.id,
            Organisation.kind,
            Organisation.path,
            Organisation.name,
            Organisation.currency,
            Organisation.partner_level.code.as_alias("level"),
            Organisation.region.code.as_alias("region"),
        )
        .where(Organisation.id == partner_id)
        .first()
    )
    if row is None:
        return None
    facts = rebates.PartnerFacts(
        id=row["id"], kind=row["kind"], path=row["path"], partner_level=row["level"], region=row["region"]
    )
    return facts, row["name"], row["currency"]


async def organisation_names(ids: set[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(list(ids))
    )
    return {r["id"]: r["name"] for r in rows}


# --- programmes -----------------------------------------------------------------------------------


def definition_of(value: Any) -> rebates.Definition:
    raw = value if isinstance(value, (str, bytes)) else msgspec.json.encode(value)
    return msgspec.json.decode(raw, type=rebates.Definition)


def _programme(row: dict[str, Any], owner_name: str) -> schemas.Programme:
    return schemas.Programme(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        owner_id=row["owner_id"],
        owner_name=owner_name,
        currency=row["currency"],
        status=row["status"],
        starts_on=as_day(row["starts_on"]),
        ends_on=as_day(row["ends_on"]) if row["ends_on"] else None,
        definition=definition_of(row["definition"]),
        created_at=row["created_at"],
    )


async def programme_code_taken(code: str) -> bool:
    return await Programme.exists().where(Programme.code == code)


async def insert_programme(values: dict[str, Any]) -> None:
    values = {**values, "definition": msgspec.json.encode(values["definition"]).decode()}
    await Programme.insert(Programme(**values))


async def update_programme(programme_id: UUID, values: dict[str, Any]) -> None:
    await Programme.update({Programme._meta.get_column_by_name(k): v for k, v in values.items()}).where(
        Programme.id == programme_id
    )


async def programme_row(programme_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Programme.select().where(Programme.id == programme_id).first()
    return row


async def to_programmes(
    rows: list[dict[str, Any]], named: set[UUID] | None = None
) -> list[schemas.Programme]:
    """Programmes with their owner's name, for the owners in ``named`` (all when ``None``)."""
    names = await organisation_names({r["owner_id"] for r in rows})
    return [
        _programme(r, names.get(r["owner_id"], "") if named is None or r["owner_id"] in named else "")
        for r in rows
    ]


async def programme_rows(
    *, owner_scope: Scope | None, under_paths: list[str] | None = None
) -> list[dict[str, Any]]:
    """Programmes whose owner lies in ``owner_scope``, or whose owner is upstream of ``under_paths``
    (the programmes that may enrol a partner), newest first."""
    query = Programme.select().order_by(Programme.created_at, ascending=False)
    rows: list[dict[str, Any]] = []
    if owner_scope is not None:
        clause = within(Programme.owner_path, owner_scope)
        rows = await (query.where(clause) if clause is not None else query)
    owners = {p for path in under_paths or [] for p in _ancestors(path)}
    if owners:
        seen = {r["id"] for r in rows}
        extra = await Programme.select().where(Programme.owner_path.is_in(sorted(owners)))
        rows += [r for r in extra if r["id"] not in seen]
    return rows


def _ancestors(path: str) -> list[str]:
    """``A/B/C/`` -> ``A/``, ``A/B/`` (the organisations above the one at ``path``)."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


# --- volumes --------------------------------------------------------------------------------------


async def _categories(skus: set[str]) -> dict[str, str]:
    return {sku: p.category_path for sku, p in (await products_by_sku(skus)).items()}


async def sell_in_lines(under_path: str, start: date, end: date) -> dict[UUID, list[rebates.SaleLine]]:
    """Received (and closed) orders placed in ``[start, end)`` by partners at or under
    ``under_path``, line by line with approved returns, grouped by buyer."""
    rows = await Programme.raw(
        "SELECT o.buyer_id AS buyer_id, o.created_at AS created_at, l.id AS line_id, l.sku AS sku, "
        "l.quantity AS quantity, l.free_quantity AS free_quantity, l.net_total AS net_total "
        "FROM ordering_order_line l JOIN ordering_order o ON o.id = l.order_id "
        "WHERE o.status IN ('received', 'closed') AND o.created_at >= {} AND o.created_at < {} "
        "AND o.buyer_path >= {} AND o.buyer_path < {}",
        _instant(start),
        _instant(end),
        under_path,
        under_path + PATH_END,
    )
    returned_rows = await Programme.raw(
        "SELECT r.order_line_id AS line_id, SUM(r.quantity) AS quantity "
        "FROM ordering_order_return r JOIN ordering_order o ON o.id = r.order_id "
        "WHERE r.status = 'approved' AND o.status IN ('received', 'closed') "
        "AND o.created_at >= {} AND o.created_at < {} AND o.buyer_path >= {} AND o.buyer_path < {} "
        "GROUP BY r.order_line_id",
        _instant(start),
        _instant(end),
        under_path,
        under_path + PATH_END,
    )
    return await order_sale_lines(rows, returned_rows, "buyer_id")


async def order_sale_lines(
    rows: list[dict[str, Any]], returned_rows: list[dict[str, Any]], key: str
) -> dict[UUID, list[rebates.SaleLine]]:
    """Order lines (sku, created_at, quantity, free_quantity, net_total, line_id) and the units
    returned per line as sale lines, grouped by the column ``key``, with each product's category."""
    returned = {str(r["line_id"]): int(r["quantity"]) for r in returned_rows}
    categories = await _categories({r["sku"] for r in rows})
    lines: dict[UUID, list[rebates.SaleLine]] = defaultdict(list)
    for r in rows:
        lines[_uuid(r[key])].append(
            rebates.SaleLine(
                sku=r["sku"],
                category_path=categories.get(r["sku"], ""),
                day=as_day(r["created_at"]),
                quantity=int(r["quantity"]),
                free_quantity=int(r["free_quantity"]),
                amount=money(r["net_total"]),
                returned_quantity=returned.get(str(r["line_id"]), 0),
            )
        )
    return lines


async def sell_out_lines(under_path: str, start: date, end: date) -> dict[UUID, list[rebates.SaleLine]]:
    """Sell-out reported for days in ``[start, end)`` by partners at or under ``under_path``, from
    current report revisions only; a line without an amount counts nothing towards an amount."""
    rows = await Programme.raw(
        "SELECT l.organisation_id AS organisation_id, l.report_date AS report_date, l.sku AS sku, "
        "l.quantity AS quantity, l.amount AS amount "
        "FROM reports_partner_report_line l JOIN reports_partner_report r ON r.id = l.report_id "
        "WHERE r.current = {} AND r.kind = 'sell_out' AND l.report_date >= {} AND l.report_date < {} "
        "AND r.organisation_path >= {} AND r.organisation_path < {}",
        True,
        start,
        end,
        under_path,
        under_path + PATH_END,
    )
    categories = await _categories({r["sku"] for r in rows})
    lines: dict[UUID, list[rebates.SaleLine]] = defaultdict(list)
    for r in rows:
        lines[_uuid(r["organisation_id"])].append(
            rebates.SaleLine(
                sku=r["sku"],
                category_path=categories.get(r["sku"], ""),
                day=as_day(r["report_date"]),
                quantity=int(r["quantity"]),
                amount=money(r["amount"]) if r["amount"] is not None else Decimal(0),
            )
        )
    return lines


# Sell-in counts what was received; an order placed and not yet received is "on order": it moves
# the partner's projection at once but earns nothing until it arrives.
_RECEIVED = (OrderStatus.RECEIVED.value, OrderStatus.CLOSED.value)
_ON_ORDER = tuple(status.value for status in sorted(OPEN))

# The set-based volume of every partner under a path in one period: the sum of ``rebates.line_volume``
# in integer cents (a part of a line rounded half-up as (2n + d) / 2d in integer division), computed
# by the database, so no line leaves it. Only figures of this module are formatted into the text;
# every value is a bound parameter.
_SELL_IN_VOLUMES = (
    "SELECT v.partner_id AS partner_id, {group} AS sku, SUM(CASE WHEN v.paid <= 0 THEN 0 "
    "WHEN v.kept = v.paid THEN v.cents WHEN v.cents < 0 THEN -((2 * -v.cents * v.kept + v.paid) / (2 * v.paid)) "
    "ELSE (2 * v.cents * v.kept + v.paid) / (2 * v.paid) END) AS cents FROM ("
    "SELECT a.partner_id AS partner_id, a.sku AS sku, a.paid AS paid, a.cents AS cents, "
    "a.counted - CASE WHEN a.returned < a.counted THEN a.returned ELSE a.counted END AS kept FROM ("
    "SELECT o.buyer_id AS partner_id, l.sku AS sku, l.quantity - l.free_quantity AS paid, "
    "{counted} AS counted, CAST(ROUND(l.net_total * 100) AS BIGINT) AS cents, "
    "COALESCE(r.quantity, 0) AS returned "
    "FROM ordering_order_line l JOIN ordering_order o ON o.id = l.order_id "
    "LEFT JOIN (SELECT order_line_id, SUM(quantity) AS quantity FROM ordering_order_return "
    "WHERE status = 'approved' GROUP BY order_line_id) r ON r.order_line_id = l.id "
    "WHERE o.status IN ({statuses}) AND o.created_at >= {{}} AND o.created_at < {{}} "
    "AND o.buyer_path >= {{}} AND o.buyer_path < {{}}) a) v GROUP BY v.partner_id{by_sku}"
)
_SELL_OUT_VOLUMES = (
    "SELECT l.organisation_id AS partner_id, {group} AS sku, "
    "SUM(CASE WHEN l.quantity > 0 THEN CAST(ROUND(COALESCE(l.amount, 0) * 100) AS BIGINT) ELSE 0 END) "
    "AS cents FROM reports_partner_report_line l JOIN reports_partner_report r ON r.id = l.report_id "
    "WHERE r.current = {{}} AND r.kind = 'sell_out' AND l.report_date >= {{}} AND l.report_date < {{}} "
    "AND r.organisation_path >= {{}} AND r.organisation_path < {{}} GROUP BY l.organisation_id{by_sku}"
)


async def partner_volumes(
    source: str,
    under_path: str,
    period: rebates.Period,
    *,
    scope: rebates.ProductScope,
    exclude_free_goods: bool,
    with_open_orders: bool = False,
) -> dict[UUID, Decimal]:
    """Each partner's volume (sell-in or sell-out) in ``period`` and the scope's products, for the
    partners at or under ``under_path``: the same figure as summing ``rebates.line_volume`` over
    ``sell_in_lines``/``sell_out_lines``, aggregated by the database. A scoped basis is grouped by
    SKU as well, and the products' categories decide in Python which SKUs count. ``with_open_orders``
    counts the sell-in of orders placed and not yet received too, as if they were received."""
    by_sku = ", l.sku" if source == "sell_out" else ", v.sku"
    shape = {
        "group": "''" if scope.everything else ("l.sku" if source == "sell_out" else "v.sku"),
        "by_sku": "" if scope.everything else by_sku,
    }
    if source == "sell_out":
        query = _SELL_OUT_VOLUMES.format(**shape)
        params: tuple[Any, ...] = (True, period.start, period.end)
    else:
        counted = "l.quantity - l.free_quantity" if exclude_free_goods else "l.quantity"
        statuses = _RECEIVED + (_ON_ORDER if with_open_orders else ())
        query = _SELL_IN_VOLUMES.format(
            counted=counted, statuses=", ".join(f"'{status}'" for status in statuses), **shape
        )
        params = (_instant(period.start), _instant(period.end))
    rows = await Programme.raw(query, *params, under_path, under_path + PATH_END)
    categories = {} if scope.everything else await _categories({r["sku"] for r in rows})
    volumes: dict[UUID, Decimal] = defaultdict(Decimal)
    for r in rows:
        if scope.everything or scope.matches(r["sku"], categories.get(r["sku"], "")):
            volumes[_uuid(r["partner_id"])] += Decimal(int(r["cents"])).scaleb(-2)
    return {partner: amount.quantize(CENTS) for partner, amount in volumes.items()}


async def order_facts(number: str) -> tuple[UUID, str, UUID] | None:
    """The buyer, status and id of the order with this number."""
    rows = await Programme.raw("SELECT buyer_id, status, id FROM ordering_order WHERE number = {}", number)
    if not rows:
        return None
    return _uuid(rows[0]["buyer_id"]), rows[0]["status"], _uuid(rows[0]["id"])


# --- settlements ----------------------------------------------------------------------------------


def _settlement(row: dict[str, Any], programme_code: str, partner_name: str) -> schemas.Settlement:
    lines = row["lines"]
    raw = lines if isinstance(lines, (str, bytes)) else msgspec.json.encode(lines)
    return schemas.Settlement(
        id=row["id"],
        programme_id=row["programme_id"],
        programme_code=programme_code,
        partner_id=row["partner_id"],
        partner_name=partner_name,
        period_start=as_day(row["period_start"]),
        period_end=as_day(row["period_end"]),
        amount=money(row["amount"]),
        currency=row["currency"],
        status=row["status"],
        lines=msgspec.json.decode(raw, type=list[rebates.SettledPeriod]),
        created_at=row["created_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        reason=row["reason"],
    )


async def to_settlements(rows: list[dict[str, Any]]) -> list[schemas.Settlement]:
    programmes = {
        r["id"]: r["code"]
        for r in await Programme.select(Programme.id, Programme.code).where(
            Programme.id.is_in(list({r["programme_id"] for r in rows}) or [UUID(int=0)])
        )
    }
    names = await organisation_names({r["partner_id"] for r in rows})
    return [
        _settlement(r, programmes.get(r["programme_id"], ""), names.get(r["partner_id"], "")) for r in rows
    ]


async def settled_amounts(
    programme_id: UUID, partner_ids: list[UUID] | None = None
) -> dict[UUID, dict[rebates.Period, Decimal]]:
    """What approved settlements paid, per partner and period."""
    query = SettledAmount.select().where(SettledAmount.programme_id == programme_id)
    if partner_ids is not None:
        query = query.where(SettledAmount.partner_id.is_in(partner_ids or [UUID(int=0)]))
    paid: dict[UUID, dict[rebates.Period, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in await query:
        period = rebates.Period(as_day(r["period_start"]), as_day(r["period_end"]))
        paid[r["partner_id"]][period] += money(r["amount"])
    return paid


async def pending_partner_ids(programme_id: UUID) -> set[UUID]:
    rows = await Settlement.select(Settlement.partner_id).where(
        (Settlement.programme_id == programme_id) & (Settlement.status == "proposed")
    )
    return {r["partner_id"] for r in rows}


async def insert_settlement(values: dict[str, Any]) -> None:
    values = {**values, "lines": msgspec.json.encode(values["lines"]).decode()}
    await Settlement.insert(Settlement(**values))


async def settlement_row(settlement_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Settlement.select().where(Settlement.id == settlement_id).first()
    return row


async def decide_settlement(settlement_id: UUID, values: dict[str, Any]) -> bool:
    """Move a proposal to its decision; ``False`` when someone decided it first."""
    changed = await (
        Settlement.update({Settlement._meta.get_column_by_name(k): v for k, v in values.items()})
        .where((Settlement.id == settlement_id) & (Settlement.status == "proposed"))
        .returning(Settlement.id)
    )
    return bool(changed)


async def insert_settled_amounts(rows: list[dict[str, Any]]) -> None:
    if rows:
        await SettledAmount.insert(*[SettledAmount(**r) for r in rows])


async def settlement_rows(
    scope: Scope,
    *,
    programme_id: UUID | None = None,
    status: str | None = None,
    partner_id: UUID | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    query = Settlement.select().order_by(Settlement.created_at, ascending=False).limit(limit)
    clauses = [within(Settlement.partner_path, scope)]
    if programme_id is not None:
        clauses.append(Settlement.programme_id == programme_id)
    if status is not None:
        clauses.append(Settlement.status == status)
    if partner_id is not None:
        clauses.append(Settlement.partner_id == partner_id)
    present = [c for c in clauses if c is not None]
    for clause in present:
        query = query.where(clause)
    rows: list[dict[str, Any]] = await query
    return rows


# --- the fund -------------------------------------------------------------------------------------


async def ensure_account(partner_id: UUID, partner_path: str, currency: str, now: datetime) -> None:
    # One account per partner (unique): two first credits at once make one account, not two.
    await FundAccount.raw(
        "INSERT INTO incentives_fund_account (id, partner_id, partner_path, currency, balance, updated_at) "
        "VALUES ({}, {}, {}, {}, 0, {}) ON CONFLICT (partner_id) DO NOTHING",
        uuid4(),
        partner_id,
        partner_path,
        currency,
        now,
    )


async def account_row(partner_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await FundAccount.select().where(FundAccount.partner_id == partner_id).first()
    )
    return row


async def change_balance(account_id: UUID, amount: Decimal, now: datetime, *, exact: bool) -> Decimal | None:
    """Add ``amount`` (negative to take) unless the balance would go below zero; the new balance,
    or ``None`` when nothing changed.

    PostgreSQL (``exact``): one conditional UPDATE on NUMERIC, so two uses at once can never both
    take the last of the fund. SQLite: the caller's IMMEDIATE transaction holds the write lock, so
    read, check in Python (SQLite's arithmetic is floating point) and write cannot interleave.
    """
    if exact:
        rows = await FundAccount.raw(
            "UPDATE incentives_fund_account SET balance = balance + {}, updated_at = {} "
            "WHERE id = {} AND balance + {} >= 0 RETURNING balance",
            amount,
            now,
            account_id,
            amount,
        )
        return money(rows[0]["balance"]) if rows else None
    row = await FundAccount.select(FundAccount.balance).where(FundAccount.id == account_id).first()
    if row is None:
        return None
    balance = fund.apply_entry(money(row["balance"]), amount)
    if balance is None:
        return None
    await FundAccount.update({FundAccount.balance: balance, FundAccount.updated_at: now}).where(
        FundAccount.id == account_id
    )
    return balance


async def insert_fund_entry(values: dict[str, Any]) -> int:
    rows = await FundEntry.insert(FundEntry(**values)).returning(FundEntry.id)
    return int(rows[0]["id"])


def _entry(row: dict[str, Any]) -> schemas.FundEntry:
    return schemas.FundEntry(
        id=row["id"],
        occurred_at=row["occurred_at"],
        kind=row["kind"],
        amount=money(row["amount"]),
        balance_after=money(row["balance_after"]),
        order_reference=row["order_reference"],
        settlement_id=row["settlement_id"],
        reason=row["reason"],
        actor_label=row["actor_label"],
        usable_until=row["usable_until"],
    )


async def fund_entries(account_id: UUID, limit: int = 500) -> list[schemas.FundEntry]:
    rows = await (
        FundEntry.select()
        .where(FundEntry.account_id == account_id)
        .order_by(FundEntry.id, ascending=False)
        .limit(limit)
    )
    return [_entry(r) for r in rows]


async def lock_account(account_id: UUID, *, postgres: bool) -> None:
    """Hold the account until the transaction ends, so that working out what lapsed and writing it
    off cannot interleave with another writer (SQLite's IMMEDIATE transaction holds it already)."""
    if postgres:
        await FundAccount.raw("SELECT id FROM incentives_fund_account WHERE id = {} FOR UPDATE", account_id)


async def mark_credits_lapse(account_id: UUID) -> None:
    await FundAccount.update({FundAccount.credits_lapse: True}).where(
        (FundAccount.id == account_id) & (FundAccount.credits_lapse == False)  # noqa: E712 - SQL
    )


async def ledger_lines(account_id: UUID) -> list[fund.LedgerLine]:
    """The whole ledger, oldest first, as the lapsing rules replay it."""
    rows = await (
        FundEntry.select(FundEntry.kind, FundEntry.amount, FundEntry.order_reference, FundEntry.usable_until)
        .where(FundEntry.account_id == account_id)
        .order_by(FundEntry.id)
    )
    return [
        fund.LedgerLine(r["kind"], money(r["amount"]), r["order_reference"], r["usable_until"]) for r in rows
    ]


async def lapsing_partners(today: date) -> list[UUID]:
    """The partners holding credit whose last day has passed: the expiry job's work."""
    rows = await (
        FundAccount.select(FundAccount.partner_id)
        .where(FundAccount.next_lapse_on.is_not_null() & (FundAccount.next_lapse_on <= today))
        .order_by(FundAccount.partner_id)
    )
    return [r["partner_id"] for r in rows]


async def set_next_lapse(account_id: UUID, day: date | None) -> None:
    await FundAccount.update({FundAccount.next_lapse_on: day}).where(FundAccount.id == account_id)


async def ledger_sum(account_id: UUID) -> Decimal:
    rows = await FundEntry.select(FundEntry.amount).where(FundEntry.account_id == account_id)
    return sum((money(r["amount"]) for r in rows), Decimal(0))


async def order_fund_amounts(account_id: UUID, order_reference: str) -> list[Decimal]:
    rows = await FundEntry.select(FundEntry.amount).where(
        (FundEntry.account_id == account_id) & (FundEntry.order_reference == order_reference)
    )
    return [money(r["amount"]) for r in rows]


async def settlement_programme_ids(partner_id: UUID) -> set[UUID]:
    rows = await Settlement.select(Settlement.programme_id).where(
        (Settlement.partner_id == partner_id) & (Settlement.status == "approved")
    )
    return {r["programme_id"] for r in rows}


async def definitions(programme_ids: set[UUID]) -> list[rebates.Definition]:
    if not programme_ids:
        return []
    rows = await Programme.select(Programme.definition).where(Programme.id.is_in(list(programme_ids)))
    return [definition_of(r["definition"]) for r in rows]
