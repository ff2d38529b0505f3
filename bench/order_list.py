"""Order lists at scale: page 1 and page 1,000 of 200,000 orders, by keyset (created_at, id).

    .venv/bin/python -m bench.order_list [--database postgresql] [--orders 200000]

Loads the orders of one supplier and its 200 buyers straight into a scratch database (SQLite file
or the PostgreSQL database ``bench_order_list``), then times the supplier's inbox through the
service: page 1, and page 1,000 reached by following the cursors (the time of that one page is
what is printed, beside the median of the pages before it).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from bench.scratch import scratch_database

PAGE = 200


async def run(kind: str, count: int) -> None:
    await scratch_database(kind, "bench_order_list")
    from channel.roles import OrgKind, Role
    from channel.transactions import engine, is_postgres
    from channel.visibility import Actor
    from ordering import schemas
    from ordering.services import orders
    from ordering.tables import Order

    if is_postgres():
        await engine().start_connection_pool(min_size=2, max_size=4)
    supplier = uuid4()
    buyers = [uuid4() for _ in range(200)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    for offset in range(0, count, 2000):  # PostgreSQL takes at most 32,767 parameters
        await Order.insert(
            *(
                Order(
                    id=uuid4(),
                    number=f"SUP-{n:08d}",
                    supplier_id=supplier,
                    buyer_id=buyers[n % 200],
                    buyer_path=f"ACME/SUP/B{n % 200:03d}/",
                    status="received",
                    currency="EUR",
                    total=Decimal("100"),
                    line_count=3,
                    created_at=start + timedelta(minutes=n),
                    updated_at=start + timedelta(minutes=n),
                )
                for n in range(offset, min(count, offset + 2000))
            )
        )
    await engine().run_ddl("ANALYZE")  # as autovacuum would soon: statistics for the planner
    print(f"order lists on {kind}: {count:,} orders loaded in {time.perf_counter() - started:.0f} s")
    actor = Actor(
        organisation_id=supplier,
        organisation_kind=OrgKind.DISTRIBUTOR,
        organisation_path="ACME/SUP/",
        roles=frozenset({Role.DISTRIBUTOR_ADMIN}),
        label="bench",
    )
    timings = []
    cursor: str | None = None
    last = min(1000, -(-count // PAGE))  # page 1,000, or the last page of a smaller run
    for page in range(1, last + 1):
        t0 = time.perf_counter()
        found, cursor = await orders.list_orders(
            actor, schemas.OrderFilter(role="received", cursor=cursor, limit=PAGE)
        )
        timings.append(time.perf_counter() - t0)
        assert found and (cursor or page == last)
    print(
        f"  page 1: {timings[0] * 1000:.1f} ms; page {last:,} ({PAGE} a page): {timings[-1] * 1000:.1f} ms; "
        f"median of the pages between: {statistics.median(timings[1:-1]) * 1000:.1f} ms"
    )
    if is_postgres():
        await engine().close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--orders", type=int, default=200_000)
    args = parser.parse_args()
    asyncio.run(run(args.database, args.orders))


if __name__ == "__main__":
    main()
