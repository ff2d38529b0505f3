from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.errors import NotFoundError, PermissionDeniedError
from ordering.tables import Order
from reports import repository, rollups, schemas
from reports.kpis import Kpi, PeriodKind, TargetMeasure
from reports.reporting import ReportKind
from reports.services import scorecards, targets
from tests.builders import World
from tests.integration.reports.channel import add_report, build_history


def month_targets(world: World, code: str, values: dict[TargetMeasure, str]) -> schemas.TargetBatch:
    return schemas.TargetBatch(
        [
            schemas.TargetSet(
                organisation_id=world.org_id(code),
                period=PeriodKind.MONTH,
                period_label="2026-11",
                measure=measure,
                value=Decimal(value),
            )
            for measure, value in values.items()
        ]
    )


async def rebuilt(clock: FixedClock) -> tuple[dict[object, int], dict[object, int]]:
    await rollups.rebuild(clock, until=date(2026, 12, 31))
    return await repository.all_rollups(), await repository.all_month_rollups()


async def test_every_kpi_of_a_hand_made_channel(world: World, clock: FixedClock) -> None:
    await build_history(world)
    await targets.set_targets(
        world.actors["m_admin"],
        month_targets(
            world,
            "D1A",
            {
                TargetMeasure.PURCHASES: "2000",
                TargetMeasure.SELL_OUT: "40",
                TargetMeasure.NEW_STORES: "4",
                TargetMeasure.REGISTERED_DEALS: "5",
            },
        ),
        clock,
    )
    await rollups.refresh(clock)

    buyer = await scorecards.scorecard(
        world.actors["m_admin"], world.org_id("D1A"), PeriodKind.MONTH, "2026-11", clock
    )
    supplier = await scorecards.scorecard(
        world.actors["m_admin"], world.org_id("D1"), PeriodKind.MONTH, "2026-11", clock
    )

    kpi = {k.kpi: k.value for k in buyer.kpis}
    assert kpi[Kpi.PURCHASES_ACHIEVEMENT] == Decimal(
        "87.5"
    )  # 1,750.75 of 2,000 (the cancelled order left out)
    assert kpi[Kpi.PURCHASES_GROWTH] == Decimal("45.9")  # 1,750.75 against 1,200.00 in November 2025
    assert kpi[Kpi.SELL_OUT_ACHIEVEMENT] == Decimal("50.0")  # 20 units of 40 (the superseded report left out)
    assert kpi[Kpi.NEW_STORES_ACHIEVEMENT] == Decimal("50.0")  # S1 and S1B of 4
    assert kpi[Kpi.DEALS_ACHIEVEMENT] == Decimal("80.0")  # 4 registrations of 5
    assert kpi[Kpi.SELL_THROUGH] == Decimal("57.1")  # 20 sold of 35 bought
    assert kpi[Kpi.REGISTRATIONS_SUBMITTED] == 4
    assert kpi[Kpi.REGISTRATIONS_APPROVED] == 2
    assert kpi[Kpi.REGISTRATIONS_WON] == 1
    assert kpi[Kpi.REGISTRATION_WIN_RATE] == Decimal("50.0")
    assert kpi[Kpi.QUOTE_CONVERSION] == Decimal("50.0")  # 1 of 2 sent (the draft left out)
    assert kpi[Kpi.LEAD_ACCEPTANCE] == Decimal("33.3")  # 1 of 3 settled offers accepted within 24 h
    assert kpi[Kpi.FOLLOW_UP_COMPLIANCE] == Decimal(
        "50.0"
    )  # 1 of 2 settled acceptances followed up in 15 days
    assert kpi[Kpi.PROMOTION_PARTICIPATION] == Decimal("33.3")  # 1 of 3 orders used a promotion
    assert kpi[Kpi.DAYS_OF_SUPPLY] == Decimal("45.0")  # 30 on hand / (20 sold / 30 days)
    assert kpi[Kpi.FILL_RATE] is None  # D1A supplies nobody
    assert buyer.score == Decimal(
        "71.9"
    )  # (87.5x30 + 100x15 + 50x10 + 57.1x10 + 50x5 + 50x5 + 33.3x5 + 50x5) / 85
    assert [(t.measure, t.achievement) for t in buyer.targets] == [
        (TargetMeasure.PURCHASES, Decimal("87.5")),
        (TargetMeasure.SELL_OUT, Decimal("50.0")),
        (TargetMeasure.NEW_STORES, Decimal("50.0")),
        (TargetMeasure.REGISTERED_DEALS, Decimal("80.0")),
    ]
    assert buyer.trend[-1].month == "2026-11"
    assert buyer.trend[-1].purchases == Decimal("1750.75")
    assert buyer.trend[-1].target == Decimal("2000.00")
    assert buyer.trend[0].month == "2025-12"

    by_supplier = {k.kpi: k.value for k in supplier.kpis}
    assert by_supplier[Kpi.FILL_RATE] == Decimal("57.1")  # 20 shipped of 35 ordered on accepted orders
    assert by_supplier[Kpi.ON_TIME_SHIPMENT] == Decimal("50.0")  # o1 shipped in 1 day, o4 in 5
    assert by_supplier[Kpi.ORDER_CYCLE_DAYS] == Decimal(
        "3.0"
    )  # o1: submitted 2 Nov 10:00, received 5 Nov 10:00
    assert [r.partner.code for r in supplier.downstream] == ["D1A"]
    assert supplier.downstream[0].purchases == Decimal("1750.75")


