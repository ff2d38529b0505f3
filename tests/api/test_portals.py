"""The three portals: each person's own, nobody else's; foreign objects answer 404 like missing ones."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import sign_in
from tests.builders import World


@pytest.mark.parametrize(
    ("email", "own", "others"),
    [
        ("m.admin@example.com", "/m", ["/d", "/s"]),
        ("d1a.admin@example.com", "/d", ["/m", "/s"]),
        ("s1.manager@example.com", "/s", ["/m", "/d"]),
    ],
)
async def test_a_person_opens_their_own_portal_and_no_other(
    client: httpx.AsyncClient, world: World, email: str, own: str, others: list[str]
) -> None:
    await sign_in(client, email)

    assert (await client.get(own)).status_code == 200
    for other in others:
        answer = await client.get(other)
        assert answer.status_code == 403
        assert "This portal is for another kind of organisation." in answer.text


async def test_the_home_page_shows_the_organisations_own_figures(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "d1.admin@example.com")

    page = (await client.get("/d")).text

    assert "D1 Trading" in page
    assert _figure(page, "figure-distributors") == "1"
    assert _figure(page, "figure-stores") == "2"
    assert _figure(page, "figure-users") == "11"  # D1: 5, D1A: 2, S1: 3, S1B: 1
    assert "M Trading" in page  # its supplier, by name


def _figure(page: str, test_id: str) -> str:
    return page.split(f'data-testid="{test_id}">')[1].split('class="value">')[1].split("<")[0]


async def test_a_distributor_asking_for_another_distributors_store_gets_404_on_page_and_api(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "d1.admin@example.com")
    foreign, missing = world.org_id("S2"), "00000000-0000-4000-8000-000000000000"

    page_foreign = await client.get(f"/d/partners/{foreign}")
    page_missing = await client.get(f"/d/partners/{missing}")
    api_foreign = await client.get(f"/api/partners/{foreign}")
    api_missing = await client.get(f"/api/partners/{missing}")

    assert [
        page_foreign.status_code,
        page_missing.status_code,
        api_foreign.status_code,
        api_missing.status_code,
    ] == [
        404,
        404,
        404,
        404,
    ]
    assert api_foreign.json() == api_missing.json()
    assert "S2 Trading" not in page_foreign.text


async def test_choosing_chinese_keeps_it_for_the_person(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, "d1.admin@example.com")

    answer = await client.post(
        "/language",
        data={"locale": "zh_Hans", "next": "/d"},
        headers={"x-csrftoken": client.cookies["portal_csrf"]},
    )

    assert (answer.status_code, answer.headers["location"]) == (303, "/d")
    assert '<html lang="zh-Hans">' in (await client.get("/d")).text
    assert (await client.get("/api/me")).json()["locale"] == "zh_Hans"


async def test_anonymous_visitors_get_their_browsers_language(
    client: httpx.AsyncClient, world: World
) -> None:
    page = await client.get("/sign-in", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})

    assert '<html lang="zh-Hans">' in page.text


async def test_the_health_check_and_the_api_description_need_no_sign_in(
    client: httpx.AsyncClient, world: World
) -> None:
    health = await client.get("/health")
    schema = await client.get("/api/docs/openapi.json")

    assert health.json() == {"status": "ok", "database": "ok"}
    assert schema.status_code == 200
    operations = {op["operationId"] for path in schema.json()["paths"].values() for op in path.values()}
    assert {"ListPartners", "CreatePartner", "GetPartner", "InviteUser", "CreateApiToken"} <= operations
    assert not any(path.startswith(("/m", "/d", "/s")) for path in schema.json()["paths"])


async def test_every_portal_page_renders_for_its_people(client: httpx.AsyncClient, world: World) -> None:
    pages = {
        "m.admin@example.com": [
            "/m",
            "/m/partners",
            "/m/partners/new",
            f"/m/partners/{world.org_id('D1')}",
            "/m/people",
            f"/m/people/{world.user_ids['t_D1']}",
            "/m/people/invite",
            "/m/activity",
            "/m/settings",
            "/m/api-tokens",
            "/m/account",
        ],
        "d1.admin@example.com": [
            "/d",
            "/d/partners",
            f"/d/partners/{world.org_id('S1')}",
            "/d/people",
            "/d/activity",
            "/d/api-tokens",
            "/d/account",
            "/d/people/invite",
        ],
        "s1.clerk@example.com": ["/s", "/s/people", "/s/account"],
        "s1.manager@example.com": ["/s", "/s/people", "/s/api-tokens", "/s/people/invite"],
    }
    for email, paths in pages.items():
        client.cookies.clear()
        await sign_in(client, email)
        for path in paths:
            answer = await client.get(path)
            assert answer.status_code == 200, f"{email} {path}: {answer.status_code}"


async def test_partner_search_answers_htmx_with_just_the_rows(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.admin@example.com")

    rows = await client.get("/m/partners?q=S1", headers={"HX-Request": "true"})

    assert rows.status_code == 200
    assert "<html" not in rows.text
    assert "S1 Trading" in rows.text and "S1B Trading" in rows.text and "D2 Trading" not in rows.text
