"""Market development funds: the owner (the manufacturer, or a distributor for its downstream) sets
a budget for a period and allocates it to partners; a partner requests funds for an activity; the
owner's channel managers approve or reject; after the activity the partner claims what it spent,
with proof files; the claim is approved and marked paid. Every step is audited and told to the
other side; the funnel shows budget -> allocated -> requested -> approved -> claimed -> paid.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal
from uuid import UUID, uuid4

from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.services.notifications import notify
from channel.transactions import hold_lock, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from incentives import mdf, schemas
from incentives import repository as rebate_repository
from incentives.mdf import RequestStatus
from incentives.repository import mdf as repository
from incentives.services.programmes import require


def _require_owner(actor: Actor, budget: dict[str, Any]) -> None:
    require(actor, Permission.MANAGE_PROMOTIONS)
    if budget["owner_id"] != actor.organisation_id:
        raise PermissionDeniedError("not_budget_owner")


async def _visible_budget(actor: Actor, budget_id: UUID) -> dict[str, Any]:
    """The budget if the actor sees its owner or has an allocation in it."""
    return (await _visible_budgets(actor, [budget_id]))[0]


async def _visible_budgets(actor: Actor, budget_ids: list[UUID]) -> list[dict[str, Any]]:
    """The budgets, in the order asked, if the actor sees the owner of each or has an allocation in
    it; one it may not see makes the whole answer "not found"."""
    require(actor, Permission.VIEW_ORDERS)
    rows = await repository.budget_rows_by_id(budget_ids)
    if any(budget_id not in rows for budget_id in budget_ids):
        raise NotFoundError("budget_not_found")
    unseen = [budget_id for budget_id in budget_ids if not actor.sees(rows[budget_id]["owner_path"])]
    if unseen and set(unseen) - await repository.budgets_allocating_to(unseen, actor.organisation_id):
        raise NotFoundError("budget_not_found")
    return [rows[budget_id] for budget_id in budget_ids]


async def _visible_request(actor: Actor, request_id: UUID, *, changing: bool = False) -> dict[str, Any]:
    require(actor, Permission.VIEW_ORDERS)
    if changing:
        await hold_lock(f"mdf-request:{request_id}")
    row = await repository.request_row(request_id)
    if row is None or not actor.sees(row["partner_path"]):
        raise NotFoundError("mdf_request_not_found")
    return row


async def _audit(actor: Actor, clock: Clock, action: str, row: dict[str, Any], **after: Any) -> None:
    await record_change(
        actor,
        clock,
        action=f"mdf.{action}",
        object_type="mdf_request",
        object_id=row["id"],
        object_label=row["title"],
        organisation_id=row["partner_id"],
        organisation_path=row["partner_path"],
        after=after,
    )


async def _currency_of(request: dict[str, Any]) -> str:
    """The currency of a request: its budget's."""
    budget = await repository.budget_row(request["budget_id"])
    return str(budget["currency"]) if budget else ""


async def _one(request_id: UUID) -> schemas.MdfRequest:
    row = await repository.request_row(request_id)
    assert row is not None
    return (await repository.to_requests([row]))[0]


# --- budgets and allocations ---------------------------------------------------------------------


async def create_budget(actor: Actor, command: schemas.MdfBudgetCreate, clock: Clock) -> schemas.MdfBudget:
    require(actor, Permission.MANAGE_PROMOTIONS)
    if actor.organisation_kind is OrgKind.STORE:
        raise PermissionDeniedError("stores_have_no_downstream")
    budget_id = uuid4()
    async with write_transaction():
        if await repository.budget_code_taken(command.code):
            raise ConflictError("budget_code_taken", code=command.code)
        await repository.insert_budget(
            {
                "id": budget_id,
                "code": command.code,
                "name": command.name,
                "owner_id": actor.organisation_id,
                "owner_path": actor.organisation_path,
                "currency": command.currency,
                "amount": command.amount,
                "period_start": command.period_start,
                "period_end": command.period_end,
                "created_by": actor.label,
                "created_at": clock.now(),
            }
        )
        await record_change(
            actor,
            clock,
            action="mdf.budget_created",
            object_type="mdf_budget",
            object_id=budget_id,
            object_label=command.code,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=command,
        )
        row = await repository.budget_row(budget_id)
        assert row is not None
        return await repository.to_budget(row)


