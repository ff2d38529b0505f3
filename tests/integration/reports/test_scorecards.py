from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
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


async def rebuilt(clock: FixedClock) -> tuple[dict[object, int], dict[object, int], dict[object, int]]:
    await rollups.rebuild(clock, until=date(2026, 12, 31))
    return await everything()


async def everything() -> tuple[dict[object, int], dict[object, int], dict[object, int]]:
    return (
        await repository.all_rollups(),
        await repository.all_month_rollups(),
        await repository.all_category_rollups(),  # type: ignore[dict-item]
    )


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
    incremental, months, categories = await everything()
    assert (incremental, months, categories) == await rebuilt(clock)
    assert months[(world.org_id("D1A"), date(2026, 11, 1), "purchases_amount")] == 175075
    assert incremental[(world.org_id("D1A"), date(2026, 11, 10), "purchases_amount")] == 50050
    d1a, d1, november = world.org_id("D1A"), world.org_id("D1"), date(2026, 11, 1)
    # a row per category with figures: HOBS's products count in KITCHEN too
    assert {k[2:]: v for k, v in categories.items() if k[0] == d1a and k[1] == november} == {
        ("KITCHEN/HOBS/", "purchases_amount"): 135075,  # o1's 6 units (600.00), o2 (500.50), o4 (250.25)
        ("KITCHEN/HOBS/", "purchases_units"): 3100,
        ("KITCHEN/", "purchases_amount"): 135075,
        ("KITCHEN/", "purchases_units"): 3100,
        ("BATH/", "purchases_amount"): 40000,  # o1's 4 units
        ("BATH/", "purchases_units"): 400,
        ("KITCHEN/", "sell_out_units"): 2000,  # SKU-0: 10 + 6 (the superseded 99 left out), SKU-1: 4
        ("KITCHEN/", "sell_out_amount"): 16050,
        ("KITCHEN/HOBS/", "sell_out_units"): 400,
        ("KITCHEN/", "stock_units"): 3000,  # the last stock report of the month (25 Nov) only
    }
    assert categories[(d1, november, "KITCHEN/HOBS/", "fill_ordered_units")] == 3100
    assert categories[(d1, november, "KITCHEN/HOBS/", "fill_shipped_units")] == 1600  # 6 + 5 + 5

    clock.advance(hours=1)
    await Order.update({Order.status: "cancelled", Order.updated_at: clock.now()}).where(
        Order.id == ids["o2"]
    )
    await add_report(world, "D1A", "sell_out", date(2026, 11, 22), [(7, "70.00")])
    await rollups.report_saved(world.org_id("D1A"), ReportKind.SELL_OUT, date(2026, 11, 22))
    await rollups.refresh(clock)

    incremental, months, categories = await everything()
    assert (world.org_id("D1A"), date(2026, 11, 10), "purchases_amount") not in incremental
    assert incremental[(world.org_id("D1A"), date(2026, 11, 22), "sell_out_units")] == 700
    assert months[(world.org_id("D1A"), date(2026, 11, 1), "purchases_amount")] == 125025
    assert categories[(d1a, november, "KITCHEN/HOBS/", "purchases_amount")] == 85025
    assert categories[(d1a, november, "KITCHEN/", "sell_out_units")] == 2700
    assert categories[(d1, november, "KITCHEN/HOBS/", "fill_ordered_units")] == 1100
    assert (incremental, months, categories) == await rebuilt(clock)


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


