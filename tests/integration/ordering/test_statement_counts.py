"""DB-1 / ORDER-2: an order costs the same number of SQL statements whatever its number of lines,
at every step (placing, approving, shipping, receiving, cancelling) — counted, not timed."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from channel.transactions import engine
from core.clock import FixedClock
from ordering import schemas
from ordering.services import orders, stock
from pricing import schemas as pricing_schemas
from pricing.services import catalogue, price_books
from tests.builders import World
from tests.conftest import ON_POSTGRES

SKUS = [f"P-{n:03d}" for n in range(60)]
_BOOKS = itertools.count(1)


class Counter:
    def __init__(self) -> None:
        self.count = 0


@contextmanager
def counting() -> Iterator[Counter]:
    """Counts every statement the engine runs inside the block."""
    counter = Counter()
    engine_class = type(engine())
    original = engine_class.run_querystring

    async def counted(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        counter.count += 1
        return await original(self, querystring, in_pool)

    engine_class.run_querystring = counted  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]


async def _catalogue(world: World, clock: FixedClock) -> None:
    m = world.actors["m_admin"]
    await catalogue.create_category(m, pricing_schemas.CategoryCreate(code="ALL", names={"en": "All"}), clock)
    for sku in SKUS:
        await catalogue.create_product(
            m, pricing_schemas.ProductCreate(sku=sku, names={"en": sku}, category="ALL"), clock
        )
    await price_books.create_price_book(
        m,
        pricing_schemas.PriceBookCreate(
            code="LIST-EUR",
            currency="EUR",
            kind="list",
            entries=[pricing_schemas.PriceEntry(sku=sku, unit_price=Decimal("10")) for sku in SKUS],
        ),
        clock,
    )


async def _change_a_price(world: World, clock: FixedClock) -> None:
    await price_books.create_price_book(
        world.actors["m_admin"],
        pricing_schemas.PriceBookCreate(
            code=f"EXTRA-{next(_BOOKS)}",
            currency="EUR",
            entries=[pricing_schemas.PriceEntry(sku=SKUS[0], unit_price=Decimal("9"))],
        ),
        clock,
    )


async def _steps(world: World, clock: FixedClock, size: int) -> dict[str, int]:
    store, seller = world.actors["s1_manager"], world.actors["d1a_admin"]
    command = schemas.OrderCreate(lines=[schemas.OrderLineRequest(sku=s, quantity=2) for s in SKUS[:size]])
    counts = {}
    await _change_a_price(world, clock)
    with counting() as counter:  # the pricing data changed: read again, once
        await orders.submit_order(store, command, clock)
    counts["submit after a price change"] = counter.count
    with counting() as counter:
        placed = await orders.submit_order(store, command, clock)
    counts["submit"] = counter.count
    with counting() as counter:
        approved = await orders.decide(seller, placed.id, schemas.OrderDecision(decision="approve"), clock)
    counts["approve"] = counter.count
    assert all(line.allocated == 2 for line in approved.lines)
    with counting() as counter:
        shipped = await orders.ship(seller, placed.id, schemas.ShipmentCreate(carrier="DHL"), clock)
    counts["ship"] = counter.count
    with counting() as counter:
        received = await orders.receive(
            store, placed.id, shipped.shipments[0].id, schemas.ReceiptCreate(), clock
        )
    counts["receive"] = counter.count
    assert received.status == "received"
    again = await orders.submit_order(store, command, clock)
    await orders.decide(seller, again.id, schemas.OrderDecision(decision="approve"), clock)
    with counting() as counter:
        await orders.cancel(seller, again.id, schemas.OrderCancel(reason="no longer wanted"), clock)
    counts["cancel"] = counter.count
    return counts


async def test_every_step_of_an_order_costs_the_same_statements_for_1_and_60_lines(
    world: World, clock: FixedClock
) -> None:
    await _catalogue(world, clock)
    for sku in SKUS:
        await stock.adjust(
            world.actors["d1a_admin"], schemas.StockAdjustment(sku=sku, quantity=10, reason="counted"), clock
        )

    one, sixty = await _steps(world, clock, 1), await _steps(world, clock, 60)

    assert one == sixty, (one, sixty)
    assert max(sixty.values()) <= 20  # DB-1: no handler above 20
    # ORDER-2: at most 6. PostgreSQL: the buyer (locked), what it owes with its promotion uses,
    # the budgets left and the pricing stamp, the order with its lines and number, the audit
    # entry, the notification. SQLite: the number, the order and its lines apart.
    assert sixty["submit"] == (5 if ON_POSTGRES else 7), sixty
    # Reading the pricing data again after a change: the stamp, the products, the price books,
    # their entries, the price controls, the active promotions.
    assert sixty["submit after a price change"] == sixty["submit"] + 6, sixty
    assert (await stock.check_ledger()).mismatches == []
