"""The pricing data kept in memory: the catalogue, the price books, the price controls and the active
promotions, read once and reused by every order until they change.

Why it is always current: the database gives ``pricing_stamp`` a new random value in the same
transaction as any change to that data (triggers on its tables, see the pricing migrations). A
caller reads the stamp in a statement it runs anyway (order submission: the statement that reads
the buyer's promotion uses and budgets) and asks for the data at that stamp; when the copy in
memory was read at another stamp, it is read again. So the first order that starts after a price
book or promotion change committed sees it, in every process, for one small column of a statement
that was already sent. (PostgreSQL's LISTEN/NOTIFY was the other way: it would spare even that
column, but a notice arrives some time after the commit, so an order placed right after a change
could still be priced from the old data, it needs a connection kept listening per process, and a
notice lost while that connection reconnects would leave a process stale. SQLite has nothing of
the kind.)

What is not kept: what changes with every order (the budgets' spending, each buyer's uses of a
promotion) and the buyer's place in the channel are read fresh each time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import msgspec

from pricing import repository, schemas
from pricing.engine import PromotionIndex
from pricing.model import ProductFacts
from pricing.price_books import PriceBook, PriceBookEntry, PriceControl


class PricingData:
    """The pricing data at one stamp, indexed for pricing carts of a few lines out of a big catalogue."""

    def __init__(self, stamp: str | None, rows: repository.PricingRows, read_at: float) -> None:
        self.stamp = stamp
        self.read_at = read_at  # monotonic time the reading started
        self.products = rows.products
        self.facts = {
            sku: ProductFacts(
                sku=p.sku, category_path=p.category_path, brand=p.brand, set_percent_off=p.set_percent_off
            )
            for sku, p in rows.products.items()
        }
        self._books: dict[str, list[tuple[PriceBook, dict[str, tuple[PriceBookEntry, ...]]]]] = {}
        for book in rows.books:
            by_sku: dict[str, list[PriceBookEntry]] = {}
            for entry in book.entries:
                by_sku.setdefault(entry.sku, []).append(entry)
            self._books.setdefault(book.currency, []).append(
                (book, {sku: tuple(entries) for sku, entries in by_sku.items()})
            )
        self._controls: dict[str, dict[str, PriceControl]] = {}
        for control in rows.controls:
            self._controls.setdefault(control.currency, {})[control.sku] = control
        self.promotions = rows.promotions
        self._indexes: dict[str, PromotionIndex] = {}

    def books(self, currency: str, skus: Iterable[str]) -> list[PriceBook]:
        """Every book in the currency, with its entries for the given SKUs only."""
        wanted = sorted(set(skus))
        found = []
        for book, by_sku in self._books.get(currency, ()):
            entries = tuple(entry for sku in wanted for entry in by_sku.get(sku, ()))
            found.append(msgspec.structs.replace(book, entries=entries))
        return found

    def controls(self, currency: str, skus: Iterable[str]) -> list[PriceControl]:
        by_sku = self._controls.get(currency, {})
        return [by_sku[sku] for sku in sorted(set(skus)) if sku in by_sku]

    def promotion_index(self, currency: str) -> PromotionIndex:
        """The active promotions in the currency, indexed once per stamp."""
        index = self._indexes.get(currency)
        if index is None:
            index = self._indexes[currency] = PromotionIndex(
                [r.rule for r in self.promotions if r.currency == currency]
            )
        return index

    def active_promotions(self, currency: str) -> list[schemas.PromotionRecord]:
        return [r for r in self.promotions if r.currency == currency]


_current: PricingData | None = None
_reading: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None


def _reading_lock() -> asyncio.Lock:
    """One lock per event loop (a lock belongs to the loop it first waited in)."""
    global _reading
    loop = asyncio.get_running_loop()
    if _reading is None or _reading[0] is not loop:
        _reading = (loop, asyncio.Lock())
    return _reading[1]


async def at(stamp: str | None, seen_at: float) -> PricingData:
    """The pricing data as current as the caller's stamp: ``stamp`` as the caller's statement read
    it, which finished at ``seen_at`` (``time.monotonic()``). The copy in memory serves when it
    was read at that stamp, or when its reading started after the caller's statement (so it saw at
    least what that statement saw). A stamp of None (no stamp row) is never served from memory.
    Readers wait for each other, so a change is read once per process, not once per waiting order."""
    global _current
    found = _current
    if found is not None and _serves(found, stamp, seen_at):
        return found
    async with _reading_lock():
        found = _current
        if found is not None and _serves(found, stamp, seen_at):
            return found
        read_at = time.monotonic()
        # The stamp first: a change committed while the rest is read makes the copy newer than
        # its stamp says, never older, so the next caller reads it again at worst.
        read_stamp = await repository.pricing_stamp()
        data = PricingData(read_stamp, await repository.pricing_rows(), read_at)
        if read_stamp is not None:
            _current = data
        return data


def _serves(data: PricingData, stamp: str | None, seen_at: float) -> bool:
    if data.stamp is None:
        return False
    return (stamp is not None and data.stamp == stamp) or data.read_at > seen_at
