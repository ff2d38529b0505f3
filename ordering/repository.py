"""Queries of the ordering package: orders, their lines and shipments, stock and its ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.query import WhereRaw

from channel.repository import column_values, decode_cursor, encode_cursor, where_all, within
from channel.visibility import Scope
from ordering import schemas
from ordering.orders import COUNTS_AGAINST_CREDIT, OrderStatus
from ordering.stock import Levels, MovementKind, delta
from ordering.tables import (
    Order,
    OrderLine,
    OrderLink,
    OrderReturn,
    OrderSequence,
    Shipment,
    ShipmentLine,
    StockLevel,
    StockMovement,
)

CENTS = Decimal("0.01")

# --- orders ---------------------------------------------------------------------------------------


async def next_sequence(supplier_id: UUID, year: int) -> int:
    """The supplier's next order number this year; the caller holds the supplier's lock."""
    row = (
        await OrderSequence.select()
        .where((OrderSequence.supplier_id == supplier_id) & (OrderSequence.year == year))
        .first()
    )
    if row is None:
        await OrderSequence.insert(OrderSequence(supplier_id=supplier_id, year=year, last=1))
        return 1
    await OrderSequence.update({OrderSequence.last: row["last"] + 1}).where(OrderSequence.id == row["id"])
    return int(row["last"]) + 1


async def insert_order(values: dict[str, Any], lines: Sequence[dict[str, Any]]) -> None:
    await Order.insert(Order(**values))
    for start in range(0, len(lines), 500):  # one statement per chunk (SQLite's bound-parameter limit)
        await OrderLine.insert(*(OrderLine(**line) for line in lines[start : start + 500]))


async def order_row(order_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Order.select().where(Order.id == order_id).first()
    return row


async def lines_of(order_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await OrderLine.select()
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.position)
        .output(load_json=True)
    )
    return rows


async def update_order(
    order_id: UUID, changes: dict[str, Any], now: datetime, *, expect: Iterable[str]
) -> bool:
    """Change an order if it is still in one of the ``expect`` statuses (a conditional update)."""
    changed = await (
        Order.update(column_values({**changes, "updated_at": now}))
        .where((Order.id == order_id) & Order.status.is_in(list(expect)))
        .returning(Order.id)
    )
    return bool(changed)


async def add_to_line(line_id: UUID, *, allocated: int = 0, shipped: int = 0, received: int = 0) -> None:
    """Move a line's counters by these amounts in one statement: steps on other orders that fill
    this line (a backorder taking arriving stock) never overwrite each other's counts."""
    await OrderLine.update(
        {
            OrderLine.allocated: OrderLine.allocated + allocated,
            OrderLine.shipped: OrderLine.shipped + shipped,
            OrderLine.received: OrderLine.received + received,
        }
    ).where(OrderLine.id == line_id)


async def open_amount(buyer_id: UUID) -> Decimal:
    """What the buyer owes on orders not yet closed: its open receivables, for the credit limit."""
    rows = await Order.select(Order.total).where(
        (Order.buyer_id == buyer_id) & Order.status.is_in([s.value for s in COUNTS_AGAINST_CREDIT])
    )
    return sum((Decimal(str(r["total"])) for r in rows), Decimal(0)).quantize(CENTS)


