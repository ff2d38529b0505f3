"""A priced channel on top of the test world: a catalogue, the list price and a tier-2 book."""

from __future__ import annotations

from decimal import Decimal

from core.clock import FixedClock
from pricing import schemas
from pricing.services import catalogue, price_books
from tests.builders import World


async def priced_world(world: World, clock: FixedClock) -> None:
    m = world.actors["m_admin"]
    await catalogue.create_category(m, schemas.CategoryCreate(code="KITCHEN", names={"en": "Kitchen"}), clock)
    for sku, name in [("HOB", "Gas hob"), ("HOOD", "Hood"), ("FILTER", "Filter")]:
        await catalogue.create_product(
            m, schemas.ProductCreate(sku=sku, names={"en": name}, category="KITCHEN", brand="AURORA"), clock
        )
    await price_books.create_price_book(
        m,
        schemas.PriceBookCreate(
            code="LIST-EUR",
            currency="EUR",
            kind="list",
            entries=[
                schemas.PriceEntry(sku="HOB", unit_price=Decimal("1000")),
                schemas.PriceEntry(sku="HOOD", unit_price=Decimal("2000")),
                schemas.PriceEntry(sku="FILTER", unit_price=Decimal("30")),
            ],
        ),
        clock,
    )
    await price_books.create_price_book(
        m,
        schemas.PriceBookCreate(code="TIER2-EUR", currency="EUR", tiers=[2], percent_off_list=Decimal("25")),
        clock,
    )
