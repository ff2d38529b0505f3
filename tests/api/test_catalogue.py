"""The catalogue through the portals and the API: browse in every portal, keep it in the manufacturer's."""

from __future__ import annotations

import httpx

from core.clock import FixedClock
from pricing import schemas
from pricing.services import catalogue
from tests.api.conftest import csrf_token, sign_in, unsafe_headers
from tests.builders import World


async def _catalogue(world: World, clock: FixedClock) -> schemas.Product:
    m = world.actors["m_admin"]
    await catalogue.create_category(
        m, schemas.CategoryCreate(code="HOBS", names={"en": "Hobs", "zh_Hans": "灶具"}), clock
    )
    return await catalogue.create_product(
        m,
        schemas.ProductCreate(
            sku="HOB-60", names={"en": "Gas hob", "zh_Hans": "燃气灶"}, category="HOBS", case_quantity=2
        ),
        clock,
    )


async def test_a_store_clerk_browses_the_catalogue_and_opens_a_product(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    product = await _catalogue(world, clock)
    await sign_in(client, "s1.clerk@example.com")

    listing = await client.get("/s/catalogue", params={"q": "gas"})
    detail = await client.get(f"/s/catalogue/{product.id}")

    assert listing.status_code == 200 and "Gas hob" in listing.text and "HOB-60" in listing.text
    assert detail.status_code == 200 and 'data-testid="case-quantity">2<' in detail.text
    assert (await client.get("/s/catalogue/new")).status_code == 403


async def test_the_manufacturer_adds_a_product_through_the_form_and_sees_field_errors(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await _catalogue(world, clock)
    await sign_in(client, "m.admin@example.com")
    token = await csrf_token(client)

    refused = await client.post(
        "/m/catalogue",
        data={"_csrf_token": token, "sku": "bad sku", "name_en": "Hood", "category": "HOBS", "unit": "pc"},
    )
    created = await client.post(
        "/m/catalogue",
        data={
            "_csrf_token": token,
            "sku": "HOOD-90",
            "name_en": "Hood",
            "name_zh_Hans": "油烟机",
            "category": "HOBS",
            "unit": "pc",
        },
    )

    assert refused.status_code == 422 and "Letters, digits" in refused.text
    assert created.status_code == 303
    shown = await client.get(created.headers["location"])
    assert "油烟机" in shown.text


async def test_an_upload_with_bad_rows_answers_422_with_every_cell_and_changes_nothing(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await _catalogue(world, clock)
    await sign_in(client, "m.admin@example.com")
    content = b"sku,name_en,category\nOK-1,Fine,HOBS\nBAD-1,Wrong category,NOPE\n"

    answer = await client.post(
        "/api/catalogue/products/import",
        files={"data": ("catalogue.csv", content, "text/csv")},
        headers=await unsafe_headers(client),
    )

    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"row": 3, "column": "category", "code": "unknown_category", "params": {"code": "NOPE"}}
    ]
    listed = await client.get("/api/catalogue/products")
    assert [p["sku"] for p in listed.json()["items"]] == ["HOB-60"]


async def test_the_catalogue_downloads_as_xlsx_for_a_distributor(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await _catalogue(world, clock)
    await sign_in(client, "d1.buyer@example.com")

    answer = await client.get("/d/catalogue/export", params={"format": "xlsx"})

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert answer.content[:2] == b"PK"
