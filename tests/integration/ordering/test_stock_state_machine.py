"""A Hypothesis state machine over orders and stock, through the services: stock counted in and written
off, orders placed, approved (reserving what there is, backordering the rest) or rejected, cancelled,
shipped in full or in part, received short or damaged, returned. After every step:

- every stock level is the sum of its ledger (``check_ledger``);
- 0 <= reserved <= on hand, nothing available below zero, nothing negative in transit;
- what a supplier holds reserved for a product is exactly what its open order lines have allocated;
- each order line: allocated + shipped <= ordered, received <= shipped, no counter below zero.

The services are async and the database belongs to the test's event loop, so the machine runs in a
worker thread and hands every call to that loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from channel.schemas import OrganisationUpdate
from channel.services import partners
from core.clock import FixedClock
from core.errors import DomainError
from ordering import schemas
from ordering.orders import OrderStatus
from ordering.services import orders, stock
from ordering.tables import Order, OrderLine, StockLevel
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world

T = TypeVar("T")
SKUS = ("FILTER", "HOOD")
EXAMPLES = 15
STEPS = 25


async def _violations() -> list[str]:
    found: list[str] = []
    check = await stock.check_ledger()
    found += [f"ledger: {mismatch}" for mismatch in check.mismatches]
    for level in await StockLevel.select():
        where = f"{level['organisation_id']} {level['sku']}"
        if not 0 <= level["reserved"] <= level["on_hand"]:
            found.append(f"{where}: reserved {level['reserved']} of on hand {level['on_hand']}")
        if level["in_transit"] < 0:
            found.append(f"{where}: in transit {level['in_transit']}")
    allocated: dict[tuple[UUID, str], int] = {}
    placed = {row["id"]: row for row in await Order.select(Order.id, Order.supplier_id, Order.number)}
    for line in await OrderLine.select():
        line.update(
            supplier_id=placed[line["order_id"]]["supplier_id"], number=placed[line["order_id"]]["number"]
        )
        key = (line["supplier_id"], line["sku"])
        allocated[key] = allocated.get(key, 0) + line["allocated"]
        where = f"{line['number']} {line['sku']}"
        if min(line["allocated"], line["shipped"], line["received"]) < 0:
            found.append(f"{where}: a counter below zero {line}")
        if line["allocated"] + line["shipped"] > line["quantity"]:
            found.append(
                f"{where}: allocated {line['allocated']} + shipped {line['shipped']} > {line['quantity']}"
            )
        if line["received"] > line["shipped"]:
            found.append(f"{where}: received {line['received']} > shipped {line['shipped']}")
    for level in await StockLevel.select():
        key = (level["organisation_id"], level["sku"])
        if level["reserved"] != allocated.get(key, 0):
            found.append(f"{key}: reserved {level['reserved']}, open lines allocated {allocated.get(key, 0)}")
    return found


def machine_for(
    world: World, clock: FixedClock, loop: asyncio.AbstractEventLoop, tally: dict[str, int]
) -> type:
    store, dealer = world.actors["s1_manager"], world.actors["d1a_admin"]

    def run(call: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(call, loop).result(timeout=120)  # type: ignore[arg-type]

    def attempt(name: str, call: Awaitable[T]) -> T | None:
        """A step the services may refuse (409, 422...): refusing is fine, breaking an invariant is not."""
        clock.advance(seconds=1)
        try:
            result = run(call)
        except DomainError as error:
            key = f"{name} refused ({type(error).__name__} {getattr(error, 'code', '')})"
            tally[key] = tally.get(key, 0) + 1
            return None
        tally[name] = tally.get(name, 0) + 1
        return result

    class StockMachine(RuleBasedStateMachine):
        placed = Bundle("placed")

        @initialize()
        def opening_stock(self) -> None:
            for sku in SKUS:
                adjustment = schemas.StockAdjustment(sku=sku, quantity=6, reason="opening count")
                attempt("adjusted", stock.adjust(dealer, adjustment, clock))

        @rule(sku=st.sampled_from(SKUS), quantity=st.integers(-4, 8).filter(bool))
        def adjust(self, sku: str, quantity: int) -> None:
            attempt(
                "adjusted",
                stock.adjust(
                    dealer, schemas.StockAdjustment(sku=sku, quantity=quantity, reason="count"), clock
                ),
            )

        @rule(target=placed, lines=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 5), min_size=1))
        def submit(self, lines: dict[str, int]) -> UUID | None:
            command = schemas.OrderCreate(
                lines=[schemas.OrderLineRequest(sku=sku, quantity=q) for sku, q in lines.items()]
            )
            order = attempt("submitted", orders.submit_order(store, command, clock))
            return order.id if order else None

        @rule(order=placed, approve=st.booleans())
        def decide(self, order: UUID | None, approve: bool) -> None:
            if order:
                decision = schemas.OrderDecision(decision="approve" if approve else "reject", reason="r")
                attempt("decided", orders.decide(dealer, order, decision, clock))

        @rule(order=consumes(placed), by_store=st.booleans())
        def cancel(self, order: UUID | None, by_store: bool) -> None:
            if order:
                command = schemas.OrderCancel(reason="changed plans")
                attempt("cancelled", orders.cancel(store if by_store else dealer, order, command, clock))

        @rule(order=placed, part=st.integers(0, 3))
        def ship(self, order: UUID | None, part: int) -> None:
            if not order:
                return
            view = run(orders.get_order(dealer, order))
            lines = [
                schemas.ShipLine(order_line_id=line.id, quantity=min(part, line.allocated))
                for line in view.lines
                if part and min(part, line.allocated) > 0
            ]
            attempt("shipped", orders.ship(dealer, order, schemas.ShipmentCreate(lines=lines), clock))

        @rule(order=placed, short=st.integers(0, 1))
        def fulfil(self, order: UUID | None, short: int) -> None:
            """The common path in one step: approve, ship what is reserved, receive it."""
            if not order:
                return
            attempt("decided", orders.decide(dealer, order, schemas.OrderDecision(decision="approve"), clock))
            shipped = attempt("shipped", orders.ship(dealer, order, schemas.ShipmentCreate(), clock))
            if shipped and shipped.shipments:
                latest = shipped.shipments[-1]
                receipt = schemas.ReceiptCreate(
                    lines=[
                        schemas.ReceiptLine(order_line_id=line.order_line_id, received=line.quantity - short)
                        for line in latest.lines
                    ]
                )
                attempt("received", orders.receive(store, order, latest.id, receipt, clock))

        @rule(order=placed, short=st.integers(0, 2), damaged=st.integers(0, 1))
        def receive(self, order: UUID | None, short: int, damaged: int) -> None:
            if not order:
                return
            view = run(orders.get_order(store, order))
            for shipment in view.shipments:
                if shipment.received_at is None:
                    receipt = schemas.ReceiptCreate(
                        lines=[
                            schemas.ReceiptLine(
                                order_line_id=line.order_line_id,
                                received=max(line.quantity - short, 0),
                                damaged=min(damaged, max(line.quantity - short, 0)),
                            )
                            for line in shipment.lines
                        ]
                    )
                    attempt("received", orders.receive(store, order, shipment.id, receipt, clock))
                    return

        @rule(order=placed, quantity=st.integers(1, 3), approve=st.booleans())
        def give_back(self, order: UUID | None, quantity: int, approve: bool) -> None:
            if not order:
                return
            view = run(orders.get_order(store, order))
            received = [line for line in view.lines if line.received > 0]
            if not received:
                return
            command = schemas.ReturnCreate(
                lines=[schemas.ReturnLine(order_line_id=received[0].id, quantity=quantity)], reason="faulty"
            )
            returned = attempt("returned", orders.request_return(store, order, command, clock))
            if returned and returned.returns:
                pending = [r for r in returned.returns if r.status == "requested"]
                if pending:
                    decision = schemas.ReturnDecision(decision="approve" if approve else "refuse")
                    attempt(
                        "return decided", orders.decide_return(dealer, order, pending[0].id, decision, clock)
                    )

        @invariant()
        def stock_and_orders_agree(self) -> None:
            violations = run(_violations())
            tally["checks"] = tally.get("checks", 0) + 1
            assert violations == [], violations

    return StockMachine


async def test_no_sequence_of_steps_breaks_the_stock_invariants(
    world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    await priced_world(world, clock)
    # The store's credit is not what this machine explores.
    await partners.update_partner(
        world.system, world.org_id("S1"), OrganisationUpdate(credit_limit=Decimal("100000000")), clock
    )
    tally: dict[str, int] = {}
    machine = machine_for(world, clock, asyncio.get_running_loop(), tally)
    started = time.monotonic()

    await asyncio.get_running_loop().run_in_executor(
        None,
        lambda: run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            ),
        ),
    )

    statuses = {row["status"] for row in await Order.select(Order.status)}
    figure(
        f"\nstock state machine: {EXAMPLES} runs of up to {STEPS} steps in {time.monotonic() - started:.0f} s, "
        f"0 invariant violations; {dict(sorted(tally.items()))}; order statuses reached {sorted(statuses)}"
    )
    assert tally.get("checks", 0) > 0
    assert tally.get("shipped", 0) > 0 and tally.get("received", 0) > 0
    assert (
        OrderStatus.APPROVED in statuses
        or OrderStatus.SHIPPED in statuses
        or OrderStatus.RECEIVED in statuses
    )
