"""A store pays part of an order from its rebate fund: over the API with an Idempotency-Key, and from
the cart, which shows what the fund holds and may pay and says in words why an amount is refused."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx

from channel import schemas as channel_schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from incentives.services import fund
from incentives.tables import FundEntry
from ordering.tables import Order
from tests.api.conftest import csrf_token, sign_in
from tests.builders import World
from tests.integration.incentives.test_fund import _funded

D = Decimal


async def _till(world: World, clock: FixedClock) -> dict[str, str]:
    issued = await access.create_api_token(
        world.actors["s1_manager"], channel_schemas.ApiTokenCreate(name="Till", roles=[Role.CLERK]), clock
    )
    return {"Authorization": f"Bearer {issued.token}"}


async def test_retries_of_an_order_paying_from_the_fund_with_one_key_use_the_fund_once(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)  # 300.00 in S1's fund
    till = await _till(world, clock)
    body = {"lines": [{"sku": "HOB", "quantity": 1}], "fund_amount": "75.50"}
    orders_before, entries_before = await Order.count(), await FundEntry.count()

    answers = await asyncio.gather(
        *(
            client.post("/api/orders", json=body, headers={**till, "Idempotency-Key": "till-7-0816"})
            for _ in range(5)
        )
    )
    over = await client.post("/api/orders", json={**body, "fund_amount": "100.01"}, headers=till)
    fractional = await client.post("/api/orders", json={**body, "fund_amount": "1.001"}, headers=till)

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    placed = answers[0].json()
    assert (placed["total"], placed["fund_amount"], placed["total_due"]) == ("1000.00", "75.50", "924.50")
    assert (over.status_code, over.json()["code"]) == (409, "fund_limit_exceeded")
    assert over.json()["detail"] == "The rebate fund may pay at most €100.00 of this order."
    assert fractional.status_code == 400
    assert (await Order.count(), await FundEntry.count()) == (orders_before + 1, entries_before + 1)
    assert (await fund.get_fund(world.actors["s1_manager"], world.org_id("S1"))).balance == D("224.50")


async def test_the_cart_shows_what_the_fund_may_pay_and_the_order_page_shows_what_it_paid(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    assert await sign_in(client, "s1.manager@example.com") == 303

    cart = await client.get("/s/cart", params={"items": "HOB 2"})
    over = await client.post(
        "/s/orders",
        data={"_csrf_token": await csrf_token(client), "items": "HOB 2", "fund_amount": "200.01"},
        follow_redirects=True,
    )
    garbled = await client.post(
        "/s/orders",
        data={"_csrf_token": await csrf_token(client), "items": "HOB 2", "fund_amount": "a lot"},
        follow_redirects=True,
    )
    placed = await client.post(
        "/s/orders",
        data={"_csrf_token": await csrf_token(client), "items": "HOB 2", "fund_amount": "1,50.00"},
    )
    paid = await client.post(
        "/s/orders", data={"_csrf_token": await csrf_token(client), "items": "HOB 2", "fund_amount": "150"}
    )
    detail = await client.get(paid.headers["location"])
    listed = await client.get("/s/orders?tab=placed")

    assert 'data-testid="fund-amount"' in cart.text and 'value=""' in cart.text
    assert (
        "Your rebate fund holds €300.00 and may pay up to 10% of an order: at most €200.00 of this one."
        in cart.text
    )
    assert "The rebate fund may pay at most €200.00 of this order." in over.text
    assert 'value="200.01"' in over.text  # what was typed stays in the field
    assert "Write the amount to pay from your rebate fund as a number, such as 120.50." in garbled.text
    assert placed.headers["location"].startswith("/s/cart?")  # "1,50.00" is not a number
    assert "Paid from rebate fund" in detail.text and 'data-testid="fund-paid">-€150.00' in detail.text
    assert 'data-testid="order-total-due">€1,850.00' in detail.text
    assert "€150.00 from the rebate fund" in listed.text
    assert (await fund.get_fund(world.actors["s1_manager"], world.org_id("S1"))).balance == D("150.00")