async def list_orders(
    scope: Scope, organisation_id: UUID, filters: schemas.OrderFilter
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first, by keyset (created_at, id): page 1,000 costs what page 1 does."""
    role_clause = None
    if filters.role == "placed":
        role_clause = Order.buyer_id == organisation_id
    elif filters.role == "received":
        role_clause = Order.supplier_id == organisation_id
    after = decode_cursor(filters.cursor)
    after_clause = None
    if after and len(after) == 2:
        try:
            at, last_id = datetime.fromisoformat(str(after[0])), UUID(str(after[1]))
        except ValueError:
            at = None
        if at is not None:
            # A row comparison, which both databases answer from the (…, created_at, id) indexes.
            after_clause = WhereRaw("(created_at, id) < ({}, {})", at, last_id)
    query = Order.select(
        Order.id,
        Order.number,
        Order.status,
        Order.buyer_id,
        Order.supplier_id,
        Order.currency,
        Order.total,
        Order.line_count,
        Order.created_at,
    )
    clause = where_all(
        within(Order.buyer_path, scope),
        role_clause,
        Order.status == filters.status.value if filters.status else None,
        after_clause,
    )
    if clause is not None:
        query = query.where(clause)
    rows: list[dict[str, Any]] = (
        await query.order_by(Order.created_at, ascending=False)
        .order_by(Order.id, ascending=False)
        .limit(filters.limit + 1)
    )
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    cursor = encode_cursor(rows[-1]["created_at"].isoformat(), str(rows[-1]["id"])) if more else None
    return rows, cursor


async def waiting_lines(supplier_id: UUID, sku: str | None = None) -> list[dict[str, Any]]:
    """Lines of the supplier's approved orders still waiting for stock (of ``sku``, or of any
    product), oldest order first: the queue backorders are filled in."""
    orders = await Order.select(Order.id, Order.created_at).where(
        (Order.supplier_id == supplier_id)
        & Order.status.is_in([OrderStatus.APPROVED.value, OrderStatus.PARTIALLY_SHIPPED.value])
    )
    if not orders:
        return []
    created = {o["id"]: o["created_at"] for o in orders}
    clause = OrderLine.order_id.is_in(list(created))
    lines = await OrderLine.select().where(clause & (OrderLine.sku == sku) if sku is not None else clause)
    waiting = [ln for ln in lines if ln["quantity"] - ln["shipped"] - ln["allocated"] > 0]
    return sorted(waiting, key=lambda ln: (created[ln["order_id"]], str(ln["order_id"]), ln["position"]))


# --- shipments ------------------------------------------------------------------------------------


async def insert_shipment(values: dict[str, Any], lines: Sequence[dict[str, Any]]) -> None:
    await Shipment.insert(Shipment(**values))
    await ShipmentLine.insert(*(ShipmentLine(**line) for line in lines))


async def shipments_of(order_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await Shipment.select().where(Shipment.order_id == order_id).order_by(Shipment.shipped_at)
    )
    return rows


async def shipment_row(shipment_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Shipment.select().where(Shipment.id == shipment_id).first()
    return row


async def shipment_lines(shipment_ids: Sequence[UUID]) -> list[dict[str, Any]]:
    if not shipment_ids:
        return []
    rows: list[dict[str, Any]] = (
        await ShipmentLine.select()
        .where(ShipmentLine.shipment_id.is_in(list(shipment_ids)))
        .order_by(ShipmentLine.id)
    )
    return rows


async def update_shipment(shipment_id: UUID, changes: dict[str, Any], *, expect: str) -> bool:
    changed = await (
        Shipment.update(column_values(changes))
        .where((Shipment.id == shipment_id) & (Shipment.status == expect))
        .returning(Shipment.id)
    )
    return bool(changed)


async def update_shipment_line(line_id: int, changes: dict[str, Any]) -> None:
    await ShipmentLine.update(column_values(changes)).where(ShipmentLine.id == line_id)


# --- stock ----------------------------------------------------------------------------------------


async def _ensure_level(organisation_id: UUID, sku: str, now: datetime) -> None:
    # Unique (organisation_id, sku): two first movements at once make one level, not two.
    await StockLevel.raw(
        "INSERT INTO ordering_stock_level (organisation_id, sku, on_hand, reserved, in_transit, updated_at) "
        "VALUES ({}, {}, 0, 0, 0, {}) ON CONFLICT (organisation_id, sku) DO NOTHING",
        organisation_id,
        sku,
        now,
    )


async def move(
    organisation_id: UUID,
    sku: str,
    kind: MovementKind,
    quantity: int,
    now: datetime,
    *,
    order_id: UUID | None = None,
    shipment_id: UUID | None = None,
    reason: str = "",
    actor_label: str = "",
) -> bool:
    """Apply one movement to the level and write it to the ledger, if the level stays sound.

    One conditional UPDATE: the level changes only when reserved stays within on hand and nothing
    goes below zero, so two orders reserving at once can never both take the last units (the row
    lock on PostgreSQL, the single writer on SQLite). ``False``: nothing was written.
    """
    if kind in (MovementKind.ADJUSTMENT, MovementKind.SHIPMENT_IN_TRANSIT, MovementKind.RETURN_IN):
        await _ensure_level(organisation_id, sku, now)  # the first movement of a product here
    change: Levels = delta(kind, quantity)
    updated = await StockLevel.raw(
        "UPDATE ordering_stock_level SET on_hand = on_hand + {}, reserved = reserved + {}, "
        "in_transit = in_transit + {}, updated_at = {} "
        "WHERE organisation_id = {} AND sku = {} "
        "AND on_hand + {} >= reserved + {} AND reserved + {} >= 0 AND in_transit + {} >= 0 RETURNING id",
        change.on_hand,
        change.reserved,
        change.in_transit,
        now,
        organisation_id,
        sku,
        change.on_hand,
        change.reserved,
        change.reserved,
        change.in_transit,
    )
    if not updated:
        return False
    await StockMovement.insert(
        StockMovement(
            occurred_at=now,
            organisation_id=organisation_id,
            sku=sku,
            kind=kind.value,
            quantity=quantity,
            on_hand=change.on_hand,
            reserved=change.reserved,
            in_transit=change.in_transit,
            order_id=order_id,
            shipment_id=shipment_id,
            reason=reason,
            actor_label=actor_label,
        )
    )
    return True


async def available_of(organisation_id: UUID, skus: Sequence[str]) -> dict[str, int]:
    """On hand less reserved, per SKU, in one query (SKUs with no level are absent)."""
    wanted = sorted(set(skus))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = await StockLevel.select(StockLevel.sku, StockLevel.on_hand, StockLevel.reserved).where(
            (StockLevel.organisation_id == organisation_id)
            & StockLevel.sku.is_in(wanted[start : start + 500])
        )
        found.update({r["sku"]: r["on_hand"] - r["reserved"] for r in rows})
    return found


async def level(organisation_id: UUID, sku: str) -> Levels:
    row = (
        await StockLevel.select()
        .where((StockLevel.organisation_id == organisation_id) & (StockLevel.sku == sku))
        .first()
    )
    return Levels(row["on_hand"], row["reserved"], row["in_transit"]) if row else Levels()


async def levels_of(organisation_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await StockLevel.select()
        .where(StockLevel.organisation_id == organisation_id)
        .order_by(StockLevel.sku)
    )
    return rows


async def all_levels() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await StockLevel.select()
    return rows


async def ledger_sums() -> dict[tuple[UUID, str], Levels]:
    rows = await StockMovement.raw(
        "SELECT organisation_id, sku, SUM(on_hand) AS on_hand, SUM(reserved) AS reserved, "
        "SUM(in_transit) AS in_transit FROM ordering_stock_movement GROUP BY organisation_id, sku"
    )
    return {
        (UUID(str(r["organisation_id"])), r["sku"]): Levels(
            int(r["on_hand"]), int(r["reserved"]), int(r["in_transit"])
        )
        for r in rows
    }


async def organisation_names(ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of the organisations on a page of orders, in one query."""
    from channel.tables import Organisation

    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(wanted))
    return {r["id"]: r["name"] for r in rows}