async def test_a_category_filter_narrows_the_product_kpis_to_its_products_and_descendants(
    world: World, clock: FixedClock
) -> None:
    await build_history(world)
    await targets.set_targets(
        world.actors["m_admin"], month_targets(world, "D1A", {TargetMeasure.PURCHASES: "2000"}), clock
    )
    await rollups.refresh(clock)
    admin, d1a, d1 = world.actors["m_admin"], world.org_id("D1A"), world.org_id("D1")

    async def card(org: object, category: str) -> dict[Kpi, Decimal | None]:
        found = await scorecards.scorecard(admin, org, PeriodKind.MONTH, "2026-11", clock, category)  # type: ignore[arg-type]
        return {k.kpi: k.value for k in found.kpis}

    kitchen = await scorecards.scorecard(admin, d1a, PeriodKind.MONTH, "2026-11", clock, "kitchen")
    kpi = {k.kpi: k.value for k in kitchen.kpis}
    assert kitchen.category == "KITCHEN"
    assert kitchen.category_kpis == [
        Kpi.PURCHASES_GROWTH,
        Kpi.SELL_THROUGH,
        Kpi.FILL_RATE,
        Kpi.DAYS_OF_SUPPLY,
    ]
    assert kpi[Kpi.PURCHASES_GROWTH] == Decimal("12.6")  # 1,350.75 of HOBS (in KITCHEN) against 1,200.00
    assert kpi[Kpi.SELL_THROUGH] == Decimal("64.5")  # 20 sold of 31 bought
    assert kpi[Kpi.DAYS_OF_SUPPLY] == Decimal("45.0")  # 30 SKU-0 on hand / (20 sold / 30 days)
    # not product-based, or set for all products: the partner's whole
    assert kpi[Kpi.PURCHASES_ACHIEVEMENT] == Decimal("87.5")
    assert kpi[Kpi.QUOTE_CONVERSION] == Decimal("50.0")
    assert kpi[Kpi.REGISTRATIONS_SUBMITTED] == 4
    # the whole score: (87.5x30 + 100x15 + 57.1x10 + 50x5 + 50x5 + 33.3x5 + 50x5) / 75, growth 45.9%
    assert kitchen.score == Decimal("74.8")
    unfiltered = await scorecards.scorecard(admin, d1a, PeriodKind.MONTH, "2026-11", clock)
    assert kitchen.score == unfiltered.score
    assert kitchen.targets == unfiltered.targets
    assert (kitchen.trend[-1].purchases, kitchen.trend[-1].sell_out_units) == (Decimal("1350.75"), 20)
    assert kitchen.trend[-1].target is None  # targets are for all products
    assert kitchen.trend[-1].score == unfiltered.trend[-1].score

    hobs = await card(d1a, "HOBS")
    assert hobs[Kpi.PURCHASES_GROWTH] == Decimal("12.6")
    assert hobs[Kpi.SELL_THROUGH] == Decimal("12.9")  # 4 SKU-1 sold of 31 bought
    assert hobs[Kpi.DAYS_OF_SUPPLY] == Decimal("0.0")  # the last stock report (25 Nov) held no SKU-1
    bath = await card(d1a, "BATH")
    assert bath[Kpi.PURCHASES_GROWTH] is None  # no BATH a year earlier
    assert bath[Kpi.SELL_THROUGH] is None  # no BATH sell-out reported
    assert bath[Kpi.DAYS_OF_SUPPLY] is None
    assert (await card(d1, "KITCHEN"))[Kpi.FILL_RATE] == Decimal("51.6")  # 16 shipped of 31 (o1, o2, o4)
    assert (await card(d1, "BATH"))[Kpi.FILL_RATE] == Decimal("100.0")  # o1's 4 units
    supplier = await scorecards.scorecard(admin, d1, PeriodKind.MONTH, "2026-11", clock, "BATH")
    assert [(r.partner.code, r.purchases) for r in supplier.downstream] == [("D1A", Decimal("400.00"))]
    with pytest.raises(InvalidInputError):
        await scorecards.scorecard(admin, d1a, PeriodKind.MONTH, "2026-11", clock, "GARDEN")


async def test_the_overview_of_a_category(world: World, clock: FixedClock) -> None:
    await build_history(world)
    await rollups.refresh(clock)

    def of(category: str | None) -> schemas.OverviewFilter:
        return schemas.OverviewFilter(period=PeriodKind.MONTH, period_label="2026-11", category=category)

    kitchen = await scorecards.overview(world.actors["m_admin"], of("KITCHEN"), clock)
    whole = await scorecards.overview(world.actors["m_admin"], of(None), clock)

    assert (kitchen.purchases, kitchen.purchases_last_year) == (Decimal("1350.75"), Decimal("1200.00"))
    assert [(s.key, s.purchases) for s in kitchen.by_tier] == [
        ("distributor:1", Decimal(0)),
        ("distributor:2", Decimal("1350.75")),
        ("store", Decimal(0)),
    ]
    rows = {p.partner.code: p for p in kitchen.partners}
    assert (rows["D1A"].purchases, rows["D1A"].sell_out_units, rows["D1A"].growth) == (
        Decimal("1350.75"),
        20,
        Decimal("12.6"),
    )
    assert rows["D1"].sales == Decimal("1350.75")
    assert rows["D1A"].score == next(p for p in whole.partners if p.partner.code == "D1A").score
    assert (kitchen.inventory.units, kitchen.inventory.sell_out_units, kitchen.inventory.healthy) == (
        30,
        20,
        1,
    )
    assert kitchen.funnel == whole.funnel  # deals, leads and quotes are not filtered by category
    assert kitchen.trend[-1].purchases == Decimal("1350.75")
    assert kitchen.category == "KITCHEN"

    bath = await scorecards.overview(world.actors["m_admin"], of("bath"), clock)
    assert (bath.purchases, bath.purchases_last_year) == (Decimal("400.00"), 0)
    assert (bath.inventory.reporting, bath.inventory.units, bath.inventory.no_sell_out) == (1, 0, 1)
    assert whole.purchases == Decimal("1750.75") and whole.category is None and whole.category_kpis == []
    with pytest.raises(InvalidInputError):
        await scorecards.overview(world.actors["m_admin"], of("NOPE"), clock)