async def test_incremental_rollups_equal_a_rebuild_as_orders_change_and_reports_are_replaced(
    world: World, clock: FixedClock
) -> None:
    ids = await build_history(world)
    await rollups.refresh(clock)
    incremental = await repository.all_rollups()
    months = await repository.all_month_rollups()
    assert (incremental, months) == await rebuilt(clock)
    assert months[(world.org_id("D1A"), date(2026, 11, 1), "purchases_amount")] == 175075
    assert incremental[(world.org_id("D1A"), date(2026, 11, 10), "purchases_amount")] == 50050

    clock.advance(hours=1)
    await Order.update({Order.status: "cancelled", Order.updated_at: clock.now()}).where(
        Order.id == ids["o2"]
    )
    await add_report(world, "D1A", "sell_out", date(2026, 11, 22), [(7, "70.00")])
    await rollups.report_saved(world.org_id("D1A"), ReportKind.SELL_OUT, date(2026, 11, 22))
    await rollups.refresh(clock)

    incremental = await repository.all_rollups()
    assert (world.org_id("D1A"), date(2026, 11, 10), "purchases_amount") not in incremental
    assert incremental[(world.org_id("D1A"), date(2026, 11, 22), "sell_out_units")] == 700
    months = await repository.all_month_rollups()
    assert months[(world.org_id("D1A"), date(2026, 11, 1), "purchases_amount")] == 125025
    assert (incremental, months) == await rebuilt(clock)


async def test_a_distributor_sees_its_subtree_and_a_store_only_itself(
    world: World, clock: FixedClock
) -> None:
    await build_history(world)
    await rollups.refresh(clock)

    seen = await scorecards.overview(
        world.actors["d1_admin"],
        schemas.OverviewFilter(period=PeriodKind.MONTH, period_label="2026-11"),
        clock,
    )
    own = await scorecards.scorecard(
        world.actors["s1_manager"], world.org_id("S1"), PeriodKind.MONTH, None, clock
    )

    assert [p.partner.code for p in seen.partners] == ["D1A", "S1", "S1B"]
    assert seen.purchases == Decimal("1750.75")
    assert own.partner.code == "S1"
    for actor, code in (("d1_admin", "D2"), ("d1_admin", "D2A"), ("s1_manager", "S1B"), ("m_cm", "D2")):
        with pytest.raises(NotFoundError):
            await scorecards.scorecard(world.actors[actor], world.org_id(code), PeriodKind.MONTH, None, clock)


