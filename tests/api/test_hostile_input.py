"""Hostile bodies get a clear 4xx naming the problem, write nothing, and never show internals."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from channel import schemas
from channel.roles import Role
from channel.services import access, partners
from core.clock import FixedClock
from tests.builders import World

# Where the project lives on this machine must not show in an answer either.
PROJECT = str(Path(__file__).resolve().parents[2])
LEAKS = ("Traceback", 'File "', PROJECT, "site-packages", "SELECT ", "INSERT ", "sqlite3.", "asyncpg")


@pytest.fixture
async def erp(world: World, clock: FixedClock) -> dict[str, str]:
    issued = await access.create_api_token(
        world.actors["d1_admin"], schemas.ApiTokenCreate(name="ERP", roles=[Role.DISTRIBUTOR_ADMIN]), clock
    )
    return {"Authorization": f"Bearer {issued.token}"}


def _partner(world: World, **overrides: object) -> dict[str, object]:
    return {
        "supplier_id": str(world.org_id("D1A")),
        "kind": "store",
        "code": "S-NEW",
        "name": "Shop",
        "currency": "EUR",
        "locale": "en",
        **overrides,
    }


async def _store_count(world: World) -> int:
    page = await partners.list_partners(world.actors["m_admin"], schemas.PartnerFilter(limit=200))
    return len(page.items)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"credit_limit": "NaN"}, "credit_limit"),
        ({"credit_limit": "Infinity"}, "credit_limit"),
        ({"credit_limit": "1e400"}, "credit_limit"),
        ({"credit_limit": "-5"}, "credit_limit"),
        ({"credit_limit": "1.001"}, "credit_limit"),
        ({"currency": "ZZZ"}, "currency"),
        ({"code": "bad code!"}, "code"),
        ({"name": "x" * 201}, "name"),
    ],
    ids=[
        "nan",
        "infinity",
        "1e400",
        "negative",
        "three-decimals",
        "unknown-currency",
        "bad-code",
        "overlong-name",
    ],
)
async def test_bad_partner_values_are_refused_with_the_field_named(
    client: httpx.AsyncClient, world: World, erp: dict[str, str], overrides: dict[str, object], field: str
) -> None:
    before = await _store_count(world)

    answer = await client.post("/api/partners", json=_partner(world, **overrides), headers=erp)

    assert answer.status_code == 400
    body = answer.json()
    assert field in body["detail"] or field in [p["field"] for p in body.get("problems", [])]
    assert await _store_count(world) == before


async def test_a_smuggled_organisation_field_is_refused(
    client: httpx.AsyncClient, world: World, erp: dict[str, str]
) -> None:
    answer = await client.post(
        "/api/partners", json=_partner(world, organisation_id=str(world.org_id("D2"))), headers=erp
    )

    assert answer.status_code == 400
    assert "organisation_id" in answer.text


async def test_json_nested_thousands_deep_is_a_bad_request_not_a_crash(
    client: httpx.AsyncClient, world: World, erp: dict[str, str]
) -> None:
    deep = b"[" * 5000 + b"]" * 5000

    answer = await client.post(
        "/api/partners", content=deep, headers={**erp, "content-type": "application/json"}
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "request_too_deep"


async def test_a_body_over_ten_megabytes_is_refused(
    client: httpx.AsyncClient, world: World, erp: dict[str, str]
) -> None:
    huge = b'{"name": "' + b"x" * (11 * 1024 * 1024) + b'"}'

    answer = await client.post(
        "/api/partners", content=huge, headers={**erp, "content-type": "application/json"}
    )

    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"not json at all", "application/json"),
        (b"<xml/>", "application/xml"),
        (b"\xff\xfe\x00", "application/json"),
    ],
    ids=["garbage", "xml", "bad-encoding"],
)
async def test_unreadable_bodies_are_client_errors(
    client: httpx.AsyncClient, world: World, erp: dict[str, str], content: bytes, content_type: str
) -> None:
    answer = await client.post(
        "/api/partners", content=content, headers={**erp, "content-type": content_type}
    )

    assert 400 <= answer.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/api/partners?limit=0",
        "/api/partners?limit=99999",
        "/api/partners?kind=warehouse",
        "/api/partners?under=not-a-uuid",
        "/api/partners?cursor=%%%",
        "/api/partners/not-a-uuid",
        "/api/users?organisation_id=1",
    ],
)
async def test_bad_query_values_are_client_errors(
    client: httpx.AsyncClient, world: World, erp: dict[str, str], path: str
) -> None:
    answer = await client.get(path, headers=erp)

    assert 200 <= answer.status_code < 500
    assert answer.status_code != 500


async def test_no_error_answer_shows_internals(
    client: httpx.AsyncClient, world: World, erp: dict[str, str]
) -> None:
    answers = [
        await client.post(
            "/api/partners", content=b"[" * 5000, headers={**erp, "content-type": "application/json"}
        ),
        await client.post("/api/partners", json=_partner(world, credit_limit="NaN"), headers=erp),
        await client.get("/api/partners/00000000-0000-0000-0000-000000000000", headers=erp),
        await client.get("/api/nowhere", headers=erp),
        await client.delete("/api/partners", headers=erp),
    ]

    for answer in answers:
        assert not [leak for leak in LEAKS if leak in answer.text], answer.text
