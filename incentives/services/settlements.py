"""Accrual and settlement: what each enrolled partner has earned so far in a period, the next tier
and the projection; at period end the final amount, net of what earlier settlements paid, approved
by the programme's owner and credited to the partner's rebate fund.

A settlement recomputes the settled period and every earlier period of the programme from the data
as it is now, so a late return or a restated sell-out report corrects the next settlement instead
of being lost. Settling again with nothing changed proposes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from channel.roles import Permission
from channel.services.activity import record_change
from channel.services.notifications import notify
from channel.transactions import hold_lock, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, NotFoundError
from incentives import rebates, repository, schemas
from incentives.services import fund
from incentives.services.programmes import actor_facts, enrols, require, require_owner, visible_programme


class _Volumes:
    """Every partner's basis volume in each of a range of periods, aggregated by the database."""

    def __init__(self, by_period: dict[rebates.Period, dict[UUID, Decimal]]):
        self.by_period = by_period

    def volume(self, partner_id: UUID, period: rebates.Period) -> Decimal:
        return self.by_period.get(period, {}).get(partner_id, Decimal(0))


async def _load_volumes(
    row: dict[str, Any],
    definition: rebates.Definition,
    periods: list[rebates.Period],
    *,
    with_open_orders: bool = False,
) -> _Volumes:
    """One set-based query per period (two for growth: the period and the same one last year);
    ``with_open_orders``: as if the orders on their way this period were received."""
    source = rebates.source_of(definition.basis)
    scope = rebates.scope_of(definition.basis)
    by_period: dict[rebates.Period, dict[UUID, Decimal]] = {}

    async def load(period: rebates.Period) -> dict[UUID, Decimal]:
        return await repository.partner_volumes(
            source,
            row["owner_path"],
            period,
            scope=scope,
            exclude_free_goods=definition.exclude_free_goods,
            with_open_orders=with_open_orders,
        )

    for period in periods:
        current = await load(period)
        if isinstance(definition.basis, rebates.Growth):
            before = await load(rebates.same_period_last_year(period))
            current = {
                p: max(current.get(p, Decimal(0)) - before.get(p, Decimal(0)), Decimal(0))
                for p in set(current) | set(before)
            }
        by_period[period] = current
    return _Volumes(by_period)


async def _enrolled(row: dict[str, Any], definition: rebates.Definition) -> list[rebates.PartnerFacts]:
    return [
        p
        for p in await repository.partners_under(row["owner_path"])
        if rebates.is_enrolled(definition.enrolment, row["owner_path"], p)
    ]


async def _accruals(
    row: dict[str, Any], partners: list[rebates.PartnerFacts], today: date
) -> list[schemas.PartnerAccrual]:
    definition = repository.definition_of(row["definition"])
    period = rebates.period_of(definition.period, today)
    volumes = await _load_volumes(row, definition, [period])
    placed = volumes
    if rebates.source_of(definition.basis) == "sell_in":
        placed = await _load_volumes(row, definition, [period], with_open_orders=True)
    paid = await repository.settled_amounts(row["id"], [p.id for p in partners])
    names = await repository.organisation_names({p.id for p in partners})
    return [
        schemas.PartnerAccrual(
            programme_id=row["id"],
            programme_code=row["code"],
            programme_name=row["name"],
            partner_id=p.id,
            partner_name=names.get(p.id, ""),
            currency=row["currency"],
            accrual=rebates.accrue(
                volumes.volume(p.id, period),
                definition,
                period,
                today,
                on_order=max(placed.volume(p.id, period) - volumes.volume(p.id, period), Decimal(0)),
            ),
            settled=paid.get(p.id, {}).get(period, Decimal(0)),
        )
        for p in partners
    ]


async def programme_accruals(actor: Actor, programme_id: UUID, clock: Clock) -> list[schemas.PartnerAccrual]:
    """Every enrolled partner the actor sees, in the period running today (the owner's overview;
    a partner sees only itself and its own downstream)."""
    async with read_transaction():
        row = await visible_programme(actor, programme_id)
        definition = repository.definition_of(row["definition"])
        partners = [p for p in await _enrolled(row, definition) if actor.sees(p.path)]
        return await _accruals(row, partners, clock.now().date())


async def my_accruals(actor: Actor, clock: Clock) -> list[schemas.PartnerAccrual]:
    """The actor's own organisation in every programme that enrols it, in the period running today."""
    require(actor, Permission.VIEW_ORDERS)
    today = clock.now().date()
    result: list[schemas.PartnerAccrual] = []
    async with read_transaction():
        facts = await actor_facts(actor)
        for row in await repository.programme_rows(owner_scope=None, under_paths=[facts.path]):
            if row["status"] == "active" and enrols(row, facts):
                result += await _accruals(row, [facts], today)
    return result


# --- settling -------------------------------------------------------------------------------------


