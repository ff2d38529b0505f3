"""A small hand-made channel history, written straight into the tables the rollups read.

D1A buys from D1 in November 2026 (and once in November 2025), reports sell-out and stock,
registers deals, quotes end customers and works leads. Every KPI below follows from these rows;
the tests spell the arithmetic out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from channel.tables import Organisation
from deal_registration.tables import LeadEvent, Registration
from ordering.tables import Order, OrderLine, Shipment
from pricing import schemas as pricing_schemas
from pricing.services import catalogue
from pricing.tables import Quote
from reports.tables import PartnerReport, PartnerReportLine
from tests.builders import World


async def path_of(world: World, code: str) -> str:
    row = await Organisation.select(Organisation.path).where(Organisation.id == world.org_id(code)).first()
    assert row is not None
    return str(row["path"])


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


async def add_order(
    world: World,
    buyer: str,
    supplier: str,
    created: datetime,
    status: str,
    total: str,
    lines: list[tuple[int, int, bool]],  # units, shipped, promoted
    shipments: list[tuple[datetime, datetime | None]] = (),  # type: ignore[assignment]
) -> UUID:
    order_id = uuid4()
    await Order.insert(
        Order(
            id=order_id,
            number=f"T-{order_id.hex[:10]}",
            supplier_id=world.org_id(supplier),
            buyer_id=world.org_id(buyer),
            buyer_path=await path_of(world, buyer),
            status=status,
            currency="EUR",
            total=Decimal(total),
            line_count=len(lines),
            created_at=created,
            updated_at=created,
        )
    )
    # the order's total spread over its lines by units, the last line taking what rounding leaves
    all_units = sum(units for units, _, _ in lines)
    shares = [(Decimal(total) * units / all_units).quantize(Decimal("0.01")) for units, _, _ in lines]
    shares[-1] = Decimal(total) - sum(shares[:-1], Decimal(0))
    for position, (units, shipped, promoted) in enumerate(lines, 1):
        await OrderLine.insert(
            OrderLine(
                order_id=order_id,
                position=position,
                sku=f"SKU-{position}",
                quantity=units,
                shipped=shipped,
                net_total=shares[position - 1],
                priced={"sku": f"SKU-{position}", "promotion_ids": [str(uuid4())] if promoted else []},
            )
        )
    for index, (shipped_at, received_at) in enumerate(shipments):
        await Shipment.insert(
            Shipment(
                number=f"SH-{order_id.hex[:10]}-{index}",
                order_id=order_id,
                status="received" if received_at else "shipped",
                shipped_at=shipped_at,
                received_at=received_at,
            )
        )
    return order_id


async def add_report(
    world: World, code: str, kind: str, day: date, lines: list[tuple[int, str | None]], current: bool = True
) -> UUID:
    report_id = uuid4()
    earlier = await PartnerReport.count().where(
        (PartnerReport.organisation_id == world.org_id(code))
        & (PartnerReport.kind == kind)
        & (PartnerReport.report_date == day)
    )
    await PartnerReport.insert(
        PartnerReport(
            id=report_id,
            revision=earlier + 1,  # revisions of one partner, kind and day are numbered
            organisation_id=world.org_id(code),
            organisation_path=await path_of(world, code),
            kind=kind,
            report_date=day,
            current=current,
            source="form",
            line_count=len(lines),
            total_quantity=sum(q for q, _ in lines),
            submitted_at=world.clock.now(),
        )
    )
    for index, (quantity, amount) in enumerate(lines):
        await PartnerReportLine.insert(
            PartnerReportLine(
                report_id=report_id,
                organisation_id=world.org_id(code),
                kind=kind,
                report_date=day,
                sku=f"SKU-{index}",
                quantity=quantity,
                amount=Decimal(amount) if amount is not None else None,
            )
        )
    return report_id


async def add_registration(world: World, code: str, created: datetime, status: str) -> None:
    await Registration.insert(
        Registration(
            number=f"R-{uuid4().hex[:12]}",
            programme_id=uuid4(),
            partner_id=world.org_id(code),
            partner_path=await path_of(world, code),
            status=status,
            customer={"company_name": "Acme"},
            currency="EUR",
            created_at=created,
            updated_at=created,
        )
    )


async def add_quote(world: World, code: str, created: datetime, status: str, order_id: UUID | None) -> None:
    await Quote.insert(
        Quote(
            number=f"Q-{uuid4().hex[:12]}",
            seller_id=world.org_id(code),
            seller_path=await path_of(world, code),
            status=status,
            currency="EUR",
            customer={"company_name": "Acme"},
            valid_until=created,
            order_id=order_id,
            created_at=created,
            updated_at=created,
        )
    )


async def add_lead_history(world: World, code: str, events: list[tuple[datetime, str]]) -> None:
    lead_id = uuid4()
    for occurred_at, kind in events:
        await LeadEvent.insert(
            LeadEvent(lead_id=lead_id, occurred_at=occurred_at, kind=kind, organisation_id=world.org_id(code))
        )


async def with_categories(world: World) -> None:
    """KITCHEN with its child HOBS, and BATH: SKU-0 is in KITCHEN itself, SKU-1 in HOBS, SKU-2 in BATH.

    So in November 2026 D1A bought 1,350.75 of KITCHEN (all of it HOBS: o1's 6 units, o2, o4) and
    400.00 of BATH (o1's 4 units), sold 20 KITCHEN units (16 of them SKU-0) and held 30 SKU-0 at its
    last stock report.
    """
    system = world.system
    for code, parent in (("KITCHEN", None), ("HOBS", "KITCHEN"), ("BATH", None)):
        await catalogue.create_category(
            system,
            pricing_schemas.CategoryCreate(code=code, names={"en": code.title()}, parent=parent),
            world.clock,
        )
    for sku, category in (("SKU-0", "KITCHEN"), ("SKU-1", "HOBS"), ("SKU-2", "BATH")):
        await catalogue.create_product(
            system, pricing_schemas.ProductCreate(sku=sku, names={"en": sku}, category=category), world.clock
        )


async def build_history(world: World) -> dict[str, UUID]:
    """The November 2026 channel the KPI tests reason about."""
    await with_categories(world)
    ids = {}
    ids["o1"] = await add_order(
        world,
        "D1A",
        "D1",
        at("2026-11-02", 10),
        "received",
        "1000.00",
        [(6, 6, True), (4, 4, False)],
        [(at("2026-11-03", 10), at("2026-11-05", 10))],
    )
    ids["o2"] = await add_order(
        world,
        "D1A",
        "D1",
        at("2026-11-10"),
        "partially_shipped",
        "500.50",
        [(20, 5, False)],
        [(at("2026-11-11"), None)],
    )
    ids["o3"] = await add_order(world, "D1A", "D1", at("2026-11-12"), "cancelled", "300.00", [(3, 0, False)])
    ids["o4"] = await add_order(
        world,
        "D1A",
        "D1",
        at("2026-11-15", 8),
        "shipped",
        "250.25",
        [(5, 5, False)],
        [(at("2026-11-20", 8), None)],
    )
    ids["o5"] = await add_order(
        world,
        "D1A",
        "D1",
        at("2025-11-05"),
        "received",
        "1200.00",
        [(12, 12, False)],
        [(at("2025-11-06"), at("2025-11-07"))],
    )
    await add_report(world, "D1A", "sell_out", date(2026, 11, 20), [(10, "100.00"), (4, None)])
    await add_report(world, "D1A", "sell_out", date(2026, 11, 21), [(99, "990.00")], current=False)
    await add_report(world, "D1A", "sell_out", date(2026, 11, 21), [(6, "60.50")])
    await add_report(world, "D1A", "stock", date(2026, 11, 10), [(60, None), (40, None)])
    await add_report(world, "D1A", "stock", date(2026, 11, 25), [(30, None)])
    for status in ("submitted", "protected", "won", "rejected"):
        await add_registration(world, "D1A", at("2026-11-03"), status)
    await add_quote(world, "D1A", at("2026-11-04"), "sent", None)
    await add_quote(world, "D1A", at("2026-11-04"), "accepted", ids["o1"])
    await add_quote(world, "D1A", at("2026-11-04"), "draft", None)
    await add_lead_history(
        world,
        "D1A",
        [(at("2026-11-04"), "offered"), (at("2026-11-04", 15), "accepted"), (at("2026-11-10"), "follow_up")],
    )
    await add_lead_history(
        world, "D1A", [(at("2026-11-05"), "offered"), (at("2026-11-06", 10), "offer_lapsed")]
    )
    await add_lead_history(
        world,
        "D1A",
        [(at("2026-11-06"), "offered"), (at("2026-11-08"), "accepted"), (at("2026-11-25"), "no_follow_up")],
    )
    await add_lead_history(world, "D1A", [(at("2026-11-20"), "offered")])
    return ids
