"""A small catalogue and channel for engine tests: a hob, a hood, a kettle, a cheap filter."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pricing.engine import price
from pricing.model import Cart, CartLine, PricedCart, PricingContext, ProductFacts
from pricing.price_books import PriceBook, PriceBookEntry
from pricing.promotions import Promotion

MANUFACTURER = UUID(int=1)
DISTRIBUTOR = UUID(int=2)
STORE = UUID(int=3)
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

PRODUCTS = {
    "HOB": ProductFacts(sku="HOB", category_path="KITCHEN/HOBS/", brand="AURORA"),
    "HOOD": ProductFacts(sku="HOOD", category_path="KITCHEN/HOODS/", brand="AURORA"),
    "KETTLE": ProductFacts(sku="KETTLE", category_path="SMALL/", brand="BREEZE"),
    "FILTER": ProductFacts(sku="FILTER", category_path="KITCHEN/PARTS/", brand="AURORA"),
}
LIST = PriceBook(
    code="LIST",
    currency="CNY",
    kind="list",
    entries=(
        PriceBookEntry(sku="HOB", unit_price=Decimal("1000.00")),
        PriceBookEntry(sku="HOOD", unit_price=Decimal("2000.00")),
        PriceBookEntry(sku="KETTLE", unit_price=Decimal("199.00")),
        PriceBookEntry(sku="FILTER", unit_price=Decimal("30.00")),
    ),
)


def context(**overrides: Any) -> PricingContext:
    values: dict[str, Any] = {
        "buyer_id": STORE,
        "buyer_kind": "store",
        "buyer_tier": 2,
        "seller_id": DISTRIBUTOR,
        "upstream_ids": frozenset({MANUFACTURER, DISTRIBUTOR}),
        "at": AT,
        "partner_level": "GOLD",
        "region": "EAST",
        **overrides,
    }
    return PricingContext(**values)


def promo(n: int, benefit: Any, **overrides: Any) -> Promotion:
    values: dict[str, Any] = {
        "id": UUID(int=1000 + n),
        "code": f"P{n}",
        "name": f"Promo {n}",
        "issuer_id": MANUFACTURER,
        "currency": "CNY",
        "benefit": benefit,
        **overrides,
    }
    return Promotion(**values)


def cart(*lines: tuple[str, int], currency: str = "CNY") -> Cart:
    return Cart(currency=currency, lines=tuple(CartLine(sku=s, quantity=q) for s, q in lines))


def priced(
    lines: list[tuple[str, int]],
    promotions: list[Promotion],
    books: list[PriceBook] | None = None,
    **ctx: Any,
) -> PricedCart:
    return price(cart(*lines), context(**ctx), PRODUCTS, books if books is not None else [LIST], promotions)


def d(text: str) -> Decimal:
    return Decimal(text)
