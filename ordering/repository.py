"""Queries of the ordering package: orders, their lines and shipments, stock and its ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from piccolo.query import WhereRaw

from channel.repository import column_values, decode_cursor, encode_cursor, where_all, within
from channel.visibility import Scope
from ordering import schemas
from ordering.orders import COUNTS_AGAINST_CREDIT, NUMBER_DIGITS, OrderStatus, number_prefix, order_number
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
from pricing.repository import BuyerPricingState, buyer_pricing_columns, buyer_pricing_state

CENTS = Decimal("0.01")

# --- orders ---------------------------------------------------------------------------------------


# SQLite takes at most 32,766 bound parameters a statement: rows of ~13 values go 1,000 at a time.
CHUNK = 1000


def _postgres() -> bool:
    return Order._meta.db.engine_type == "postgres"


def _values(rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """``({}, {}), ({}, {})`` and the flat arguments: a multi-row VALUES list (SQLite's side of the
    set-based statements; PostgreSQL takes arrays and ``unnest``)."""
    width = len(rows[0])
    row_sql = "(" + ", ".join(["{}"] * width) + ")"
    return ", ".join([row_sql] * len(rows)), [value for row in rows for value in row]


async def buyer_for_order(buyer_id: UUID, upstream_paths: Sequence[str]) -> dict[str, Any] | None:
    """The buyer with its supplier's code and name and its place in the channel (kind, depth,
    currency, partner level, region, and the ids of the organisations at ``upstream_paths``, the
    buyer's channel above it), in one query. On PostgreSQL the buyer's row stays locked to the end
    of the transaction, so one buyer's orders check the credit limit one at a time (``NO KEY
    UPDATE``: rows that merely refer to the buyer are not held up)."""
    paths = list(upstream_paths)
    listed = "json_agg(u.id)" if _postgres() else "json_group_array(u.id)"
    upstream = (
        f"(SELECT {listed} FROM channel_organisation u WHERE u.path IN ({', '.join(['{}'] * len(paths))}))"  # noqa: S608
        if paths
        else "NULL"
    )
    rows = await Order.raw(
        "SELECT b.id, b.name, b.status, b.credit_limit, b.path, b.kind, b.depth, b.currency, "  # noqa: S608
        "s.id AS supplier_id, s.code AS supplier_code, s.name AS supplier_name, "
        f"pl.code AS partner_level, rg.code AS region, {upstream} AS upstream_ids "
        "FROM channel_organisation b LEFT JOIN channel_organisation s ON s.id = b.supplier "
        "LEFT JOIN channel_partner_level pl ON pl.id = b.partner_level "
        "LEFT JOIN channel_region rg ON rg.id = b.region "
        "WHERE b.id = {}" + (" FOR NO KEY UPDATE OF b" if _postgres() else ""),
        *paths,
        buyer_id,
    )
    if not rows:
        return None
    row: dict[str, Any] = rows[0]
    if row["supplier_id"] is not None:
        row["supplier_id"] = UUID(str(row["supplier_id"]))
    row["credit_limit"] = Decimal(str(row["credit_limit"])).quantize(CENTS)
    found = row.pop("upstream_ids")
    if isinstance(found, str | bytes):
        found = msgspec.json.decode(found)
    row["upstream_ids"] = frozenset(UUID(str(i)) for i in found or ())
    return row


async def organisation_ids_at(paths: Sequence[str]) -> list[UUID]:
    if not paths:
        return []
    rows = await Order.raw(
        f"SELECT id FROM channel_organisation WHERE path IN ({', '.join(['{}'] * len(paths))})",  # noqa: S608
        *paths,
    )
    return [UUID(str(r["id"])) for r in rows]


async def buyer_state_for_order(buyer_id: UUID, *, owed: bool) -> tuple[Decimal, BuyerPricingState]:
    """What may have changed with the buyer's previous order, read after the buyer's lock: what it
    owes on orders not yet closed (when ``owed``: its credit limit is set) and, for the pricing
    engine, the pricing stamp, its uses of each promotion and the budgets left; one query."""
    open_statuses = [s.value for s in COUNTS_AGAINST_CREDIT]
    # SQLite keeps NUMERIC as binary floating point: sum exact ten-thousandths instead.
    # What the rebate fund paid is not owed.
    total = (
        "o.total - o.fund_amount"
        if _postgres()
        else "CAST(ROUND(o.total * 10000) AS INTEGER) - CAST(ROUND(o.fund_amount * 10000) AS INTEGER)"
    )
    rows = await Order.raw(
        "SELECT CASE WHEN {} THEN (SELECT COALESCE(SUM(" + total + "), 0) FROM ordering_order o "  # noqa: S608
        f"WHERE o.buyer_id = b.id AND o.status IN ({', '.join(['{}'] * len(open_statuses))})) END AS owed, "
        f"{buyer_pricing_columns('b.id')} FROM channel_organisation b WHERE b.id = {{}}",
        owed,
        *open_statuses,
        buyer_id,
    )
    row = rows[0]
    amount = Decimal(str(row["owed"] or 0))
    if not _postgres():
        amount /= 10000
    return amount.quantize(CENTS), buyer_pricing_state(row)


async def next_sequence(supplier_id: UUID, year: int) -> int:
    """The supplier's next order number this year, in one statement: the upsert holds the
    supplier's counter until the order commits, so numbers are never given twice."""
    rows = await OrderSequence.raw(
        "INSERT INTO ordering_order_sequence (supplier_id, year, last) VALUES ({}, {}, 1) "
        "ON CONFLICT (supplier_id, year) DO UPDATE SET last = ordering_order_sequence.last + 1 "
        "RETURNING last",
        supplier_id,
        year,
    )
    return int(rows[0]["last"])


