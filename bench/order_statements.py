"""DB-1 for orders (docs/performance.md): statements per order submission for 1, 20, 100 and 500 lines.

    .venv/bin/python -m bench.order_statements [--database postgresql]

Builds a scratch database (a temporary SQLite file, or the PostgreSQL database ``bench_orders``,
dropped and recreated) through the migrations, a channel of a manufacturer, a distributor and a
store, 500 products on the list price, and counts the SQL statements the engine runs while the
store submits an order of N lines, and while the distributor approves it (reserving stock per
line). Submission should cost the same number of statements whatever N; approval reserves line by
line, so it grows with N by design. Also prints the wall time of each.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from decimal import Decimal
from typing import Any

from bench.scratch import scratch_database

SIZES = (1, 20, 100, 500)


async def run(kind: str) -> None:
    await scratch_database(kind, "bench_orders")

    from channel import schemas as channel_schemas
    from channel.roles import OrgKind, PartnerStatus, Role
    from channel.services import access, partners, setup
    from channel.transactions import engine, is_postgres
    from channel.visibility import Actor
    from core.clock import SystemClock
    from ordering import schemas
    from ordering.services import orders, stock
    from pricing import schemas as pricing_schemas
    from pricing.services import catalogue, price_books

    if is_postgres():
        await engine().start_connection_pool(min_size=2, max_size=4)
    clock = SystemClock()
    await setup.create_manufacturer(
        setup.ManufacturerCreate(code="ACME", name="Acme", currency="EUR", locale="en"), clock
    )
    system = await access.system_actor()
    distributor = await partners.create_partner(
        system,
        channel_schemas.OrganisationCreate(
            supplier_id=system.organisation_id,
            kind=OrgKind.DISTRIBUTOR,
            code="DIST",
            name="Distributor",
            currency="EUR",
            locale="en",
            status=PartnerStatus.ACTIVE,
        ),
        clock,
    )
    store = await partners.create_partner(
        system,
        channel_schemas.OrganisationCreate(
            supplier_id=distributor.id,
            kind=OrgKind.STORE,
            code="SHOP",
            name="Shop",
            currency="EUR",
            locale="en",
            status=PartnerStatus.ACTIVE,
        ),
        clock,
    )
    await catalogue.create_category(
        system, pricing_schemas.CategoryCreate(code="ALL", names={"en": "All"}), clock
    )
    skus = [f"P-{n:04d}" for n in range(max(SIZES))]
    for sku in skus:
        await catalogue.create_product(
            system, pricing_schemas.ProductCreate(sku=sku, names={"en": sku}, category="ALL"), clock
        )
    await price_books.create_price_book(
        system,
        pricing_schemas.PriceBookCreate(
            code="LIST",
            currency="EUR",
            kind="list",
            entries=[pricing_schemas.PriceEntry(sku=sku, unit_price=Decimal("10")) for sku in skus],
        ),
        clock,
    )

    def actor(org: Any, kind: OrgKind, role: Role) -> Actor:
        return Actor(
            organisation_id=org.id,
            organisation_kind=kind,
            organisation_path=org.path if hasattr(org, "path") else "",
            roles=frozenset({role}),
            label="bench",
        )

    from channel import repository as channel_repository

    store_place = await channel_repository.find_org_place(store.id)
    dist_place = await channel_repository.find_org_place(distributor.id)
    assert store_place and dist_place
    buyer = actor(store_place, OrgKind.STORE, Role.STORE_MANAGER)
    seller = actor(dist_place, OrgKind.DISTRIBUTOR, Role.DISTRIBUTOR_ADMIN)
    for sku in skus:
        await stock.adjust(seller, schemas.StockAdjustment(sku=sku, quantity=1000, reason="bench"), clock)

    counted = {"n": 0}
    engine_class = type(engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        counted["n"] += 1
        return await original(self, querystring, in_pool)

    engine_class.run_querystring = counting  # type: ignore[method-assign]
    print(f"DB-1 on {kind}: statements per order")
    print(f"{'lines':>6} {'submit':>8} {'ms':>8} {'approve':>8} {'ms':>8}")
    for size in SIZES:
        command = schemas.OrderCreate(
            lines=[schemas.OrderLineRequest(sku=s, quantity=1) for s in skus[:size]]
        )
        counted["n"] = 0
        started = time.perf_counter()
        placed = await orders.submit_order(buyer, command, clock)
        submit_ms, submit_n = (time.perf_counter() - started) * 1000, counted["n"]
        counted["n"] = 0
        started = time.perf_counter()
        await orders.decide(seller, placed.id, schemas.OrderDecision(decision="approve"), clock)
        approve_ms, approve_n = (time.perf_counter() - started) * 1000, counted["n"]
        print(f"{size:>6} {submit_n:>8} {submit_ms:>8.1f} {approve_n:>8} {approve_ms:>8.1f}")
    if is_postgres():
        await engine().close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    asyncio.run(run(parser.parse_args().database))


if __name__ == "__main__":
    main()
