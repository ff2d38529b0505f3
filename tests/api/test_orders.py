"""A partner's ERP places orders over the API: retries with one key make one order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

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
    client: httpx.AsyncClient, world: World, clock: FixedClock, figure: Callable[[str], None]
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
    figure(f"{'PostgreSQL' if ON_POSTGRES else 'SQLite'}: 20 submissions with one key -> 1 order")


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


async def test_a_store_fills_its_cart_from_a_spreadsheet_orders_it_and_can_order_it_again(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    from tests.api.conftest import csrf_token, sign_in

    await priced_world(world, clock)
    await sign_in(client, "s1.manager@example.com")
    bad = await client.post(
        "/s/cart/upload",
        data={"_csrf_token": await csrf_token(client)},
        files={"file": ("cart.csv", b"sku,quantity\nHOB,2\nHOOD,two\n", "text/csv")},
    )
    good = await client.post(
        "/s/cart/upload",
        data={"_csrf_token": await csrf_token(client)},
        files={"file": ("cart.csv", b"sku,quantity\nHOB,2\nhood,1\n", "text/csv")},
    )
    placed = await client.post(
        "/s/orders", data={"_csrf_token": await csrf_token(client), "items": "HOB 2\nHOOD 1"}
    )
    detail = await client.get(placed.headers["location"])

    assert "Rows 3: a SKU and a whole quantity are needed." in bad.text
    assert good.status_code == 200 and 'data-testid="cart-total"' in good.text and "4,000.00" in good.text
    assert placed.status_code == 303
    assert "/s/cart?items=HOB+2%0AHOOD+1" in detail.text


async def test_a_distributor_approves_the_ticked_orders_of_its_inbox_at_once(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    from tests.api.conftest import csrf_token, sign_in

    await priced_world(world, clock)
    await sign_in(client, "s1.manager@example.com")
    ids = []
    for items in ("HOB 1", "HOOD 1"):
        placed = await client.post(
            "/s/orders", data={"_csrf_token": await csrf_token(client), "items": items}
        )
        ids.append(placed.headers["location"].rsplit("/", 1)[-1])
    client.cookies.clear()
    await sign_in(client, "d1a.admin@example.com")
    inbox = await client.get("/d/orders?tab=received&status=submitted")

    answered = await client.post(
        "/d/orders/approvals",
        data={"_csrf_token": await csrf_token(client), "order_id": [*ids, "not-an-order"]},
    )
    after = await client.get("/d/orders?tab=received&status=approved")

    assert inbox.text.count('name="order_id"') == 2
    assert answered.status_code == 303
    assert all(order_id in after.text for order_id in ids)


async def test_a_distributor_ships_what_is_reserved_for_the_ticked_orders_at_once(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    from ordering import schemas
    from ordering.services import orders
    from tests.api.conftest import csrf_token, sign_in

    await priced_world(world, clock)
    store, dealer = world.actors["s1_manager"], world.actors["d1a_admin"]
    await stock.adjust(dealer, schemas.StockAdjustment(sku="HOB", quantity=2, reason="counted"), clock)
    placed = []
    for sku in ("HOB", "HOB", "HOOD"):  # the HOOD has no stock: approved, it waits for it
        order = await orders.submit_order(
            store, schemas.OrderCreate(lines=[schemas.OrderLineRequest(sku=sku, quantity=1)]), clock
        )
        await orders.decide(dealer, order.id, schemas.OrderDecision(decision="approve"), clock)
        placed.append(order)
    await sign_in(client, "d1a.admin@example.com")
    to_ship = await client.get("/d/orders?tab=received&status=approved")

    shipped = await client.post(
        "/d/orders/shipments",
        data={
            "_csrf_token": await csrf_token(client),
            "order_id": [str(o.id) for o in placed],
            "carrier": "SF",
        },
    )
    after = await client.get(shipped.headers["location"])

    assert to_ship.text.count('name="order_id"') == 3 and 'data-testid="ship-selected"' in to_ship.text
    assert shipped.status_code == 303
    assert "2 orders shipped." in after.text
    assert f"{placed[2].number}: Nothing is reserved for this order yet: it waits for stock." in after.text
    seen = [await orders.get_order(store, o.id) for o in placed]
    assert [(o.status.value, [s.carrier for s in o.shipments]) for o in seen] == [
        ("shipped", ["SF"]),
        ("shipped", ["SF"]),
        ("approved", []),
    ]


async def test_a_supplier_drop_ships_a_forwarded_order_from_the_order_page_and_over_the_api(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    from ordering import schemas
    from ordering.services import orders
    from tests.api.conftest import sign_in, unsafe_headers

    await priced_world(world, clock)
    store, dealer, distributor = (
        world.actors["s1_manager"],
        world.actors["d1a_admin"],
        world.actors["d1_admin"],
    )
    await stock.adjust(distributor, schemas.StockAdjustment(sku="HOB", quantity=5, reason="counted"), clock)
    placed = await orders.submit_order(
        store, schemas.OrderCreate(lines=[schemas.OrderLineRequest(sku="HOB", quantity=3)]), clock
    )
    await orders.decide(dealer, placed.id, schemas.OrderDecision(decision="approve"), clock)
    upstream = await orders.forward_backorders(dealer, schemas.ForwardRequest(), clock)
    await orders.decide(distributor, upstream.id, schemas.OrderDecision(decision="approve"), clock)

    assert await sign_in(client, "d1.admin@example.com") == 303
    page = await client.get(f"/d/orders/{upstream.id}")
    assert 'data-testid="drop-ship-form"' in page.text
    to_do = await client.get("/d/orders/drop-shipments")  # the shipper's list of drop-shipping to do
    assert to_do.status_code == 200
    assert placed.number in to_do.text and "S1 Trading" in to_do.text and upstream.number in to_do.text
    first = await client.post(
        f"/d/orders/{upstream.id}/drop-ship",
        data={"downstream_order_id": str(placed.id), "carrier": "SF", "tracking": "SF-9"},
        headers=await unsafe_headers(client),
        follow_redirects=False,
    )
    assert first.status_code == 303
    seen = await orders.get_order(store, placed.id)
    assert (seen.status.value, seen.shipments[0].drop_ship, seen.shipments[0].tracking) == (
        "shipped",
        True,
        "SF-9",
    )

    token = await access.create_api_token(
        distributor, channel_schemas.ApiTokenCreate(name="WMS", roles=[Role.WAREHOUSE]), clock
    )
    auth = {"Authorization": f"Bearer {token.token}"}
    done = (await client.get("/api/orders/drop-shipments?state=done", headers=auth)).json()
    assert [(d["order_number"], d["shipped"], d["open"]) for d in done["items"]] == [(placed.number, 3, 0)]
    assert (await client.get("/api/orders/drop-shipments", headers=auth)).json()["items"] == []  # none to do
    shipped_page = await client.get("/d/orders/drop-shipments?tab=done")
    assert done["items"][0]["shipments"][0]["number"] in shipped_page.text
    again = await client.post(
        f"/api/orders/{upstream.id}/drop-shipments",
        json={"downstream_order_id": str(placed.id)},
        headers={"Authorization": f"Bearer {token.token}"},
    )
    assert again.status_code == 409 and again.json()["code"] == "order_not_shippable"  # all went already
    assert (await stock.check_ledger()).mismatches == []