async def allocate(
    actor: Actor, budget_id: UUID, command: schemas.MdfAllocate, clock: Clock
) -> schemas.MdfAllocation:
    """Set a partner's share; the shares never pass the budget, nor drop below what requests hold."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    async with write_transaction():
        budget = await _visible_budget(actor, budget_id)
        _require_owner(actor, budget)
        await hold_lock(f"mdf-budget:{budget_id}")
        found = await rebate_repository.partner_facts(command.partner_id)
        if found is None or not actor.sees(found[0].path) or found[0].path == budget["owner_path"]:
            raise InvalidInputError.single("partner_id", "unknown_partner")
        if not found[0].path.startswith(budget["owner_path"]):
            raise InvalidInputError.single("partner_id", "unknown_partner")
        existing = await repository.allocation_row(budget_id, command.partner_id)
        before = rebate_repository.money(existing["amount"]) if existing else Decimal(0)
        others = await repository.allocated_total(budget_id) - before
        if others + command.amount > rebate_repository.money(budget["amount"]):
            raise ConflictError(
                "budget_exceeded",
                available=str(rebate_repository.money(budget["amount"]) - others),
                currency=budget["currency"],
            )
        if existing and command.amount < await repository.held_by_requests(existing["id"]):
            raise ConflictError("allocation_below_requests")
        await repository.save_allocation(
            {
                "id": uuid4(),
                "budget_id": budget_id,
                "partner_id": command.partner_id,
                "partner_path": found[0].path,
                "amount": command.amount,
                "updated_at": clock.now(),
            }
        )
        await record_change(
            actor,
            clock,
            action="mdf.allocated",
            object_type="mdf_budget",
            object_id=budget_id,
            object_label=budget["code"],
            organisation_id=command.partner_id,
            organisation_path=found[0].path,
            before={"amount": before},
            after={"amount": command.amount},
        )
        allocations = await repository.allocations(budget_id, actor.scope)
        return next(a for a in allocations if a.partner_id == command.partner_id)


async def list_budgets(actor: Actor) -> list[schemas.MdfBudget]:
    require(actor, Permission.VIEW_ORDERS)
    async with read_transaction():
        return await repository.to_budgets(await repository.budget_rows(actor.scope, actor.organisation_id))


async def list_allocations(actor: Actor, budget_id: UUID) -> list[schemas.MdfAllocation]:
    """The budget's shares of the partners the actor sees (a partner: its own)."""
    return (await list_allocations_of(actor, [budget_id]))[budget_id]


async def list_allocations_of(
    actor: Actor, budget_ids: list[UUID]
) -> dict[UUID, list[schemas.MdfAllocation]]:
    """Each budget's shares of the partners the actor sees, by budget: a page of budgets reads
    them together rather than one budget after another."""
    async with read_transaction():
        await _visible_budgets(actor, budget_ids)
        return await repository.allocations_of(budget_ids, actor.scope)


# --- requests and claims -------------------------------------------------------------------------


async def request_funds(actor: Actor, command: schemas.MdfRequestCreate, clock: Clock) -> schemas.MdfRequest:
    """Ask for funds for an activity, within what the partner's allocation still has."""
    require(actor, Permission.PLACE_ORDERS)
    request_id = uuid4()
    async with write_transaction():
        budget = await _visible_budget(actor, command.budget_id)
        allocation = await repository.allocation_row(command.budget_id, actor.organisation_id)
        if allocation is None:
            raise ConflictError("no_allocation")
        await hold_lock(f"mdf-allocation:{allocation['id']}")
        available = rebate_repository.money(allocation["amount"]) - await repository.held_by_requests(
            allocation["id"]
        )
        if command.amount > available:
            raise ConflictError(
                "allocation_exceeded", available=str(max(available, Decimal(0))), currency=budget["currency"]
            )
        values = {
            "id": request_id,
            "allocation_id": allocation["id"],
            "budget_id": command.budget_id,
            "partner_id": actor.organisation_id,
            "partner_path": actor.organisation_path,
            "activity": command.activity,
            "title": command.title,
            "plan": command.plan,
            "starts_on": command.starts_on,
            "ends_on": command.ends_on,
            "requested_amount": command.amount,
            "status": RequestStatus.REQUESTED.value,
            "requested_by": actor.label,
            "created_at": clock.now(),
        }
        await repository.insert_request(values)
        await _audit(actor, clock, "requested", values, amount=command.amount, activity=command.activity)
        await notify(
            budget["owner_id"],
            "mdf.requested",
            clock,
            params={"partner": actor.organisation_name, "title": command.title},
            link="/incentives/mdf",
            permission=Permission.MANAGE_PROMOTIONS,
            about_path=actor.organisation_path,
        )
        return await _one(request_id)


