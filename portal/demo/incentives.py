"""The demo's incentives: the manufacturer's quarterly store rebate (last quarter settled into the
stores' rebate funds) and yearly distributor growth programme, a commission plan for agents, and a
co-marketing budget shared by the tier-1 distributors with one request waiting for a decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from channel import repository as channel_repository
from core.clock import Clock
from incentives import schemas
from incentives.commissions import CategoryRate, CommissionPlan
from incentives.rebates import Definition, Enrolment, Growth, PeriodKind, SellIn, Tier, TierMode, period_of
from incentives.services import commissions, mdf, programmes, settlements
from portal.demo.deals import person

STEPS = 4

D = Decimal


async def load_incentives(clock: Clock, advance: Callable[[str], None]) -> None:
    factory = await person("admin@aurora.example", clock)
    today = clock.now().date()
    quarter, year = period_of(PeriodKind.QUARTER, today), period_of(PeriodKind.YEAR, today)
    last_quarter = period_of(PeriodKind.QUARTER, quarter.start - timedelta(days=1))
    store_rebate = await programmes.create_programme(
        factory,
        schemas.ProgrammeCreate(
            code="STORE-REBATE",
            name="Store quarterly purchase rebate",
            currency="CNY",
            starts_on=last_quarter.start,
            definition=Definition(
                period=PeriodKind.QUARTER,
                basis=SellIn(),
                tiers=(
                    Tier(threshold=D(20_000), percent=D(1)),
                    Tier(threshold=D(50_000), percent=D(2)),
                    Tier(threshold=D(100_000), percent=D("3.5")),
                ),
                mode=TierMode.WHOLE,
                cap=D(20_000),
                enrolment=Enrolment(partner_kinds=frozenset({"store"})),
                credit_valid_months=12,  # paid-in credit lapses after a year, as such terms say
            ),
        ),
        clock,
    )
    await programmes.create_programme(
        factory,
        schemas.ProgrammeCreate(
            code="DIST-GROWTH",
            name="Distributor growth bonus",
            currency="CNY",
            starts_on=year.start,
            definition=Definition(
                period=PeriodKind.YEAR,
                basis=Growth(),
                tiers=(Tier(threshold=D(0), percent=D(2)), Tier(threshold=D(500_000), percent=D(4))),
                mode=TierMode.SLAB,
                enrolment=Enrolment(partner_levels=frozenset({"GOLD", "PLATINUM"})),
                fund_use_percent=D(5),
            ),
        ),
        clock,
    )
    advance("rebate programmes")
    # Last quarter is settled and paid into the stores' rebate funds, so a store can pay part of an
    # order from its fund (up to the programme's 10%).
    run = await settlements.settle_period(
        factory, store_rebate.id, schemas.SettleCommand(period_day=last_quarter.start), clock
    )
    for proposal in run.proposed:
        await settlements.decide_settlement(
            factory, proposal.id, schemas.SettlementDecision(decision="approve"), clock
        )
    advance("last quarter's store rebates, paid into their funds")
    await commissions.create_plan(
        factory,
        schemas.CommissionPlanCreate(
            code="AGENTS",
            name="Agents and referral partners",
            currency="CNY",
            plan=CommissionPlan(
                rates=(
                    CategoryRate(category="", tiers=(Tier(threshold=D(0), percent=D(2)),)),
                    CategoryRate(
                        category="HOBS",
                        tiers=(Tier(threshold=D(0), percent=D(3)), Tier(threshold=D(50_000), percent=D(5))),
                    ),
                )
            ),
        ),
        clock,
    )
    advance("a commission plan")
    budget = await mdf.create_budget(
        factory,
        schemas.MdfBudgetCreate(
            code=f"MDF-{year.start.year}",
            name="Co-marketing funds",
            currency="CNY",
            amount=D(600_000),
            period_start=year.start,
            period_end=year.end,
        ),
        clock,
    )
    for code, amount in (("D-EAST", 200_000), ("D-NORTH", 150_000), ("D-SOUTH", 150_000)):
        partner_id = await channel_repository.find_organisation_id_by_code(code)
        if partner_id is not None:
            await mdf.allocate(
                factory, budget.id, schemas.MdfAllocate(partner_id=partner_id, amount=D(amount)), clock
            )
    await mdf.request_funds(
        await person("admin@huadong.example", clock),
        schemas.MdfRequestCreate(
            budget_id=budget.id,
            activity="event",
            title="Kitchen fair stand, Shanghai",
            plan="Three days, 36 m2 stand with live cooking on the G3 hobs; 4 staff; leaflets.",
            starts_on=min(year.end, quarter.end),
            ends_on=min(year.end, quarter.end),
            amount=D(48_000),
        ),
        clock,
    )
    advance("co-marketing funds")
