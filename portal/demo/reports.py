"""The demo's stock and sell-out reports: a dozen stores and Huadong report, so the channel
inventory shows reported stock beside the ledger, days of supply and alerts."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from channel import repository as channel_repository
from channel import schemas as channel_schemas
from channel.roles import OrgKind
from channel.services import access, partners
from core.clock import Clock
from portal.demo import network
from portal.demo.deals import person
from reports import schemas
from reports.reporting import ReportKind, ReportSource
from reports.services import inventory, submissions

# What the reporting stores carry and sell, with the units a store sells on a typical day at most.
ASSORTMENT = [("HOB-G2-60", 2), ("HOB-G3-75", 1), ("HOOD-T-90", 1), ("KETTLE-17", 4), ("FILTER-HOOD", 3)]
REPORTING_STORES = 12
SELL_OUT_DAYS = 35

STEPS = 1 + REPORTING_STORES + 1


async def load_reports(clock: Clock, advance: Callable[[str], None]) -> None:
    system = await access.system_actor()
    await inventory.set_schedule(system, schemas.Schedule(frequency="weekly", due_day=1), clock)
    await inventory.set_threshold(system, schemas.Threshold(sku="*", low_days=7, high_days=90), clock)
    await inventory.set_threshold(
        system, schemas.Threshold(sku="KETTLE-17", low_days=10, high_days=45), clock
    )
    advance("thresholds and the reporting schedule")
    chance = random.Random(2026)  # noqa: S311 (demo figures, not secrets)
    today = clock.now().date()
    stores = await partners.list_partners(
        system, channel_schemas.PartnerFilter(kind=OrgKind.STORE, limit=REPORTING_STORES)
    )
    for store in stores.items:
        manager = await person(f"manager@{store.code.lower()}.{await _domain_of(store.supplier_id)}", clock)
        sold = [
            schemas.LineIn(
                sku=sku, quantity=chance.randint(0, most), date=(today - timedelta(days=back)).isoformat()
            )
            for back in range(1, SELL_OUT_DAYS + 1)
            for sku, most in ASSORTMENT
        ]
        await submissions.submit_report(
            manager,
            schemas.ReportSubmission(kind=ReportKind.SELL_OUT, lines=sold),
            ReportSource.UPLOAD,
            clock,
        )
        on_hand = [schemas.LineIn(sku=sku, quantity=chance.randint(0, most * 12)) for sku, most in ASSORTMENT]
        await submissions.submit_report(
            manager,
            schemas.ReportSubmission(
                kind=ReportKind.STOCK, report_date=today - timedelta(days=1), lines=on_hand
            ),
            ReportSource.FORM,
            clock,
        )
        advance(store.code)
    # Huadong counts its warehouse too: a few units differ from what the ledger says.
    huadong = await person("admin@huadong.example", clock)
    counted = [
        ("HOB-G2-60", 38),
        ("HOB-G3-75", 20),
        ("HOOD-T-90", 15),
        ("KETTLE-17", 57),
        ("FILTER-HOOD", 100),
        ("WM-F8", 12),
    ]
    await submissions.submit_report(
        huadong,
        schemas.ReportSubmission(
            kind=ReportKind.STOCK,
            report_date=today - timedelta(days=1),
            lines=[schemas.LineIn(sku=sku, quantity=units) for sku, units in counted],
        ),
        ReportSource.API,
        clock,
    )
    advance("Huadong's stock count")


async def _domain_of(supplier_id: UUID | None) -> str:
    """The mail domain the demo gives the people of a distributor's stores."""
    assert supplier_id is not None
    place = await channel_repository.find_org_place(supplier_id)
    assert place is not None
    domains = {row[0]: row[-1] for row in (*network.DISTRIBUTORS, *network.DEALERS)}
    return domains[place.code]
