"""Hostile bodies get a clear 4xx naming the problem, write nothing, and never show internals."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from piccolo.querystring import QueryString

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


# ---------------------------------------------------------------------------------------------------
# The table of hostile requests: each one gets the 4xx written next to it, writes no row in any
# table, and its answer shows no internals.

_ORDER = {"lines": [{"sku": "HOB", "quantity": 1}]}
_JSON = "application/json"


def _json(value: object) -> bytes:
    import json

    return json.dumps(value).encode()


def _order_line(**line: object) -> bytes:
    return _json({"lines": [{"sku": "HOB", "quantity": 1, **line}]})


# (id, method, path, body, content type, expected status, a word the answer must carry or "")
HOSTILE: list[tuple[str, str, str, bytes, str, int, str]] = [
    ("quantity-wrong-type", "POST", "/api/orders", _order_line(quantity="two"), _JSON, 400, "quantity"),
    ("quantity-float", "POST", "/api/orders", _order_line(quantity=1.5), _JSON, 400, "quantity"),
    ("quantity-huge", "POST", "/api/orders", _order_line(quantity=10**12), _JSON, 400, "quantity"),
    ("quantity-beyond-int64", "POST", "/api/orders", _order_line(quantity=10**30), _JSON, 400, "quantity"),
    ("quantity-zero", "POST", "/api/orders", _order_line(quantity=0), _JSON, 400, "quantity"),
    ("quantity-negative", "POST", "/api/orders", _order_line(quantity=-3), _JSON, 400, "quantity"),
    ("quantity-nan", "POST", "/api/orders", b'{"lines":[{"sku":"HOB","quantity":NaN}]}', _JSON, 400, ""),
    (
        "quantity-infinity",
        "POST",
        "/api/orders",
        b'{"lines":[{"sku":"HOB","quantity":Infinity}]}',
        _JSON,
        400,
        "",
    ),
    ("quantity-1e400", "POST", "/api/orders", b'{"lines":[{"sku":"HOB","quantity":1e400}]}', _JSON, 400, ""),
    ("quantity-null", "POST", "/api/orders", _order_line(quantity=None), _JSON, 400, "quantity"),
    ("no-lines", "POST", "/api/orders", _json({"lines": []}), _JSON, 400, "lines"),
    ("lines-not-a-list", "POST", "/api/orders", _json({"lines": {"sku": "HOB"}}), _JSON, 400, "lines"),
    ("body-a-list", "POST", "/api/orders", _json([_ORDER]), _JSON, 400, ""),
    ("body-a-string", "POST", "/api/orders", _json("order"), _JSON, 400, ""),
    ("huge-sku", "POST", "/api/orders", _order_line(sku="H" * 100_000), _JSON, 400, "sku"),
    ("huge-note", "POST", "/api/orders", _json({**_ORDER, "note": "n" * 1_000_000}), _JSON, 400, "note"),
    (
        "too-many-lines",
        "POST",
        "/api/orders",
        _json({"lines": [{"sku": f"S{i}", "quantity": 1} for i in range(2001)]}),
        _JSON,
        400,
        "lines",
    ),
    (
        "unknown-field",
        "POST",
        "/api/orders",
        _json({**_ORDER, "organisation_id": "x"}),
        _JSON,
        400,
        "organisation_id",
    ),
    ("unknown-line-field", "POST", "/api/orders", _order_line(unit_price="0.01"), _JSON, 400, "unit_price"),
    ("deep-nesting", "POST", "/api/orders", b'{"lines":' + b"[" * 5000 + b"]" * 5000 + b"}", _JSON, 400, ""),
    ("invalid-utf8", "POST", "/api/orders", b'{"lines":[{"sku":"\xff\xfe","quantity":1}]}', _JSON, 400, ""),
    ("utf16-body", "POST", "/api/orders", _json(_ORDER).decode().encode("utf-16"), _JSON, 400, ""),
    ("nul-in-sku", "POST", "/api/orders", _order_line(sku="HO\u0000B"), _JSON, 400, "sku"),
    ("sql-in-sku", "POST", "/api/orders", _order_line(sku="HOB'; DROP TABLE orders;--"), _JSON, 400, "sku"),
    ("html-in-sku", "POST", "/api/orders", _order_line(sku="<script>alert(1)</script>"), _JSON, 400, "sku"),
    ("sql-unknown-product", "POST", "/api/orders", _order_line(sku="HOB-OR-1"), _JSON, 422, ""),
    ("form-encoded", "POST", "/api/orders", b"lines=HOB", "application/x-www-form-urlencoded", 415, ""),
    ("text-plain", "POST", "/api/orders", _json(_ORDER), "text/plain", 415, ""),
    ("xml", "POST", "/api/orders", b"<order><sku>HOB</sku></order>", "application/xml", 415, ""),
    ("empty-body", "POST", "/api/orders", b"", _JSON, 400, ""),
    ("truncated-json", "POST", "/api/orders", b'{"lines":[{"sku":"HOB"', _JSON, 400, ""),
    ("oversized", "POST", "/api/orders", b'{"note":"' + b"x" * (11 * 1024 * 1024) + b'"}', _JSON, 413, ""),
    (
        "cart-quantity-huge",
        "POST",
        "/api/pricing/price",
        _order_line(quantity=10**12),
        _JSON,
        400,
        "quantity",
    ),
    ("cart-nan", "POST", "/api/pricing/price", b'{"lines":[{"sku":"HOB","quantity":NaN}]}', _JSON, 400, ""),
    ("cart-sql-sku", "POST", "/api/pricing/price", _order_line(sku="' OR 1=1 --"), _JSON, 400, "sku"),
    (
        "adjust-huge",
        "POST",
        "/api/stock/adjustments",
        _json({"sku": "HOB", "quantity": 10**12, "reason": "counted"}),
        _JSON,
        400,
        "quantity",
    ),
    (
        "adjust-control-characters",
        "POST",
        "/api/stock/adjustments",
        _json({"sku": "HOB", "quantity": 1, "reason": "counted\u0000\u001b[2J"}),
        _JSON,
        400,
        "reason",
    ),
    (
        "adjust-nul-in-sku",
        "POST",
        "/api/stock/adjustments",
        _json({"sku": "HO\u0000B", "quantity": 1, "reason": "counted"}),
        _JSON,
        400,
        "sku",
    ),
    (
        "adjust-unknown-field",
        "POST",
        "/api/stock/adjustments",
        _json({"sku": "HOB", "quantity": 1, "reason": "x", "on_hand": 999}),
        _JSON,
        400,
        "on_hand",
    ),
    (
        "credit-limit-nan",
        "POST",
        "/api/partners",
        _json(
            {
                "supplier_id": "00000000-0000-0000-0000-000000000000",
                "kind": "store",
                "code": "X",
                "name": "X",
                "currency": "EUR",
                "locale": "en",
                "credit_limit": "NaN",
            }
        ),
        _JSON,
        400,
        "credit_limit",
    ),
]

_PROJECT_ROOT = re.escape(str(Path(__file__).resolve().parents[2]))
_INTERNALS = re.compile(
    r"Traceback|File \"|/site-packages/|"
    + _PROJECT_ROOT
    + r"|\.py\b|SELECT |INSERT |UPDATE .* SET|sqlite3|asyncpg|psycopg"
)


async def _row_counts() -> dict[str, int]:
    from channel.transactions import engine
    from tests.conftest import app_table_names

    counts = {}
    for table in app_table_names():
        rows = await engine().run_querystring(QueryString(f"SELECT COUNT(*) AS n FROM {table}"))  # noqa: S608
        counts[table] = rows[0]["n"]
    return counts


@pytest.fixture
async def store_and_stock(world: World, clock: FixedClock) -> dict[str, dict[str, str]]:
    from ordering import schemas as ordering_schemas
    from ordering.services import stock
    from tests.integration.pricing.pricing_world import priced_world

    await priced_world(world, clock)
    await stock.adjust(
        world.actors["d1a_admin"],
        ordering_schemas.StockAdjustment(sku="HOB", quantity=10, reason="counted"),
        clock,
    )
    tokens = {}
    for person, roles in (("s1_manager", [Role.STORE_MANAGER]), ("d1a_admin", [Role.DISTRIBUTOR_ADMIN])):
        issued = await access.create_api_token(
            world.actors[person], schemas.ApiTokenCreate(name="ERP", roles=roles), clock
        )
        tokens[person] = {"Authorization": f"Bearer {issued.token}"}
    return tokens


async def test_every_hostile_request_gets_its_4xx_writes_nothing_and_shows_no_internals(
    client: httpx.AsyncClient, store_and_stock: dict[str, dict[str, str]], figure: Callable[[str], None]
) -> None:
    # One channel for the whole table (building it takes longer than all the requests together).
    wrong: dict[str, str] = {}
    for name, method, path, body, content_type, expected, named in HOSTILE:
        who = "d1a_admin" if path.startswith(("/api/stock", "/api/partners")) else "s1_manager"
        before = await _row_counts()

        answer = await client.request(
            method, path, content=body, headers={**store_and_stock[who], "content-type": content_type}
        )

        if answer.status_code != expected:
            wrong[name] = f"{answer.status_code} instead of {expected}: {answer.text[:300]}"
        elif not answer.headers["content-type"].startswith("application/problem+json"):
            wrong[name] = f"answered as {answer.headers['content-type']}"
        elif named not in answer.text:
            wrong[name] = f"does not name {named}: {answer.text[:300]}"
        elif _INTERNALS.search(answer.text):
            wrong[name] = f"shows internals: {answer.text[:300]}"
        elif await _row_counts() != before:
            wrong[name] = "wrote rows"

    figure(f"\nhostile requests: {len(HOSTILE)}, wrong: {len(wrong)}")
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items())
