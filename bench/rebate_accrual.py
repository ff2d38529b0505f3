"""Rebate accrual at channel scale: a quarterly programme enrolling 2,000 partners over 10,000,000
order lines on PostgreSQL; the time to accrue the running quarter for every partner (the owner's
overview), to settle the quarter before it, and the per-line Python path it replaced as a baseline.

    .venv/bin/python -m bench.rebate_accrual [--partners 2000] [--lines 10000000] [--runs 3]
        [--database bench_incent]

The channel and its year of orders come from ``bench.reports_scale``'s set-based generator
(generate_series; 10 lines an order, most received); this bench adds approved returns of one unit
on one line of every fiftieth received order, so returns net off. The programme pays 1% from
20,000, 2% from 60,000 and 3% from 120,000 of sell-in per quarter (for 5,000 lines a partner, scaled
for a smaller run) to everyone under the manufacturer. Accrual and settlement go through the services, as the pages and the API call them.

The baseline loads one tier-1 distributor's subtree line by line and sums ``rebates.line_volume``
in Python (the exact definition): its volumes must equal the set-based ones, and its time per line
is scaled to the whole channel for the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bench.reports_scale import LINES_PER_ORDER, TODAY, channel_sql, orders_sql
from bench.scratch import PG_SERVER, scratch_database

TARGET_SECONDS = 60
RETURNS_SQL = """INSERT INTO ordering_order_return (id, order_id, order_line_id, sku, quantity, reason,
     status, requested_by, requested_at, decided_by, decided_at, answer)
   SELECT gen_random_uuid(), o.id, l.id, l.sku, 1, 'bench', 'approved', 'bench', o.updated_at, 'bench',
     o.updated_at, ''
   FROM ordering_order o JOIN ordering_order_line l ON l.order_id = o.id AND l.position = 3
   WHERE o.status = 'received' AND right(o.number, 2) IN ('17', '67')"""


def _sizes(partners: int) -> tuple[int, int, int]:
    """Tier-1 distributors, dealers and stores in the proportions of the 2,000-partner channel."""
    tier1 = max(1, round(partners * 40 / 2000))
    tier2 = max(1, round(partners * 160 / 2000))
    return tier1, tier2, max(1, partners - tier1 - tier2)


async def run(partners: int, lines: int, runs: int, database: str) -> None:
    console = Console()
    await scratch_database("postgresql", database)
    from channel.roles import OrgKind, Role
    from channel.tables import Organisation
    from channel.transactions import engine
    from channel.visibility import Actor
    from core.clock import FixedClock
    from incentives import rebates, repository, schemas
    from incentives.rebates import Definition, PeriodKind, SellIn, Tier
    from incentives.services import programmes, settlements

    db = engine()
    await db.start_connection_pool(min_size=2, max_size=4)
    tier1, tier2, stores = _sizes(partners)
    orders = lines // LINES_PER_ORDER
    console.print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; server: {PG_SERVER}/{database}"
    )
    console.print(
        f"channel: {tier1 + tier2 + stores:,} partners ({tier1} distributors, {tier2} dealers, {stores} stores), "
        f"{orders:,} orders, {orders * LINES_PER_ORDER:,} order lines"
    )

    # the returns join lines to orders: with fresh statistics that is a hash join, not a nested loop
    statements = [
        *channel_sql(tier1, tier2, stores),
        *orders_sql(orders, tier1 + tier2 + stores),
        "ANALYZE ordering_order, ordering_order_line",
        RETURNS_SQL,
    ]
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("generating the channel", total=len(statements) + 1)
        async with db.transaction():
            for statement in statements:
                progress.update(task, description=f"generating: {statement.split()[2]}")
                await db.run_ddl(statement)  # run as written: no placeholders to fill
                progress.advance(task)
        progress.update(task, description="ANALYZE")
        await db.run_ddl("ANALYZE")
        progress.advance(task)
    counted = await db.run_ddl(
        "SELECT (SELECT count(*) FROM ordering_order_line) AS lines, "
        "(SELECT count(*) FROM ordering_order_return) AS returns"
    )
    console.print(
        f"generated in {time.perf_counter() - started:.1f} s: {counted[0]['lines']:,} lines, "
        f"{counted[0]['returns']:,} approved returns"
    )

    clock = FixedClock(TODAY)
    manufacturer = (
        await Organisation.select(Organisation.id, Organisation.path).where(Organisation.code == "M").first()
    )
    assert manufacturer is not None
    actor = Actor(
        organisation_id=manufacturer["id"],
        organisation_kind=OrgKind.MANUFACTURER,
        organisation_path=manufacturer["path"],
        roles=frozenset({Role.MANUFACTURER_ADMIN}),
        label="bench",
    )
    # thresholds for 5,000 lines a partner a year, scaled to a smaller run's lines per partner
    scale = Decimal(lines) / Decimal(partners) / Decimal(5000)
    definition = Definition(
        period=PeriodKind.QUARTER,
        basis=SellIn(),
        tiers=tuple(
            Tier(threshold=(Decimal(threshold) * scale).quantize(Decimal(1)), percent=Decimal(percent))
            for threshold, percent in ((20_000, 1), (60_000, 2), (120_000, 3))
        ),
    )
    programme = await programmes.create_programme(
        actor,
        schemas.ProgrammeCreate(
            code="BENCH-Q",
            name="Quarterly channel rebate",
            currency="EUR",
            starts_on=date(2026, 7, 1),
            definition=definition,
        ),
        clock,
    )

    async def accrue() -> list[schemas.PartnerAccrual]:
        return await settlements.programme_accruals(actor, programme.id, clock)

    times: list[float] = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("accruing the running quarter", total=runs + 1)
        for _ in range(runs + 1):
            began = time.perf_counter()
            accruals = await accrue()
            times.append(time.perf_counter() - began)
            progress.advance(task)
    earned = sum((a.accrual.earned.amount for a in accruals), Decimal(0))
    reached = sum(1 for a in accruals if a.accrual.earned.tier is not None)
    median = statistics.median(times[1:]) if runs else times[0]
    verdict = "OK" if max(times) < TARGET_SECONDS else f"OVER the {TARGET_SECONDS} s target"
    console.print(
        f"accrual of Q4 to {TODAY:%d %b} for {len(accruals):,} partners: first {times[0]:.2f} s, "
        f"median of {runs} more {median:.2f} s ({', '.join(f'{t:.2f}' for t in times[1:])}) {verdict}; "
        f"{reached:,} partners in a tier, {earned:,.2f} EUR earned so far"
    )

    with console.status("settling Q3 (proposals for every partner that earned)"):
        began = time.perf_counter()
        run_ = await settlements.settle_period(
            actor, programme.id, schemas.SettleCommand(period_day=date(2026, 9, 30)), clock
        )
        settled = time.perf_counter() - began
    console.print(
        f"settlement of Q3: {settled:.2f} s, {len(run_.proposed):,} proposals "
        f"({sum((s.amount for s in run_.proposed), Decimal(0)):,.2f} EUR), {run_.unchanged:,} with nothing to pay"
    )

    distributor = await Organisation.select(Organisation.path).where(Organisation.code == "D001").first()
    assert distributor is not None
    period = rebates.period_of(PeriodKind.QUARTER, TODAY.date())
    with console.status("baseline: the per-line Python path over D001's subtree"):
        began = time.perf_counter()
        sale_lines = await repository.sell_in_lines(distributor["path"], period.start, period.end)
        exact: dict[Any, Decimal] = {
            partner: sum((rebates.line_volume(line, exclude_free_goods=True) for line in found), Decimal(0))
            for partner, found in sale_lines.items()
        }
        baseline = time.perf_counter() - began
    fast = {a.partner_id: a.accrual.volume for a in accruals if a.partner_id in exact}
    loaded = sum(len(found) for found in sale_lines.values())
    whole = await Organisation.raw(
        "SELECT count(*) AS lines FROM ordering_order_line l JOIN ordering_order o ON o.id = l.order_id "
        "WHERE o.status IN ('received', 'closed') AND o.created_at >= {} AND o.created_at < {}",
        datetime.combine(period.start, datetime.min.time(), tzinfo=UTC),
        datetime.combine(period.end, datetime.min.time(), tzinfo=UTC),
    )
    channel_lines = int(whole[0]["lines"])
    scaled = baseline * channel_lines / max(loaded, 1)
    same = (
        "equal"
        if fast == {p: v for p, v in exact.items() if p in fast} and len(fast) == len(exact)
        else "DIFFERENT"
    )
    console.print(
        f"baseline, per line in Python: {loaded:,} lines of {len(exact)} partners in {baseline:.2f} s "
        f"(~{scaled:.0f} s for the quarter's {channel_lines:,} received lines); set-based volumes {same}; "
        f"set-based is ~{scaled / max(median, 1e-9):.0f}x faster"
    )
    await db.close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default="bench_incent")
    args = parser.parse_args()
    asyncio.run(run(args.partners, args.lines, args.runs, args.database))


if __name__ == "__main__":
    main()
