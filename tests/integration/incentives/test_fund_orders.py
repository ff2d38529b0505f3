"""Orders pay part of themselves from the buyer's rebate fund when they are placed: in the order's own
transaction, within the programme's limit, never below zero however many orders are placed at once,
and a cancelled or rejected order gives the amount back once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from channel import schemas as channel_schemas
from channel.services import partners
from channel.transactions import is_postgres
from core.clock import FixedClock
from core.errors import ConflictError, DomainError
from incentives import schemas
from incentives.services import fund
from incentives.tables import FundEntry
from ordering import payments
from ordering import schemas as ordering_schemas
from ordering.orders import OrderStatus
from ordering.services import orders
from ordering.tables import Order
from tests.builders import World
from tests.integration.incentives.incentive_world import received_order, return_one
from tests.integration.incentives.test_fund import _funded
from tests.integration.ordering.test_statement_counts import counting

D = Decimal


def _order(sku: str = "HOB", quantity: int = 1, fund_amount: str = "0") -> ordering_schemas.OrderCreate:
    """A HOB is 1,000.00 and a FILTER 30.00 for S1; the fund may pay 10% of an order."""
    return ordering_schemas.OrderCreate(
        lines=[ordering_schemas.OrderLineRequest(sku=sku, quantity=quantity)], fund_amount=D(fund_amount)
    )


async def _written() -> tuple[int, int]:
    """Orders and fund ledger entries in the database."""
    return await Order.count(), await FundEntry.count()


async def test_an_order_placed_with_part_paid_from_the_fund_owes_the_rest(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)  # 300.00 in S1's fund
    store, s1 = world.actors["s1_manager"], world.org_id("S1")

    placed = await orders.submit_order(store, _order(quantity=2, fund_amount="150.00"), clock)

    assert (placed.total, placed.fund_amount, placed.total_due) == (D("2000.00"), D("150.00"), D("1850.00"))
    assert [line.net_total for line in placed.lines] == [D("2000.00")]  # the goods keep their price
    seen = await orders.get_order(world.actors["d1a_admin"], placed.id)
    assert (seen.fund_amount, seen.total_due) == (D("150.00"), D("1850.00"))
    listed, _ = await orders.list_orders(
        store, ordering_schemas.OrderFilter(role="placed", status=OrderStatus.SUBMITTED)
    )
    assert [(o.number, o.fund_amount) for o in listed] == [(placed.number, D("150.00"))]
    ledger = await fund.get_fund(store, s1)
    assert [(e.kind, e.amount, e.balance_after, e.order_reference) for e in ledger.entries[:1]] == [
        ("use", D("-150.00"), D("150.00"), placed.number)
    ]
    assert await fund.check_ledger(s1) == (D("150.00"), D("150.00"))


@pytest.mark.parametrize(
    ("quantity", "amount", "code", "params"),
    [
        pytest.param(
            1, "100.01", "fund_limit_exceeded", {"limit": "100.00", "currency": "EUR"}, id="over-limit"
        ),
        pytest.param(
            4, "300.01", "fund_insufficient", {"balance": "300.00", "currency": "EUR"}, id="over-balance"
        ),
    ],
)
async def test_an_order_asking_the_fund_for_too_much_is_refused_and_nothing_is_written(
    world: World, clock: FixedClock, quantity: int, amount: str, code: str, params: dict[str, str]
) -> None:
    await _funded(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    before = await _written()

    with pytest.raises(ConflictError) as refused:
        await orders.submit_order(store, _order(quantity=quantity, fund_amount=amount), clock)

    assert (refused.value.code, refused.value.params) == (code, params)
    assert await _written() == before  # no order, no ledger entry
    assert await fund.check_ledger(s1) == (D("300.00"), D("300.00"))
    placed = await orders.submit_order(store, _order(), clock)
    assert placed.number == "D1A-2027-000001"  # the refused order took no number


async def test_a_partner_without_a_fund_cannot_pay_from_one(world: World, clock: FixedClock) -> None:
    await _funded(world, clock)
    before = await _written()

    with pytest.raises(ConflictError) as refused:
        await orders.submit_order(world.actors["s2_manager"], _order(fund_amount="10.00"), clock)

    assert refused.value.code == "fund_insufficient"
    assert await _written() == before


async def test_without_a_fund_installed_ordering_refuses_a_fund_amount_and_writes_nothing(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    before = await _written()
    payments.provide_buyer_fund(None)
    try:
        with pytest.raises(ConflictError) as refused:
            await orders.submit_order(world.actors["s1_manager"], _order(fund_amount="10.00"), clock)
        plain = await orders.submit_order(world.actors["s1_manager"], _order(), clock)
        cancelled = await orders.cancel(
            world.actors["s1_manager"], plain.id, ordering_schemas.OrderCancel(reason="test"), clock
        )
    finally:
        fund.provide()

    assert refused.value.code == "fund_not_available"
    assert cancelled.status == "cancelled"  # an order that paid nothing from a fund needs none
    assert await _written() == (before[0] + 1, before[1])


async def test_cancelling_or_rejecting_an_order_gives_the_fund_back_once(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    store, supplier, s1 = world.actors["s1_manager"], world.actors["d1a_admin"], world.org_id("S1")
    first = await orders.submit_order(store, _order(fund_amount="100.00"), clock)
    second = await orders.submit_order(store, _order(quantity=2, fund_amount="200.00"), clock)
    assert (await fund.get_fund(store, s1)).balance == D("0.00")

    await orders.cancel(store, first.id, ordering_schemas.OrderCancel(reason="changed my mind"), clock)
    rejected = await orders.decide(
        supplier, second.id, ordering_schemas.OrderDecision(decision="reject", reason="discontinued"), clock
    )
    again = await fund.return_fund(store, s1, schemas.FundReturn(order_reference=second.number), clock)
    with pytest.raises(ConflictError):
        await orders.cancel(store, first.id, ordering_schemas.OrderCancel(reason="twice"), clock)

    assert (rejected.status, rejected.fund_amount) == ("rejected", D("200.00"))
    assert again.amount == D(0)
    ledger = await fund.get_fund(store, s1)
    assert [(e.kind, e.amount, e.balance_after, e.order_reference) for e in ledger.entries[:4]] == [
        ("return", D("200.00"), D("300.00"), second.number),
        ("return", D("100.00"), D("100.00"), first.number),
        ("use", D("-200.00"), D("0.00"), second.number),
        ("use", D("-100.00"), D("200.00"), first.number),
    ]
    assert [e.actor_label for e in ledger.entries[:2]] == [supplier.label, store.label]
    assert await fund.check_ledger(s1) == (D("300.00"), D("300.00"))


async def test_paying_a_placed_order_later_lowers_what_it_owes_and_a_retry_pays_once(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    placed = await orders.submit_order(store, _order(), clock)
    at_once = await orders.submit_order(store, _order(fund_amount="50.00"), clock)

    used = await fund.use_fund(
        store, s1, schemas.FundUse(amount=D("80.00"), order_reference=placed.number), clock
    )
    retried = await fund.use_fund(
        store, s1, schemas.FundUse(amount=D("50.00"), order_reference=at_once.number), clock
    )
    with pytest.raises(ConflictError) as other:
        await fund.use_fund(
            store, s1, schemas.FundUse(amount=D("60.00"), order_reference=at_once.number), clock
        )

    assert (used.balance, retried.balance, other.value.code) == (
        D("170.00"),
        D("170.00"),
        "fund_already_used",
    )
    paid = await orders.get_order(store, placed.id)
    assert (paid.fund_amount, paid.total_due) == (D("80.00"), D("920.00"))
    assert await fund.check_ledger(s1) == (D("170.00"), D("170.00"))


async def test_the_credit_limit_counts_what_the_fund_does_not_pay(world: World, clock: FixedClock) -> None:
    await _funded(world, clock)
    store = world.actors["s1_manager"]
    await partners.update_partner(
        world.actors["m_admin"],
        world.org_id("S1"),
        channel_schemas.OrganisationUpdate(credit_limit=D("3950.00")),
        clock,
    )  # the received order of 3,000.00 is still open

    with pytest.raises(ConflictError) as refused:
        await orders.submit_order(store, _order(fund_amount="40.00"), clock)
    placed = await orders.submit_order(store, _order(fund_amount="50.00"), clock)

    assert (refused.value.code, refused.value.params["order"]) == ("credit_limit_exceeded", "960.00")
    assert placed.total_due == D("950.00")


async def test_twenty_orders_placed_at_once_each_paying_from_the_fund_never_take_it_below_zero(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)  # 300.00
    store, s1 = world.actors["s1_manager"], world.org_id("S1")
    orders_before, entries_before = await _written()

    results = await asyncio.gather(
        *(
            orders.submit_order(store, _order(sku="FILTER", quantity=10, fund_amount="20.00"), clock)
            for _ in range(20)
        ),  # 300.00 each, the fund may pay 30.00 of each
        return_exceptions=True,
    )

    accepted = [r for r in results if isinstance(r, ordering_schemas.Order)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert [r for r in results if r not in accepted and r not in refused] == []
    assert (len(accepted), len(refused)) == (15, 5)  # 15 x 20.00 of 300.00
    assert {r.code for r in refused} == {"fund_insufficient"}
    assert all((o.fund_amount, o.total_due) == (D("20.00"), D("280.00")) for o in accepted)
    ledger = await fund.get_fund(store, s1)
    assert ledger.balance == D("0.00")
    assert min(e.balance_after for e in ledger.entries) == D("0.00")
    assert sorted(e.order_reference for e in ledger.entries if e.kind == "use") == sorted(
        o.number for o in accepted
    )
    assert await _written() == (orders_before + 15, entries_before + 15)  # refused orders left nothing
    assert await fund.check_ledger(s1) == (D("0.00"), D("0.00"))


async def test_paying_from_the_fund_adds_a_constant_few_statements_to_placing_an_order(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    store = world.actors["s1_manager"]
    await orders.submit_order(store, _order(sku="FILTER"), clock)  # the year's first number is taken

    counts = []
    for sku, quantity, amount in (("FILTER", 10, "0"), ("FILTER", 10, "1.00"), ("HOB", 2, "2.00")):
        with counting() as counter:
            await orders.submit_order(store, _order(sku=sku, quantity=quantity, fund_amount=amount), clock)
        counts.append(counter.count)

    # The account, the programmes that credited it (two reads), the guarded balance change (one
    # conditional UPDATE on PostgreSQL; read and write under SQLite's single writer), the ledger
    # entry and its audit record.
    extra = 6 if is_postgres() else 7
    assert counts == [counts[0], counts[0] + extra, counts[0] + extra]


async def test_an_approved_return_gives_back_the_fund_share_of_the_units_that_came_back(
    world: World, clock: FixedClock
) -> None:
    """3,000.00 of HOBs, 100.00 of it from the fund: each HOB sent back returns its third of the
    100.00 to the fund, rounded so that the three add up to the 100.00 exactly."""
    await _funded(world, clock)  # 300.00
    store, supplier, s1 = world.actors["s1_manager"], world.actors["d1a_admin"], world.org_id("S1")
    received = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3, D("100.00"))
    asked = await orders.request_return(
        store,
        received.id,
        ordering_schemas.ReturnCreate(
            lines=[ordering_schemas.ReturnLine(order_line_id=received.lines[0].id, quantity=1)],
            reason="scratched",
        ),
        clock,
    )
    await orders.decide_return(
        supplier,
        received.id,
        asked.returns[-1].id,
        ordering_schemas.ReturnDecision(decision="refuse", answer="no damage found"),
        clock,
    )
    refused = await fund.get_fund(store, s1)

    for _ in range(3):
        await return_one(world, clock, "s1_manager", "d1a_admin", received)

    assert refused.balance == D("200.00")  # a refused return gives nothing back
    ledger = await fund.get_fund(store, s1)
    assert [(e.kind, e.amount, e.balance_after, e.order_reference) for e in ledger.entries[:4]] == [
        ("return", D("33.33"), D("300.00"), received.number),
        ("return", D("33.34"), D("266.67"), received.number),
        ("return", D("33.33"), D("233.33"), received.number),
        ("use", D("-100.00"), D("200.00"), received.number),
    ]
    assert {e.actor_label for e in ledger.entries[:3]} == {supplier.label}
    assert await fund.check_ledger(s1) == (D("300.00"), D("300.00"))


async def test_a_return_on_an_order_paid_without_the_fund_writes_no_fund_entry(
    world: World, clock: FixedClock
) -> None:
    await _funded(world, clock)
    s1 = world.org_id("S1")
    received = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 2)
    before = await _written()

    await return_one(world, clock, "s1_manager", "d1a_admin", received)

    assert await _written() == before
    assert await fund.check_ledger(s1) == (D("300.00"), D("300.00"))
