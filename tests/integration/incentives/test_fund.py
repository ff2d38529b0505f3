"""The rebate fund on a real database: credited by settlements, used by orders within the limit,
never below zero however many orders use it at once, given back by a cancelled order."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from core.clock import FixedClock
from core.errors import ConflictError, DomainError, InvalidInputError, NotFoundError, PermissionDeniedError
from incentives import schemas
from incentives.rebates import Tier
from incentives.services import fund, settlements
from ordering import schemas as ordering_schemas
from ordering.services import orders
from ordering.tables import Order
from tests.builders import World
from tests.integration.incentives.incentive_world import create_store_programme, received_order, return_one
from tests.integration.pricing.pricing_world import priced_world

D = Decimal


async def _funded(world: World, clock: FixedClock, credit_valid_months: int | None = None) -> None:
    """S1 bought 3,000.00 in the fourth quarter at a flat 10%: 300.00 in its fund, credited on
    2 January 2027 (usable for ``credit_valid_months``, if given)."""
    await priced_world(world, clock)
    programme = await create_store_programme(
        world, clock, tiers=(Tier(threshold=D(0), percent=D(10)),), credit_valid_months=credit_valid_months
    )
    await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)
    clock.set(datetime(2027, 1, 2, 9, tzinfo=UTC))
    m = world.actors["m_admin"]
    run = await settlements.settle_period(
        m, programme.id, schemas.SettleCommand(period_day=date(2026, 12, 1)), clock
    )
    await settlements.decide_settlement(
        m, run.proposed[0].id, schemas.SettlementDecision(decision="approve"), clock
    )


def _use(amount: str, reference: str) -> schemas.FundUse:
    return schemas.FundUse(amount=D(amount), order_reference=reference)


async def _submitted(
    world: World, clock: FixedClock, buyer: str = "s1_manager", sku: str = "HOB", quantity: int = 1
) -> str:
    """A submitted order (a HOB is 1,000.00, a FILTER 30.00): the fund may pay 10% of it."""
    placed = await orders.submit_order(
        world.actors[buyer],
        ordering_schemas.OrderCreate(lines=[ordering_schemas.OrderLineRequest(sku=sku, quantity=quantity)]),
        clock,
    )
    return placed.number


async def test_an_order_pays_within_the_limit_and_a_cancelled_order_gets_it_back(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    first, second = await _submitted(world, clock), await _submitted(world, clock)

    used = await fund.use_fund(store, s1, _use("100.00", first), clock)
    assert (used.amount, used.balance) == (D("100.00"), D("200.00"))
    retried = await fund.use_fund(store, s1, _use("100.00", first), clock)
    assert retried.balance == D("200.00")  # a retry answers the first use
    with pytest.raises(ConflictError) as over:
        await fund.use_fund(store, s1, _use("100.01", second), clock)
    assert (over.value.code, over.value.params) == (
        "fund_limit_exceeded",
        {"limit": "100.00", "currency": "EUR"},
    )
    with pytest.raises(InvalidInputError):
        await fund.use_fund(store, s1, _use("10.00", "NO-SUCH-ORDER"), clock)
    with pytest.raises(ConflictError) as standing:
        await fund.return_fund(store, s1, schemas.FundReturn(order_reference=first), clock)
    assert standing.value.code == "order_not_cancelled"

    paid = await orders.get_order(store, (await _order_id(first)))
    assert (paid.total, paid.fund_amount, paid.total_due) == (D("1000.00"), D("100.00"), D("900.00"))
    cancelled = await orders.cancel(
        store, paid.id, ordering_schemas.OrderCancel(reason="changed my mind"), clock
    )
    again = await fund.return_fund(store, s1, schemas.FundReturn(order_reference=first), clock)

    assert cancelled.status == "cancelled"
    assert (again.amount, again.balance) == (D(0), D("300.00"))  # cancelling gave it back already
    ledger = await fund.get_fund(store, s1)
    assert [(e.kind, e.amount, e.balance_after) for e in ledger.entries] == [
        ("return", D("100.00"), D("300.00")),
        ("use", D("-100.00"), D("200.00")),
        ("credit", D("300.00"), D("300.00")),
    ]
    assert ledger.use_percent == D(10)


async def test_only_the_partner_uses_its_fund_and_only_its_upstream_sees_it(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    s1 = world.org_id("S1")

    with pytest.raises(NotFoundError):
        await fund.get_fund(world.actors["s2_manager"], s1)
    with pytest.raises(NotFoundError):
        await fund.get_fund(world.actors["d2_admin"], s1)
    assert (await fund.get_fund(world.actors["d1a_admin"], s1)).balance == D("300.00")
    with pytest.raises(PermissionDeniedError):
        await fund.use_fund(world.actors["d1a_admin"], s1, _use("10.00", "X"), clock)
    with pytest.raises(NotFoundError):
        await fund.use_fund(world.actors["s2_manager"], s1, _use("10.00", "X"), clock)
    with pytest.raises(InvalidInputError):  # another partner's order is not the store's to pay
        await fund.use_fund(
            world.actors["s1_manager"], s1, _use("10.00", await _submitted(world, clock, "s2_manager")), clock
        )
    assert await fund.check_ledger(s1) == (D("300.00"), D("300.00"))


async def test_the_owner_adjusts_and_expires_credit_but_never_below_zero(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    m, s1 = world.actors["m_admin"], world.org_id("S1")

    await fund.adjust_fund(
        m, s1, schemas.FundAdjustment(amount=D("-50.00"), reason="duplicate credit"), clock
    )
    expired = await fund.adjust_fund(
        m, s1, schemas.FundAdjustment(amount=D("25.00"), kind="expiry", reason="lapsed"), clock
    )
    assert (expired.kind, expired.amount, expired.balance_after) == ("expiry", D("-25.00"), D("225.00"))
    with pytest.raises(ConflictError):
        await fund.adjust_fund(m, s1, schemas.FundAdjustment(amount=D("-225.01"), reason="too much"), clock)
    with pytest.raises(PermissionDeniedError):
        await fund.adjust_fund(
            world.actors["s1_manager"], s1, schemas.FundAdjustment(amount=D(5), reason="me"), clock
        )

    assert await fund.check_ledger(s1) == (D("225.00"), D("225.00"))


async def test_twenty_orders_at_once_never_take_the_fund_below_zero_and_every_use_is_recorded(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")

    numbers = [await _submitted(world, clock, sku="FILTER", quantity=10) for _ in range(20)]  # 300.00 each

    results = await asyncio.gather(
        *(fund.use_fund(store, s1, _use("20.00", number), clock) for number in numbers),
        return_exceptions=True,
    )

    accepted = [r for r in results if isinstance(r, schemas.FundUseResult)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert [r for r in results if r not in accepted and r not in refused] == []
    assert (len(accepted), len(refused)) == (15, 5)  # 15 x 20.00 of 300.00
    assert all(r.code == "fund_insufficient" for r in refused)
    ledger = await fund.get_fund(store, s1)
    assert ledger.balance == D("0.00")
    assert sorted(e.order_reference for e in ledger.entries if e.kind == "use") == sorted(
        r.order_reference for r in accepted
    )
    assert await fund.check_ledger(s1) == (D("0.00"), D("0.00"))


async def _order_id(number: str) -> UUID:
    row = await Order.select(Order.id).where(Order.number == number).first()
    assert row is not None
    return UUID(str(row["id"]))


async def test_a_correction_the_fund_cannot_cover_is_taken_in_part_and_asked_for_again_next_time(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)  # Q4: 3,000.00 at 10% = 300.00
    store, s1, m = world.actors["s1_manager"], world.org_id("S1"), world.actors["m_admin"]
    clock.set(datetime(2027, 1, 3, 9, tzinfo=UTC))
    for _ in range(3):  # 280.00 of the 300.00 goes on three hob orders
        await fund.use_fund(
            store, s1, _use("93.33" if _ < 2 else "93.34", await _submitted(world, clock)), clock
        )
    programme = (await settlements.list_settlements(m))[0].programme_id
    order_rows = await Order.select(Order.id, Order.number).where(Order.status == "received")
    received = await orders.get_order(store, UUID(str(order_rows[0]["id"])))
    await return_one(world, clock, "s1_manager", "d1a_admin", received)  # Q4 now 2,000.00: 200.00

    clock.set(datetime(2027, 4, 2, 9, tzinfo=UTC))
    run = await settlements.settle_period(
        m, programme, schemas.SettleCommand(period_day=date(2027, 3, 1)), clock
    )
    await settlements.decide_settlement(
        m, run.proposed[0].id, schemas.SettlementDecision(decision="approve"), clock
    )
    again = await settlements.settle_period(
        m, programme, schemas.SettleCommand(period_day=date(2027, 3, 1)), clock
    )

    assert run.proposed[0].amount == D("-100.00")
    assert (await fund.get_fund(store, s1)).balance == D("0.00")  # the 20.00 left was taken back
    assert [(ln.paid_before, ln.amount) for ln in again.proposed[0].lines] == [(D("280.00"), D("-80.00"))]
    assert await fund.check_ledger(s1) == (D("0.00"), D("0.00"))
