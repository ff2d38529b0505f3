"""Every CSV and XLSX export, in every portal and the API, writes text a partner typed as text: a
cell starting with = + - @ gets a leading apostrophe, so Excel never runs it as a formula.

The export routes are taken from the app (every GET route ending in ``/export``), not from a list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal

import httpx
from openpyxl import load_workbook

from channel import schemas as channel_schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from portal.app import create_app
from pricing import schemas
from pricing.services import catalogue, price_books
from tests.api.conftest import settings_for_tests, sign_in
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]
FORMULA_START = ("=", "+", "-", "@")
# portal prefix -> the person who downloads there
PEOPLE = {"/m": "m.admin@example.com", "/d": "d1.admin@example.com", "/s": "s1.manager@example.com"}


def _export_routes() -> list[str]:
    app = create_app(settings_for_tests())
    return sorted(
        route.path
        for route in app.routes
        if route.path.endswith("/export")
        and any("GET" in getattr(h, "http_methods", ()) for h in route.route_handlers)
    )


def _cells(content: bytes, file_format: str) -> list[object]:
    if file_format == "csv":
        text = content.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    found: list[object] = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a live formula in {cell.coordinate}: {cell.value}"
            found.append(cell.value)
    return found


async def test_every_export_keeps_formula_like_text_as_text(
    client: httpx.AsyncClient, world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    for n, name in enumerate(HOSTILE_NAMES):
        await catalogue.create_product(
            m,
            schemas.ProductCreate(sku=f"EVIL-{n}", names={"en": name}, category="KITCHEN", brand=name[:40]),
            clock,
        )
    books = {
        "/m": (await price_books.list_price_books(m))[0].id,
        "/d": (
            await price_books.create_price_book(
                world.actors["d1_admin"],
                schemas.PriceBookCreate(
                    code="D1-SELL",
                    currency="EUR",
                    name="=1+1",
                    entries=[schemas.PriceEntry(sku="HOB", unit_price=Decimal("10"))],
                ),
                clock,
            )
        ).id,
    }
    books["/api"] = books["/m"]
    issued = await access.create_api_token(
        m, channel_schemas.ApiTokenCreate(name="ERP", roles=[Role.MANUFACTURER_ADMIN]), clock
    )
    token = {"Authorization": f"Bearer {issued.token}"}

    routes = _export_routes()
    checked, hostile_seen = 0, 0
    for route in routes:
        portal = "/api" if route.startswith("/api") else route[:2]
        if portal != "/api":
            client.cookies.clear()
            assert await sign_in(client, PEOPLE[portal]) == 303
        path = re.sub(r"\{book_id:uuid\}", str(books.get(portal, "")), route)
        for file_format in ("csv", "xlsx"):
            answer = await client.get(
                path, params={"format": file_format}, headers=token if portal == "/api" else {}
            )
            assert answer.status_code == 200, f"{path} {file_format}: {answer.status_code}"
            cells = _cells(answer.content, file_format)
            formulas = [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_START)]
            assert formulas == [], f"{path} {file_format}: {formulas}"
            hostile_seen += sum(
                1 for c in cells if isinstance(c, str) and c.startswith("'") and c[1:2] in "=+-@"
            )
            checked += 1

    figure(
        f"\nexports: {len(routes)} routes, {checked} downloads, {hostile_seen} formula-like cells kept as text"
    )
    assert len(routes) >= 7
    assert hostile_seen > 0
