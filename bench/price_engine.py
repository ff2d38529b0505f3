"""PRICE-1 and PRICE-2 (docs/performance.md): the pricing engine against a naive loop, same run.

    .venv/bin/python -m bench.price_engine [--repeat 300]

PRICE-1: a 100-line cart, 1,000 active promotions, 10,000 price-book entries; p50/p99 of the engine
(indexes prepared once per rule set, as the services do) and of a naive loop (every promotion
checked against every line, every price found by scanning the books).
PRICE-2: a 500-line cart against 10,000 promotions: a full price, a one-line cart, and re-pricing
the 500-line cart after one line changed (reusing the prepared indexes and resolved prices). Twice:
on a catalogue ten times PRICE-1's, so that a line meets about as many promotions as in PRICE-1 (the
scenario of the 20 ms guard: ten times the rules must not mean ten times the work per line), and on
PRICE-1's own catalogue, where each line meets six times as many (about 18 stacked promotions, a
third of them finding the line already at zero): a stress figure, printed without a target.

Every figure is taken in each of ``--rounds`` interleaved rounds and the median of the rounds is
printed, with their range in brackets (docs/performance.md: medians of at least 3 interleaved runs).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from pricing.engine import BuyerPromotions, PromotionIndex, price, pricer
from pricing.model import Cart, CartLine, PricedCart, PricingContext, ProductFacts
from pricing.price_books import BookIndex, PriceBook, PriceBookEntry, ResolvedPrice
from pricing.promotions import (
    AmountOff,
    BuyXGetY,
    Eligibility,
    Gift,
    PercentOff,
    Promotion,
    Target,
    ThresholdDiscount,
    VolumeTier,
    VolumeTiers,
)

MANUFACTURER = UUID(int=1)
SELLER = UUID(int=2)
BUYER = UUID(int=3)
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


class World(msgspec.Struct, frozen=True):
    """A generated catalogue: its SKUs, categories and brands."""

    skus: list[str]
    categories: list[str]
    brands: list[str]

    @classmethod
    def of(cls, scale: int) -> World:
        """2,000 SKUs, 50 categories and 10 brands times ``scale``."""
        return cls(
            skus=[f"SKU-{n:05d}" for n in range(2000 * scale)],
            categories=[f"C{n:02d}" for n in range(50 * scale)],
            brands=[f"B{n}" for n in range(10 * scale)],
        )


def catalogue(rnd: random.Random, world: World) -> dict[str, ProductFacts]:
    return {
        sku: ProductFacts(
            sku=sku, category_path=f"ROOT/{rnd.choice(world.categories)}/", brand=rnd.choice(world.brands)
        )
        for sku in world.skus
    }


def books(rnd: random.Random, world: World) -> list[PriceBook]:
    """Five entries per SKU: the list price and four books with volume breaks for half the SKUs
    (10,000 entries for 2,000 SKUs)."""
    list_book = PriceBook(
        code="LIST",
        currency="CNY",
        kind="list",
        entries=tuple(PriceBookEntry(sku=s, unit_price=Decimal(rnd.randint(50, 5000))) for s in world.skus),
    )
    result = [list_book]
    for n, (levels, tiers) in enumerate(
        [({"GOLD"}, {2}), ({"SILVER"}, {2}), (set(), {1}), ({"GOLD"}, set())]
    ):
        entries = []
        for sku in rnd.sample(world.skus, len(world.skus) // 2):
            base = Decimal(rnd.randint(40, 4000))
            entries.append(PriceBookEntry(sku=sku, unit_price=base))
            entries.append(PriceBookEntry(sku=sku, unit_price=base * Decimal("0.95"), min_quantity=10))
        result.append(
            PriceBook(
                code=f"BOOK{n}",
                currency="CNY",
                entries=tuple(entries),
                partner_levels=frozenset(levels),
                tiers=frozenset(tiers),
            )
        )
    return result


def promotions(rnd: random.Random, count: int, world: World) -> list[Promotion]:
    made = []
    for n in range(count):
        roll = rnd.random()
        sku_target = Target(skus=frozenset(rnd.sample(world.skus, 3)))
        if roll < 0.55:
            benefit: object = PercentOff(percent=Decimal(rnd.randint(1, 20)), target=sku_target)
        elif roll < 0.7:
            benefit = AmountOff(amount=Decimal(rnd.randint(1, 50)), target=sku_target)
        elif roll < 0.8:
            benefit = PercentOff(
                percent=Decimal(rnd.randint(1, 10)),
                target=Target(categories=frozenset({rnd.choice(world.categories)})),
            )
        elif roll < 0.87:
            benefit = BuyXGetY(buy=rnd.randint(2, 4), get=1, target=sku_target)
        elif roll < 0.94:
            benefit = VolumeTiers(
                tiers=(
                    VolumeTier(min_quantity=5, percent=Decimal(2)),
                    VolumeTier(min_quantity=20, percent=Decimal(4)),
                ),
                target=Target(brands=frozenset({rnd.choice(world.brands)})),
            )
        elif roll < 0.97:
            benefit = ThresholdDiscount(
                every=Decimal(rnd.choice([5000, 10000, 50000])),
                off=Decimal(rnd.choice([100, 300])),
                target=sku_target,
            )
        else:
            benefit = Gift(sku=rnd.choice(world.skus))
        eligibility = rnd.choice(
            [
                Eligibility(),
                Eligibility(partner_levels=frozenset({"GOLD"})),
                Eligibility(regions=frozenset({"NORTH"})),
                Eligibility(tiers=frozenset({1})),
            ]
        )
        made.append(
            Promotion(
                id=UUID(int=10_000 + n),
                code=f"P{n}",
                issuer_id=MANUFACTURER,
                currency="CNY",
                benefit=benefit,  # type: ignore[arg-type]
                eligibility=eligibility,
                priority=rnd.randint(0, 5),
                stacking="exclusive" if rnd.random() < 0.05 else "combinable",
                exclusivity_group=rnd.choice([None, None, None, "spring", "summer"]),
            )
        )
    return made


CONTEXT = PricingContext(
    buyer_id=BUYER,
    buyer_kind="store",
    buyer_tier=2,
    seller_id=SELLER,
    at=AT,
    partner_level="GOLD",
    region="EAST",
    upstream_ids=frozenset({MANUFACTURER, SELLER}),
)


class NaiveBooks(BookIndex):
    """The reference: every price found by scanning every book's entries, nothing prepared or kept."""

    def __init__(self, all_books: list[PriceBook]) -> None:
        super().__init__(all_books, CONTEXT, "CNY")
        self.all_books = all_books

    def resolve(self, sku: str, quantity: int) -> ResolvedPrice:
        best: tuple[int, Decimal, str] | None = None
        list_price = None
        for book in self.all_books:
            for entry in book.entries:
                if entry.sku != sku or entry.min_quantity > quantity:
                    continue
                if book.kind == "list":
                    list_price = entry.unit_price
                elif (book.partner_levels and CONTEXT.partner_level not in book.partner_levels) or (
                    book.tiers and CONTEXT.buyer_tier not in book.tiers
                ):
                    continue
                else:
                    rank = (2 if book.partner_levels else 0) + (1 if book.tiers else 0)
                    if best is None or (rank, -entry.unit_price) > (best[0], -best[1]):
                        best = (rank, entry.unit_price, book.code)
        if best is None:
            return ResolvedPrice(
                list_unit_price=list_price, unit_price=list_price, book="LIST", from_list=True
            )
        return ResolvedPrice(list_unit_price=list_price, unit_price=best[1], book=best[2])


