"""The hostile upload corpus against every upload route (catalogue import, price book import, the
store's cart upload): XML and zip bombs, renamed and macro files, encrypted and legacy Excel, GBK and
UTF-16 text, NUL bytes, over-long fields, huge rows, path-like names. Each gets a 4xx naming the
problem or a clean import; never a server error, never internals in the answer, and a refused file
writes nothing.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable

import httpx
from openpyxl import Workbook

from channel import schemas as channel_schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from pricing.services import price_books
from tests.api.conftest import csrf_token, sign_in
from tests.api.test_hostile_input import _INTERNALS, _row_counts
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world

CATALOGUE = "sku,category,name_en\n"
# Files every import must refuse, whatever their rows hold. (UTF-16 text with its byte-order mark, as
# Excel's "Unicode text" saves it, is read, not refused.)
REFUSED = (
    "xml-bomb",
    "zip-bomb",
    "renamed-csv-as-xlsx",
    "macro-xlsm",
    "macro-xlsm-renamed",
    "legacy-xls",
    "encrypted-xlsx",
    "binary-garbage",
    "over-long-field",
    "huge-row",
    "too-many-rows",
    "oversized",
    "empty",
    "executable",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_in_zip(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, data if item.filename == name else source.read(item.filename))
    return out.getvalue()


def _add_to_zip(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def _xml_bomb() -> bytes:
    entities = '<!ENTITY a0 "dosdosdosdosdosdosdosdosdosdos">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
    )
    return _replace_in_zip(_xlsx([["sku", "category"]]), "xl/worksheets/sheet1.xml", sheet.encode())


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


def _corpus(head: str) -> dict[str, tuple[str, bytes]]:
    """name -> (file name, bytes): what a careless or hostile partner might upload."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048  # legacy .xls and encrypted .xlsx alike
    return {
        "xml-bomb": ("bomb.xlsx", _xml_bomb()),
        "zip-bomb": ("bomb.xlsx", _zip_bomb()),
        "renamed-csv-as-xlsx": ("catalogue.xlsx", (head + "X,Y\n").encode()),
        "renamed-xlsx-as-csv": ("catalogue.csv", _xlsx([["sku", "category"], ["X", "Y"]])),
        "macro-xlsm": ("catalogue.xlsm", _xlsx([["sku", "category"]])),
        "macro-xlsm-renamed": (
            "catalogue.xlsx",
            _add_to_zip(_xlsx([["sku", "category"]]), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        ),
        "legacy-xls": ("catalogue.xls", ole),
        "encrypted-xlsx": ("catalogue.xlsx", ole),
        "gbk-text": ("catalogue.csv", (head + "G-1,厨房,燃气灶\n").encode("gbk")),
        "utf16-text": ("catalogue.csv", (head + "U-1,KITCHEN,Hob\n").encode("utf-16")),
        "latin1-text": ("catalogue.csv", (head + "L-1,KITCHEN,Crème brûlée\n").encode("latin-1")),
        "nul-bytes": ("catalogue.csv", (head + "N\0-1,KITCHEN,Hob\0\n").encode()),
        "binary-garbage": ("catalogue.csv", bytes(range(256)) * 64),
        "over-long-field": ("catalogue.csv", (head + "O-1,KITCHEN," + "x" * 200_000 + "\n").encode()),
        "huge-row": (
            "catalogue.csv",
            (head.strip() + ",c" * 5000 + "\n" + "H-1,KITCHEN" + ",v" * 5000 + "\n").encode(),
        ),
        "too-many-rows": (
            "catalogue.csv",
            (head + "".join(f"R-{i},KITCHEN,r\n" for i in range(25_000))).encode(),
        ),
        "oversized": ("catalogue.csv", (head + "B-1,KITCHEN," + "y" * (6 * 1024 * 1024) + "\n").encode()),
        "empty": ("catalogue.csv", b""),
        "header-only": ("catalogue.csv", head.encode()),
        "path-like-name": ("../../../etc/passwd.csv", (head + "P-1,KITCHEN,Path\n").encode()),
        "windows-path-name": ("C:\\Windows\\system32\\x.csv", (head + "W-1,KITCHEN,Path\n").encode()),
        "formula-cells": ("catalogue.csv", (head + 'F-1,KITCHEN,"=HYPERLINK(""http://evil"")"\n').encode()),
        "executable": ("catalogue.exe", b"MZ\x90\x00" + b"\0" * 512),
    }


async def test_every_upload_route_answers_the_hostile_corpus_with_a_4xx_or_a_clean_import(
    client: httpx.AsyncClient, world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    issued = await access.create_api_token(
        m, channel_schemas.ApiTokenCreate(name="ERP", roles=[Role.MANUFACTURER_ADMIN]), clock
    )
    token = {"Authorization": f"Bearer {issued.token}"}
    book = (await price_books.list_price_books(m))[0].id
    routes = {
        "catalogue import": ("/api/catalogue/products/import", CATALOGUE, token),
        "price book import": (f"/api/price-books/{book}/import", "sku,unit_price\n", token),
        "cart upload": ("/s/cart/upload", "sku,quantity\n", None),
    }
    await sign_in(client, "s1.manager@example.com")

    outcomes: dict[int, int] = {}
    wrong: list[str] = []
    seen: dict[str, str] = {}
    started = time.monotonic()
    for route_name, (path, head, headers) in routes.items():
        for name, (filename, content) in _corpus(head).items():
            before = await _row_counts()
            extra = {"data": {"_csrf_token": await csrf_token(client)}} if headers is None else {}
            field = "file"
            answer = await client.post(
                path, files={field: (filename, content, "application/octet-stream")}, headers=headers, **extra
            )
            outcomes[answer.status_code] = outcomes.get(answer.status_code, 0) + 1
            label = f"{route_name} / {name}: {answer.status_code}"
            if headers is not None:
                seen[f"{route_name} / {name}"] = f"{answer.status_code} {answer.text[:160]}"
            if answer.status_code >= 500:
                wrong.append(f"{label} server error")
            elif _INTERNALS.search(re.sub(r"<(script|link)[^>]*>", "", answer.text)) and headers is not None:
                wrong.append(f"{label} shows internals: {answer.text[:300]}")
            elif answer.status_code >= 400 and await _row_counts() != before:
                wrong.append(f"{label} refused but wrote rows")

    figure(
        f"\nuploads: {len(routes)} routes x {len(_corpus(''))} files in {time.monotonic() - started:.0f} s, "
        f"statuses {dict(sorted(outcomes.items()))}"
    )
    assert wrong == [], "\n".join(wrong)
    for route_name in ("catalogue import", "price book import"):
        for name in REFUSED:
            assert seen[f"{route_name} / {name}"].startswith(("413", "422")), (
                name,
                seen[f"{route_name} / {name}"],
            )


async def test_every_csv_import_reads_western_and_chinese_excel_files_right(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    """Excel on Western Windows saves CSV as Windows-1252, on Chinese Windows as GB18030. Read as
    GB18030, "Müller" became "M黮ler" and a cell ending in an accent ("Café") refused the file."""
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    issued = await access.create_api_token(
        m, channel_schemas.ApiTokenCreate(name="ERP", roles=[Role.MANUFACTURER_ADMIN]), clock
    )
    token = {"Authorization": f"Bearer {issued.token}"}
    store = await access.create_api_token(
        world.actors["s1_manager"], channel_schemas.ApiTokenCreate(name="pos", roles=[Role.CLERK]), clock
    )
    store_token = {"Authorization": f"Bearer {store.token}"}
    book = (await price_books.list_price_books(m))[0].id
    await sign_in(client, "s1.manager@example.com")
    files = {
        "cp1252": ("Küchen Müller Café", "cp1252"),
        "latin-1": ("Crème brûlée à la Müller", "latin-1"),
        "gbk": ("燃气灶 朱镕基电器", "gbk"),
        "gb18030": ("厨房 不锈钢 A型", "gb18030"),
        "utf-8": ("Müller 燃气灶", "utf-8-sig"),
        "utf-16": ("Müller 燃气灶", "utf-16"),
    }
    wrong: list[str] = []
    for label, (note, encoding) in files.items():
        sku = f"ENC-{label.upper()}"

        def upload(head: str, row: str, *, note: str = note, encoding: str = encoding) -> bytes:
            return f"{head},note\n{row},{note}\n".encode(encoding)

        catalogue = await client.post(
            "/api/catalogue/products/import",
            files={
                "file": ("catalogue.csv", f"sku,category,name_de\n{sku},KITCHEN,{note}\n".encode(encoding))
            },
            headers=token,
        )
        prices = await client.post(
            f"/api/price-books/{book}/import",
            files={"file": ("prices.csv", upload("sku,unit_price", "HOB,1000"))},
            headers=token,
        )
        report = await client.post(
            "/api/reports/uploads",
            params={"kind": "sell_out"},
            files={"data": ("sell-out.csv", upload("sku,date,quantity", "HOB,2026-11-22,1"))},
            headers=store_token,
        )
        cart = await client.post(
            "/s/cart/upload",
            data={"_csrf_token": await csrf_token(client)},
            files={"file": ("cart.csv", upload("sku,quantity", "HOB,2"))},
        )
        products = await client.get("/api/catalogue/products", params={"q": sku}, headers=token)
        names = [p["names"].get("de") for p in products.json()["items"] if p["sku"] == sku]
        for route, answer, good in (
            ("catalogue", catalogue, 200),
            ("price book", prices, 200),
            ("sell-out report", report, 201),
            ("cart", cart, 200),
        ):
            if answer.status_code != good or "upload_bad_encoding" in answer.text:
                wrong.append(f"{label} {route}: {answer.status_code} {answer.text[:200]}")
        if "cart-total" not in cart.text or "2,000.00" not in cart.text:
            wrong.append(f"{label} cart: not filled")
        if names != [note]:
            wrong.append(f"{label} catalogue: stored {names}, not {note!r}")

    assert wrong == [], "\n".join(wrong)