async def settle_period(
    actor: Actor, programme_id: UUID, command: schemas.SettleCommand, clock: Clock
) -> schemas.SettlementRun:
    """Propose each enrolled partner's settlement for the period holding ``period_day``, which must
    be over: the period's rebate and corrections of earlier periods, less what was paid for them."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    now = clock.now()
    async with write_transaction():
        row = await visible_programme(actor, programme_id)
        require_owner(actor, row)
        await hold_lock(f"rebate-settlement:{programme_id}")
        definition = repository.definition_of(row["definition"])
        period = rebates.period_of(definition.period, command.period_day)
        starts_on = repository.as_day(row["starts_on"])
        if period.end > now.date():
            raise ConflictError("period_not_over", period_end=period.end.isoformat())
        if period.end <= starts_on:
            raise ConflictError("period_before_programme", starts_on=starts_on.isoformat())
        periods = rebates.periods_between(definition.period, starts_on, period)
        partners = [p for p in await _enrolled(row, definition) if actor.sees(p.path)]
        volumes = await _load_volumes(row, definition, periods)
        paid = await repository.settled_amounts(programme_id, [p.id for p in partners])
        pending = await repository.pending_partner_ids(programme_id)
        proposed_rows: list[dict[str, Any]] = []
        unchanged = 0
        for partner in partners:
            if partner.id in pending:
                continue
            earned = {
                p: rebates.rebate_for(volumes.volume(partner.id, p), definition).amount for p in periods
            }
            lines = rebates.settlement_lines(earned, paid.get(partner.id, {}))
            if not lines:
                unchanged += 1
                continue
            values = {
                "id": uuid4(),
                "programme_id": programme_id,
                "partner_id": partner.id,
                "partner_path": partner.path,
                "period_start": period.start,
                "period_end": period.end,
                "amount": sum((ln.amount for ln in lines), Decimal(0)),
                "currency": row["currency"],
                "status": "proposed",
                "lines": lines,
                "created_by": actor.label,
                "created_at": now,
            }
            await repository.insert_settlement(values)
            await record_change(
                actor,
                clock,
                action="settlement.proposed",
                object_type="rebate_settlement",
                object_id=values["id"],
                object_label=f"{row['code']} {period.start.isoformat()}",
                organisation_id=partner.id,
                organisation_path=partner.path,
                after={"amount": values["amount"], "lines": lines},
            )
            proposed_rows.append(
                values
                | {"lines": [line for line in lines], "decided_by": "", "decided_at": None, "reason": ""}
            )
        proposed = await repository.to_settlements(proposed_rows)
        return schemas.SettlementRun(
            proposed=proposed, unchanged=unchanged, pending=len(pending & {p.id for p in partners})
        )


async def _visible_settlement(actor: Actor, settlement_id: UUID) -> dict[str, Any]:
    require(actor, Permission.VIEW_ORDERS)
    row = await repository.settlement_row(settlement_id)
    if row is None or not actor.sees(row["partner_path"]):
        raise NotFoundError("settlement_not_found")
    return row


async def decide_settlement(
    actor: Actor, settlement_id: UUID, command: schemas.SettlementDecision, clock: Clock
) -> schemas.Settlement:
    """The owner approves (the partner's fund is credited at once, the settled figures recorded
    for the next settlement to net against) or rejects a proposal."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    now = clock.now()
    async with write_transaction():
        row = await _visible_settlement(actor, settlement_id)
        programme = await repository.programme_row(row["programme_id"])
        assert programme is not None
        require_owner(actor, programme)
        status = "approved" if command.decision == "approve" else "rejected"
        if not await repository.decide_settlement(
            settlement_id,
            {"status": status, "decided_by": actor.label, "decided_at": now, "reason": command.reason},
        ):
            raise ConflictError("settlement_already_decided")
        decided = await repository.settlement_row(settlement_id)
        assert decided is not None
        result = (await repository.to_settlements([decided]))[0]
        if status == "approved":
            credited = await fund.credit(actor, result, row["partner_path"], clock)
            await repository.insert_settled_amounts(
                [
                    {
                        "settlement_id": settlement_id,
                        "programme_id": row["programme_id"],
                        "partner_id": row["partner_id"],
                        "period_start": period.start,
                        "period_end": period.end,
                        "amount": amount,
                    }
                    for period, amount in rebates.paid_by_period(result.lines, credited - result.amount)
                ]
            )
        await record_change(
            actor,
            clock,
            action=f"settlement.{status}",
            object_type="rebate_settlement",
            object_id=settlement_id,
            object_label=f"{programme['code']} {result.period_start.isoformat()}",
            organisation_id=row["partner_id"],
            organisation_path=row["partner_path"],
            before={"status": "proposed"},
            after={"status": status, "amount": result.amount, "reason": command.reason},
        )
        await notify(
            row["partner_id"],
            f"rebate.settlement_{status}",
            clock,
            params={
                "programme": programme["code"],
                "amount": str(result.amount),
                "currency": result.currency,
                "period": result.period_start.isoformat(),
            },
            link="/incentives",
            permission=Permission.VIEW_ORDERS,
        )
        return result


async def list_settlements(
    actor: Actor,
    *,
    programme_id: UUID | None = None,
    status: str | None = None,
    partner_id: UUID | None = None,
) -> list[schemas.Settlement]:
    """Settlements of partners the actor sees, newest first (a programme's, one status, one partner)."""
    require(actor, Permission.VIEW_ORDERS)
    async with read_transaction():
        if programme_id is not None:
            await visible_programme(actor, programme_id)
        rows = await repository.settlement_rows(
            actor.scope, programme_id=programme_id, status=status, partner_id=partner_id
        )
        return await repository.to_settlements(rows)


async def get_settlement(actor: Actor, settlement_id: UUID) -> schemas.Settlement:
    async with read_transaction():
        row = await _visible_settlement(actor, settlement_id)
        return (await repository.to_settlements([row]))[0]
