"""Commission plans, the deals they pay on, and the commission ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import msgspec
from piccolo.query.functions.aggregate import Count

from channel.repository import within
from channel.visibility import Scope
from incentives import commissions, rebates, schemas
from incentives.repository import money, order_sale_lines
from incentives.tables import CommissionDeal, CommissionEntry, CommissionPlanRow


def plan_of(value: Any) -> commissions.CommissionPlan:
    raw = value if isinstance(value, (str, bytes)) else msgspec.json.encode(value)
    return msgspec.json.decode(raw, type=commissions.CommissionPlan)


async def plan_code_taken(code: str) -> bool:
    return await CommissionPlanRow.exists().where(CommissionPlanRow.code == code)


async def insert_plan(values: dict[str, Any]) -> None:
    values = {**values, "definition": msgspec.json.encode(values["definition"]).decode()}
    await CommissionPlanRow.insert(CommissionPlanRow(**values))


async def plan_row(plan_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await CommissionPlanRow.select().where(CommissionPlanRow.id == plan_id).first()
    )
    return row


def to_plan(row: dict[str, Any], deal_count: int = 0) -> schemas.CommissionPlanView:
    return schemas.CommissionPlanView(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        owner_id=row["owner_id"],
        currency=row["currency"],
        plan=plan_of(row["definition"]),
        deal_count=deal_count,
    )


async def plans_owned_by(owner_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await CommissionPlanRow.select()
        .where(CommissionPlanRow.owner_id == owner_id)
        .order_by(CommissionPlanRow.code)
    )
    return rows


async def deal_counts(plan_ids: list[UUID]) -> dict[UUID, int]:
    if not plan_ids:
        return {}
    rows = (
        await CommissionDeal.select(CommissionDeal.plan_id, Count(alias="deals"))
        .where(CommissionDeal.plan_id.is_in(plan_ids))
        .group_by(CommissionDeal.plan_id)
    )
    return {r["plan_id"]: int(r["deals"]) for r in rows}


async def deal_for_order(order_id: UUID) -> bool:
    return await CommissionDeal.exists().where(CommissionDeal.order_id == order_id)


async def insert_deal(values: dict[str, Any]) -> None:
    values = {**values, "splits": msgspec.json.encode(values["splits"]).decode()}
    await CommissionDeal.insert(CommissionDeal(**values))


def _splits(value: Any) -> list[commissions.Split]:
    raw = value if isinstance(value, (str, bytes)) else msgspec.json.encode(value)
    return msgspec.json.decode(raw, type=list[commissions.Split])


def to_deal(row: dict[str, Any]) -> schemas.CommissionDeal:
    return schemas.CommissionDeal(
        id=row["id"],
        plan_id=row["plan_id"],
        order_number=row["order_number"],
        registration_id=row["registration_id"],
        lead_id=row["lead_id"],
        splits=_splits(row["splits"]),
    )


async def deal_rows(plan_ids: list[UUID]) -> list[dict[str, Any]]:
    if not plan_ids:
        return []
    rows: list[dict[str, Any]] = await CommissionDeal.select().where(CommissionDeal.plan_id.is_in(plan_ids))
    return rows


async def deals_of(plan_id: UUID) -> list[dict[str, Any]]:
    """A plan's deals, the latest attributed first."""
    rows: list[dict[str, Any]] = (
        await CommissionDeal.select()
        .where(CommissionDeal.plan_id == plan_id)
        .order_by(CommissionDeal.created_at, ascending=False)
        .order_by(CommissionDeal.order_number, ascending=False)
    )
    return rows


async def order_place(number: str) -> tuple[UUID, str, str, str] | None:
    """An order's id, status, buyer path and currency."""
    rows = await CommissionDeal.raw(
        "SELECT id, status, buyer_path, currency FROM ordering_order WHERE number = {}", number
    )
    if not rows:
        return None
    return UUID(str(rows[0]["id"])), rows[0]["status"], rows[0]["buyer_path"], rows[0]["currency"]


async def registration_path(registration_id: UUID) -> str | None:
    rows = await CommissionDeal.raw(
        "SELECT partner_path FROM dealreg_registration WHERE id = {}", registration_id
    )
    return str(rows[0]["partner_path"]) if rows else None


async def lead_path(lead_id: UUID) -> str | None:
    """The path of the partner holding a lead ("" while it lies in the manufacturer's pool)."""
    rows = await CommissionDeal.raw("SELECT owner_path FROM dealreg_lead WHERE id = {}", lead_id)
    return str(rows[0]["owner_path"] or "") if rows else None


async def registration_by_number(number: str) -> tuple[UUID, str] | None:
    """A registration's id and its partner's path."""
    rows = await CommissionDeal.raw(
        "SELECT id, partner_path FROM dealreg_registration WHERE number = {}", number
    )
    return (UUID(str(rows[0]["id"])), str(rows[0]["partner_path"])) if rows else None


