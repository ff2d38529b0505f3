"""Commissions on a real database: a registered deal's order earns when received, split between
the partners who brought it, clawed back when a unit comes back; the statement lists it. An owner
reads only its own plans and their deals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import msgspec
import pytest

from channel import repository as channel_repository
from core.clock import FixedClock
from core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from deal_registration import repository as deal_repository
from deal_registration import schemas as deal_schemas
from incentives import schemas
from incentives.commissions import CategoryRate, CommissionPlan, Split
from incentives.rebates import Tier
from incentives.services import commissions
from tests.builders import World
from tests.integration.incentives.incentive_world import (
    commission_plan,
    received_order,
    return_one,
    worked_lead,
)
from tests.integration.pricing.pricing_world import priced_world

D = Decimal


async def _registration(world: World, clock: FixedClock, code: str) -> UUID:
    place = await channel_repository.find_org_place(world.org_id(code))
    assert place is not None
    await deal_repository.save_programme(deal_schemas.ProgrammeSettings(code="STANDARD", name="Standard"))
    programme = await deal_repository.find_programme("STANDARD")
    assert programme is not None
    registration_id, now = uuid4(), clock.now()
    await deal_repository.insert_registration(
        {
            "id": registration_id,
            "number": "DR-000001",
            "programme_id": programme[0],
            "partner_id": place.id,
            "partner_path": place.path,
            "status": "won",
            "customer": {"company_name": "Hotel Aurora", "country": "DE"},
            "product_lines": [],
            "estimated_value": "3000",
            "currency": "EUR",
            "protected_until": now + timedelta(days=90),
            "created_at": now,
            "updated_at": now,
        },
        [],
    )
    return registration_id


def _all_to_d1a(
    world: World, order_number: str, registration_id: UUID | None = None, lead_id: UUID | None = None
) -> schemas.CommissionDealCreate:
    """An order's deal, from a registration or a lead, its whole commission to D1A."""
    return schemas.CommissionDealCreate(
        order_number=order_number,
        registration_id=registration_id,
        lead_id=lead_id,
        splits=[Split(partner_id=world.org_id("D1A"), percent=D(100))],
    )


async def test_a_deal_earns_when_received_is_split_and_clawed_back_on_a_return(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    plan = await commissions.create_plan(
        m,
        schemas.CommissionPlanCreate(
            code="AGENTS",
            name="Agents",
            currency="EUR",
            plan=CommissionPlan(
                rates=(
                    CategoryRate(
                        category="KITCHEN",
                        tiers=(Tier(threshold=D(0), percent=D(2)), Tier(threshold=D(2000), percent=D(4))),
                    ),
                )
            ),
        ),
        clock,
    )
    registration = await _registration(world, clock, "D1A")
    order = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)  # 3,000.00
    splits = [
        Split(partner_id=world.org_id("D1A"), percent=D(75)),
        Split(partner_id=world.org_id("D2"), percent=D(25)),
    ]

    with pytest.raises(InvalidInputError):
        await commissions.attribute_order(
            m, plan.id, schemas.CommissionDealCreate(order_number=order.number, splits=splits), clock
        )  # neither a registration nor a lead
    await commissions.attribute_order(
        m,
        plan.id,
        schemas.CommissionDealCreate(order_number=order.number, registration_id=registration, splits=splits),
        clock,
    )
    first = await commissions.run_commissions(m, clock)
    again = await commissions.run_commissions(m, clock)
    await return_one(world, clock, "s1_manager", "d1a_admin", order)
    clock.advance(days=1)
    clawed = await commissions.run_commissions(m, clock)

    # 2% of 2,000 + 4% of 1,000 = 80.00, 60.00 and 20.00; after one hob back: 2% of 2,000 = 40.00.
    assert (first.earned, first.entries, again.entries) == ({"EUR": D("80.00")}, 2, 0)
    assert (clawed.earned, clawed.clawed_back, clawed.entries) == ({}, {"EUR": D("40.00")}, 2)
    month = await commissions.statement(
        world.actors["d1a_admin"], world.org_id("D1A"), date(2026, 11, 1), date(2026, 12, 1)
    )
    assert [(e.kind, e.amount) for e in month.entries] == [("earned", D("60.00")), ("clawback", D("-30.00"))]
    assert month.totals == {"EUR": D("30.00")}
    [deal] = month.deals
    # the deal as it stands: 2,000.00 of kitchen at 2% = 40.00 for the whole deal, D1A's share 75%
    assert (deal.order_number, deal.registration_id, deal.share_percent) == (
        order.number,
        registration,
        D(75),
    )
    assert [(c.category, c.volume, c.rate, c.amount) for c in deal.categories] == [
        ("KITCHEN", D("2000.00"), D("2.00"), D("40.00"))
    ]
    assert (deal.earned, deal.clawed_back) == (D("60.00"), D("30.00"))
    listed = await commissions.list_statements(m, date(2026, 11, 1), date(2026, 12, 1))
    assert [(s.partner_name, s.earned, s.clawed_back, s.total) for s in listed] == [
        ("D1A Trading", D("60.00"), D("30.00"), D("30.00")),
        ("D2 Trading", D("20.00"), D("10.00"), D("10.00")),
    ]
    dealer_sees = await commissions.list_statements(
        world.actors["d1a_admin"], date(2026, 11, 1), date(2026, 12, 1)
    )
    assert [s.partner_name for s in dealer_sees] == ["D1A Trading"]
    with pytest.raises(NotFoundError):
        await commissions.statement(
            world.actors["d2_admin"], world.org_id("D1A"), date(2026, 11, 1), date(2026, 12, 1)
        )


