"""Accrual and settlement on a real database: orders received, returned late, settled and netted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import msgspec
import pytest

from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from incentives import repository, schemas
from incentives.rebates import Definition, Enrolment, PeriodKind, SellIn, SellOut, Tier
from incentives.services import fund, programmes, settlements
from ordering import schemas as ordering_schemas
from ordering.services import orders
from reports.tables import PartnerReport, PartnerReportLine
from tests.builders import World
from tests.integration.incentives.incentive_world import (
    create_store_programme,
    received_order,
    return_one,
    store_programme,
)
from tests.integration.pricing.pricing_world import priced_world

D = Decimal


async def test_a_store_sees_what_it_earned_the_next_tier_and_its_projection(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    programme = await create_store_programme(world, clock)
    await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)

    mine = await settlements.my_accruals(world.actors["s1_manager"], clock)

    assert len(mine) == 1
    accrual = mine[0].accrual
    assert (accrual.volume, accrual.earned.amount) == (D("3000.00"), D("30.00"))
    assert accrual.next_tier is not None
    assert (accrual.next_tier.remaining, accrual.next_tier.percent) == (D("2000.00"), D(2))
    # 23 November is day 54 of the quarter's 92 days: 3,000 runs to 5,111.11, in the 2% tier.
    assert (accrual.projected_volume, accrual.projected.amount) == (D("5111.11"), D("102.22"))
    overview = await settlements.programme_accruals(world.actors["m_admin"], programme.id, clock)
    assert sorted((a.partner_name, a.accrual.volume) for a in overview) == [
        ("S1 Trading", D("3000.00")),
        ("S1B Trading", D(0)),
        ("S2 Trading", D(0)),
    ]


async def test_an_order_placed_moves_the_projection_at_once_and_earns_once_received(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await create_store_programme(world, clock)
    await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)
    store = world.actors["s1_manager"]

    placed = await orders.submit_order(
        store,
        ordering_schemas.OrderCreate(lines=[ordering_schemas.OrderLineRequest(sku="HOB", quantity=2)]),
        clock,
    )
    accrual = (await settlements.my_accruals(store, clock))[0].accrual

    # 3,000 received and 2,000 on order on day 54 of 92: 5,000 runs to 8,518.52, in the 2% tier.
    assert (accrual.volume, accrual.on_order, accrual.earned.amount) == (
        D("3000.00"),
        D("2000.00"),
        D("30.00"),
    )
    assert (accrual.projected_volume, accrual.projected.amount) == (D("8518.52"), D("170.37"))

    await orders.cancel(store, placed.id, ordering_schemas.OrderCancel(reason="ordered twice"), clock)
    accrual = (await settlements.my_accruals(store, clock))[0].accrual
    assert (accrual.on_order, accrual.projected_volume) == (D(0), D("5111.11"))


async def test_a_return_after_settlement_is_netted_in_the_next_settlement(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    programme = await create_store_programme(world, clock)
    order = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)
    m = world.actors["m_admin"]
    clock.set(datetime(2027, 1, 2, 9, tzinfo=UTC))

    run = await settlements.settle_period(
        m, programme.id, schemas.SettleCommand(period_day=date(2026, 12, 31)), clock
    )
    assert ([(s.partner_name, s.amount) for s in run.proposed], run.unchanged) == (
        [("S1 Trading", D("30.00"))],
        2,
    )
    again = await settlements.settle_period(
        m, programme.id, schemas.SettleCommand(period_day=date(2026, 12, 31)), clock
    )
    assert (again.proposed, again.pending) == ([], 1)  # waiting for a decision: nothing new

    approved = await settlements.decide_settlement(
        m, run.proposed[0].id, schemas.SettlementDecision(decision="approve"), clock
    )
    assert approved.status == "approved"
    assert (await fund.get_fund(world.actors["s1_manager"], world.org_id("S1"))).balance == D("30.00")
    settled_twice = await settlements.settle_period(
        m, programme.id, schemas.SettleCommand(period_day=date(2026, 12, 31)), clock
    )
    assert (settled_twice.proposed, settled_twice.unchanged) == ([], 3)  # settling twice changes nothing

    # A hob of the fourth quarter comes back in January: Q4 now earns 20.00, not 30.00.
    await return_one(world, clock, "s1_manager", "d1a_admin", order)
    clock.set(datetime(2027, 4, 2, 9, tzinfo=UTC))
    next_run = await settlements.settle_period(
        m, programme.id, schemas.SettleCommand(period_day=date(2027, 3, 1)), clock
    )

    assert len(next_run.proposed) == 1
    correction = next_run.proposed[0]
    assert correction.amount == D("-10.00")
    assert [(ln.period_start, ln.earned, ln.paid_before, ln.amount) for ln in correction.lines] == [
        (date(2026, 10, 1), D("20.00"), D("30.00"), D("-10.00"))
    ]
    await settlements.decide_settlement(
        m, correction.id, schemas.SettlementDecision(decision="approve"), clock
    )
    ledger = await fund.get_fund(world.actors["s1_manager"], world.org_id("S1"))
    assert ledger.balance == D("20.00")
    assert [(e.kind, e.amount) for e in ledger.entries] == [("credit", D("-10.00")), ("credit", D("30.00"))]
    assert await fund.check_ledger(world.org_id("S1")) == (D("20.00"), D("20.00"))


async def test_only_the_owner_settles_and_only_over_periods(world: World, clock: FixedClock) -> None:
    await priced_world(world, clock)
    programme = await create_store_programme(world, clock)
    command = schemas.SettleCommand(period_day=date(2026, 11, 1))

    with pytest.raises(ConflictError) as early:
        await settlements.settle_period(world.actors["m_admin"], programme.id, command, clock)
    assert early.value.code == "period_not_over"
    with pytest.raises(NotFoundError):  # a stores' programme: the distributor does not see it
        await settlements.settle_period(world.actors["d1_admin"], programme.id, command, clock)
    with pytest.raises(PermissionDeniedError):  # an enrolled store sees it, but may not settle it
        await settlements.settle_period(world.actors["s1_manager"], programme.id, command, clock)
    with pytest.raises(NotFoundError):
        await programmes.get_programme(world.actors["d2_admin"], (await create_d1_programme(world, clock)).id)


async def create_d1_programme(world: World, clock: FixedClock) -> schemas.Programme:
    return await programmes.create_programme(
        world.actors["d1_admin"],
        schemas.ProgrammeCreate(
            code="D1-DEALERS",
            name="D1 dealer rebate",
            currency="EUR",
            starts_on=date(2026, 1, 1),
            definition=Definition(
                period=PeriodKind.YEAR,
                basis=SellIn(),
                tiers=(Tier(threshold=D(0), percent=D(1)),),
                enrolment=Enrolment(partner_kinds=frozenset({"distributor"})),
            ),
        ),
        clock,
    )


async def test_partners_see_only_their_own_standing_and_distributors_their_downstream_programmes(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    store_programme_ = await create_store_programme(world, clock)
    dealers = await create_d1_programme(world, clock)

    codes = {
        name: sorted(p.code for p in await programmes.list_programmes(world.actors[name]))
        for name in ("m_admin", "d1_admin", "d1a_admin", "d2_admin", "s1_manager", "s2_manager")
    }
    assert codes == {
        "m_admin": ["D1-DEALERS", "STORES-Q"],
        "d1_admin": ["D1-DEALERS"],
        "d1a_admin": ["D1-DEALERS"],
        "d2_admin": [],
        "s1_manager": ["STORES-Q"],
        "s2_manager": ["STORES-Q"],
    }
    # A store learns that the manufacturer's programme enrols it, not who runs it (not its supplier).
    assert [(p.code, p.owner_name) for p in await programmes.list_programmes(world.actors["s1_manager"])] == [
        ("STORES-Q", "")
    ]
    assert [p.owner_name for p in await programmes.list_programmes(world.actors["d1a_admin"])] == [
        "D1 Trading"
    ]
    store_view = await settlements.programme_accruals(world.actors["s2_manager"], store_programme_.id, clock)
    assert [a.partner_name for a in store_view] == ["S2 Trading"]
    dealer_view = await settlements.programme_accruals(world.actors["d1_admin"], dealers.id, clock)
    assert [a.partner_name for a in dealer_view] == ["D1A Trading"]
    with pytest.raises(NotFoundError):
        await settlements.programme_accruals(world.actors["d2_admin"], dealers.id, clock)


async def test_a_programme_is_refused_with_every_problem_and_nothing_is_written(
    world: World, clock: FixedClock
) -> None:
    bad = store_programme((Tier(threshold=D(500), percent=D(1)), Tier(threshold=D(100), percent=D(2))))
    bad = schemas.ProgrammeCreate(
        code=bad.code, name=bad.name, currency="EUR", starts_on=date(2026, 10, 2), definition=bad.definition
    )

    with pytest.raises(InvalidInputError) as refused:
        await programmes.create_programme(world.actors["m_admin"], bad, clock)

    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("tiers[1].threshold", "not_ascending"),
        ("starts_on", "not_a_period_start"),
    ]
    assert await programmes.list_programmes(world.actors["m_admin"]) == []
    with pytest.raises(PermissionDeniedError):
        await programmes.create_programme(world.actors["s1_manager"], store_programme(), clock)


async def test_a_distributor_enrols_by_name_only_partners_of_its_own_downstream(
    world: World, clock: FixedClock
) -> None:
    base = store_programme()
    naming = [world.org_id("S1"), world.org_id("S2"), world.org_id("D1"), uuid4()]
    command = msgspec.structs.replace(
        base,
        definition=msgspec.structs.replace(
            base.definition, enrolment=Enrolment(partner_ids=frozenset(naming))
        ),
    )

    with pytest.raises(InvalidInputError) as refused:
        await programmes.create_programme(world.actors["d1_admin"], command, clock)

    [problem] = refused.value.problems
    assert (problem.field, problem.code) == ("definition.enrolment.partner_ids", "partners_not_yours")
    assert str(world.org_id("S1")) not in problem.params["codes"]
    assert all(str(i) in problem.params["codes"] for i in naming[1:])  # another's, itself, nobody
    assert await programmes.list_programmes(world.actors["d1_admin"]) == []


async def _sell_out(world: World, code: str, day: date, amount: str, *, current: bool) -> None:
    found = await repository.partner_facts(world.org_id(code))
    assert found is not None
    org = found[0]
    report_id = uuid4()
    await PartnerReport.insert(
        PartnerReport(
            id=report_id,
            organisation_id=org.id,
            organisation_path=org.path,
            kind="sell_out",
            report_date=day,
            revision=2 if current else 1,  # a restatement supersedes revision 1
            current=current,
            source="api",
        )
    )
    await PartnerReportLine.insert(
        PartnerReportLine(
            report_id=report_id,
            organisation_id=org.id,
            kind="sell_out",
            report_date=day,
            sku="HOB",
            quantity=1,
            amount=D(amount),
        )
    )


async def test_a_sell_out_programme_counts_only_current_report_revisions(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    created = store_programme()
    sell_out = schemas.ProgrammeCreate(
        code="SELL-OUT",
        name="Sell-out rebate",
        currency="EUR",
        starts_on=created.starts_on,
        definition=Definition(
            period=PeriodKind.QUARTER,
            basis=SellOut(),
            tiers=created.definition.tiers,
            enrolment=created.definition.enrolment,
        ),
    )
    await programmes.create_programme(world.actors["m_admin"], sell_out, clock)
    await _sell_out(world, "S1", date(2026, 11, 2), "9000.00", current=False)  # superseded by a restatement
    await _sell_out(world, "S1", date(2026, 11, 2), "1500.00", current=True)
    await _sell_out(world, "S1", date(2026, 9, 30), "4000.00", current=True)  # the quarter before

    mine = await settlements.my_accruals(world.actors["s1_manager"], clock)

    assert [(a.programme_code, a.accrual.volume, a.accrual.earned.amount) for a in mine] == [
        ("SELL-OUT", D("1500.00"), D("15.00"))
    ]
