"""Carts priced for real buyers from stored price books and promotions; budgets never overspent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pricing import schemas
from pricing.configuration import BundleDefinition, OptionGroup, QuantityRatio
from pricing.promotions import PercentOff, Target, ThresholdDiscount
from pricing.services import catalogue, price_books, pricing, promotions
from tests.builders import World
from tests.conftest import ON_POSTGRES
from tests.integration.pricing.pricing_world import priced_world


def _cart(*lines: tuple[str, int], **extra: object) -> schemas.CartRequest:
    return schemas.CartRequest(lines=[schemas.CartLineRequest(sku=s, quantity=q) for s, q in lines], **extra)  # type: ignore[arg-type]


async def _active(world: World, clock: FixedClock, actor: str, **fields: object) -> schemas.PromotionRecord:
    values: dict[str, object] = {
        "code": "P1",
        "name": "Kitchen week",
        "currency": "EUR",
        "benefit": PercentOff(percent=Decimal("10")),
        **fields,
    }
    created = await promotions.create_promotion(world.actors[actor], schemas.PromotionCreate(**values), clock)  # type: ignore[arg-type]
    return await promotions.set_status(
        world.actors[actor], created.id, schemas.PromotionStatusChange(status="active"), clock
    )


async def test_a_tier_two_dealer_buys_at_its_book_and_a_store_at_list(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)

    dealer = await pricing.price_cart(world.actors["d1a_admin"], _cart(("HOB", 2)), clock)
    store = await pricing.price_cart(world.actors["s1_manager"], _cart(("HOB", 2)), clock)

    assert dealer.total == Decimal("1500.00") and dealer.lines[0].price_book == "TIER2-EUR"
    assert store.total == Decimal("2000.00")


async def test_a_distributor_sells_to_its_stores_at_its_own_prices_within_the_floor(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await price_books.create_price_book(
        world.actors["d1a_admin"],
        schemas.PriceBookCreate(
            code="D1A-SELL",
            currency="EUR",
            entries=[schemas.PriceEntry(sku="HOB", unit_price=Decimal("850"))],
        ),
        clock,
    )
    await price_books.set_price_control(
        world.actors["m_admin"],
        schemas.PriceControlSet(sku="HOB", currency="EUR", floor=Decimal("900")),
        clock,
    )

    store = await pricing.price_cart(world.actors["s1_manager"], _cart(("HOB", 1)), clock)
    other = await pricing.price_cart(world.actors["s2_manager"], _cart(("HOB", 1)), clock)

    assert store.total == Decimal("900.00") and store.lines[0].steps[1].code == "price_control"
    assert other.total == Decimal("1000.00")  # D2A's stores are not D1A's buyers


async def test_the_manufacturers_promotion_reaches_every_store_and_a_distributors_only_its_own(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await _active(
        world,
        clock,
        "m_admin",
        benefit=PercentOff(percent=Decimal("10"), target=Target(skus=frozenset({"HOOD"}))),
    )
    await _active(
        world,
        clock,
        "d1a_admin",
        code="D1A-P",
        benefit=ThresholdDiscount(every=Decimal("1000"), off=Decimal("50")),
    )

    s1 = await pricing.price_cart(world.actors["s1_clerk"], _cart(("HOOD", 1)), clock)
    s2 = await pricing.price_cart(world.actors["s2_manager"], _cart(("HOOD", 1)), clock)

    assert s1.total == Decimal("2000") - Decimal("200") - Decimal("100")
    assert s2.total == Decimal("1800.00")


async def test_a_seller_previews_a_buyers_cart_and_never_a_stranger_s(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)

    preview = await pricing.price_cart(
        world.actors["d1a_admin"], _cart(("HOB", 1), buyer_id=world.org_id("S1")), clock
    )

    assert preview.total == Decimal("1000.00")
    with pytest.raises(NotFoundError):
        await pricing.price_cart(
            world.actors["d1a_admin"], _cart(("HOB", 1), buyer_id=world.org_id("S2")), clock
        )


async def test_a_promotion_with_broken_rules_is_refused_with_every_field(
    world: World, clock: FixedClock
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await promotions.create_promotion(
            world.actors["m_admin"],
            schemas.PromotionCreate(
                code="BAD",
                name="Bad",
                currency="EUR",
                benefit=ThresholdDiscount(every=Decimal("100"), off=Decimal("100")),
                budget_units=None,
            ),
            clock,
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("benefit.off", "off_must_be_below_threshold")
    ]
    with pytest.raises(PermissionDeniedError):
        await promotions.create_promotion(
            world.actors["s1_manager"],
            schemas.PromotionCreate(
                code="S", name="S", currency="EUR", benefit=PercentOff(percent=Decimal("5"))
            ),
            clock,
        )


async def test_what_if_counts_the_carts_partners_cost_and_budget(world: World, clock: FixedClock) -> None:
    await priced_world(world, clock)
    draft = schemas.PromotionCreate(
        code="W",
        name="What if",
        currency="EUR",
        benefit=PercentOff(percent=Decimal("10")),
        budget_amount=Decimal("250"),
    )
    carts = [
        schemas.WhatIfCart(
            buyer_id=world.org_id("S1"), lines=[schemas.CartLineRequest(sku="HOB", quantity=1)]
        ),
        schemas.WhatIfCart(
            buyer_id=world.org_id("S1B"), lines=[schemas.CartLineRequest(sku="HOOD", quantity=1)]
        ),
        schemas.WhatIfCart(
            buyer_id=world.org_id("S2"), lines=[schemas.CartLineRequest(sku="HOB", quantity=1)]
        ),
    ]

    result = await pricing.what_if(
        world.actors["m_admin"], schemas.WhatIfRequest(promotion=draft, carts=carts), clock
    )

    # 100 + 200 reach the budget of 250 on the second cart; the third would have found it spent.
    assert (result.carts, result.carts_touched, result.partners_touched) == (3, 2, 2)
    assert (result.cost, result.budget_consumed, result.budget_exhausted) == (
        Decimal("250.00"),
        Decimal("1.0000"),
        True,
    )


async def test_concurrent_orders_never_overspend_a_small_budget(
    world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    await priced_world(world, clock)
    promotion = await _active(
        world, clock, "m_admin", benefit=PercentOff(percent=Decimal("10")), budget_amount=Decimal("500")
    )
    buyers = ["s1_manager", "s2_manager"] * 25  # 50 orders wanting 100.00 off each

    async def order(name: str) -> Decimal | None:
        """The discount an order committed with, or None when the budget ran out under it."""
        try:
            priced = await pricing.commit_cart(world.actors[name], _cart(("HOB", 1)), clock)
        except ConflictError:
            return None
        return priced.discount_total

    if ON_POSTGRES:
        outcomes = await asyncio.gather(*(order(name) for name in buyers))
    else:  # one SQLite file, one writer at a time: the orders queue up as they would in the server
        outcomes = [await order(name) for name in buyers]
    record = await promotions.get_promotion(world.actors["m_admin"], promotion.id)

    granted = [d for d in outcomes if d]
    figure(
        f"{'PostgreSQL' if ON_POSTGRES else 'SQLite (one writer at a time)'}: {len(buyers)} orders against a "
        f"budget of 500.00 -> {len(granted)} discounted, spent {record.spent_amount}, "
        f"{'overspent' if record.spent_amount > Decimal('500') else 'not overspent'}"
    )
    assert record.spent_amount == sum(granted) == Decimal("500.00")
    assert len(granted) == 5


async def test_a_configured_set_is_priced_from_its_chosen_options_and_checked_against_its_rules(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    kitchen = await catalogue.create_product(
        m,
        schemas.ProductCreate(sku="SET", names={"en": "Kitchen set"}, category="KITCHEN", brand="AURORA"),
        clock,
    )
    definition = BundleDefinition(
        groups=[
            OptionGroup(code="HOB", options=["HOB"], min_choices=1),
            OptionGroup(code="PARTS", options=["HOOD", "FILTER"], max_choices=2, max_quantity=4),
        ],
        rules=[QuantityRatio(option="FILTER", of="HOOD", per=1, quantity=2)],
        set_percent_off=Decimal("5"),
    )
    await catalogue.set_configuration(m, kitchen.id, definition, clock)
    chosen = [
        schemas.CartOptionRequest(sku="HOB"),
        schemas.CartOptionRequest(sku="HOOD"),
        schemas.CartOptionRequest(sku="FILTER", quantity=2),
    ]
    request = schemas.CartRequest(lines=[schemas.CartLineRequest(sku="SET", quantity=2, options=chosen)])

    store = await pricing.price_cart(world.actors["s1_manager"], request, clock)

    (line,) = store.lines
    assert [s.code for s in line.steps] == ["options_list_price", "set_discount"]
    assert line.list_total == Decimal("6120.00")  # (1000 + 2000 + 2 × 30) × 2
    assert store.total == Decimal("5814.00")  # less 5% for the set
    short = schemas.CartRequest(
        lines=[schemas.CartLineRequest(sku="SET", quantity=1, options=chosen[:2])]  # filters missing
    )
    with pytest.raises(InvalidInputError) as refused:
        await pricing.price_cart(world.actors["s1_manager"], short, clock)
    assert [p.code for p in refused.value.problems] == ["ratio"]
    plain = schemas.CartRequest(lines=[schemas.CartLineRequest(sku="HOB", quantity=1, options=chosen[1:2])])
    with pytest.raises(InvalidInputError) as not_a_set:
        await pricing.price_cart(world.actors["s1_manager"], plain, clock)
    assert not_a_set.value.problems[0].code == "not_a_bundle"
