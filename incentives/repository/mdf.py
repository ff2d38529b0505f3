"""Market development funds: budgets, allocations, requests and their proof files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from channel.repository import within
from channel.tables import Organisation
from channel.visibility import Scope
from incentives import mdf, schemas
from incentives.repository import as_day, money, organisation_names
from incentives.tables import MdfAllocation, MdfBudget, MdfProof, MdfRequest


def _set(table: type[Any], values: dict[str, Any]) -> dict[Any, Any]:
    return {table._meta.get_column_by_name(k): v for k, v in values.items()}


async def budget_code_taken(code: str) -> bool:
    return await MdfBudget.exists().where(MdfBudget.code == code)


async def insert_budget(values: dict[str, Any]) -> None:
    await MdfBudget.insert(MdfBudget(**values))


async def budget_row(budget_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await MdfBudget.select().where(MdfBudget.id == budget_id).first()
    return row


async def budget_rows_by_id(budget_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    if not budget_ids:
        return {}
    return {r["id"]: r for r in await MdfBudget.select().where(MdfBudget.id.is_in(budget_ids))}


async def budgets_allocating_to(budget_ids: list[UUID], partner_id: UUID) -> set[UUID]:
    """Those of the budgets that give ``partner_id`` a share."""
    if not budget_ids:
        return set()
    rows = await MdfAllocation.select(MdfAllocation.budget_id).where(
        MdfAllocation.budget_id.is_in(budget_ids) & (MdfAllocation.partner_id == partner_id)
    )
    return {r["budget_id"] for r in rows}


async def allocated_total(budget_id: UUID) -> Decimal:
    rows = await MdfAllocation.select(MdfAllocation.amount).where(MdfAllocation.budget_id == budget_id)
    return sum((money(r["amount"]) for r in rows), Decimal(0))


def _budget(row: dict[str, Any], allocated: Decimal) -> schemas.MdfBudget:
    return schemas.MdfBudget(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        owner_id=row["owner_id"],
        currency=row["currency"],
        amount=money(row["amount"]),
        allocated=allocated.quantize(Decimal("0.01")),
        period_start=as_day(row["period_start"]),
        period_end=as_day(row["period_end"]),
    )


async def to_budget(row: dict[str, Any]) -> schemas.MdfBudget:
    return (await to_budgets([row]))[0]


async def to_budgets(rows: list[dict[str, Any]]) -> list[schemas.MdfBudget]:
    """The budgets with what each has allocated, summed in one read for them all."""
    allocated: dict[UUID, Decimal] = {}
    if rows:
        for r in await MdfAllocation.select(MdfAllocation.budget_id, MdfAllocation.amount).where(
            MdfAllocation.budget_id.is_in([r["id"] for r in rows])
        ):
            allocated[r["budget_id"]] = allocated.get(r["budget_id"], Decimal(0)) + money(r["amount"])
    return [_budget(r, allocated.get(r["id"], Decimal(0))) for r in rows]


async def budget_rows(scope: Scope, partner_id: UUID) -> list[dict[str, Any]]:
    """Budgets whose owner lies in ``scope``, and those that allocate to ``partner_id``."""
    clause = within(MdfBudget.owner_path, scope)
    query = MdfBudget.select().order_by(MdfBudget.period_start, ascending=False)
    rows: list[dict[str, Any]] = await (query.where(clause) if clause is not None else query)
    allocated = await MdfAllocation.select(MdfAllocation.budget_id).where(
        MdfAllocation.partner_id == partner_id
    )
    extra_ids = {r["budget_id"] for r in allocated} - {r["id"] for r in rows}
    if extra_ids:
        rows += await MdfBudget.select().where(MdfBudget.id.is_in(list(extra_ids)))
    # One order for both kinds: the newest period first, then by code.
    rows.sort(key=lambda r: r["code"])
    rows.sort(key=lambda r: r["period_start"], reverse=True)
    return rows


async def allocation_row(budget_id: UUID, partner_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await MdfAllocation.select()
        .where((MdfAllocation.budget_id == budget_id) & (MdfAllocation.partner_id == partner_id))
        .first()
    )
    return row


async def save_allocation(values: dict[str, Any]) -> None:
    existing = await allocation_row(values["budget_id"], values["partner_id"])
    if existing is None:
        await MdfAllocation.insert(MdfAllocation(**values))
    else:
        await MdfAllocation.update(
            _set(MdfAllocation, {"amount": values["amount"], "updated_at": values["updated_at"]})
        ).where(MdfAllocation.id == existing["id"])


async def held_by_requests(allocation_id: UUID, *, except_id: UUID | None = None) -> Decimal:
    rows = await MdfRequest.select(
        MdfRequest.id, MdfRequest.requested_amount, MdfRequest.approved_amount, MdfRequest.status
    ).where(MdfRequest.allocation_id == allocation_id)
    return sum(
        (
            mdf.held(
                money(r["requested_amount"]),
                money(r["approved_amount"]) if r["approved_amount"] is not None else None,
                mdf.RequestStatus(r["status"]),
            )
            for r in rows
            if r["id"] != except_id
        ),
        Decimal(0),
    )


async def allocations(budget_id: UUID, scope: Scope) -> list[schemas.MdfAllocation]:
    return (await allocations_of([budget_id], scope))[budget_id]


async def allocations_of(budget_ids: list[UUID], scope: Scope) -> dict[UUID, list[schemas.MdfAllocation]]:
    """Each budget's shares of the partners in ``scope``, by partner name, with what requests hold
    of each; read for all the budgets at once."""
    found: dict[UUID, list[schemas.MdfAllocation]] = {budget_id: [] for budget_id in budget_ids}
    if not budget_ids:
        return found
    query = MdfAllocation.select().where(MdfAllocation.budget_id.is_in(budget_ids))
    clause = within(MdfAllocation.partner_path, scope)
    rows = await (query.where(clause) if clause is not None else query)
    if not rows:
        return found
    names = await organisation_names({r["partner_id"] for r in rows})
    held = await _held_by_allocation(budget_ids)
    for r in rows:
        amount, holds = money(r["amount"]), held.get(r["id"], Decimal(0))
        found[r["budget_id"]].append(
            schemas.MdfAllocation(
                id=r["id"],
                budget_id=r["budget_id"],
                partner_id=r["partner_id"],
                partner_name=names.get(r["partner_id"], ""),
                amount=amount,
                held=holds,
                available=max(amount - holds, Decimal(0)),
            )
        )
    return {budget_id: sorted(shares, key=lambda a: a.partner_name) for budget_id, shares in found.items()}


async def _held_by_allocation(budget_ids: list[UUID]) -> dict[UUID, Decimal]:
    """What the requests on the budgets hold of each allocation (all of them, whoever sees them:
    what a share has left does not depend on who looks)."""
    rows = await MdfRequest.select(
        MdfRequest.allocation_id, MdfRequest.requested_amount, MdfRequest.approved_amount, MdfRequest.status
    ).where(MdfRequest.budget_id.is_in(budget_ids))
    held: dict[UUID, Decimal] = {}
    for r in rows:
        held[r["allocation_id"]] = held.get(r["allocation_id"], Decimal(0)) + mdf.held(
            money(r["requested_amount"]),
            money(r["approved_amount"]) if r["approved_amount"] is not None else None,
            mdf.RequestStatus(r["status"]),
        )
    return held


async def insert_request(values: dict[str, Any]) -> None:
    await MdfRequest.insert(MdfRequest(**values))


async def request_row(request_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await MdfRequest.select().where(MdfRequest.id == request_id).first()
    return row


async def move_request(request_id: UUID, expect: str, values: dict[str, Any]) -> bool:
    """Change a request only if it is still in ``expect``; ``False`` when someone moved it first."""
    changed = await (
        MdfRequest.update(_set(MdfRequest, values))
        .where((MdfRequest.id == request_id) & (MdfRequest.status == expect))
        .returning(MdfRequest.id)
    )
    return bool(changed)


async def request_rows(
    scope: Scope, *, budget_id: UUID | None = None, status: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    query = MdfRequest.select().order_by(MdfRequest.created_at, ascending=False).limit(limit)
    for clause in (
        within(MdfRequest.partner_path, scope),
        MdfRequest.budget_id == budget_id if budget_id is not None else None,
        MdfRequest.status == status if status is not None else None,
    ):
        if clause is not None:
            query = query.where(clause)
    rows: list[dict[str, Any]] = await query
    return rows


async def insert_proof(values: dict[str, Any]) -> None:
    await MdfProof.insert(MdfProof(**values))


async def proof_count(request_id: UUID) -> int:
    return int(await MdfProof.count().where(MdfProof.request_id == request_id))


async def proofs(request_ids: list[UUID]) -> dict[UUID, list[schemas.MdfProof]]:
    if not request_ids:
        return {}
    rows = await MdfProof.select(
        MdfProof.id,
        MdfProof.request_id,
        MdfProof.file_name,
        MdfProof.content_type,
        MdfProof.size,
        MdfProof.uploaded_at,
    ).where(MdfProof.request_id.is_in(request_ids))
    found: dict[UUID, list[schemas.MdfProof]] = {}
    for r in sorted(rows, key=lambda r: r["uploaded_at"]):
        found.setdefault(r["request_id"], []).append(
            schemas.MdfProof(
                id=r["id"],
                file_name=r["file_name"],
                content_type=r["content_type"],
                size=r["size"],
                uploaded_at=r["uploaded_at"],
            )
        )
    return found


async def proof_content(request_id: UUID, proof_id: UUID) -> tuple[str, str, bytes] | None:
    row = await (
        MdfProof.select(MdfProof.file_name, MdfProof.content_type, MdfProof.content)
        .where((MdfProof.id == proof_id) & (MdfProof.request_id == request_id))
        .first()
    )
    if row is None:
        return None
    return row["file_name"], row["content_type"], bytes(row["content"])


async def to_requests(rows: list[dict[str, Any]]) -> list[schemas.MdfRequest]:
    budgets = {
        r["id"]: (r["code"], r["currency"])
        for r in await MdfBudget.select(MdfBudget.id, MdfBudget.code, MdfBudget.currency).where(
            MdfBudget.id.is_in(list({r["budget_id"] for r in rows}) or [UUID(int=0)])
        )
    }
    names = await organisation_names({r["partner_id"] for r in rows})
    files = await proofs([r["id"] for r in rows])

    def optional(value: Any) -> Decimal | None:
        return money(value) if value is not None else None

    return [
        schemas.MdfRequest(
            id=r["id"],
            budget_id=r["budget_id"],
            budget_code=budgets.get(r["budget_id"], ("", ""))[0],
            partner_id=r["partner_id"],
            partner_name=names.get(r["partner_id"], ""),
            activity=r["activity"],
            title=r["title"],
            plan=r["plan"],
            starts_on=as_day(r["starts_on"]),
            ends_on=as_day(r["ends_on"]),
            currency=budgets.get(r["budget_id"], ("", ""))[1],
            requested_amount=money(r["requested_amount"]),
            approved_amount=optional(r["approved_amount"]),
            claimed_amount=optional(r["claimed_amount"]),
            status=r["status"],
            answer=r["answer"],
            claim_note=r["claim_note"],
            created_at=r["created_at"],
            decided_at=r["decided_at"],
            claimed_at=r["claimed_at"],
            paid_at=r["paid_at"],
            proofs=files.get(r["id"], []),
        )
        for r in rows
    ]


FunnelInputs = tuple[list[tuple[str, str, Decimal]], list[mdf.RequestFigures]]


async def funnel_inputs(
    budget_ids: list[UUID], scope: Scope
) -> tuple[dict[UUID, FunnelInputs], dict[str, str]]:
    """Each budget's allocations and requests within ``scope``, each with its partner's region, and
    the labels: partners' names by id, regions' names by code; read for all the budgets at once."""
    found: dict[UUID, FunnelInputs] = {budget_id: ([], []) for budget_id in budget_ids}
    if not budget_ids:
        return found, {}
    clause_a = within(MdfAllocation.partner_path, scope)
    query_a = MdfAllocation.select(
        MdfAllocation.budget_id, MdfAllocation.partner_id, MdfAllocation.amount
    ).where(MdfAllocation.budget_id.is_in(budget_ids))
    allocation_rows = await (query_a.where(clause_a) if clause_a is not None else query_a)
    clause_r = within(MdfRequest.partner_path, scope)
    query_r = MdfRequest.select(
        MdfRequest.budget_id,
        MdfRequest.partner_id,
        MdfRequest.status,
        MdfRequest.requested_amount,
        MdfRequest.approved_amount,
        MdfRequest.claimed_amount,
    ).where(MdfRequest.budget_id.is_in(budget_ids))
    request_rows_ = await (query_r.where(clause_r) if clause_r is not None else query_r)
    partner_ids = {r["partner_id"] for r in allocation_rows} | {r["partner_id"] for r in request_rows_}
    regions: dict[str, str] = {}
    names: dict[str, str] = {}
    if partner_ids:
        for r in await Organisation.select(
            Organisation.id,
            Organisation.name,
            Organisation.region.code.as_alias("region"),
            Organisation.region.name.as_alias("region_name"),
        ).where(Organisation.id.is_in(list(partner_ids))):
            regions[str(r["id"])] = r["region"] or ""
            names[str(r["id"])] = r["name"]
            if r["region"]:
                names[r["region"]] = r["region_name"] or r["region"]
    for r in allocation_rows:
        found[r["budget_id"]][0].append(
            (str(r["partner_id"]), regions.get(str(r["partner_id"]), ""), money(r["amount"]))
        )
    for r in request_rows_:
        found[r["budget_id"]][1].append(
            mdf.RequestFigures(
                partner_id=str(r["partner_id"]),
                region=regions.get(str(r["partner_id"]), ""),
                status=mdf.RequestStatus(r["status"]),
                requested=money(r["requested_amount"]),
                approved=money(r["approved_amount"]) if r["approved_amount"] is not None else None,
                claimed=money(r["claimed_amount"]) if r["claimed_amount"] is not None else None,
            )
        )
    return found, names
