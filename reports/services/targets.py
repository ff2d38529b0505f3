"""Targets per partner and period, and the scorecard weights per partner level.

The manufacturer sets targets for any partner it sees; a distributor for the partners below it,
never for itself. Weights are the manufacturer's alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from reports import kpis, repository, schemas
from reports.kpis import Kpi, PeriodKind, TargetMeasure, Totals
from reports.services.scorecards import (
    partner_ref,
    require_viewer,
    resolve_period,
    target_values,
    weights_by_level,
)

CENTS = Decimal("0.01")
LIMIT = Decimal(10) ** 14


def _may_set(actor: Actor, row: dict[str, Any]) -> bool:
    return (
        actor.can(Permission.MANAGE_PARTNERS)
        and row["id"] != actor.organisation_id
        and row["kind"] != OrgKind.MANUFACTURER.value
    )


async def target_sheet(
    actor: Actor, kind: PeriodKind, label: str | None, clock: Clock
) -> schemas.TargetSheet:
    """Every partner in view with its targets for the period and what it reached so far."""
    require_viewer(actor)
    period = resolve_period(kind, label, clock)
    async with read_transaction():
        rows = [
            r for r in await repository.partners_in(actor.scope) if r["kind"] != OrgKind.MANUFACTURER.value
        ]
        ids = [r["id"] for r in rows]
        targets: dict[UUID, dict[TargetMeasure, Decimal]] = {}
        for t in await repository.targets_of(ids, period.kind.value, period.start):
            targets.setdefault(t["organisation_id"], {})[TargetMeasure(t["measure"])] = Decimal(t["value"])
        sums = await repository.period_sums(ids, period.start, period.end) if ids else {}
    result = []
    for row in rows:
        totals = Totals({m: v for (o, m), v in sums.items() if o == row["id"]})
        result.append(
            schemas.PartnerTargets(
                partner=partner_ref(row),
                targets=target_values(targets.get(row["id"], {}), totals),
                editable=_may_set(actor, row),
            )
        )
    return schemas.TargetSheet(period.kind, period.label, period.start, result)


async def set_targets(actor: Actor, batch: schemas.TargetBatch, clock: Clock) -> schemas.TargetBatchResult:
    """Set or remove targets, all or none."""
    if not actor.can(Permission.MANAGE_PARTNERS):
        raise PermissionDeniedError()
    saved = removed = 0
    now = clock.now()
    async with write_transaction():
        visible = {r["id"]: r for r in await repository.partners_in(actor.scope)}
        for index, item in enumerate(batch.targets):
            row = visible.get(item.organisation_id)
            if row is None:
                raise NotFoundError()
            if not _may_set(actor, row):
                raise PermissionDeniedError("targets_set_by_upstream")
            try:
                period = kpis.parse_period(item.period, item.period_label)
            except ValueError:
                raise InvalidInputError.single(f"targets[{index}].period_label", "invalid_period") from None
            if item.value is not None and not (item.value.is_finite() and 0 <= item.value < LIMIT):
                raise InvalidInputError.single(f"targets[{index}].value", "out_of_range")
            if item.value is None:
                removed += await repository.delete_target(
                    row["id"], period.kind.value, period.start, item.measure
                )
                after: Any = None
            else:
                value = item.value.quantize(CENTS)
                await repository.upsert_target(
                    {
                        "organisation_id": row["id"],
                        "organisation_path": row["path"],
                        "period": period.kind.value,
                        "period_start": period.start,
                        "measure": item.measure.value,
                        "value": value,
                        "set_by": actor.label,
                        "set_by_organisation_id": actor.organisation_id,
                        "updated_at": now,
                    }
                )
                saved += 1
                after = {"period": period.label, "measure": item.measure.value, "value": str(value)}
            await record_change(
                actor,
                clock,
                action="target.set" if after else "target.removed",
                object_type="target",
                object_id=f"{row['id']}:{period.label}:{item.measure.value}",
                object_label=f"{row['code']} {period.label} {item.measure.value}",
                organisation_id=row["id"],
                organisation_path=row["path"],
                after=after,
            )
    return schemas.TargetBatchResult(saved, removed)


async def list_weights(actor: Actor) -> list[schemas.LevelWeights]:
    """The weights of every partner level (and of partners without one); built-in ones where unset."""
    require_viewer(actor)
    async with read_transaction():
        stored = await weights_by_level()
        levels = [lv["code"] for lv in await repository.partner_levels()]
    return [
        schemas.LevelWeights(
            level, stored.get(level) or dict(kpis.DEFAULT_WEIGHTS), defaults=level not in stored
        )
        for level in [*levels, ""]
    ]


async def set_weights(actor: Actor, update: schemas.WeightsUpdate, clock: Clock) -> schemas.LevelWeights:
    level = update.level
    if actor.organisation_kind is not OrgKind.MANUFACTURER or not actor.can(Permission.CONFIGURE_CHANNEL):
        raise PermissionDeniedError()
    unscored = sorted(k.value for k in update.weights if k not in kpis.SCORED)
    if unscored:
        raise InvalidInputError.single("weights", "kpi_not_scored", kpis=", ".join(unscored))
    weights = {k: w for k, w in update.weights.items() if w > 0}
    if not weights:
        raise InvalidInputError.single("weights", "no_weight")
    async with write_transaction():
        if level and level not in {lv["code"] for lv in await repository.partner_levels()}:
            raise NotFoundError()
        before = (await weights_by_level()).get(level)
        await repository.replace_weights(level, {k.value: w for k, w in weights.items()})
        await record_change(
            actor,
            clock,
            action="scorecard_weights.set",
            object_type="scorecard_weights",
            object_id=level or "-",
            object_label=level or "-",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            before={k.value: w for k, w in before.items()} if before else None,
            after={k.value: w for k, w in weights.items()},
        )
    return schemas.LevelWeights(level, weights)


def weight_kpis() -> list[Kpi]:
    return list(kpis.SCORED)
