"""Received orders, a store rebate programme, a commission plan and a worked lead on top of the
priced test world."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from core.clock import FixedClock
from deal_registration.tables import Lead
from incentives import schemas
from incentives.commissions import CategoryRate, CommissionPlan
from incentives.rebates import Definition, Enrolment, PeriodKind, SellIn, Tier, TierMode
from incentives.services import programmes
from ordering import schemas as ordering_schemas
from ordering.services import orders, stock
from tests.builders import World

D = Decimal
TEN = Decimal(10)
TWO = Decimal(2)


async def received_order(
    world: World,
    clock: FixedClock,
    buyer: str,
    supplier: str,
    sku: str,
    quantity: int,
    fund_amount: Decimal = Decimal(0),
) -> ordering_schemas.Order:
    """An order placed, approved, shipped and received in full (the supplier gets the stock first)."""
    await stock.adjust(
        world.actors[supplier],
        ordering_schemas.StockAdjustment(sku=sku, quantity=quantity, reason="counted"),
        clock,
    )
    placed = await orders.submit_order(
        world.actors[buyer],
        ordering_schemas.OrderCreate(
            lines=[ordering_schemas.OrderLineRequest(sku=sku, quantity=quantity)], fund_amount=fund_amount
        ),
        clock,
    )
    await orders.decide(
        world.actors[supplier], placed.id, ordering_schemas.OrderDecision(decision="approve"), clock
    )
    shipped = await orders.ship(world.actors[supplier], placed.id, ordering_schemas.ShipmentCreate(), clock)
    return await orders.receive(
        world.actors[buyer], placed.id, shipped.shipments[0].id, ordering_schemas.ReceiptCreate(), clock
    )


async def return_one(
    world: World, clock: FixedClock, buyer: str, supplier: str, order: ordering_schemas.Order
) -> None:
    line = order.lines[0].id
    asked = await orders.request_return(
        world.actors[buyer],
        order.id,
        ordering_schemas.ReturnCreate(
            lines=[ordering_schemas.ReturnLine(order_line_id=line, quantity=1)], reason="faulty"
        ),
        clock,
    )
    await orders.decide_return(
        world.actors[supplier],
        order.id,
        asked.returns[-1].id,
        ordering_schemas.ReturnDecision(decision="approve"),
        clock,
    )


def store_programme(
    tiers: tuple[Tier, ...] = (Tier(threshold=D(1000), percent=D(1)), Tier(threshold=D(5000), percent=D(2))),
    *,
    code: str = "STORES-Q",
    mode: TierMode = TierMode.WHOLE,
    fund_use_percent: Decimal = TEN,
    credit_valid_months: int | None = None,
) -> schemas.ProgrammeCreate:
    return schemas.ProgrammeCreate(
        code=code,
        name="Store quarterly rebate",
        currency="EUR",
        starts_on=date(2026, 10, 1),
        definition=Definition(
            period=PeriodKind.QUARTER,
            basis=SellIn(),
            tiers=tiers,
            mode=mode,
            enrolment=Enrolment(partner_kinds=frozenset({"store"})),
            fund_use_percent=fund_use_percent,
            credit_valid_months=credit_valid_months,
        ),
    )


async def create_store_programme(world: World, clock: FixedClock, **kw: object) -> schemas.Programme:
    return await programmes.create_programme(world.actors["m_admin"], store_programme(**kw), clock)  # type: ignore[arg-type]


def commission_plan(
    code: str = "AGENTS", percent: Decimal = TWO, category: str = ""
) -> schemas.CommissionPlanCreate:
    """A plan paying ``percent`` of each deal's volume in ``category`` (every product by default)."""
    return schemas.CommissionPlanCreate(
        code=code,
        name=code.title(),
        currency="EUR",
        plan=CommissionPlan(
            rates=(CategoryRate(category=category, tiers=(Tier(threshold=D(0), percent=percent),)),)
        ),
    )


async def worked_lead(
    clock: FixedClock, number: str = "L-000001", owner: tuple[UUID, str] | None = None
) -> UUID:
    """A lead the agent worked, as the lead pool keeps it; ``owner``: the partner (id, path) that
    holds it, else it lies in the manufacturer's pool."""
    lead_id = uuid4()
    await Lead.insert(
        Lead(
            id=lead_id,
            number=number,
            source="trade fair",
            company_name="Hotel Aurora",
            owner_id=owner[0] if owner else None,
            owner_path=owner[1] if owner else "",
            created_at=clock.now(),
        )
    )
    return lead_id