async def test_the_owner_lists_its_plans_by_code_and_each_plans_deals_latest_first(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    resellers = await commissions.create_plan(m, commission_plan("RESELLERS"), clock)
    agents = await commissions.create_plan(m, commission_plan("AGENTS"), clock)
    await commissions.create_plan(world.actors["d1_admin"], commission_plan("D1-AGENTS"), clock)
    registration = await _registration(world, clock, "D1A")
    lead = await worked_lead(clock, "L-000007")
    first = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 1)
    second = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 2)
    await commissions.attribute_order(m, agents.id, _all_to_d1a(world, first.number, registration), clock)
    clock.advance(hours=1)
    await commissions.attribute_order(
        m,
        agents.id,
        schemas.CommissionDealCreate(
            order_number=second.number,
            lead_id=lead,
            splits=[
                Split(partner_id=world.org_id("D1A"), percent=D(60)),
                Split(partner_id=world.org_id("D2"), percent=D(40)),
            ],
        ),
        clock,
    )

    plans = await commissions.list_plans(m)
    deals = await commissions.list_deals(m, agents.id)

    assert [(p.code, p.deal_count) for p in plans] == [("AGENTS", 2), ("RESELLERS", 0)]
    assert (await commissions.get_plan(m, resellers.id)).code == "RESELLERS"
    assert [(d.order_number, d.registration_number, d.lead_number) for d in deals] == [
        (second.number, "", "L-000007"),
        (first.number, "DR-000001", ""),
    ]
    assert [[(s.partner_name, s.percent) for s in d.shares] for d in deals] == [
        [("D1A Trading", D(60)), ("D2 Trading", D(40))],
        [("D1A Trading", D(100))],
    ]
    assert deals[0].order_id == second.id


async def test_a_distributor_credits_only_leads_its_own_network_holds(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    d1 = world.actors["d1_admin"]
    plan = await commissions.create_plan(d1, commission_plan("D1-AGENTS"), clock)
    places = {code: await channel_repository.find_org_place(world.org_id(code)) for code in ("D1A", "D2")}
    ours = await worked_lead(clock, "L-000001", owner=(places["D1A"].id, places["D1A"].path))  # type: ignore[union-attr]
    theirs = await worked_lead(clock, "L-000002", owner=(places["D2"].id, places["D2"].path))  # type: ignore[union-attr]
    pooled = await worked_lead(clock, "L-000003")
    order = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 1)

    def deal(lead: UUID) -> schemas.CommissionDealCreate:
        return _all_to_d1a(world, order.number, lead_id=lead)

    # A sibling's lead and the manufacturer's pool answer as a number that names nothing.
    assert await commissions.find_deal_source(d1, "L-000001") == (None, ours)
    assert await commissions.find_deal_source(d1, "L-000002") is None
    assert await commissions.find_deal_source(d1, "L-000003") is None
    for lead in (theirs, pooled):
        with pytest.raises(InvalidInputError) as refused:
            await commissions.attribute_order(d1, plan.id, deal(lead), clock)
        assert [(p.field, p.code) for p in refused.value.problems] == [("lead_id", "unknown_lead")]
    credited = await commissions.attribute_order(d1, plan.id, deal(ours), clock)
    assert credited.lead_id == ours
    # The manufacturer sees the whole network, its pool included.
    assert await commissions.find_deal_source(world.actors["m_admin"], "L-000003") == (None, pooled)


async def test_an_order_in_another_currency_than_the_plans_is_refused(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    in_yuan = msgspec.structs.replace(commission_plan("CN-AGENTS"), currency="CNY")
    plan = await commissions.create_plan(m, in_yuan, clock)
    registration = await _registration(world, clock, "D1A")
    order = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 1)  # in EUR

    with pytest.raises(InvalidInputError) as refused:
        await commissions.attribute_order(m, plan.id, _all_to_d1a(world, order.number, registration), clock)

    # Amounts are not converted: EUR volume must not earn a commission counted in yuan.
    [problem] = refused.value.problems
    assert (problem.field, problem.code, problem.params) == (
        "order_number",
        "order_in_other_currency",
        {"number": order.number, "currency": "EUR", "plan_currency": "CNY"},
    )
    assert await commissions.list_deals(m, plan.id) == []


async def test_another_distributors_plan_is_not_found_and_a_store_has_no_plans(
    world: World, clock: FixedClock
) -> None:
    d1_plan = await commissions.create_plan(world.actors["d1_admin"], commission_plan("D1-AGENTS"), clock)

    assert await commissions.list_plans(world.actors["d2_admin"]) == []
    with pytest.raises(NotFoundError):
        await commissions.get_plan(world.actors["d2_admin"], d1_plan.id)
    with pytest.raises(NotFoundError):
        await commissions.list_deals(world.actors["d2_admin"], d1_plan.id)
    with pytest.raises(PermissionDeniedError):  # the manufacturer sees it, but only D1 runs it
        await commissions.list_deals(world.actors["m_admin"], d1_plan.id)
    with pytest.raises(PermissionDeniedError):
        await commissions.list_plans(world.actors["s1_manager"])