async def _owner_step(
    actor: Actor,
    request_id: UUID,
    clock: Clock,
    *,
    expect: RequestStatus,
    to: RequestStatus,
    values: dict[str, Any],
    notice: str | None,
) -> schemas.MdfRequest:
    """A step only the budget's owner takes: check, move (if nobody moved it first), audit, tell."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    async with write_transaction():
        row = await _visible_request(actor, request_id, changing=True)
        budget = await repository.budget_row(row["budget_id"])
        assert budget is not None
        _require_owner(actor, budget)
        if row["status"] != expect.value or not mdf.may_move(expect, to):
            raise ConflictError("mdf_wrong_status", status=row["status"])
        if not await repository.move_request(request_id, expect.value, {"status": to.value, **values}):
            raise ConflictError("mdf_wrong_status", status=row["status"])
        await _audit(actor, clock, to.value, row, **{k: v for k, v in values.items() if "amount" in k})
        if notice is not None:
            await notify(
                row["partner_id"],
                notice,
                clock,
                params={"title": row["title"], "answer": str(values.get("answer", ""))},
                link="/incentives/mdf",
                permission=Permission.PLACE_ORDERS,
            )
        return await _one(request_id)


async def decide_request(
    actor: Actor, request_id: UUID, command: schemas.MdfDecision, clock: Clock
) -> schemas.MdfRequest:
    """Approve (the amount asked, or less) or reject a request for funds."""
    now = clock.now()
    if command.decision == "reject":
        return await _owner_step(
            actor,
            request_id,
            clock,
            expect=RequestStatus.REQUESTED,
            to=RequestStatus.REJECTED,
            values={"answer": command.answer, "decided_by": actor.label, "decided_at": now},
            notice="mdf.request_rejected",
        )
    require(actor, Permission.MANAGE_PROMOTIONS)
    row = await repository.request_row(request_id)
    asked = rebate_repository.money(row["requested_amount"]) if row else Decimal(0)
    amount = command.amount if command.amount is not None else asked
    if row is not None and actor.sees(row["partner_path"]) and amount > asked:
        raise InvalidInputError.single(
            "amount", "above_requested", requested=str(asked), currency=await _currency_of(row)
        )
    return await _owner_step(
        actor,
        request_id,
        clock,
        expect=RequestStatus.REQUESTED,
        to=RequestStatus.APPROVED,
        values={
            "approved_amount": amount,
            "answer": command.answer,
            "decided_by": actor.label,
            "decided_at": now,
        },
        notice="mdf.request_approved",
    )


async def add_proof(
    actor: Actor, request_id: UUID, file_name: str, content: bytes, clock: Clock
) -> schemas.MdfRequest:
    """Attach a proof file (PDF, PNG or JPEG by its content; bounded in size and count) to an
    approved request before claiming."""
    require(actor, Permission.PLACE_ORDERS)
    async with write_transaction():
        row = await _visible_request(actor, request_id, changing=True)
        if row["partner_id"] != actor.organisation_id:
            raise PermissionDeniedError("not_your_request")
        if row["status"] != RequestStatus.APPROVED.value:
            raise ConflictError("mdf_wrong_status", status=row["status"])
        problem = mdf.proof_problem(content, await repository.proof_count(request_id))
        if problem is not None:
            raise InvalidInputError.single(
                "file", problem, maximum=mdf.MAX_PROOF_BYTES // (1024 * 1024), count=mdf.MAX_PROOFS
            )
        kind = mdf.proof_type(content)
        assert kind is not None
        name = "".join(ch for ch in file_name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())[:200]
        await repository.insert_proof(
            {
                "id": uuid4(),
                "request_id": request_id,
                "file_name": name or "proof",
                "content_type": kind,
                "size": len(content),
                "content": content,
                "uploaded_by": actor.label,
                "uploaded_at": clock.now(),
            }
        )
        await _audit(actor, clock, "proof_added", row, file_name=name, size=len(content))
        return await _one(request_id)


async def claim(
    actor: Actor, request_id: UUID, command: schemas.MdfClaim, clock: Clock
) -> schemas.MdfRequest:
    """Claim what the activity cost, at most the approved amount, with at least one proof file."""
    require(actor, Permission.PLACE_ORDERS)
    async with write_transaction():
        row = await _visible_request(actor, request_id, changing=True)
        if row["partner_id"] != actor.organisation_id:
            raise PermissionDeniedError("not_your_request")
        if row["status"] != RequestStatus.APPROVED.value:
            raise ConflictError("mdf_wrong_status", status=row["status"])
        approved = rebate_repository.money(row["approved_amount"])
        if command.amount > approved:
            raise InvalidInputError.single(
                "amount", "above_approved", approved=str(approved), currency=await _currency_of(row)
            )
        if not await repository.proof_count(request_id):
            raise ConflictError("proof_required")
        moved = await repository.move_request(
            request_id,
            RequestStatus.APPROVED.value,
            {
                "status": RequestStatus.CLAIMED.value,
                "claimed_amount": command.amount,
                "claim_note": command.note,
                "claimed_at": clock.now(),
            },
        )
        if not moved:
            raise ConflictError("mdf_wrong_status", status=row["status"])
        await _audit(actor, clock, "claimed", row, claimed_amount=command.amount)
        budget = await repository.budget_row(row["budget_id"])
        assert budget is not None
        await notify(
            budget["owner_id"],
            "mdf.claimed",
            clock,
            params={"partner": actor.organisation_name, "title": row["title"]},
            link="/incentives/mdf",
            permission=Permission.MANAGE_PROMOTIONS,
            about_path=row["partner_path"],
        )
        return await _one(request_id)


async def decide_claim(
    actor: Actor, request_id: UUID, command: schemas.MdfDecision, clock: Clock
) -> schemas.MdfRequest:
    approve = command.decision == "approve"
    return await _owner_step(
        actor,
        request_id,
        clock,
        expect=RequestStatus.CLAIMED,
        to=RequestStatus.CLAIM_APPROVED if approve else RequestStatus.CLAIM_REJECTED,
        values={"answer": command.answer, "claim_decided_by": actor.label, "claim_decided_at": clock.now()},
        notice="mdf.claim_approved" if approve else "mdf.claim_rejected",
    )


async def mark_paid(actor: Actor, request_id: UUID, clock: Clock) -> schemas.MdfRequest:
    return await _owner_step(
        actor,
        request_id,
        clock,
        expect=RequestStatus.CLAIM_APPROVED,
        to=RequestStatus.PAID,
        values={"paid_at": clock.now()},
        notice="mdf.paid",
    )


async def list_requests(
    actor: Actor, *, budget_id: UUID | None = None, status: str | None = None
) -> list[schemas.MdfRequest]:
    """Requests of the partners the actor sees, newest first (the channel manager's queue with
    ``status="requested"`` or ``"claimed"``)."""
    require(actor, Permission.VIEW_ORDERS)
    async with read_transaction():
        return await repository.to_requests(
            await repository.request_rows(actor.scope, budget_id=budget_id, status=status)
        )


async def get_request(actor: Actor, request_id: UUID) -> schemas.MdfRequest:
    async with read_transaction():
        row = await _visible_request(actor, request_id)
        return (await repository.to_requests([row]))[0]


async def get_proof(actor: Actor, request_id: UUID, proof_id: UUID) -> tuple[str, str, bytes]:
    """A proof file's name, type and bytes."""
    async with read_transaction():
        await _visible_request(actor, request_id)
        found = await repository.proof_content(request_id, proof_id)
        if found is None:
            raise NotFoundError("mdf_proof_not_found")
        return found