_LINE_COLUMNS = ("id", "order_id", "position", "sku", "quantity", "free_quantity", "net_total", "priced")


async def insert_order(values: dict[str, Any], lines: Sequence[dict[str, Any]]) -> None:
    """An order as it is, numbered already, with its lines (data loads and tests)."""
    await Order.insert(Order(**values))
    for start in range(0, len(lines), CHUNK):
        await OrderLine.insert(*(OrderLine(**line) for line in lines[start : start + CHUNK]))


async def place_order(
    values: dict[str, Any], lines: Sequence[dict[str, Any]], *, supplier_code: str, year: int
) -> str:
    """Number the order (the supplier's next number this year) and write it with all its lines;
    returns its number. PostgreSQL: one statement (the counter's upsert, the order, the lines as
    arrays). SQLite: the upsert, the order and one multi-row INSERT per 1,000 lines."""
    if not _postgres():
        number = order_number(supplier_code, year, await next_sequence(values["supplier_id"], year))
        await insert_order({**values, "number": number}, lines)
        return number
    columns = list(values)
    rows = await Order.raw(
        "WITH counter AS (INSERT INTO ordering_order_sequence (supplier_id, year, last) VALUES ({}, {}, 1) "  # noqa: S608
        "ON CONFLICT (supplier_id, year) DO UPDATE SET last = ordering_order_sequence.last + 1 "
        "RETURNING last), "
        f"placed AS (INSERT INTO ordering_order (number, {', '.join(columns)}) "
        f"VALUES ({{}} || lpad((SELECT last FROM counter)::text, {NUMBER_DIGITS}, '0'), "
        f"{', '.join(['{}'] * len(columns))}) RETURNING id, number), "
        f"written AS (INSERT INTO ordering_order_line ({', '.join(_LINE_COLUMNS)}, allocated, shipped, received) "
        "SELECT l.id, placed.id, l.position, l.sku, l.quantity, l.free_quantity, l.net_total, l.priced, "
        "0, 0, 0 FROM placed, unnest({}::uuid[], {}::int[], {}::varchar[], {}::int[], {}::int[], "
        "{}::numeric[], {}::json[]) AS l(id, position, sku, quantity, free_quantity, net_total, priced)) "
        "SELECT number FROM placed",
        values["supplier_id"],
        year,
        number_prefix(supplier_code, year),
        *values.values(),
        [ln["id"] for ln in lines],
        [ln["position"] for ln in lines],
        [ln["sku"] for ln in lines],
        [ln["quantity"] for ln in lines],
        [ln["free_quantity"] for ln in lines],
        [ln["net_total"] for ln in lines],
        [msgspec.json.encode(ln["priced"]).decode() for ln in lines],
    )
    return str(rows[0]["number"])


