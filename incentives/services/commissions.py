"""Commissions: the owner (the manufacturer, or a distributor for its downstream) sets a plan,
records which received order came from which registered deal or lead and who shares it; running
the commissions brings every partner's ledger to what its deals earn today (earned once the order is
received, clawed back when goods come back); each partner downloads its statement per period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from channel.network import manufacturer_path
from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.transactions import hold_lock, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError, PermissionDeniedError
from incentives import commissions, schemas
from incentives import repository as rebate_repository
from incentives.repository import commissions as repository
from incentives.services.programmes import require


def _require_plan_owner(actor: Actor) -> None:
    """Plans pay the owner's downstream: set by people who manage promotions, never by a store."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    if actor.organisation_kind is OrgKind.STORE:
        raise PermissionDeniedError("stores_have_no_downstream")


async def create_plan(
    actor: Actor, command: schemas.CommissionPlanCreate, clock: Clock
) -> schemas.CommissionPlanView:
    _require_plan_owner(actor)
    problems = commissions.validate_plan(command.plan)
    if problems:
        raise InvalidInputError(problems)
    plan_id = uuid4()
    async with write_transaction():
        if await repository.plan_code_taken(command.code):
            raise ConflictError("plan_code_taken", code=command.code)
        await repository.insert_plan(
            {
                "id": plan_id,
                "code": command.code,
                "name": command.name,
                "owner_id": actor.organisation_id,
                "owner_path": actor.organisation_path,
                "currency": command.currency,
                "definition": command.plan,
                "created_at": clock.now(),
            }
        )
        await record_change(
            actor,
            clock,
            action="commission.plan_created",
            object_type="commission_plan",
            object_id=plan_id,
            object_label=command.code,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=command,
        )
        row = await repository.plan_row(plan_id)
        assert row is not None
        return repository.to_plan(row)


async def _own_plan(actor: Actor, plan_id: UUID) -> dict[str, Any]:
    require(actor, Permission.MANAGE_PROMOTIONS)
    row = await repository.plan_row(plan_id)
    if row is None or not actor.sees(row["owner_path"]):
        raise NotFoundError("commission_plan_not_found")
    if row["owner_id"] != actor.organisation_id:
        raise PermissionDeniedError("not_plan_owner")
    return row


async def list_plans(actor: Actor) -> list[schemas.CommissionPlanView]:
    """The plans the actor's organisation owns, by code, with how many orders each pays on."""
    _require_plan_owner(actor)
    async with read_transaction():
        rows = await repository.plans_owned_by(actor.organisation_id)
        counts = await repository.deal_counts([r["id"] for r in rows])
        return [repository.to_plan(r, counts.get(r["id"], 0)) for r in rows]


async def get_plan(actor: Actor, plan_id: UUID) -> schemas.CommissionPlanView:
    async with read_transaction():
        row = await _own_plan(actor, plan_id)
        counts = await repository.deal_counts([plan_id])
        return repository.to_plan(row, counts.get(plan_id, 0))


def _number_of(numbers: dict[UUID, str], source_id: UUID | None) -> str:
    return numbers.get(source_id, "") if source_id else ""


async def list_deals(actor: Actor, plan_id: UUID) -> list[schemas.PlanDeal]:
    """The deals attributed to an owned plan, the latest first: where each came from and who
    shares it, by name."""
    async with read_transaction():
        await _own_plan(actor, plan_id)
        rows = await repository.deals_of(plan_id)
        deals = [(row, repository.to_deal(row)) for row in rows]
        names = await rebate_repository.organisation_names(
            {s.partner_id for _, deal in deals for s in deal.splits}
        )
        registrations = await repository.numbers_of(
            "registration", [d.registration_id for _, d in deals if d.registration_id]
        )
        leads = await repository.numbers_of("lead", [d.lead_id for _, d in deals if d.lead_id])
        return [
            schemas.PlanDeal(
                id=deal.id,
                order_id=row["order_id"],
                order_number=deal.order_number,
                registration_id=deal.registration_id,
                registration_number=_number_of(registrations, deal.registration_id),
                lead_id=deal.lead_id,
                lead_number=_number_of(leads, deal.lead_id),
                shares=[
                    schemas.DealShare(
                        partner_id=s.partner_id, partner_name=names.get(s.partner_id, ""), percent=s.percent
                    )
                    for s in deal.splits
                ],
                created_by=row["created_by"],
                created_at=row["created_at"],
            )
            for row, deal in deals
        ]


