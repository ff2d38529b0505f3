"""Stock per organisation and product: what is on hand, reserved, in transit and waited for;
adjustments with a reason; and the check that every level is the sum of its ledger."""

from __future__ import annotations

from uuid import UUID

from channel.roles import Permission
from channel.services.activity import record_change
from channel.services.partners import visible_place
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, PermissionDeniedError
from ordering import repository, schemas
from ordering.services.orders import allocate_waiting
from ordering.stock import Levels, MovementKind, is_sound


async def list_stock(actor: Actor, organisation_id: UUID | None = None) -> list[schemas.StockRow]:
    """An organisation's stock (the actor's own, or one it sees), with what its buyers wait for."""
    if not actor.can(Permission.VIEW_ORDERS):
        raise PermissionDeniedError()
    async with read_transaction():
        place = await visible_place(actor, organisation_id or actor.organisation_id)
        rows = await repository.levels_of(place.id)
        waiting: dict[str, int] = {}
        for line in await repository.waiting_lines(place.id):
            missing = line["quantity"] - line["shipped"] - line["allocated"]
            waiting[line["sku"]] = waiting.get(line["sku"], 0) + missing
    found = {
        r["sku"]: schemas.StockRow(
            sku=r["sku"],
            on_hand=r["on_hand"],
            reserved=r["reserved"],
            in_transit=r["in_transit"],
            available=r["on_hand"] - r["reserved"],
            backordered=waiting.get(r["sku"], 0),
        )
        for r in rows
    }
    for sku, units in waiting.items():
        found.setdefault(
            sku,
            schemas.StockRow(sku=sku, on_hand=0, reserved=0, in_transit=0, available=0, backordered=units),
        )
    return [found[sku] for sku in sorted(found)]


async def adjust(actor: Actor, command: schemas.StockAdjustment, clock: Clock) -> schemas.StockRow:
    """Count stock in (a delivery from outside the portal, production) or write it off, with a
    reason; what arrives goes to waiting backorders first."""
    if not actor.can(Permission.FULFIL_ORDERS):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        if not await repository.move(
            actor.organisation_id,
            command.sku,
            MovementKind.ADJUSTMENT,
            command.quantity,
            now,
            reason=command.reason,
            actor_label=actor.label,
        ):
            raise ConflictError("stock_would_go_below_reserved", sku=command.sku)
        await record_change(
            actor,
            clock,
            action="stock.adjusted",
            object_type="stock",
            object_id=f"{actor.organisation_id}/{command.sku}",
            object_label=command.sku,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after={"quantity": command.quantity, "reason": command.reason},
        )
        if command.quantity > 0:
            await allocate_waiting(actor, actor.organisation_id, [command.sku], clock)
    rows = await list_stock(actor)
    return next(r for r in rows if r.sku == command.sku)


async def check_ledger() -> schemas.LedgerCheck:
    """Every level equals the sum of its movements and is sound (the `portal check-stock` command)."""
    async with read_transaction():
        levels = await repository.all_levels()
        sums = await repository.ledger_sums()
    mismatches = []
    for row in levels:
        stored = Levels(row["on_hand"], row["reserved"], row["in_transit"])
        summed = sums.get((row["organisation_id"], row["sku"]), Levels())
        if stored != summed:
            mismatches.append(f"{row['organisation_id']} {row['sku']}: level {stored}, ledger {summed}")
        if not is_sound(stored):
            mismatches.append(f"{row['organisation_id']} {row['sku']}: unsound {stored}")
    return schemas.LedgerCheck(levels=len(levels), mismatches=mismatches)