class NaivePromotions(PromotionIndex):
    """The reference: every promotion's eligibility and target checked against every line, each call."""

    def __init__(self, all_promotions: list[Promotion]) -> None:
        super().__init__(all_promotions)
        self.all_promotions = all_promotions

    def for_buyer(self, context: PricingContext, currency: str) -> BuyerPromotions:
        return BuyerPromotions(self, context, currency)  # nothing kept between carts

    def candidates(self, product: ProductFacts) -> list[Promotion]:
        return sorted(
            (p for p in self.all_promotions if p.target.matches(product)),
            key=lambda p: (-p.priority, str(p.id)),
        )


def timed(work: Callable[[], object], repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall milliseconds per call; with ``cpu``, the process's CPU milliseconds per call too (what a
    loaded, shared machine disturbs least)."""
    samples = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        samples.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cart_of(rnd: random.Random, lines: int, world: World) -> Cart:
    return Cart(
        currency="CNY",
        lines=tuple(CartLine(sku=s, quantity=rnd.randint(1, 30)) for s in rnd.sample(world.skus, lines)),
    )


def interleaved(
    works: dict[str, tuple[Callable[[], object], int]], rounds: int
) -> tuple[dict[str, list[list[float]]], dict[str, list[float]]]:
    """Every measurement in ``rounds`` interleaved batches, so a noisy neighbour hits them alike;
    the wall samples of each round, and all CPU samples."""
    samples: dict[str, list[list[float]]] = {name: [] for name in works}
    cpu: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(rounds):
        for name, (work, repeat) in works.items():
            samples[name].append(timed(work, repeat, cpu[name]))
    return samples, cpu


class Figure:
    """A percentile of each round's samples: the median of the rounds, and their spread (a burst
    of work elsewhere on a shared machine lands in one round, not in all)."""

    def __init__(self, rounds: list[list[float]], q: float) -> None:
        self.each = sorted(p(samples, q) for samples in rounds)
        self.value = statistics.median(self.each)

    def __str__(self) -> str:
        return f"{self.value:8.2f} ms ({self.each[0]:.2f}–{self.each[-1]:.2f})"


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return (
        f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"msgspec {msgspec.__version__}, load {load[0]:.2f}; in process, no database (no pgbench figure)"
    )


def density(result: PricedCart) -> str:
    """How much a priced cart explains: its lines, steps, and promotions stacked on a line."""
    lines = result.lines
    steps = sum(len(line.steps) for line in lines)
    stacked = sum(step.kind == "promotion" for line in lines for step in line.steps) / len(lines)
    return (
        f"{len(lines)} lines, {steps:,} waterfall steps, {stacked:.1f} promotions on a line, "
        f"{len(result.applied):,} promotions applied"
    )


class LargeCart:
    """PRICE-2 on one generated world: a 500-line cart, a one-line cart, and re-pricing after one
    line changed, alternating the two carts so every call follows a change."""

    def __init__(self, rnd: random.Random, world: World, products: dict[str, ProductFacts], books: BookIndex):
        self.products, self.books = products, books
        self.index = PromotionIndex(promotions(rnd, 10_000, world))
        self.cart = cart_of(rnd, 500, world)
        self.one = Cart(currency="CNY", lines=self.cart.lines[:1])
        lines = list(self.cart.lines)
        lines[250] = CartLine(sku=lines[250].sku, quantity=lines[250].quantity + 1)
        changed = Cart(currency="CNY", lines=tuple(lines))
        self.session = pricer("CNY", CONTEXT, products, books, self.index)
        self.session.price(self.cart)
        self.carts = itertools.cycle([changed, self.cart])
        # The same answer either way: incremental re-pricing is the full price of the changed cart.
        self.result = price(changed, CONTEXT, products, books, self.index)
        assert msgspec.json.encode(self.session.price(changed)) == msgspec.json.encode(self.result)

    def works(self, prefix: str, repeat: int) -> dict[str, tuple[Callable[[], object], int]]:
        return {
            f"{prefix}full": (
                lambda: price(self.cart, CONTEXT, self.products, self.books, self.index),
                max(5, repeat // 15),
            ),
            f"{prefix}one": (lambda: price(self.one, CONTEXT, self.products, self.books, self.index), repeat),
            f"{prefix}reprice": (lambda: self.session.price(next(self.carts)), max(20, repeat // 3)),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rnd = random.Random(20261123)
    world = World.of(1)
    products = catalogue(rnd, world)
    all_books = books(rnd, world)
    entries = sum(len(b.entries) for b in all_books)
    rules = promotions(rnd, 1000, world)
    book_index = BookIndex(all_books, CONTEXT, "CNY")
    promotion_index = PromotionIndex(rules)
    cart = cart_of(rnd, 100, world)
    naive_books, naive_rules = NaiveBooks(all_books), NaivePromotions(rules)
    # Ten times the promotions on the same catalogue: each line meets six times as many as in PRICE-1.
    dense = LargeCart(rnd, world, products, book_index)
    # Ten times the promotions on a catalogue ten times as large: each line meets as many as in PRICE-1.
    rnd_large = random.Random(20261124)
    large_world = World.of(10)
    large_products = catalogue(rnd_large, large_world)
    large_books = BookIndex(books(rnd_large, large_world), CONTEXT, "CNY")
    scaled = LargeCart(rnd_large, large_world, large_products, large_books)
    assert msgspec.json.encode(
        price(cart, CONTEXT, products, naive_books, naive_rules)
    ) == msgspec.json.encode(price(cart, CONTEXT, products, book_index, promotion_index))
    # What the server does once loaded (portal.asgi): what is alive leaves the collector's generations.
    gc.collect()
    gc.freeze()

    print(machine())
    samples, cpu = interleaved(
        {
            "engine": (lambda: price(cart, CONTEXT, products, book_index, promotion_index), args.repeat),
            "cold": (
                lambda: price(
                    cart, CONTEXT, products, BookIndex(all_books, CONTEXT, "CNY"), PromotionIndex(rules)
                ),
                max(5, args.repeat // 30),
            ),
            "naive": (
                lambda: price(cart, CONTEXT, products, naive_books, naive_rules),
                max(5, args.repeat // 30),
            ),
            **scaled.works("", args.repeat),
            **dense.works("dense ", args.repeat),
        },
        args.rounds,
    )
    median = {name: Figure(rounds, 0.5).value for name, rounds in samples.items()}
    p99 = {name: Figure(rounds, 0.99) for name, rounds in samples.items()}
    # process_time ticks coarsely on some systems: the mean CPU per call over all samples.
    cpu_mean = {name: statistics.fmean(values) for name, values in cpu.items()}
    print(f"PRICE-1: 100-line cart, 1,000 promotions, {entries:,} price-book entries, {args.rounds} rounds")
    print(f"  the result: {density(price(cart, CONTEXT, products, book_index, promotion_index))}")
    print(
        f"  engine (indexes prepared once)   p50 {median['engine']:8.2f} ms   p99 {p99['engine']}"
        "   (target p99 <= 2 ms)"
    )
    print(f"  engine, indexes built per call   p50 {median['cold']:8.2f} ms")
    print(f"  naive loop                       p50 {median['naive']:8.2f} ms   p99 {p99['naive']}")
    print(
        f"  ratio engine / naive             {median['engine'] / median['naive']:8.3f}        (target <= 0.10)"
    )
    blocks = [
        ("", "20,000 SKUs (the rule set and the catalogue both ten times PRICE-1's)", "   (target <= 20 ms)"),
        ("dense ", "PRICE-1's 2,000 SKUs (stress: six times PRICE-1's promotions on each line)", ""),
    ]
    for prefix, catalogue_size, target in blocks:
        found = scaled if not prefix else dense
        print(f"PRICE-2{' (dense)' if prefix else ''}: 500-line cart, 10,000 promotions, {catalogue_size}")
        print(f"  the result: {density(found.result)}")
        print(
            f"  full price                       p50 {median[prefix + 'full']:8.2f} ms   "
            f"p99 {p99[prefix + 'full']}{target}"
        )
        print(f"  one-line cart                    p50 {median[prefix + 'one']:8.2f} ms")
        print(
            f"  re-price after one line changed  p50 {median[prefix + 'reprice']:8.2f} ms   "
            f"p99 {p99[prefix + 'reprice']}"
        )
        print(
            f"  ratio re-price / one line        "
            f"{median[prefix + 'reprice'] / median[prefix + 'one']:8.2f}        (target <= 2)"
        )
        print(f"  ratio full / one line            {median[prefix + 'full'] / median[prefix + 'one']:8.1f}")
    print("CPU per call (mean of the same samples; the figure least disturbed by other work on the machine)")
    print(
        f"  PRICE-1 engine {cpu_mean['engine']:.2f} ms, naive {cpu_mean['naive']:.2f} ms, "
        f"ratio {cpu_mean['engine'] / cpu_mean['naive']:.3f}"
    )
    for prefix in ("", "dense "):
        print(
            f"  PRICE-2{' (dense)' if prefix else ''} full {cpu_mean[prefix + 'full']:.2f} ms, "
            f"one line {cpu_mean[prefix + 'one']:.2f} ms, re-price {cpu_mean[prefix + 'reprice']:.2f} ms, "
            f"ratio re-price / one line {cpu_mean[prefix + 'reprice'] / cpu_mean[prefix + 'one']:.2f}"
        )


if __name__ == "__main__":
    main()
