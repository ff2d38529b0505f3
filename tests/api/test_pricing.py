"""Pricing through HTTP: a store's cart explained line by line, in its language; promotions by the API."""

from __future__ import annotations

from decimal import Decimal

import httpx

from core.clock import FixedClock
from pricing import schemas
from pricing.promotions import BuyXGetY, PercentOff, Target, ThresholdDiscount
from pricing.services import promotions
from tests.api.conftest import sign_in, unsafe_headers
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world


async def _promotions(world: World, clock: FixedClock) -> None:
    m = world.actors["m_admin"]
    for command in [
        schemas.PromotionCreate(
            code="HOOD10",
            name="Hood week",
            currency="EUR",
            benefit=PercentOff(percent=Decimal("10"), target=Target(skus=frozenset({"HOOD"}))),
        ),
        schemas.PromotionCreate(
            code="HOB3",
            name="Three hobs for two",
            currency="EUR",
            benefit=BuyXGetY(buy=2, get=1, target=Target(skus=frozenset({"HOB"}))),
        ),
    ]:
        created = await promotions.create_promotion(m, command, clock)
        await promotions.set_status(m, created.id, schemas.PromotionStatusChange(status="active"), clock)


async def test_the_price_endpoint_returns_each_lines_waterfall_with_sentences(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await _promotions(world, clock)
    await sign_in(client, "s1.clerk@example.com")

    answer = await client.post(
        "/api/pricing/price",
        json={"lines": [{"sku": "hood", "quantity": 1}, {"sku": "HOB", "quantity": 2}]},
        headers=await unsafe_headers(client),
    )

    body = answer.json()
    assert answer.status_code == 200
    assert body["total"] == "3800.00"
    hood = body["lines"][0]
    assert [s["text"] for s in hood["steps"]] == ["List price €2,000.00 a unit", "Hood week: 10% off"]
    assert body["hints"][0]["text"] == "Three hobs for two: add 1 more to get 1 free"


async def test_the_cart_page_shows_the_waterfall_in_chinese_for_a_chinese_reader(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await _promotions(world, clock)
    await sign_in(client, "s1.manager@example.com")
    await client.post(
        "/language",
        data={
            "locale": "zh_Hans",
            "next": "/s",
            "_csrf_token": (await unsafe_headers(client))["x-csrftoken"],
        },
    )

    page = await client.get("/s/cart", params={"items": "HOB 3\nHOOD, 1\n???"})

    assert page.status_code == 200
    assert "买 2 送 1（本行免费 1 件）" in page.text
    assert "Hood week：10% 折扣" in page.text
    assert "???" in page.text  # the line it did not understand is shown back


async def test_a_store_sees_its_own_price_in_the_catalogue(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await _promotions(world, clock)
    await sign_in(client, "d1a.admin@example.com")

    page = await client.get("/d/catalogue")

    assert (
        'data-testid="own-price"' in page.text and "€1,350.00" in page.text
    )  # the tier-2 book, then 10% off the hood


async def test_each_catalogue_price_is_what_the_product_costs_bought_alone(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    """ "50 off every 1,500" on the order: a hob alone (1,000.00) does not reach it, a hood alone
    (2,000.00) does; the catalogue must not add the products up as if they were one order."""
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    created = await promotions.create_promotion(
        m,
        schemas.PromotionCreate(
            code="ORDER50",
            name="Fifty back",
            currency="EUR",
            benefit=ThresholdDiscount(every=Decimal(1500), off=Decimal(50)),
        ),
        clock,
    )
    await promotions.set_status(m, created.id, schemas.PromotionStatusChange(status="active"), clock)
    await sign_in(client, "s1.manager@example.com")

    page = await client.get("/s/catalogue")

    rows = {
        row.split('<td class="code">', 1)[1].split("<", 1)[0]: row
        for row in page.text.split("<tr>")[1:]
        if '<td class="code">' in row
    }
    hob, hood = rows["HOB"], rows["HOOD"]
    assert "€1,000.00" in hob and '<s class="muted">' not in hob
    assert "Fifty back: add €500.00 more to get €50.00 off" in hob
    assert '<s class="muted">€2,000.00</s> €1,950.00' in hood


async def test_a_store_cannot_issue_promotions_and_a_bad_rule_names_its_field(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.admin@example.com")

    refused = await client.post(
        "/api/promotions",
        json={
            "code": "X",
            "name": "X",
            "currency": "EUR",
            "benefit": {"type": "percent_off", "percent": "120"},
        },
        headers=await unsafe_headers(client),
    )
    unknown = await client.post(
        "/api/promotions",
        json={"code": "Y", "name": "Y", "currency": "EUR", "benefit": {"type": "free_lunch"}},
        headers=await unsafe_headers(client),
    )

    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "benefit.percent"
    assert unknown.status_code == 400
