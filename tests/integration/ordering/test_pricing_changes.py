"""Orders are priced from pricing data kept in memory: a change to it is seen by the very next order,
whoever makes the change and however (a service, an import, or SQL run straight on the tables by
another process), and what changes with every order (a buyer's uses of a promotion) is never
taken from memory."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channel.transactions import engine
from core.clock import FixedClock
from core.errors import InvalidInputError
from ordering import schemas
from ordering.services import orders
from pricing import schemas as pricing_schemas
from pricing.promotions import PercentOff
from pricing.services import price_books, promotions
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world


def _hob(quantity: int = 1) -> schemas.OrderCreate:
    return schemas.OrderCreate(lines=[schemas.OrderLineRequest(sku="HOB", quantity=quantity)])


async def _list_book_id(world: World) -> object:
    books = await price_books.list_price_books(world.actors["m_admin"])
    return next(b.id for b in books if b.code == "LIST-EUR")


async def test_a_price_change_between_two_orders_is_seen_by_the_second(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    store = world.actors["s1_manager"]
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("1000.00")

    # Through the service: the list price book imported again.
    await price_books.import_entries(
        world.actors["m_admin"],
        await _list_book_id(world),
        b"sku,unit_price\nHOB,1100\nHOOD,2000\nFILTER,30\n",
        "list.csv",
        clock,
    )
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("1100.00")

    # Straight on the table, as another process or a data load would: the database itself marks it.
    await engine().run_ddl("UPDATE pricing_price_book_entry SET unit_price_e4 = 12000000 WHERE sku = 'HOB'")
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("1200.00")

    # A product withdrawn between two orders is refused by the second.
    await engine().run_ddl("UPDATE pricing_product SET status = 'discontinued' WHERE sku = 'HOB'")
    with pytest.raises(InvalidInputError) as refused:
        await orders.submit_order(store, _hob(), clock)
    assert [p.code for p in refused.value.problems] == ["unknown_product"]


async def test_a_promotion_started_or_ended_between_two_orders_counts_from_the_next(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    store, manufacturer = world.actors["s1_manager"], world.actors["m_admin"]
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("1000.00")

    draft = await promotions.create_promotion(
        manufacturer,
        pricing_schemas.PromotionCreate(
            code="HOB-WEEK", name="Hob week", currency="EUR", benefit=PercentOff(percent=Decimal("10"))
        ),
        clock,
    )
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("1000.00")  # a draft
    await promotions.set_status(
        manufacturer, draft.id, pricing_schemas.PromotionStatusChange(status="active"), clock
    )
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("900.00")
    await promotions.set_status(
        manufacturer, draft.id, pricing_schemas.PromotionStatusChange(status="ended"), clock
    )
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("1000.00")


async def test_a_buyers_uses_of_a_promotion_are_counted_from_its_previous_order(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    store, manufacturer = world.actors["s1_manager"], world.actors["m_admin"]
    once = await promotions.create_promotion(
        manufacturer,
        pricing_schemas.PromotionCreate(
            code="ONCE",
            name="Once per partner",
            currency="EUR",
            benefit=PercentOff(percent=Decimal("10")),
            per_partner_limit=1,
        ),
        clock,
    )
    await promotions.set_status(
        manufacturer, once.id, pricing_schemas.PromotionStatusChange(status="active"), clock
    )

    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("900.00")
    # The pricing data did not change; the use did, and the second order sees it.
    assert (await orders.submit_order(store, _hob(), clock)).total == Decimal("1000.00")


async def test_promotions_used_by_an_order_are_spent_and_counted_in_one_statement_on_postgresql(
    world: World, clock: FixedClock
) -> None:
    from tests.conftest import ON_POSTGRES
    from tests.integration.ordering.test_statement_counts import counting

    await priced_world(world, clock)
    store, manufacturer = world.actors["s1_manager"], world.actors["m_admin"]
    for code, budget in (("BUDGETED", Decimal("5000")), ("LIMITED", None)):
        created = await promotions.create_promotion(
            manufacturer,
            pricing_schemas.PromotionCreate(
                code=code,
                name=code.title(),
                currency="EUR",
                benefit=PercentOff(percent=Decimal("5")),
                budget_amount=budget,
                per_partner_limit=5,
            ),
            clock,
        )
        await promotions.set_status(
            manufacturer, created.id, pricing_schemas.PromotionStatusChange(status="active"), clock
        )
    await orders.submit_order(store, _hob(), clock)  # the pricing data read again after the change

    with counting() as counter:
        placed = await orders.submit_order(store, _hob(2), clock)

    assert placed.total == Decimal("1800.00")  # 2 x 1000, 5% off twice
    if ON_POSTGRES:
        assert counter.count == 6  # the five of every order, and the promotions' one
    found = {r.code: r for r in await promotions.list_promotions(manufacturer)}
    assert found["BUDGETED"].spent_amount == Decimal("150.00")  # 50 + 100
