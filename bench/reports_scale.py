"""Partner KPIs at channel scale (REPORT-1): 2,000 partners, 10,000,000 order lines, 1,000,000
partner-report lines on PostgreSQL; the rollup rebuild time and the warm time of the manufacturer
overview and of one partner's scorecard.

    .venv/bin/python -m bench.reports_scale [--scale 0.05] [--runs 5]

The channel is written by set-based SQL (generate_series) into the scratch database
``bench_reports_scale``: 40 tier-1 distributors, 160 dealers, 1,800 stores; a year of orders of
ten lines each from every partner to its supplier, most shipped and received, a fifth with a
promotion; weekly stock and sell-out reports from the stores. ``--scale`` shrinks orders and
reports (not the partners) for a quick run. Then ``rollups.rebuild`` folds everything, and the
overview (a quarter, the whole channel) and a tier-1 distributor's scorecard are timed through
the services, after one warm-up, as the median of ``--runs``, without a category filter and with
one (``--category``, a root category: a quarter of the products, three leaf categories below it).

The catalogue: 300 products SKU-0..SKU-299 in twelve leaf categories, three under each of four root
categories (HOME, GARDEN, TOOLS, LIGHT). ``--database`` names the scratch database; ``--keep``
reuses the channel an earlier run generated (the rollups are rebuilt; ``--timings-only`` skips that).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import time
from datetime import UTC, datetime

from bench.scratch import PG_SERVER, scratch_database

TIER1, TIER2, STORES = 40, 160, 1800
LINES_PER_ORDER = 10
LINES_PER_REPORT = 10
TODAY = datetime(2026, 11, 23, 12, tzinfo=UTC)


def channel_sql(tier1: int = TIER1, tier2: int = TIER2, stores: int = STORES) -> list[str]:
    """The manufacturer, ``tier1`` distributors, ``tier2`` dealers spread over them and ``stores``
    spread over the dealers; ``bench_partner`` numbers every partner from 0."""
    per_dealer = max(tier2 // tier1, 1)
    per_store = -(-stores // tier2)
    return [
        """INSERT INTO channel_partner_level (id, code, name, rank) VALUES
           (gen_random_uuid(), 'PLATINUM', 'Platinum', 1), (gen_random_uuid(), 'GOLD', 'Gold', 2),
           (gen_random_uuid(), 'SILVER', 'Silver', 3)""",
        """INSERT INTO channel_region (id, code, name)
           SELECT gen_random_uuid(), r, r FROM unnest(ARRAY['EAST', 'NORTH', 'SOUTH', 'WEST']) r""",
        """INSERT INTO channel_organisation (id, kind, code, name, path, depth, currency, locale, status,
             credit_limit, contact_email, phone, city, country, created_at, updated_at)
           VALUES (gen_random_uuid(), 'manufacturer', 'M', 'Manufacturer', 'M/', 0, 'EUR', 'en', 'active',
             0, '', '', '', '', '2024-01-01', '2024-01-01')""",
        # tier-1 distributors D001.., dealers E001.. (four per distributor), stores S0001.. (as many as 2,000 need)
        f"""INSERT INTO channel_organisation (id, kind, code, name, supplier, path, depth, currency, locale,
             status, credit_limit, partner_level, region, contact_email, phone, city, country, created_at, updated_at)
           SELECT gen_random_uuid(), 'distributor', 'D' || lpad(n::text, 3, '0'), 'Distributor ' || n,
             (SELECT id FROM channel_organisation WHERE code = 'M'), 'M/D' || lpad(n::text, 3, '0') || '/', 1,
             'EUR', 'en', 'active', 0,
             (SELECT id FROM channel_partner_level ORDER BY rank OFFSET n % 3 LIMIT 1),
             (SELECT id FROM channel_region ORDER BY code OFFSET n % 4 LIMIT 1), '', '', '', '', '2024-01-01', '2024-01-01'
           FROM generate_series(1, {tier1}) n""",  # noqa: S608 (figures of this module only)
        f"""INSERT INTO channel_organisation (id, kind, code, name, supplier, path, depth, currency, locale,
             status, credit_limit, partner_level, region, contact_email, phone, city, country, created_at, updated_at)
           SELECT gen_random_uuid(), 'distributor', 'E' || lpad(n::text, 3, '0'), 'Dealer ' || n, d.id,
             d.path || 'E' || lpad(n::text, 3, '0') || '/', 2, 'EUR', 'en', 'active', 0, d.partner_level, d.region,
             '', '', '', '', '2024-01-01', '2024-01-01'
           FROM generate_series(1, {tier2}) n
           JOIN channel_organisation d ON d.code = 'D' || lpad(((n - 1) / {per_dealer} + 1)::text, 3, '0')""",  # noqa: S608 (figures of this module only)
        f"""INSERT INTO channel_organisation (id, kind, code, name, supplier, path, depth, currency, locale,
             status, credit_limit, region, contact_email, phone, city, country, created_at, updated_at)
           SELECT gen_random_uuid(), 'store', 'S' || lpad(n::text, 4, '0'), 'Store ' || n, e.id,
             e.path || 'S' || lpad(n::text, 4, '0') || '/', 3, 'EUR', 'en', 'active', 0, e.region,
             '', '', '', '', '2025-06-01'::timestamptz + (n % 500) * interval '1 day', '2025-06-01'
           FROM generate_series(1, {stores}) n
           JOIN channel_organisation e ON e.code = 'E' || lpad(((n - 1) / {per_store} + 1)::text, 3, '0')""",  # noqa: S608 (figures of this module only)
        """CREATE TEMP TABLE bench_partner AS
           SELECT row_number() OVER (ORDER BY code) - 1 AS n, id, supplier, path, kind
           FROM channel_organisation WHERE supplier IS NOT NULL""",
    ]


ROOTS = ("HOME", "GARDEN", "TOOLS", "LIGHT")
CATALOGUE_SQL = [
    f"""INSERT INTO pricing_category (code, path, names, position)
       SELECT r, r || '/', json_build_object('en', initcap(r)), i
       FROM unnest(ARRAY{list(ROOTS)}) WITH ORDINALITY AS t(r, i)""",  # noqa: S608 (figures of this module only)
    """INSERT INTO pricing_category (code, path, names, position)
       SELECT c.code || '-' || n, c.path || c.code || '-' || n || '/', json_build_object('en', c.code || ' ' || n), n
       FROM pricing_category c CROSS JOIN generate_series(1, 3) n""",
    """INSERT INTO pricing_product (sku, names, category_path)
       SELECT 'SKU-' || n, json_build_object('en', 'Product ' || n),
         (SELECT path FROM pricing_category WHERE path LIKE '%/%/' ORDER BY path OFFSET n % 12 LIMIT 1)
       FROM generate_series(0, 299) n""",
]


CHANNEL_SQL = channel_sql()


def orders_sql(orders: int, partners: int = TIER1 + TIER2 + STORES) -> list[str]:
    """Orders spread over the year before TODAY, each partner buying from its supplier."""
    return [
        f"""INSERT INTO ordering_order (id, number, supplier_id, buyer_id, buyer_path, status, currency, total,
             line_count, note, reason, placed_by, created_at, updated_at)
           SELECT gen_random_uuid(), 'B' || g, p.supplier, p.id, p.path,
             CASE WHEN g % 20 = 0 THEN 'cancelled' WHEN g % 10 = 1 THEN 'approved'
                  WHEN g % 10 = 2 THEN 'shipped' ELSE 'received' END,
             'EUR', ((g % 97) * 10 + 150)::numeric * {LINES_PER_ORDER} / 10, {LINES_PER_ORDER}, '', '', 'bench',
             '{TODAY:%Y-%m-%d}'::timestamptz - (g % 365) * interval '1 day' - (g % 600) * interval '1 minute',
             LEAST('{TODAY:%Y-%m-%d}'::timestamptz - (g % 365) * interval '1 day' + interval '3 days',
                   '{TODAY:%Y-%m-%d}'::timestamptz - interval '1 hour')
           FROM generate_series(1, {orders}) g JOIN bench_partner p ON p.n = g % {partners}""",  # noqa: S608 (figures of this module only)
        f"""INSERT INTO ordering_order_line (id, order_id, position, sku, quantity, free_quantity, net_total,
             priced, allocated, shipped, received)
           SELECT gen_random_uuid(), o.id, l, 'SKU-' || (l * 7 + length(o.number)) % 300, 1 + l % 5, 0,
             (o.total / {LINES_PER_ORDER})::numeric(14, 2),
             CASE WHEN right(o.number, 1) IN ('3', '7') AND l = 1
                  THEN '{{"promotion_ids": ["00000000-0000-0000-0000-000000000001"]}}'
                  ELSE '{{"promotion_ids": []}}' END::json,
             0, CASE WHEN o.status IN ('shipped', 'received') THEN 1 + l % 5 ELSE 0 END,
             CASE WHEN o.status = 'received' THEN 1 + l % 5 ELSE 0 END
           FROM ordering_order o CROSS JOIN generate_series(1, {LINES_PER_ORDER}) l""",  # noqa: S608 (figures of this module only)
        """INSERT INTO ordering_shipment (id, number, order_id, status, carrier, tracking, packages, shipped_by,
             shipped_at, received_by, received_at, discrepancy)
           SELECT gen_random_uuid(), 'SH' || o.number, o.id, CASE WHEN o.status = 'received' THEN 'received'
             ELSE 'shipped' END, '', '', 1, '', LEAST(o.created_at + (length(o.number) % 5) * interval '1 day', o.updated_at),
             '', CASE WHEN o.status = 'received' THEN o.updated_at END, ''
           FROM ordering_order o WHERE o.status IN ('shipped', 'received')""",
    ]


def reports_sql(reports: int) -> list[str]:
    """Weekly stock and sell-out reports from the stores, ten lines each."""
    return [
        f"""INSERT INTO reports_partner_report (id, organisation_id, organisation_path, kind, report_date, revision,
             current, source, file_name, line_count, total_quantity, submitted_by, submitted_at)
           SELECT gen_random_uuid(), p.id, p.path, CASE WHEN g % 2 = 0 THEN 'stock' ELSE 'sell_out' END,
             '{TODAY:%Y-%m-%d}'::date - ((g / 3600) * 7 % 364 + (g % 2))::int, 1, true, 'api', '',
             {LINES_PER_REPORT}, 0, 'bench', '{TODAY:%Y-%m-%d}'
           FROM generate_series(0, {reports - 1}) g
           JOIN bench_partner p ON p.n = 200 + (g / 2) % 1800
           ON CONFLICT DO NOTHING""",  # noqa: S608 (figures of this module only)
        f"""INSERT INTO reports_partner_report_line (report_id, organisation_id, kind, report_date, sku, quantity, amount)
           SELECT r.id, r.organisation_id, r.kind, r.report_date, 'SKU-' || l, 1 + l % 7,
             CASE WHEN r.kind = 'sell_out' THEN ((1 + l % 7) * 25)::numeric END
           FROM reports_partner_report r CROSS JOIN generate_series(1, {LINES_PER_REPORT}) l""",  # noqa: S608 (figures of this module only)
    ]


def _pgbench_figure() -> str:
    try:
        out = subprocess.run(
            ["pgbench", "--version"], capture_output=True, text=True, check=False, timeout=10
        ).stdout.strip()
    except OSError:
        return "pgbench not available"
    return out


async def _timed(work: object, runs: int) -> tuple[float, list[float]]:
    from collections.abc import Awaitable, Callable

    assert callable(work)
    call: Callable[[], Awaitable[object]] = work  # type: ignore[assignment]
    await call()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


async def run(scale: float, runs: int, database: str, keep: bool, timings_only: bool, category: str) -> None:
    if keep:
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{database}"
    else:
        await scratch_database("postgresql", database)
    from channel.roles import OrgKind, Role
    from channel.tables import Organisation
    from channel.transactions import engine
    from channel.visibility import Actor
    from core.clock import FixedClock
    from reports import rollups, schemas
    from reports.kpis import PeriodKind
    from reports.services import scorecards

    db = engine()
    await db.start_connection_pool(min_size=2, max_size=4)
    orders = int(10_000_000 * scale) // LINES_PER_ORDER
    reports = int(1_000_000 * scale) // LINES_PER_REPORT
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"server: {PG_SERVER}; {_pgbench_figure()}")
    print(
        f"scale {scale}: {TIER1 + TIER2 + STORES} partners, {orders:,} orders, {orders * LINES_PER_ORDER:,} order lines, "
        f"{reports * LINES_PER_REPORT:,} report lines"
    )

    clock = FixedClock(TODAY)
    if keep:
        print(f"reusing the channel already generated in {database}")
    else:
        started = time.perf_counter()
        async with db.transaction():
            for statement in CHANNEL_SQL + CATALOGUE_SQL + orders_sql(orders) + reports_sql(reports):
                await db.run_ddl(statement)  # run as written: no placeholders to fill
        await db.run_ddl("ANALYZE")
        print(f"generated in {time.perf_counter() - started:.1f} s")
    if not timings_only:
        started = time.perf_counter()
        written = await rollups.rebuild(clock)
        rebuild = time.perf_counter() - started
        # as autovacuum would after the bulk load: statistics, and the visibility map for index-only reads
        for table in ("reports_rollup", "reports_rollup_month", "reports_rollup_category"):
            await db.run_ddl(f"VACUUM ANALYZE {table}")
        print(f"rollup rebuild: {rebuild:.1f} s, {written:,} rollup rows (daily, per category)")

    manufacturer = (
        await Organisation.select(Organisation.id, Organisation.path).where(Organisation.code == "M").first()
    )
    partner = await Organisation.select(Organisation.id).where(Organisation.code == "D001").first()
    assert manufacturer and partner
    actor = Actor(
        organisation_id=manufacturer["id"],
        organisation_kind=OrgKind.MANUFACTURER,
        organisation_path=manufacturer["path"],
        roles=frozenset({Role.MANUFACTURER_ADMIN}),
        label="bench",
    )

    async def overview() -> object:
        return await scorecards.overview(actor, schemas.OverviewFilter(period=PeriodKind.QUARTER), clock)

    async def scorecard() -> object:
        return await scorecards.scorecard(actor, partner["id"], PeriodKind.QUARTER, None, clock)

    async def overview_of_category() -> object:
        return await scorecards.overview(
            actor, schemas.OverviewFilter(period=PeriodKind.QUARTER, category=category), clock
        )

    async def scorecard_of_category() -> object:
        return await scorecards.scorecard(actor, partner["id"], PeriodKind.QUARTER, None, clock, category)

    async def refresh() -> object:
        return await rollups.refresh(clock)

    for name, work in (
        ("overview (quarter, 2,000 partners)", overview),
        ("scorecard (tier-1 distributor)", scorecard),
        (f"overview (quarter, 2,000 partners, category {category})", overview_of_category),
        (f"scorecard (tier-1 distributor, category {category})", scorecard_of_category),
        ("incremental refresh, nothing new", refresh),
    ):
        median, times = await _timed(work, runs)
        verdict = "" if "refresh" in name else (" OK" if median < 1 else " OVER the 1 s target")
        print(
            f"{name}: median {median * 1000:.0f} ms of {runs} warm runs "
            f"({', '.join(f'{t * 1000:.0f}' for t in times)}){verdict}"
        )
    await db.close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 10M lines and 1M report lines")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="bench_reports_scale", help="scratch PostgreSQL database")
    parser.add_argument("--keep", action="store_true", help="reuse the channel generated by an earlier run")
    parser.add_argument("--timings-only", action="store_true", help="with --keep: no rollup rebuild either")
    parser.add_argument("--category", default=ROOTS[0], help="category code of the filtered timings")
    args = parser.parse_args()
    asyncio.run(run(args.scale, args.runs, args.database, args.keep, args.timings_only, args.category))


if __name__ == "__main__":
    main()
