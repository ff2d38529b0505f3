"""The channel inventory on a small hand-made channel, with every figure worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from channel.schemas import OrganisationUpdate
from channel.services import partners
from channel.services.notifications import inbox
from core.clock import FixedClock
from ordering import repository as ordering_repository
from ordering.stock import MovementKind
from reports import schemas
from reports.inventory import StockHealth
from reports.reporting import ReportKind, ReportSource
from reports.services import inventory, reminders, submissions
from tests.builders import World
from tests.integration.reports.report_world import with_catalogue


def _at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


async def _move(world: World, org: str, sku: str, kind: MovementKind, quantity: int, at: datetime) -> None:
    assert await ordering_repository.move(world.org_id(org), sku, kind, quantity, at, reason="test")


async def _report(
    world: World, actor: str, kind: ReportKind, day: date, clock: FixedClock, **lines: int
) -> None:
    await submissions.submit_report(
        world.actors[actor],
        schemas.ReportSubmission(
            kind=kind,
            report_date=day,
            lines=[schemas.LineIn(sku=sku.replace("_", "-"), quantity=q) for sku, q in lines.items()],
        ),
        ReportSource.API,
        clock,
    )


@pytest.fixture
async def channel(world: World, clock: FixedClock) -> World:
    """D1 trades through the portal only; S1 also reports its stock and sell-out.

    D1 HOB-1: +100 on 3 Nov, +50 on 18 Nov, 28 shipped on 20 Nov -> ledger 122, 28 sold in the window.
    S1 HOB-1: +30 received on 13 Nov (ledger 30); reports 12 on hand on 22 Nov, sold 14 on 20 Nov
    (and 100 on 20 Oct, outside the 28 days). S1 OVEN-2: reported 3, never in the ledger, never sold.
    """
    await with_catalogue(world, clock)
    await _move(world, "D1", "HOB-1", MovementKind.ADJUSTMENT, 100, _at(3))
    await _move(world, "D1", "HOB-1", MovementKind.ADJUSTMENT, 50, _at(18))
    await _move(world, "D1", "HOB-1", MovementKind.ALLOCATION, 28, _at(20))
    await _move(world, "D1", "HOB-1", MovementKind.SHIPMENT_OUT, 28, _at(20))
    await _move(world, "S1", "HOB-1", MovementKind.ADJUSTMENT, 30, _at(13))
    await _report(world, "s1_manager", ReportKind.STOCK, date(2026, 11, 22), clock, HOB_1=12, OVEN_2=3)
    await _report(world, "s1_clerk", ReportKind.SELL_OUT, date(2026, 11, 20), clock, HOB_1=14)
    await _report(world, "s1_clerk", ReportKind.SELL_OUT, date(2026, 10, 20), clock, HOB_1=100)
    system = world.system
    await inventory.set_threshold(system, schemas.Threshold(sku="*", low_days=7, high_days=60), clock)
    await inventory.set_threshold(system, schemas.Threshold(sku="hob-1", low_days=30, high_days=100), clock)
    return world


def _figures(found: schemas.Inventory) -> list[tuple[object, ...]]:
    return [
        (
            r.organisation_code,
            r.sku,
            r.ledger_on_hand,
            r.reported_on_hand,
            r.discrepancy,
            r.on_hand,
            r.sold_in_window,
            r.daily_rate,
            r.days_of_supply,
            r.average_age_days,
            r.oldest_age_days,
            r.health,
        )
        for r in found.rows
    ]


D1_HOB = (
    "D1",
    "HOB-1",
    122,
    None,
    None,
    122,
    28,
    Decimal("1.00"),
    Decimal("122.0"),
    14,
    20,
    StockHealth.OVER,
)
S1_HOB = ("S1", "HOB-1", 30, 12, -18, 12, 14, Decimal("0.50"), Decimal("24.0"), 10, 10, StockHealth.LOW)
S1_OVEN = ("S1", "OVEN-2", None, 3, None, 3, 0, Decimal("0.00"), None, None, None, StockHealth.OVER)


async def test_the_manufacturer_sees_every_tier_with_exact_figures(channel: World, clock: FixedClock) -> None:
    found = await inventory.channel_inventory(channel.actors["m_admin"], schemas.InventoryFilter(), clock)

    assert _figures(found) == [D1_HOB, S1_HOB, S1_OVEN]
    assert [
        (p.sku, p.by_depth, p.by_kind, p.on_hand, p.sold_in_window, p.days_of_supply, p.alerts)
        for p in found.products
    ] == [
        ("HOB-1", {1: 122, 3: 12}, {"distributor": 122, "store": 12}, 134, 42, Decimal("89.3"), 2),
        ("OVEN-2", {3: 3}, {"store": 3}, 3, 0, None, 1),
    ]
    assert found.rows[1].reported_on == date(2026, 11, 22)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("m_cm", [D1_HOB, S1_HOB, S1_OVEN]),  # assigned to D1
        ("d1_admin", [D1_HOB, S1_HOB, S1_OVEN]),
        ("d1a_admin", [S1_HOB, S1_OVEN]),
        ("s1_clerk", [S1_HOB, S1_OVEN]),
        ("s2_manager", []),
        ("d2_admin", []),
    ],
)
async def test_each_partner_sees_its_own_subtree_only(
    channel: World, clock: FixedClock, actor: str, expected: list[tuple[object, ...]]
) -> None:
    found = await inventory.channel_inventory(channel.actors[actor], schemas.InventoryFilter(), clock)

    assert _figures(found) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (schemas.InventoryFilter(depth=3), [S1_HOB, S1_OVEN]),
        (schemas.InventoryFilter(region="east", sku="hob-1"), [D1_HOB, S1_HOB]),
        (schemas.InventoryFilter(region="WEST"), []),
        (schemas.InventoryFilter(category="BATH"), []),
        (schemas.InventoryFilter(category="KITCHEN", kind="store"), [S1_HOB, S1_OVEN]),
        (schemas.InventoryFilter(health=StockHealth.LOW), [S1_HOB]),
    ],
    ids=["tier-3", "region-and-sku", "other-region", "other-category", "category-and-kind", "low-only"],
)
async def test_filters_narrow_the_rows(
    channel: World, clock: FixedClock, filters: schemas.InventoryFilter, expected: list[tuple[object, ...]]
) -> None:
    found = await inventory.channel_inventory(channel.actors["m_admin"], filters, clock)

    assert _figures(found) == expected


async def test_a_partners_subtree_can_be_chosen(channel: World, clock: FixedClock) -> None:
    found = await inventory.channel_inventory(
        channel.actors["m_admin"], schemas.InventoryFilter(organisation_id=channel.org_id("D1A")), clock
    )

    assert _figures(found) == [S1_HOB, S1_OVEN]


async def test_the_export_neutralises_formula_like_cells(channel: World, clock: FixedClock) -> None:
    await partners.update_partner(
        channel.system, channel.org_id("S1"), OrganisationUpdate(name="=HYPERLINK(1)"), clock
    )

    content = await inventory.export_inventory(
        channel.actors["m_admin"], schemas.InventoryFilter(), clock, "csv"
    )

    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(
        "partner_code,partner_name,kind,tier,region,sku,ledger_on_hand,reported_on_hand"
    )
    assert lines[2].split(",")[:10] == [
        "S1",
        "'=HYPERLINK(1)",
        "store",
        "3",
        "EAST",
        "HOB-1",
        "30",
        "12",
        "2026-11-22",
        "-18",  # a number is no formula
    ]


async def test_overdue_partners_are_reminded_once_per_due_day(channel: World, clock: FixedClock) -> None:
    system = channel.system
    await inventory.set_schedule(system, schemas.Schedule(frequency="weekly", due_day=1), clock)  # Mondays

    first = await reminders.remind_overdue(system, clock)
    again = await reminders.remind_overdue(system, clock)

    # Every active distributor and store but S1, which reported stock on 22 Nov (within the week to 23 Nov).
    assert (first.due_date, first.reminded) == (date(2026, 11, 23), 6)
    assert again.reminded == 0
    notices = await inbox(channel.actors["d1_admin"])
    assert [(n.kind, n.params, n.link) for n in notices if n.kind == "stock_report_overdue"] == [
        ("stock_report_overdue", {"due": "2026-11-23"}, "/reports")
    ]
    assert [n for n in await inbox(channel.actors["s1_manager"]) if n.kind == "stock_report_overdue"] == []
    clock.advance(days=7)
    assert (await reminders.remind_overdue(system, clock)).reminded == 7
