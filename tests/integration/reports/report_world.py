"""A small channel with a catalogue, for the reports tests."""

from __future__ import annotations

import io

from openpyxl import Workbook

from channel.visibility import Actor
from core.clock import Clock
from pricing import schemas as pricing_schemas
from pricing.catalogue import ProductStatus
from pricing.services import catalogue
from tests.builders import World

SKUS = ("HOB-1", "OVEN-2", "HOOD-3")


async def with_catalogue(world: World, clock: Clock) -> World:
    """Three active products in KITCHEN, one draft (DRAFT-9) and one discontinued (OLD-8)."""
    system: Actor = world.system
    await catalogue.create_category(
        system, pricing_schemas.CategoryCreate(code="KITCHEN", names={"en": "Kitchen"}), clock
    )
    await catalogue.create_category(
        system, pricing_schemas.CategoryCreate(code="BATH", names={"en": "Bath"}), clock
    )
    for sku in SKUS:
        await catalogue.create_product(
            system,
            pricing_schemas.ProductCreate(sku=sku, names={"en": sku.title()}, category="KITCHEN"),
            clock,
        )
    await catalogue.create_product(
        system, pricing_schemas.ProductCreate(sku="TAP-4", names={"en": "Tap"}, category="BATH"), clock
    )
    await catalogue.create_product(
        system,
        pricing_schemas.ProductCreate(
            sku="DRAFT-9", names={"en": "Draft"}, category="KITCHEN", status=ProductStatus.DRAFT
        ),
        clock,
    )
    await catalogue.create_product(
        system,
        pricing_schemas.ProductCreate(
            sku="OLD-8", names={"en": "Old"}, category="KITCHEN", status=ProductStatus.DISCONTINUED
        ),
        clock,
    )
    return world


def xlsx_of(rows: list[list[object]]) -> bytes:
    """A workbook whose first sheet holds ``rows``, as a person would save it from Excel."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