def _sees_lead(actor: Actor, held_by: str) -> bool:
    """Whether the actor sees the partner holding a lead; a lead in the pool is the manufacturer's."""
    return actor.sees(held_by or manufacturer_path(actor.organisation_path))


async def find_deal_source(actor: Actor, number: str) -> tuple[UUID | None, UUID | None] | None:
    """The registration or the lead a number names, if the actor sees the partner holding it, as
    ``attribute_order`` takes them: ``(registration_id, None)`` or ``(None, lead_id)``; None when
    it names neither."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    async with read_transaction():
        registration = await repository.registration_by_number(number)
        if registration is not None and actor.sees(registration[1]):
            return registration[0], None
        lead = await repository.lead_by_number(number)
        return (None, lead[0]) if lead is not None and _sees_lead(actor, lead[1]) else None


async def attribute_order(
    actor: Actor, plan_id: UUID, command: schemas.CommissionDealCreate, clock: Clock
) -> schemas.CommissionDeal:
    """Record that an order under the owner came from a registration or a lead, and the split."""
    async with write_transaction():
        plan = await _own_plan(actor, plan_id)
        problems = commissions.validate_splits(command.splits)
        order = await repository.order_place(command.order_number)
        if order is None or not order[2].startswith(plan["owner_path"]) or not actor.sees(order[2]):
            problems.append(FieldProblem("order_number", "unknown_order", {"number": command.order_number}))
        elif order[3] != plan["currency"]:  # amounts are not converted between currencies
            problems.append(
                FieldProblem(
                    "order_number",
                    "order_in_other_currency",
                    {"number": command.order_number, "currency": order[3], "plan_currency": plan["currency"]},
                )
            )
        if (command.registration_id is None) == (command.lead_id is None):
            problems.append(FieldProblem("registration_id", "registration_or_lead"))
        if command.registration_id is not None:
            path = await repository.registration_path(command.registration_id)
            if path is None or not actor.sees(path):
                problems.append(FieldProblem("registration_id", "unknown_registration"))
        if command.lead_id is not None:
            held_by = await repository.lead_path(command.lead_id)
            if held_by is None or not _sees_lead(actor, held_by):
                problems.append(FieldProblem("lead_id", "unknown_lead"))
        for index, share in enumerate(command.splits):
            found = await rebate_repository.partner_facts(share.partner_id)
            if found is None or not actor.sees(found[0].path) or found[0].path == plan["owner_path"]:
                problems.append(FieldProblem(f"splits[{index}].partner_id", "unknown_split_partner"))
        if problems:
            raise InvalidInputError(problems)
        assert order is not None
        if await repository.deal_for_order(order[0]):
            raise ConflictError("order_already_attributed", number=command.order_number)
        deal_id = uuid4()
        values = {
            "id": deal_id,
            "plan_id": plan_id,
            "order_id": order[0],
            "order_number": command.order_number,
            "registration_id": command.registration_id,
            "lead_id": command.lead_id,
            "splits": command.splits,
            "created_by": actor.label,
            "created_at": clock.now(),
        }
        await repository.insert_deal(values)
        await record_change(
            actor,
            clock,
            action="commission.deal_attributed",
            object_type="commission_deal",
            object_id=deal_id,
            object_label=command.order_number,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=command,
        )
        return schemas.CommissionDeal(
            id=deal_id,
            plan_id=plan_id,
            order_number=command.order_number,
            registration_id=command.registration_id,
            lead_id=command.lead_id,
            splits=command.splits,
        )


async def run_commissions(actor: Actor, clock: Clock) -> schemas.CommissionRun:
    """Bring the ledger of every deal of the actor's plans to what it earns now: a received order
    earns, a return claws back; running again with nothing new records nothing."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    now = clock.now()
    async with write_transaction():
        await hold_lock(f"commissions:{actor.organisation_id}")
        plans = {r["id"]: r for r in await repository.plans_owned_by(actor.organisation_id)}
        deals = await repository.deal_rows(list(plans))
        lines = await repository.received_order_lines([d["order_id"] for d in deals])
        held = await repository.recorded([d["id"] for d in deals])
        entries: list[dict[str, Any]] = []
        for deal in deals:
            if deal["order_id"] not in lines:
                continue  # not received yet
            plan = plans[deal["plan_id"]]
            view = repository.to_deal(deal)
            amount = commissions.commission_for(
                lines[deal["order_id"]], repository.plan_of(plan["definition"])
            )
            earned = commissions.split(amount, plan["currency"], view.splits)
            for partner_id, change in commissions.deltas(earned, held.get(deal["id"], {})).items():
                found = await rebate_repository.partner_facts(partner_id)
                entries.append(
                    {
                        "deal_id": deal["id"],
                        "partner_id": partner_id,
                        "partner_path": found[0].path if found else "",
                        "order_number": deal["order_number"],
                        "kind": "earned" if change > 0 else "clawback",
                        "amount": change,
                        "currency": plan["currency"],
                        "occurred_at": now,
                    }
                )
        await repository.insert_entries(entries)
        earned_total, clawed = commissions.run_totals((e["currency"], e["amount"]) for e in entries)
        if entries:
            await record_change(
                actor,
                clock,
                action="commission.run",
                object_type="commission_plan",
                object_id=actor.organisation_id,
                organisation_id=actor.organisation_id,
                organisation_path=actor.organisation_path,
                after={"earned": earned_total, "clawed_back": clawed, "entries": len(entries)},
            )
        return schemas.CommissionRun(earned=earned_total, clawed_back=clawed, entries=len(entries))


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