async def funnel(actor: Actor, budget_id: UUID, by: Literal["partner", "region"]) -> schemas.MdfFunnel:
    """Allocated -> requested -> approved -> claimed -> paid of the budget, per partner or region,
    over the partners the actor sees."""
    [(by_partner, by_region)] = await funnels(actor, [budget_id])
    return by_partner if by == "partner" else by_region


async def funnels(actor: Actor, budget_ids: list[UUID]) -> list[tuple[schemas.MdfFunnel, schemas.MdfFunnel]]:
    """Each budget's funnel per partner and per region, in the order asked, over the partners the
    actor sees; read for all the budgets at once."""
    async with read_transaction():
        budgets = await repository.to_budgets(await _visible_budgets(actor, budget_ids))
        inputs, names = await repository.funnel_inputs(budget_ids, actor.scope)

        def funnel_of(budget: schemas.MdfBudget, by: Literal["partner", "region"]) -> schemas.MdfFunnel:
            allocations, figures = inputs[budget.id]
            rows = mdf.funnel(allocations, figures, by=by)
            return schemas.MdfFunnel(
                budget=budget,
                by=by,
                rows=[
                    schemas.MdfFunnelRow(
                        key=r.key,
                        label=names.get(r.key, r.key),
                        allocated=r.allocated,
                        requested=r.requested,
                        approved=r.approved,
                        claimed=r.claimed,
                        paid=r.paid,
                    )
                    for r in sorted(rows, key=lambda r: names.get(r.key, r.key))
                ],
            )

        return [(funnel_of(b, "partner"), funnel_of(b, "region")) for b in budgets]
