"""DB-1 for orders (docs/performance.md): statements per order submission for 1, 20, 100 and 500 lines.

    .venv/bin/python -m bench.order_statements [--database postgresql] [--name bench_orders]

Builds a scratch database (a temporary SQLite file, or the PostgreSQL database ``bench_orders`` or
``--name``, dropped and recreated) through the migrations, a channel of a manufacturer, a distributor and a
store, 500 products on the list price, and counts the SQL statements the engine runs while the
store submits an order of N lines, the distributor approves it (reserving stock) and ships it, and
the store receives it. Every step should cost the same number of statements whatever N (the
reads of the pricing data, which an order makes only when it changed since the process last
read it, are shown apart); prints the median wall time of each over three
interleaved runs, and time(500) / time(20) for submission and approval (target <= 10).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from bench.scratch import scratch_database

SIZES = (1, 20, 100, 500)
ROUNDS = 3


async def run(kind: str, name: str) -> None:
    await scratch_database(kind, name)

    from bench.seed import order_channel
    from channel.transactions import engine, is_postgres
    from core.clock import SystemClock
    from ordering import schemas
    from ordering.services import orders, stock
    from pricing.services import pricing

    if is_postgres():
        await engine().start_connection_pool(min_size=2, max_size=4)
    clock = SystemClock()
    channel = await order_channel(max(SIZES))
    buyer, seller, skus = channel.buyers[0], channel.seller, channel.skus
    for sku in skus:
        await stock.adjust(seller, schemas.StockAdjustment(sku=sku, quantity=100_000, reason="bench"), clock)

    counted = {"n": 0, "pricing": 0}
    engine_class = type(engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        counted["n"] += 1
        return await original(self, querystring, in_pool)

    engine_class.run_querystring = counting  # type: ignore[method-assign]
    data_at = pricing.data_at

    async def counted_pricing(*args: Any, **kwargs: Any) -> Any:
        before = counted["n"]
        try:
            return await data_at(*args, **kwargs)
        finally:
            counted["pricing"] += counted["n"] - before

    pricing.data_at = counted_pricing  # type: ignore[assignment]

    async def measure(step: Any) -> tuple[Any, int, int, float]:
        counted["n"] = counted["pricing"] = 0
        started = time.perf_counter()
        result = await step()
        return result, counted["n"], counted["pricing"], (time.perf_counter() - started) * 1000

    figures: dict[int, list[tuple[int, int, int, int, int, float, float, float, float]]] = {
        s: [] for s in SIZES
    }
    for _round in range(ROUNDS):  # interleaved: every size once per round
        for size in SIZES:
            command = schemas.OrderCreate(
                lines=[schemas.OrderLineRequest(sku=s, quantity=1) for s in skus[:size]]
            )
            placed, submit_n, pricing_n, submit_ms = await measure(
                lambda command=command: orders.submit_order(buyer, command, clock)
            )
            _, approve_n, _, approve_ms = await measure(
                lambda placed=placed: orders.decide(
                    seller, placed.id, schemas.OrderDecision(decision="approve"), clock
                )
            )
            shipped, ship_n, _, ship_ms = await measure(
                lambda placed=placed: orders.ship(seller, placed.id, schemas.ShipmentCreate(), clock)
            )
            _, receive_n, _, receive_ms = await measure(
                lambda placed=placed, shipped=shipped: orders.receive(
                    buyer, placed.id, shipped.shipments[0].id, schemas.ReceiptCreate(), clock
                )
            )
            figures[size].append(
                (
                    submit_n,
                    pricing_n,
                    approve_n,
                    ship_n,
                    receive_n,
                    submit_ms,
                    approve_ms,
                    ship_ms,
                    receive_ms,
                )
            )
    print(f"DB-1 / ORDER-2 on {kind}: SQL statements per step of one order (median ms of {ROUNDS} runs)")
    print(
        f"{'lines':>6} {'submit':>7} {'of it pricing data':>18} {'ms':>7} {'approve':>8} {'ms':>7} "
        f"{'ship':>5} {'ms':>7} {'receive':>8} {'ms':>7}"
    )
    medians = {}
    for size in SIZES:
        runs = figures[size]
        n = runs[-1]
        ms = [statistics.median(r[i] for r in runs) for i in range(5, 9)]
        medians[size] = ms
        print(
            f"{size:>6} {n[0]:>7} {n[1]:>18} {ms[0]:>7.1f} {n[2]:>8} {ms[1]:>7.1f} "
            f"{n[3]:>5} {ms[2]:>7.1f} {n[4]:>8} {ms[3]:>7.1f}"
        )
    first = figures[SIZES[0]][0]
    print(
        f"the first order, reading the pricing data: {first[0]} statements, of them pricing data {first[1]}"
    )
    for i, step in enumerate(("submit", "approve")):
        ratio = medians[500][i] / medians[20][i]
        print(f"{step}: time(500) / time(20) = {ratio:.1f} (target <= 10)")
    print(f"500-line order, submit end to end with pricing: {medians[500][0]:.0f} ms (target < 1,000)")
    if is_postgres():
        await engine().close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--name", default="bench_orders", help="scratch database's name (dropped!)")
    args = parser.parse_args()
    asyncio.run(run(args.database, args.name))


if __name__ == "__main__":
    main()