async def statement(actor: Actor, partner_id: UUID, start: date, end: date) -> schemas.CommissionStatement:
    """A partner's commission entries recorded in ``[start, end)``, their totals per currency, and
    the deals they pay on: the order, the partner's share and what each rate of the plan earns."""
    require(actor, Permission.VIEW_ORDERS)
    if end <= start:
        raise InvalidInputError.single("end", "before_start")
    async with read_transaction():
        found = await rebate_repository.partner_facts(partner_id)
        if found is None or not actor.sees(found[0].path):
            raise NotFoundError("partner_not_found")
        entries = await repository.entries_of(partner_id, _instant(start), _instant(end))
        totals: dict[str, Decimal] = {}
        for e in entries:
            totals[e.currency] = totals.get(e.currency, Decimal(0)) + e.amount
        return schemas.CommissionStatement(
            partner_id=partner_id,
            partner_name=found[1],
            period_start=start,
            period_end=end,
            entries=entries,
            totals=totals,
            deals=await _statement_deals(partner_id, entries),
        )


async def _statement_deals(
    partner_id: UUID, entries: list[schemas.CommissionEntry]
) -> list[schemas.StatementDeal]:
    deals = await repository.deal_rows_by_id(sorted({e.deal_id for e in entries if e.deal_id}))
    plans = await repository.plan_rows(sorted({d["plan_id"] for d in deals}))
    lines = await repository.received_order_lines([d["order_id"] for d in deals])
    found = []
    for deal in sorted(deals, key=lambda d: d["order_number"]):
        plan = plans[deal["plan_id"]]
        view = repository.to_deal(deal)
        mine = [e for e in entries if e.deal_id == deal["id"]]
        found.append(
            schemas.StatementDeal(
                deal_id=deal["id"],
                order_number=deal["order_number"],
                plan_code=plan["code"],
                registration_id=deal["registration_id"],
                lead_id=deal["lead_id"],
                share_percent=next(
                    (s.percent for s in view.splits if s.partner_id == partner_id), Decimal(0)
                ),
                currency=plan["currency"],
                categories=commissions.commission_by_category(
                    lines.get(deal["order_id"], []), repository.plan_of(plan["definition"])
                ),
                earned=sum((e.amount for e in mine if e.amount > 0), Decimal(0)),
                clawed_back=-sum((e.amount for e in mine if e.amount < 0), Decimal(0)),
            )
        )
    return found


async def list_statements(actor: Actor, start: date, end: date) -> list[schemas.CommissionStatementSummary]:
    """Every partner the actor sees with commissions recorded in ``[start, end)``: earned, clawed
    back and the total, per currency (a partner sees itself and its downstream)."""
    require(actor, Permission.VIEW_ORDERS)
    if end <= start:
        raise InvalidInputError.single("end", "before_start")
    async with read_transaction():
        rows = await repository.period_totals(actor.scope, _instant(start), _instant(end))
        sums: dict[tuple[UUID, str], list[Decimal]] = {}
        for r in rows:
            amount = rebate_repository.money(r["amount"])
            figures = sums.setdefault((r["partner_id"], r["currency"]), [Decimal(0), Decimal(0)])
            figures[0 if amount > 0 else 1] += amount
        names = await rebate_repository.organisation_names({partner for partner, _ in sums})
        return sorted(
            (
                schemas.CommissionStatementSummary(
                    partner_id=partner,
                    partner_name=names.get(partner, ""),
                    currency=currency,
                    earned=earned,
                    clawed_back=-clawed,
                    total=earned + clawed,
                )
                for (partner, currency), (earned, clawed) in sums.items()
            ),
            key=lambda s: (s.partner_name, s.currency),
        )
