"""Credit of a programme with a validity lapses after its last day: the expiry job writes off what is
left of it, an order placed after that day cannot spend it whether or not the job has been by, and
what a cancelled order gives back keeps the last day of the credit it came from."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from channel.services import access
from core.clock import FixedClock
from core.errors import ConflictError
from incentives import schemas
from incentives.services import fund
from ordering import schemas as ordering_schemas
from ordering.services import orders
from tests.builders import World
from tests.integration.incentives.test_fund import _funded

D = Decimal
LAST_DAY = date(2027, 3, 31)  # credited on 2 January 2027, usable for two months after January


async def _funded_for_two_months(world: World, clock: FixedClock) -> None:
    """300.00 in S1's fund, credited on 2 January 2027 and usable until the end of March."""
    await _funded(world, clock, credit_valid_months=2)


def _order(fund_amount: str) -> ordering_schemas.OrderCreate:
    """A HOB: 1,000.00 for S1, of which the fund may pay 10%."""
    return ordering_schemas.OrderCreate(
        lines=[ordering_schemas.OrderLineRequest(sku="HOB", quantity=1)], fund_amount=D(fund_amount)
    )


async def test_credit_left_after_its_last_day_is_written_off_by_the_expiry_job_once(
    world: World, clock: FixedClock
) -> None:
    await _funded_for_two_months(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    clock.set(datetime(2027, 1, 10, 9, tzinfo=UTC))
    await orders.submit_order(store, _order("100.00"), clock)

    standing = await fund.get_fund(store, s1)
    assert standing.balance == D("200.00")
    assert standing.lapsing == [schemas.FundLapse(usable_until=LAST_DAY, amount=D("200.00"))]
    assert standing.entries[-1].usable_until == LAST_DAY  # the credit names its last day

    system = await access.system_actor()
    clock.set(datetime(2027, 3, 31, 23, 30, tzinfo=UTC))
    assert await fund.expire_credit(system, clock) == 0  # the last day is still usable
    clock.set(datetime(2027, 4, 1, 0, 30, tzinfo=UTC))
    assert await fund.expire_credit(system, clock) == 1
    assert await fund.expire_credit(system, clock) == 0  # a second run finds nothing

    after = await fund.get_fund(store, s1)
    assert (after.balance, after.lapsing) == (D("0.00"), [])
    assert [(e.kind, e.amount, e.balance_after, e.usable_until) for e in after.entries[:1]] == [
        ("expiry", D("-200.00"), D("0.00"), LAST_DAY)
    ]
    assert await fund.check_ledger(s1) == (D("0.00"), D("0.00"))


async def test_an_order_after_the_last_day_cannot_spend_lapsed_credit_even_before_the_job_runs(
    world: World, clock: FixedClock
) -> None:
    await _funded_for_two_months(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    clock.set(datetime(2027, 4, 1, 0, 5, tzinfo=UTC))

    offered = await fund.available_for_order(store, D("1000.00"), clock)
    assert offered is not None and (offered.balance, offered.usable) == (D("0.00"), D("0.00"))
    with pytest.raises(ConflictError) as refused:
        await orders.submit_order(store, _order("50.00"), clock)

    assert (refused.value.code, refused.value.params) == (
        "fund_insufficient",
        {"balance": "0.00", "currency": "EUR"},
    )
    assert await fund.check_ledger(s1) == (D("300.00"), D("300.00"))  # the refusal wrote nothing
    assert await fund.expire_credit(await access.system_actor(), clock) == 1
    assert await fund.check_ledger(s1) == (D("0.00"), D("0.00"))


async def test_credit_a_cancelled_order_gives_back_keeps_its_last_day(
    world: World, clock: FixedClock
) -> None:
    await _funded_for_two_months(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    clock.set(datetime(2027, 3, 30, 9, tzinfo=UTC))
    placed = await orders.submit_order(store, _order("100.00"), clock)
    clock.set(datetime(2027, 4, 2, 9, tzinfo=UTC))
    assert await fund.expire_credit(await access.system_actor(), clock) == 1  # the other 200.00

    await orders.cancel(store, placed.id, ordering_schemas.OrderCancel(reason="too late"), clock)

    ledger = await fund.get_fund(store, s1)
    assert [(e.kind, e.amount, e.balance_after) for e in ledger.entries[:3]] == [
        ("expiry", D("-100.00"), D("0.00")),  # what came back lapsed with the credit it came from
        ("return", D("100.00"), D("100.00")),
        ("expiry", D("-200.00"), D("0.00")),
    ]
    assert await fund.check_ledger(s1) == (D("0.00"), D("0.00"))


async def test_credit_without_a_validity_never_lapses(world: World, clock: FixedClock) -> None:
    await _funded(world, clock)  # a programme without a validity
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    clock.set(datetime(2030, 1, 1, 9, tzinfo=UTC))

    assert await fund.expire_credit(await access.system_actor(), clock) == 0
    placed = await orders.submit_order(store, _order("100.00"), clock)

    assert placed.fund_amount == D("100.00")
    assert (await fund.get_fund(store, s1)).lapsing == []


async def test_expiry_runs_and_orders_at_once_write_lapsed_credit_off_exactly_once(
    world: World, clock: FixedClock
) -> None:
    await _funded_for_two_months(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    clock.set(datetime(2027, 3, 30, 9, tzinfo=UTC))
    small = ordering_schemas.OrderCreate(lines=[ordering_schemas.OrderLineRequest(sku="FILTER", quantity=10)])
    numbers = [(await orders.submit_order(store, small, clock)).number for _ in range(8)]  # 300.00 each
    clock.set(datetime(2027, 4, 1, 9, tzinfo=UTC))
    system = await access.system_actor()

    results = await asyncio.gather(
        *(
            fund.use_fund(store, s1, schemas.FundUse(amount=D("20.00"), order_reference=n), clock)
            for n in numbers
        ),
        *(fund.expire_credit(system, clock) for _ in range(3)),
        return_exceptions=True,
    )

    uses, runs = results[: len(numbers)], results[len(numbers) :]
    assert all(isinstance(r, ConflictError) and r.code == "fund_insufficient" for r in uses), uses
    assert sorted(runs) == [0, 0, 1]  # type: ignore[type-var]
    ledger = await fund.get_fund(store, s1)
    assert [(e.kind, e.amount) for e in ledger.entries] == [("expiry", D("-300.00")), ("credit", D("300.00"))]
    assert await fund.check_ledger(s1) == (D("0.00"), D("0.00"))