async def lead_by_number(number: str) -> tuple[UUID, str] | None:
    """A lead's id and the path of the partner holding it ("" in the manufacturer's pool)."""
    rows = await CommissionDeal.raw("SELECT id, owner_path FROM dealreg_lead WHERE number = {}", number)
    return (UUID(str(rows[0]["id"])), str(rows[0]["owner_path"] or "")) if rows else None


# The numbered things a deal comes from, by the tables that hold them (deal registration sits above
# incentives' reach, so they are read by name); a table name never comes from a caller's text.
_NUMBERED = {"registration": "dealreg_registration", "lead": "dealreg_lead"}


async def numbers_of(kind: Literal["registration", "lead"], ids: list[UUID]) -> dict[UUID, str]:
    """The numbers of those registrations or leads."""
    table = _NUMBERED[kind]
    found: dict[UUID, str] = {}
    for start in range(0, len(ids), 400):
        chunk = ids[start : start + 400]
        marks = ", ".join("{}" for _ in chunk)  # only placeholders: the ids are bound parameters
        rows = await CommissionDeal.raw(f"SELECT id, number FROM {table} WHERE id IN ({marks})", *chunk)  # noqa: S608
        found.update({UUID(str(r["id"])): str(r["number"]) for r in rows})
    return found


async def received_order_lines(order_ids: list[UUID]) -> dict[UUID, list[rebates.SaleLine]]:
    """The lines of those orders that were received (or closed), with approved returns."""
    if not order_ids:
        return {}
    found: dict[UUID, list[rebates.SaleLine]] = defaultdict(list)
    for start in range(0, len(order_ids), 400):
        chunk = order_ids[start : start + 400]
        marks = ", ".join("{}" for _ in chunk)  # only placeholders: the ids are bound parameters
        rows = await CommissionDeal.raw(
            "SELECT o.id AS order_id, o.created_at AS created_at, l.id AS line_id, l.sku AS sku, "  # noqa: S608
            "l.quantity AS quantity, l.free_quantity AS free_quantity, l.net_total AS net_total "
            "FROM ordering_order_line l JOIN ordering_order o ON o.id = l.order_id "
            f"WHERE o.status IN ('received', 'closed') AND o.id IN ({marks})",
            *chunk,
        )
        returned_rows = await CommissionDeal.raw(
            "SELECT order_line_id AS line_id, SUM(quantity) AS quantity FROM ordering_order_return "  # noqa: S608
            f"WHERE status = 'approved' AND order_id IN ({marks}) GROUP BY order_line_id",
            *chunk,
        )
        for order_id, sale_lines in (await order_sale_lines(rows, returned_rows, "order_id")).items():
            found[order_id] += sale_lines
    return found


async def recorded(deal_ids: list[UUID]) -> dict[UUID, dict[UUID, Decimal]]:
    """What the ledger holds per deal and partner."""
    if not deal_ids:
        return {}
    held: dict[UUID, dict[UUID, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in await CommissionEntry.select(
        CommissionEntry.deal_id, CommissionEntry.partner_id, CommissionEntry.amount
    ).where(CommissionEntry.deal_id.is_in(deal_ids)):
        held[r["deal_id"]][r["partner_id"]] += money(r["amount"])
    return held


async def insert_entries(rows: list[dict[str, Any]]) -> None:
    if rows:
        await CommissionEntry.insert(*[CommissionEntry(**r) for r in rows])


async def entries_of(partner_id: UUID, start: datetime, end: datetime) -> list[schemas.CommissionEntry]:
    rows = await (
        CommissionEntry.select()
        .where(
            (CommissionEntry.partner_id == partner_id)
            & (CommissionEntry.occurred_at >= start)
            & (CommissionEntry.occurred_at < end)
        )
        .order_by(CommissionEntry.id)
    )
    return [
        schemas.CommissionEntry(
            occurred_at=r["occurred_at"],
            order_number=r["order_number"],
            kind=r["kind"],
            amount=money(r["amount"]),
            currency=r["currency"],
            deal_id=r["deal_id"],
        )
        for r in rows
    ]


async def deal_rows_by_id(deal_ids: list[UUID]) -> list[dict[str, Any]]:
    if not deal_ids:
        return []
    rows: list[dict[str, Any]] = await CommissionDeal.select().where(CommissionDeal.id.is_in(deal_ids))
    return rows


async def plan_rows(plan_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    if not plan_ids:
        return {}
    rows = await CommissionPlanRow.select().where(CommissionPlanRow.id.is_in(plan_ids))
    return {r["id"]: r for r in rows}


async def period_totals(scope: Scope, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per partner and currency, what was earned and clawed back in ``[start, end)``, over the
    partners in ``scope``."""
    query = CommissionEntry.select(
        CommissionEntry.partner_id,
        CommissionEntry.currency,
        CommissionEntry.kind,
        CommissionEntry.amount,
    ).where((CommissionEntry.occurred_at >= start) & (CommissionEntry.occurred_at < end))
    clause = within(CommissionEntry.partner_path, scope)
    rows: list[dict[str, Any]] = await (query.where(clause) if clause is not None else query)
    return rows
