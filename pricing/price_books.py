"""Price books and which one applies to a buyer.

A price book lists unit prices per SKU (with volume breaks) or gives a percent off the list price,
for a currency and a validity window, and is aimed at buyers by any of: named buyers, the seller
that uses it, partner levels, tiers. The list price book (``kind = "list"``) is the manufacturer's
price for everyone.

Precedence, for one SKU, quantity and buyer (docs/pricing.md): among the books that apply (currency
matches, valid at the moment, every criterion they set matches the buyer) and hold a price for the
SKU, the most specific wins: a book naming the buyer (8) beats a seller's own book (4) beats a book
for the buyer's partner level (2) beats one for its tier (1); criteria add up. Between equally
specific books the one valid from latest wins (next quarter's book takes over on its start date),
then the lower code. The list book is the fallback. A seller's price is held between the
manufacturer's floor and ceiling for the SKU (price control) and says so when it was moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import msgspec

from pricing.model import PricingContext

HUNDRED = Decimal(100)


class PriceBookEntry(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    unit_price: Decimal
    min_quantity: int = 1  # a volume break: this price from this quantity on


class PriceBook(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    currency: str
    kind: str = "book"  # "list" for the manufacturer's list price, "book" otherwise
    entries: tuple[PriceBookEntry, ...] = ()
    percent_off_list: Decimal | None = None  # for SKUs it has no entry for
    buyer_ids: frozenset[UUID] = frozenset()
    seller_id: UUID | None = None
    partner_levels: frozenset[str] = frozenset()
    tiers: frozenset[int] = frozenset()
    buyer_kinds: frozenset[str] = frozenset()
    valid_from: datetime | None = None
    valid_to: datetime | None = None  # exclusive


class PriceControl(msgspec.Struct, frozen=True, kw_only=True):
    """The manufacturer's bounds on the prices distributors set for their own buyers."""

    sku: str
    currency: str
    floor: Decimal | None = None
    ceiling: Decimal | None = None


class ResolvedPrice(msgspec.Struct, frozen=True, kw_only=True):
    list_unit_price: Decimal | None
    unit_price: Decimal | None
    book: str | None
    min_quantity: int = 1
    controlled: str | None = None  # "floor" or "ceiling" when price control moved the price
    from_list: bool = False  # the list price itself: no book of the buyer's applied


def specificity(book: PriceBook) -> int:
    return (
        (8 if book.buyer_ids else 0)
        + (4 if book.seller_id is not None else 0)
        + (2 if book.partner_levels else 0)
        + (1 if book.tiers else 0)
    )


def applies(book: PriceBook, context: PricingContext, currency: str) -> bool:
    if book.currency != currency:
        return False
    if book.valid_from is not None and context.at < book.valid_from:
        return False
    if book.valid_to is not None and context.at >= book.valid_to:
        return False
    if book.buyer_ids and context.buyer_id not in book.buyer_ids:
        return False
    if book.seller_id is not None and book.seller_id != context.seller_id:
        return False
    if book.partner_levels and context.partner_level not in book.partner_levels:
        return False
    if book.tiers and context.buyer_tier not in book.tiers:
        return False
    return not (book.buyer_kinds and context.buyer_kind not in book.buyer_kinds)


class BookIndex:
    """The books that apply to one buyer, most specific first, with their entries by SKU.

    Built once per (books, buyer, moment) and reused for every line and every re-pricing of a cart.
    """

    def __init__(
        self,
        books: Iterable[PriceBook],
        context: PricingContext,
        currency: str,
        controls: Sequence[PriceControl] = (),
    ) -> None:
        applicable = [b for b in books if applies(b, context, currency)]
        self.list_books = sorted(
            (b for b in applicable if b.kind == "list"), key=lambda b: (-_start(b), b.code)
        )
        self.books = sorted(
            (b for b in applicable if b.kind != "list"),
            key=lambda b: (-specificity(b), -_start(b), b.code),
        )
        self._entries: dict[str, dict[str, list[PriceBookEntry]]] = {}
        for book in [*self.books, *self.list_books]:
            by_sku: dict[str, list[PriceBookEntry]] = {}
            for entry in book.entries:
                by_sku.setdefault(entry.sku, []).append(entry)
            for entries in by_sku.values():
                entries.sort(key=lambda e: -e.min_quantity)
            self._entries[book.code] = by_sku
        self._controls = {c.sku: c for c in controls if c.currency == currency}
        self._cache: dict[tuple[str, int], ResolvedPrice] = {}

    def _entry(self, book: PriceBook, sku: str, quantity: int) -> PriceBookEntry | None:
        for entry in self._entries[book.code].get(sku, ()):
            if entry.min_quantity <= quantity:
                return entry
        return None

    def list_price(self, sku: str, quantity: int = 1) -> Decimal | None:
        for book in self.list_books:
            entry = self._entry(book, sku, quantity)
            if entry is not None:
                return entry.unit_price
        return None

    def resolve(self, sku: str, quantity: int) -> ResolvedPrice:
        key = (sku, quantity)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._resolve(sku, quantity)
        return cached

    def _resolve(self, sku: str, quantity: int) -> ResolvedPrice:
        list_price = self.list_price(sku, 1)
        for book in self.books:
            entry = self._entry(book, sku, quantity)
            if entry is not None:
                return self._controlled(book, list_price, entry.unit_price, entry.min_quantity, sku)
            if book.percent_off_list is not None and list_price is not None:
                price = list_price * (HUNDRED - book.percent_off_list) / HUNDRED
                return self._controlled(book, list_price, price, 1, sku)
        for book in self.list_books:
            entry = self._entry(book, sku, quantity)
            if entry is not None:
                return ResolvedPrice(
                    list_unit_price=list_price,
                    unit_price=entry.unit_price,
                    book=book.code,
                    min_quantity=entry.min_quantity,
                    from_list=True,
                )
        return ResolvedPrice(list_unit_price=None, unit_price=None, book=None)

    def _controlled(
        self, book: PriceBook, list_price: Decimal | None, price: Decimal, min_quantity: int, sku: str
    ) -> ResolvedPrice:
        control = self._controls.get(sku) if book.seller_id is not None else None
        moved = None
        if control is not None:
            if control.floor is not None and price < control.floor:
                price, moved = control.floor, "floor"
            elif control.ceiling is not None and price > control.ceiling:
                price, moved = control.ceiling, "ceiling"
        return ResolvedPrice(
            list_unit_price=list_price if list_price is not None else price,
            unit_price=price,
            book=book.code,
            min_quantity=min_quantity,
            controlled=moved,
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _start(book: PriceBook) -> int:
    """When a book starts, in whole microseconds; a book without a start comes before every other."""
    if book.valid_from is None:
        return -(2**63)
    return (book.valid_from - _EPOCH) // timedelta(microseconds=1)