# --- forwarding -----------------------------------------------------------------------------------


async def forwarded_open(line_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Units of each line already forwarded on upstream orders that are still on their way."""
    if not line_ids:
        return {}
    links = await OrderLink.select().where(OrderLink.downstream_line_id.is_in(list(line_ids)))
    if not links:
        return {}
    upstream = {
        r["id"]: r["status"]
        for r in await Order.select(Order.id, Order.status).where(
            Order.id.is_in(list({ln["upstream_order_id"] for ln in links}))
        )
    }
    still = {
        s.value
        for s in (
            OrderStatus.SUBMITTED,
            OrderStatus.APPROVED,
            OrderStatus.PARTIALLY_SHIPPED,
            OrderStatus.SHIPPED,
        )
    }
    found: dict[UUID, int] = {}
    for link in links:
        if upstream.get(link["upstream_order_id"]) in still:
            found[link["downstream_line_id"]] = found.get(link["downstream_line_id"], 0) + link["quantity"]
    return found


async def insert_links(rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await OrderLink.insert(*(OrderLink(**row) for row in rows))


async def links_of_downstream(order_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await OrderLink.select().where(OrderLink.downstream_order_id == order_id)
    return rows


async def links_of_upstream(order_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await OrderLink.select().where(OrderLink.upstream_order_id == order_id)
    return rows


async def order_rows(order_ids: Sequence[UUID]) -> list[dict[str, Any]]:
    if not order_ids:
        return []
    rows: list[dict[str, Any]] = await Order.select().where(Order.id.is_in(list(order_ids)))
    return rows


# --- returns --------------------------------------------------------------------------------------


async def insert_returns(rows: Sequence[dict[str, Any]]) -> None:
    await OrderReturn.insert(*(OrderReturn(**row) for row in rows))


async def returns_of(order_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await OrderReturn.select().where(OrderReturn.order_id == order_id).order_by(OrderReturn.requested_at)
    )
    return rows


async def return_row(return_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await OrderReturn.select().where(OrderReturn.id == return_id).first()
    return row


async def decide_return(return_id: UUID, changes: dict[str, Any]) -> bool:
    changed = await (
        OrderReturn.update(column_values(changes))
        .where((OrderReturn.id == return_id) & (OrderReturn.status == "requested"))
        .returning(OrderReturn.id)
    )
    return bool(changed)


async def orders_between(scope: Scope, since: datetime, until: datetime, limit: int) -> list[dict[str, Any]]:
    """Orders placed in [since, until) in the scope and not refused or cancelled, oldest first."""
    clause = where_all(
        within(Order.buyer_path, scope),
        Order.created_at >= since,
        Order.created_at < until,
        Order.status.not_in([OrderStatus.REJECTED.value, OrderStatus.CANCELLED.value]),
    )
    rows: list[dict[str, Any]] = (
        await Order.select(Order.id, Order.buyer_id).where(clause).order_by(Order.created_at).limit(limit)
    )
    return rows


async def lines_of_orders(order_ids: Sequence[UUID]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(order_ids), 500):
        found += await (
            OrderLine.select(
                OrderLine.order_id,
                OrderLine.sku,
                OrderLine.quantity,
                OrderLine.free_quantity,
                OrderLine.priced,
            )
            .where(OrderLine.order_id.is_in(list(order_ids[start : start + 500])))
            .order_by(OrderLine.position)
            .output(load_json=True)
        )
    return found
