"""A partner's ERP places orders over the API: retries with one key make one order."""

from __future__ import annotations

import asyncio

import httpx

from channel import schemas as channel_schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from ordering.services import stock
from tests.builders import World
from tests.conftest import ON_POSTGRES
from tests.integration.pricing.pricing_world import priced_world


async def _store_token(world: World, clock: FixedClock) -> str:
    issued = await access.create_api_token(
        world.actors["s1_manager"], channel_schemas.ApiTokenCreate(name="Till", roles=[Role.CLERK]), clock
    )
    return issued.token


async def test_twenty_retries_with_one_key_make_one_order_and_another_body_is_refused(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    headers = {
        "Authorization": f"Bearer {await _store_token(world, clock)}",
        "Idempotency-Key": "till-7-0815",
    }
    body = {"lines": [{"sku": "HOB", "quantity": 2}], "note": "Saturday delivery"}

    answers = await asyncio.gather(
        *(client.post("/api/orders", json=body, headers=headers) for _ in range(20))
    )
    other = await client.post("/api/orders", json={**body, "note": "another"}, headers=headers)
    listed = await client.get("/api/orders?role=placed", headers={"Authorization": headers["Authorization"]})

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 19
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert [o["number"] for o in listed.json()["items"]] == [answers[0].json()["number"]]
    print(f"{'PostgreSQL' if ON_POSTGRES else 'SQLite'}: 20 submissions with one key -> 1 order")


async def test_an_order_below_the_case_pack_is_refused_naming_the_quantities_and_nothing_is_written(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    from pricing import schemas as pricing_schemas
    from pricing.services import catalogue

    hob = (await catalogue.products_named(world.actors["m_admin"], ["HOB"]))[0]
    await catalogue.update_product(
        world.actors["m_admin"], hob.id, pricing_schemas.ProductUpdate(case_quantity=4), clock
    )
    headers = {"Authorization": f"Bearer {await _store_token(world, clock)}"}

    refused = await client.post(
        "/api/orders", json={"lines": [{"sku": "HOB", "quantity": 6}]}, headers=headers
    )
    listed = await client.get("/api/orders", headers=headers)

    assert refused.status_code == 422
    assert "cases of 4: order 4 or 8" in refused.text
    assert listed.json()["items"] == []
    assert (await stock.check_ledger()).mismatches == []
