"""Stock and sell-out reports and the inventory over HTTP: a partner's system with its token, the pages."""

from __future__ import annotations

import httpx

from channel import schemas as channel_schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from tests.api.conftest import csrf_token, sign_in
from tests.builders import World
from tests.integration.reports.report_world import with_catalogue, xlsx_of


async def _token(
    world: World, clock: FixedClock, actor: str = "s1_manager", role: Role = Role.CLERK
) -> dict[str, str]:
    issued = await access.create_api_token(
        world.actors[actor], channel_schemas.ApiTokenCreate(name="pos", roles=[role]), clock
    )
    return {"Authorization": f"Bearer {issued.token}"}


async def test_a_pos_system_sends_sell_out_and_sending_it_again_changes_nothing(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await with_catalogue(world, clock)
    headers = await _token(world, clock)
    body = {
        "kind": "sell_out",
        "lines": [{"sku": "HOB-1", "quantity": 2, "amount": "398.00", "date": "2026-11-22"}],
    }

    first = await client.post("/api/reports", json=body, headers=headers)
    again = await client.post("/api/reports", json=body, headers=headers)

    assert first.status_code == 201
    assert [(r["report_date"], r["revision"], r["source"]) for r in first.json()["reports"]] == [
        ("2026-11-22", 1, "api")
    ]
    assert again.status_code == 201 and again.json() == {"reports": [], "unchanged": ["2026-11-22"]}
    listed = await client.get("/api/reports", params={"kind": "sell_out"}, headers=headers)
    assert [r["total_quantity"] for r in listed.json()["items"]] == [2]


async def test_bad_lines_answer_422_naming_each_field(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await with_catalogue(world, clock)
    headers = await _token(world, clock)

    refused = await client.post(
        "/api/reports",
        json={"kind": "stock", "report_date": "2026-11-22", "lines": [{"sku": "NOPE", "quantity": -1}]},
        headers=headers,
    )
    unknown_field = await client.post(
        "/api/reports",
        json={"kind": "stock", "organisation_id": "x", "lines": [{"sku": "HOB-1", "quantity": 1}]},
        headers=headers,
    )

    assert refused.status_code == 422
    assert {(p["field"], p["code"]) for p in refused.json()["problems"]} == {
        ("lines[0].sku", "unknown_sku"),
        ("lines[0].quantity", "negative_quantity"),
    }
    assert unknown_field.status_code == 400
    assert (await client.get("/api/reports", headers=headers)).json()["items"] == []


async def test_an_xlsx_upload_is_previewed_then_confirmed(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await with_catalogue(world, clock)
    headers = await _token(world, clock)
    content = xlsx_of(
        [["商品编码", "日期", "数量"], ["HOB-1", "2026-11-22", 4], ["OVEN-2", "2026-11-22", "=1+1"]]
    )

    preview = await client.post(
        "/api/reports/uploads",
        params={"kind": "stock"},
        files={"data": ("库存.xlsx", content)},
        headers=headers,
    )

    assert preview.status_code == 201
    assert [(p["row"], p["column"], p["code"]) for p in preview.json()["problems"]] == [
        (3, "quantity", "formula_cell")
    ]
    upload_id = preview.json()["id"]
    refused = await client.post(f"/api/reports/uploads/{upload_id}/confirmation", headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "upload_has_problems"

    fixed = xlsx_of([["sku", "date", "quantity"], ["HOB-1", "2026-11-22", 4], ["OVEN-2", "2026-11-22", 2]])
    clean = await client.post("/api/reports/uploads", files={"data": ("stock.xlsx", fixed)}, headers=headers)
    saved = await client.post(f"/api/reports/uploads/{clean.json()['id']}/confirmation", headers=headers)
    assert saved.status_code == 200 and saved.json()["reports"][0]["total_quantity"] == 6
    inventory = await client.get("/api/inventory", headers=headers)
    assert [(r["sku"], r["reported_on_hand"]) for r in inventory.json()["rows"]] == [
        ("HOB-1", 4),
        ("OVEN-2", 2),
    ]


async def test_a_broken_file_is_a_clear_422_never_a_500(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await with_catalogue(world, clock)
    headers = await _token(world, clock)

    for name, content, code in (
        ("s.xlsx", b"PK\x03\x04garbage", "upload_unreadable"),
        ("s.csv", b"", "upload_empty"),
        ("s.csv", b"\xff\xfe\x00", "upload_bad_encoding"),
    ):
        answer = await client.post("/api/reports/uploads", files={"data": (name, content)}, headers=headers)
        assert answer.status_code == 422, (name, answer.text)
        assert answer.json()["problems"][0]["code"] == code


async def test_a_template_comes_in_the_readers_language(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    headers = await _token(world, clock)

    answer = await client.get(
        "/api/reports/template",
        params={"kind": "sell_out", "format": "csv", "locale": "zh_Hans"},
        headers=headers,
    )

    assert answer.status_code == 200
    assert answer.content.decode("utf-8-sig").splitlines() == ["商品编码,日期,数量,金额"]


async def test_a_store_uploads_through_the_page_and_sees_the_preview(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await with_catalogue(world, clock)
    await sign_in(client, "s1.clerk@example.com")
    token = await csrf_token(client)

    posted = await client.post(
        "/s/reports/uploads",
        data={"kind": "stock", "_csrf_token": token},
        files={"file": ("stock.csv", b"sku,date,quantity\nHOB-1,2026-11-22,3\nNOPE,2026-11-22,1\n")},
    )
    preview = await client.get(posted.headers["location"])

    assert posted.status_code == 303
    assert preview.status_code == 422 and "There is no product NOPE in the catalogue" in preview.text
    assert 'data-testid="confirm-report"' not in preview.text
    broken = await client.post(
        "/s/reports/uploads",
        data={"kind": "stock", "_csrf_token": token},
        files={"file": ("x.xlsx", b"PK\x03\x04")},
    )
    assert broken.status_code == 422 and "could not be read" in broken.text


async def test_the_form_shows_each_bad_line_and_saves_a_good_one(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await with_catalogue(world, clock)
    await sign_in(client, "s1.manager@example.com")
    token = await csrf_token(client)
    form = {"_csrf_token": token, "kind": "stock", "report_date": "2026-11-22", "line_count": "3"}

    refused = await client.post(
        "/s/reports",
        data={**form, "sku_0": "HOB-1", "quantity_0": "2", "sku_2": "OVEN-2", "quantity_2": "-4"},
    )
    saved = await client.post("/s/reports", data={**form, "sku_0": "HOB-1", "quantity_0": "2"})

    assert refused.status_code == 422 and "The quantity cannot be negative (-4)." in refused.text
    assert 'name="quantity_2" value="-4"' in refused.text  # what was typed stays
    assert saved.status_code == 303
    listed = await client.get("/s/reports")
    assert "2026" in listed.text and 'data-testid="reports"' in listed.text