async def order_row(order_id: UUID, *, lock: bool = False) -> dict[str, Any] | None:
    """The order; ``lock`` (PostgreSQL) holds its row to the end of the transaction, so steps on one
    order (answer, ship, receive, cancel, return) wait for each other and read it as the step
    before left it. SQLite's single writer already serialises them."""
    query = Order.select().where(Order.id == order_id)
    if lock and _postgres():
        query = query.lock_rows("NO KEY UPDATE", of=(Order,))
    row: dict[str, Any] | None = await query.first()
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


async def _update_by_id(
    table: str, columns: Sequence[tuple[str, str]], assign: str, rows: Sequence[Any]
) -> None:
    """``UPDATE table SET assign`` for many rows ``(id, ...)`` (``columns``: their names and
    PostgreSQL types) in one statement (per 1,000 rows on SQLite); ``assign`` reads the table as
    ``{t}`` and the row as ``c``. The table and column names are ours, never a caller's input."""
    if not rows:
        return
    names = ", ".join(name for name, _ in columns)
    if _postgres():
        arrays = ", ".join(f"{{}}::{kind}[]" for _, kind in columns)
        await Order.raw(
            f"UPDATE {table} t SET {assign.format(t='t')} FROM unnest({arrays}) AS c({names}) "  # noqa: S608
            "WHERE t.id = c.id",
            *(list(column) for column in zip(*rows, strict=True)),
        )
        return
    renamed = ", ".join(f"column{i} AS {name}" for i, (name, _) in enumerate(columns, start=1))
    for start in range(0, len(rows), CHUNK):
        values, args = _values(rows[start : start + CHUNK])
        await Order.raw(
            f"UPDATE {table} SET {assign.format(t=table)} "  # noqa: S608
            f"FROM (SELECT {renamed} FROM (VALUES {values})) AS c WHERE {table}.id = c.id",
            *args,
        )


async def add_to_lines(changes: Sequence[tuple[UUID, int, int, int]]) -> None:
    """Move many lines' counters (line, allocated, shipped, received) by increments in one statement."""
    await _update_by_id(
        "ordering_order_line",
        [("id", "uuid"), ("allocated", "int"), ("shipped", "int"), ("received", "int")],
        "allocated = {t}.allocated + c.allocated, shipped = {t}.shipped + c.shipped, "
        "received = {t}.received + c.received",
        changes,
    )


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