async def test_the_manufacturer_overview_sums_tiers_regions_and_funnels(
    world: World, clock: FixedClock
) -> None:
    await build_history(world)
    await rollups.refresh(clock)

    found = await scorecards.overview(
        world.actors["m_admin"],
        schemas.OverviewFilter(period=PeriodKind.MONTH, period_label="2026-11"),
        clock,
    )

    assert found.purchases == Decimal("1750.75")
    assert found.purchases_last_year == Decimal("1200.00")
    assert [(s.key, s.purchases, s.partners) for s in found.by_tier] == [
        ("distributor:1", Decimal(0), 2),
        ("distributor:2", Decimal("1750.75"), 2),
        ("store", Decimal(0), 3),
    ]
    assert [(s.key, s.purchases) for s in found.by_region] == [
        ("EAST", Decimal("1750.75")),
        ("WEST", Decimal(0)),
    ]
    assert found.top[0].partner.code == "D1A"
    assert found.funnel.registrations_submitted == 4
    assert found.funnel.leads_offered == 3
    assert found.funnel.quotes_converted == 1
    assert found.inventory.reporting == 1
    assert found.inventory.units == 30
    assert found.inventory.healthy == 1
    east = await scorecards.overview(
        world.actors["m_admin"],
        schemas.OverviewFilter(period=PeriodKind.MONTH, period_label="2026-11", region="WEST"),
        clock,
    )
    assert [p.partner.code for p in east.partners] == ["D2", "D2A", "S2"]


async def test_a_distributor_sets_targets_below_it_but_not_its_own_or_a_siblings(
    world: World, clock: FixedClock
) -> None:
    batch = month_targets(world, "D1A", {TargetMeasure.PURCHASES: "1500"})

    result = await targets.set_targets(world.actors["d1_admin"], batch, clock)
    sheet = await targets.target_sheet(world.actors["d1_admin"], PeriodKind.MONTH, "2026-11", clock)

    assert result == schemas.TargetBatchResult(saved=1, removed=0)
    row = next(r for r in sheet.rows if r.partner.code == "D1A")
    assert [(t.measure, t.value) for t in row.targets] == [(TargetMeasure.PURCHASES, Decimal("1500.00"))]
    assert row.editable
    with pytest.raises(PermissionDeniedError):
        await targets.set_targets(
            world.actors["d1_admin"], month_targets(world, "D1", {TargetMeasure.PURCHASES: "1"}), clock
        )
    with pytest.raises(NotFoundError):
        await targets.set_targets(
            world.actors["d1_admin"], month_targets(world, "D2", {TargetMeasure.PURCHASES: "1"}), clock
        )
    with pytest.raises(PermissionDeniedError):
        await targets.set_targets(
            world.actors["s1_manager"], month_targets(world, "S1", {TargetMeasure.PURCHASES: "1"}), clock
        )
    sheet = await targets.target_sheet(world.actors["m_admin"], PeriodKind.MONTH, "2026-11", clock)
    assert [r.partner.code for r in sheet.rows if r.targets] == ["D1A"]


async def test_weights_per_level_change_the_score_and_only_the_manufacturer_sets_them(
    world: World, clock: FixedClock
) -> None:
    await build_history(world)
    await rollups.refresh(clock)

    await targets.set_weights(
        world.actors["m_admin"],
        schemas.WeightsUpdate({Kpi.QUOTE_CONVERSION: 1, Kpi.LEAD_ACCEPTANCE: 1}, "SILVER"),
        clock,
    )
    card = await scorecards.scorecard(
        world.actors["m_admin"], world.org_id("D1A"), PeriodKind.MONTH, "2026-11", clock
    )

    assert card.score == Decimal("41.7")  # (50.0 + 33.3) / 2
    listed = {w.level: w for w in await targets.list_weights(world.actors["m_admin"])}
    assert listed["SILVER"].weights == {Kpi.QUOTE_CONVERSION: 1, Kpi.LEAD_ACCEPTANCE: 1}
    assert listed["GOLD"].defaults
    with pytest.raises(PermissionDeniedError):
        await targets.set_weights(
            world.actors["d1_admin"], schemas.WeightsUpdate({Kpi.FILL_RATE: 1}, "SILVER"), clock
        )


def test_rebuild_covers_every_month_from_the_first_fact() -> None:
    spans = rollups._months(date(2025, 11, 5), date(2026, 1, 2))
    assert spans == [
        (date(2025, 11, 1), date(2025, 12, 1)),
        (date(2025, 12, 1), date(2026, 1, 1)),
        (date(2026, 1, 1), date(2026, 2, 1)),
    ]
    assert spans[-1][1] - spans[-1][0] == timedelta(days=31)