async def close_received(received_before: datetime, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Close received orders whose last shipment was received before ``received_before`` and with
    no return waiting for an answer (``limit`` at a time); returns the orders closed. The update is
    conditional on the status, so two runs at once close each order once."""
    found = await Order.raw(
        "SELECT o.id FROM ordering_order o JOIN ordering_shipment s ON s.order_id = o.id "
        "WHERE o.status = {} AND NOT EXISTS (SELECT 1 FROM ordering_order_return r "
        "WHERE r.order_id = o.id AND r.status = 'requested') "
        "GROUP BY o.id HAVING MAX(s.received_at) < {} ORDER BY o.id LIMIT {}",
        OrderStatus.RECEIVED.value,
        received_before,
        limit,
    )
    if not found:
        return []
    closed: list[dict[str, Any]] = await (
        Order.update({Order.status: OrderStatus.CLOSED.value, Order.updated_at: now})
        .where(
            Order.id.is_in([UUID(str(r["id"])) for r in found]) & (Order.status == OrderStatus.RECEIVED.value)
        )
        .returning(*Order.all_columns())
    )
    return closed


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
        Order.fund_amount,
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


async def waiting_lines(supplier_id: UUID, skus: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Lines of the supplier's approved orders still waiting for stock (of ``skus``, or of any
    product), oldest order first: the queue backorders are filled in. One query; each line comes
    with its order's ``number`` and ``buyer_id`` (to tell the buyer)."""
    statuses = [OrderStatus.APPROVED.value, OrderStatus.PARTIALLY_SHIPPED.value]
    sku_clause, sku_args = "", list[Any]()
    if skus is not None:
        wanted = sorted(set(skus))
        if not wanted:
            return []
        if _postgres():
            sku_clause, sku_args = " AND l.sku = ANY({}::varchar[])", [wanted]
        else:
            sku_clause, sku_args = f" AND l.sku IN ({', '.join(['{}'] * len(wanted))})", wanted
    rows: list[dict[str, Any]] = await OrderLine.raw(
        "SELECT l.id, l.order_id, l.position, l.sku, l.quantity, l.allocated, l.shipped, l.received, "  # noqa: S608
        "o.number, o.buyer_id, o.created_at FROM ordering_order_line l "
        "JOIN ordering_order o ON o.id = l.order_id "
        "WHERE o.supplier_id = {} AND o.status IN ({}, {}) AND l.quantity > l.shipped + l.allocated"
        + sku_clause
        + " ORDER BY o.created_at, o.id, l.position",
        supplier_id,
        *statuses,
        *sku_args,
    )
    return rows


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


async def set_received(counts: Sequence[tuple[int, int, int]]) -> None:
    """Many shipment lines' (id, received, damaged) in one statement."""
    await _update_by_id(
        "ordering_shipment_line",
        [("id", "bigint"), ("received", "int"), ("damaged", "int")],
        "received = c.received, damaged = c.damaged",
        counts,
    )


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


_NEEDS_LEVEL = (MovementKind.ADJUSTMENT, MovementKind.SHIPMENT_IN_TRANSIT, MovementKind.RETURN_IN)


class Movement(msgspec.Struct, frozen=True, kw_only=True):
    """One row for the ledger, before it is written."""

    organisation_id: UUID
    sku: str
    kind: MovementKind
    quantity: int
    order_id: UUID | None = None
    shipment_id: UUID | None = None
    reason: str = ""
    actor_label: str = ""


async def reserve(organisation_id: UUID, wanted: dict[str, int], now: datetime) -> dict[str, int]:
    """Reserve up to ``wanted`` units of each SKU of what is available, in one statement, and say
    what was taken (SKUs with nothing taken are absent). Writes no ledger rows: the caller shares
    what was taken among its lines and writes them with ``insert_movements``.

    PostgreSQL: the levels are locked in SKU order (two orders never wait for each other in
    opposite orders) and the share is computed from the locked rows, then the update checks again
    that reserved stays within on hand: a reservation never takes units that are not there.
    SQLite: the single writer (``BEGIN IMMEDIATE``) makes the read and the guarded update exact.
    """
    skus = sorted(sku for sku, units in wanted.items() if units > 0)
    if not skus:
        return {}
    if _postgres():
        rows = await StockLevel.raw(
            "WITH wanted AS (SELECT * FROM unnest({}::varchar[], {}::int[]) AS w(sku, units)), "
            "locked AS (SELECT s.id, LEAST(w.units, s.on_hand - s.reserved) AS take "
            "FROM ordering_stock_level s JOIN wanted w ON w.sku = s.sku "
            "WHERE s.organisation_id = {} ORDER BY s.sku FOR NO KEY UPDATE OF s) "
            "UPDATE ordering_stock_level s SET reserved = s.reserved + locked.take, updated_at = {} "
            "FROM locked WHERE s.id = locked.id AND locked.take > 0 "
            "AND s.on_hand >= s.reserved + locked.take RETURNING s.sku, locked.take",
            skus,
            [wanted[sku] for sku in skus],
            organisation_id,
            now,
        )
        return {r["sku"]: int(r["take"]) for r in rows}
    free = await available_of(organisation_id, skus)
    take = {sku: min(wanted[sku], free.get(sku, 0)) for sku in skus if min(wanted[sku], free.get(sku, 0)) > 0}
    if not take:
        return {}
    taken: dict[str, int] = {}
    pairs = sorted(take.items())
    for start in range(0, len(pairs), CHUNK):
        values, args = _values(pairs[start : start + CHUNK])
        rows = await StockLevel.raw(
            f"UPDATE ordering_stock_level SET reserved = reserved + t.column2, updated_at = {{}} "  # noqa: S608
            f"FROM (VALUES {values}) AS t WHERE organisation_id = {{}} AND sku = t.column1 "
            "AND on_hand >= reserved + t.column2 RETURNING sku",
            now,
            *args,
            organisation_id,
        )
        taken.update({r["sku"]: take[r["sku"]] for r in rows})
    return taken


async def apply_movements(movements: Sequence[Movement], now: datetime) -> set[tuple[UUID, str]]:
    """Apply many movements, of any organisations, and write them to the ledger, in a constant
    number of statements whatever their count: the levels a movement needs first (one INSERT ...
    ON CONFLICT DO NOTHING), one guarded UPDATE of every level touched, one INSERT of the ledger
    rows. A level that would go unsound (reserved above on hand, anything below zero) is left as
    it was and its movements are not written; the (organisation, SKU) pairs refused are returned.
    """
    if not movements:
        return set()
    sums: dict[tuple[UUID, str], Levels] = {}
    for m in movements:
        key = (m.organisation_id, m.sku)
        sums[key] = sums.get(key, Levels()) + delta(m.kind, m.quantity)
    keys = sorted(sums, key=lambda k: (str(k[0]), k[1]))
    fresh = sorted({(str(m.organisation_id), m.sku) for m in movements if m.kind in _NEEDS_LEVEL})
    pg = _postgres()
    if fresh:  # unique (organisation_id, sku): two first movements at once make one level
        if pg:
            await StockLevel.raw(
                "INSERT INTO ordering_stock_level (organisation_id, sku, on_hand, reserved, in_transit, "
                "updated_at) SELECT f.organisation_id, f.sku, 0, 0, 0, {} "
                "FROM unnest({}::uuid[], {}::varchar[]) AS f(organisation_id, sku) "
                "ON CONFLICT (organisation_id, sku) DO NOTHING",
                now,
                [UUID(org) for org, _ in fresh],
                [sku for _, sku in fresh],
            )
        else:
            for start in range(0, len(fresh), CHUNK):
                values, args = _values([(UUID(org), sku, now) for org, sku in fresh[start : start + CHUNK]])
                await StockLevel.raw(
                    "INSERT INTO ordering_stock_level (organisation_id, sku, updated_at, on_hand, reserved, "  # noqa: S608
                    f"in_transit) SELECT column1, column2, column3, 0, 0, 0 FROM (VALUES {values}) "
                    "WHERE true ON CONFLICT (organisation_id, sku) DO NOTHING",
                    *args,
                )
    done: set[tuple[UUID, str]] = set()
    guard = (
        "AND {level}.on_hand + d.on_hand >= {level}.reserved + d.reserved AND {level}.reserved + d.reserved >= 0 "
        "AND {level}.in_transit + d.in_transit >= 0"
    )
    if pg:
        rows = await StockLevel.raw(
            "WITH d AS (SELECT * FROM unnest({}::uuid[], {}::varchar[], {}::int[], {}::int[], {}::int[]) "  # noqa: S608
            "AS d(organisation_id, sku, on_hand, reserved, in_transit)), "
            "locked AS (SELECT s.id FROM ordering_stock_level s JOIN d "
            "ON d.organisation_id = s.organisation_id AND d.sku = s.sku "
            "ORDER BY s.organisation_id, s.sku FOR NO KEY UPDATE OF s) "
            "UPDATE ordering_stock_level s SET on_hand = s.on_hand + d.on_hand, "
            "reserved = s.reserved + d.reserved, in_transit = s.in_transit + d.in_transit, updated_at = {} "
            "FROM d, locked WHERE s.id = locked.id AND s.organisation_id = d.organisation_id "
            "AND s.sku = d.sku " + guard.format(level="s") + " RETURNING s.organisation_id, s.sku",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [sums[k].on_hand for k in keys],
            [sums[k].reserved for k in keys],
            [sums[k].in_transit for k in keys],
            now,
        )
        done = {(UUID(str(r["organisation_id"])), r["sku"]) for r in rows}
    else:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            values, args = _values(
                [(k[0], k[1], sums[k].on_hand, sums[k].reserved, sums[k].in_transit) for k in chunk]
            )
            rows = await StockLevel.raw(
                "UPDATE ordering_stock_level SET on_hand = on_hand + d.column3, "  # noqa: S608  # noqa: S608
                "reserved = reserved + d.column4, in_transit = in_transit + d.column5, updated_at = {} "
                f"FROM (VALUES {values}) AS d WHERE organisation_id = d.column1 AND sku = d.column2 "
                + guard.replace("d.on_hand", "d.column3")
                .replace("d.reserved", "d.column4")
                .replace("d.in_transit", "d.column5")
                .format(level="ordering_stock_level")
                + " RETURNING organisation_id, sku",
                now,
                *args,
            )
            done |= {(UUID(str(r["organisation_id"])), r["sku"]) for r in rows}
    await insert_movements([m for m in movements if (m.organisation_id, m.sku) in done], now)
    return set(keys) - done


async def insert_movements(movements: Sequence[Movement], now: datetime) -> None:
    """Ledger rows for movements whose levels have already moved: one multi-row INSERT."""
    for start in range(0, len(movements), CHUNK):
        rows = []
        for m in movements[start : start + CHUNK]:
            change = delta(m.kind, m.quantity)
            rows.append(
                StockMovement(
                    occurred_at=now,
                    organisation_id=m.organisation_id,
                    sku=m.sku,
                    kind=m.kind.value,
                    quantity=m.quantity,
                    on_hand=change.on_hand,
                    reserved=change.reserved,
                    in_transit=change.in_transit,
                    order_id=m.order_id,
                    shipment_id=m.shipment_id,
                    reason=m.reason,
                    actor_label=m.actor_label,
                )
            )
        if rows:
            await StockMovement.insert(*rows)


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


async def drop_shipped(upstream_id: UUID, downstream_id: UUID) -> dict[UUID, int]:
    """Units of each downstream line already drop-shipped on the upstream order."""
    rows = await ShipmentLine.raw(
        "SELECT sl.order_line_id, SUM(sl.quantity) AS units FROM ordering_shipment_line sl "
        "JOIN ordering_shipment y ON y.id = sl.shipment_id "
        "JOIN ordering_shipment x ON x.id = y.paired_shipment_id "
        "WHERE y.order_id = {} AND x.order_id = {} GROUP BY sl.order_line_id",
        downstream_id,
        upstream_id,
    )
    return {UUID(str(r["order_line_id"])): int(r["units"]) for r in rows}


_WAITING = (OrderStatus.APPROVED.value, OrderStatus.PARTIALLY_SHIPPED.value)


async def drop_shipments(
    supplier_id: UUID, filters: schemas.DropShipmentFilter
) -> tuple[list[dict[str, Any]], str | None]:
    """The (upstream order, downstream order) pairs of the supplier's drop-shipping, one page at a
    time by keyset on the downstream order (placed_at, id) and the upstream order's id. Per pair:
    units forwarded, shipped straight to the downstream buyer, and still open (per downstream line:
    what it waits for, at most what was forwarded less what went direct; none unless both orders
    are approved or partially shipped). Set-based: three aggregates and one join, any page size."""
    pg = _postgres()
    least, greatest = ("LEAST", "GREATEST") if pg else ("MIN", "MAX")
    waiting = ", ".join(f"'{s}'" for s in _WAITING)
    state_clause = {
        "to_do": "p.open_units > 0",
        "done": "p.open_units = 0 AND p.shipped > 0",
        "all": "(p.open_units > 0 OR p.shipped > 0)",
    }[filters.state]
    newest_first = filters.state != "to_do"
    args: list[Any] = [supplier_id, supplier_id]
    clauses = [state_clause]
    if filters.buyer_id is not None:
        clauses.append("d.buyer_id = {}")
        args.append(filters.buyer_id)
    after = decode_cursor(filters.cursor)
    if after and len(after) == 3:
        try:
            at, last_d, last_u = (
                datetime.fromisoformat(str(after[0])),
                UUID(str(after[1])),
                UUID(str(after[2])),
            )
        except ValueError:
            at = None
        if at is not None:
            clauses.append(f"(d.created_at, d.id, u.id) {'<' if newest_first else '>'} ({{}}, {{}}, {{}})")
            args += [at, last_d, last_u]
    direction = "DESC" if newest_first else "ASC"
    args.append(filters.limit + 1)
    rows = await Order.raw(
        "WITH fw AS (SELECT l.upstream_order_id AS u_id, l.downstream_order_id AS d_id, "  # noqa: S608
        "l.downstream_line_id AS line_id, SUM(l.quantity) AS forwarded FROM ordering_order_link l "
        "JOIN ordering_order u ON u.id = l.upstream_order_id WHERE u.supplier_id = {} "
        "GROUP BY l.upstream_order_id, l.downstream_order_id, l.downstream_line_id), "
        "ds AS (SELECT x.order_id AS u_id, y.order_id AS d_id, sl.order_line_id AS line_id, "
        "SUM(sl.quantity) AS shipped FROM ordering_shipment x "
        "JOIN ordering_shipment y ON y.id = x.paired_shipment_id "
        "JOIN ordering_shipment_line sl ON sl.shipment_id = y.id "
        "JOIN ordering_order u ON u.id = x.order_id "
        "WHERE u.supplier_id = {} AND x.deliver_to_id IS NOT NULL "
        "GROUP BY x.order_id, y.order_id, sl.order_line_id), "
        "p AS (SELECT fw.u_id, fw.d_id, SUM(fw.forwarded) AS forwarded, "
        "SUM(COALESCE(ds.shipped, 0)) AS shipped, "
        f"SUM(CASE WHEN u.status IN ({waiting}) AND d.status IN ({waiting}) THEN "
        f"{greatest}(0, {least}(ol.quantity - ol.shipped - ol.allocated, "
        "fw.forwarded - COALESCE(ds.shipped, 0))) ELSE 0 END) AS open_units "
        "FROM fw LEFT JOIN ds ON ds.u_id = fw.u_id AND ds.d_id = fw.d_id AND ds.line_id = fw.line_id "
        "JOIN ordering_order_line ol ON ol.id = fw.line_id "
        "JOIN ordering_order u ON u.id = fw.u_id JOIN ordering_order d ON d.id = fw.d_id "
        "GROUP BY fw.u_id, fw.d_id) "
        "SELECT u.id AS upstream_order_id, u.number AS upstream_number, u.status AS upstream_status, "
        "u.buyer_id AS via_id, d.id AS order_id, d.number AS order_number, d.status AS order_status, "
        "d.buyer_id AS deliver_to_id, d.created_at AS ordered_at, "
        "p.forwarded, p.shipped, p.open_units "
        "FROM p JOIN ordering_order u ON u.id = p.u_id JOIN ordering_order d ON d.id = p.d_id "
        f"WHERE {' AND '.join(clauses)} "
        f"ORDER BY d.created_at {direction}, d.id {direction}, u.id {direction} LIMIT {{}}",
        *args,
    )
    found = []
    for r in rows:
        row = dict(r)
        for key in ("upstream_order_id", "via_id", "order_id", "deliver_to_id"):
            row[key] = UUID(str(row[key]))
        if not isinstance(row["ordered_at"], datetime):
            row["ordered_at"] = datetime.fromisoformat(str(row["ordered_at"]))
        for key in ("forwarded", "shipped", "open_units"):
            row[key] = int(row[key] or 0)
        found.append(row)
    more = len(found) > filters.limit
    found = found[: filters.limit]
    cursor = (
        encode_cursor(
            found[-1]["ordered_at"].isoformat(),
            str(found[-1]["order_id"]),
            str(found[-1]["upstream_order_id"]),
        )
        if more
        else None
    )
    return found, cursor


async def drop_shipment_refs(upstream_ids: Sequence[UUID]) -> list[dict[str, Any]]:
    """The drop-shipments made on these upstream orders, each with the downstream order it went to
    and its units."""
    if not upstream_ids:
        return []
    ids = list(upstream_ids)
    rows = await Shipment.raw(
        "SELECT x.id, x.number, x.status, x.shipped_at, x.received_at, x.order_id AS upstream_order_id, "  # noqa: S608
        "y.order_id AS order_id, (SELECT COALESCE(SUM(sl.quantity), 0) FROM ordering_shipment_line sl "
        "WHERE sl.shipment_id = x.id) AS units FROM ordering_shipment x "
        "JOIN ordering_shipment y ON y.id = x.paired_shipment_id "
        f"WHERE x.deliver_to_id IS NOT NULL AND x.order_id IN ({', '.join(['{}'] * len(ids))}) "
        "ORDER BY x.shipped_at, x.number",
        *ids,
    )
    found = []
    for r in rows:
        row = dict(r)
        for key in ("id", "upstream_order_id", "order_id"):
            row[key] = UUID(str(row[key]))
        for key in ("shipped_at", "received_at"):
            if row[key] is not None and not isinstance(row[key], datetime):
                row[key] = datetime.fromisoformat(str(row[key]))
        row["units"] = int(row["units"])
        found.append(row)
    return found


async def insert_links(rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await OrderLink.insert(*(OrderLink(**row) for row in rows))


async def links_of(order_id: UUID) -> list[dict[str, Any]]:
    """The order's links both ways, each with the other order's number and status, in one query:
    ``direction`` is ``up`` for a line of this order forwarded upstream, ``down`` for an order
    this one fills."""
    rows: list[dict[str, Any]] = await OrderLink.raw(
        "SELECT 'up' AS direction, k.sku, k.quantity, k.upstream_order_id AS other_id, o.number, o.status "
        "FROM ordering_order_link k JOIN ordering_order o ON o.id = k.upstream_order_id "
        "WHERE k.downstream_order_id = {} "
        "UNION ALL SELECT 'down', k.sku, k.quantity, k.downstream_order_id, o.number, o.status "
        "FROM ordering_order_link k JOIN ordering_order o ON o.id = k.downstream_order_id "
        "WHERE k.upstream_order_id = {} ORDER BY 1, 2",
        order_id,
        order_id,
    )
    for row in rows:
        row["other_id"] = UUID(str(row["other_id"]))
    return rows


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
