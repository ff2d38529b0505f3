"""Drop-shipping: the manufacturer ships a distributor's forwarded order straight to the store that
waits for it; the distributor's books still see the goods come in and go out."""

from __future__ import annotations

import pytest

from channel import schemas as channel_schemas
from channel.repository import find_org_place
from channel.roles import OrgKind, PartnerStatus, Role
from channel.services import partners
from channel.visibility import Actor
from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from ordering import schemas
from ordering.orders import OrderStatus
from ordering.repository import level
from ordering.services import orders, stock
from ordering.stock import Levels
from ordering.tables import StockMovement
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world


async def _store_under_d1(world: World, clock: FixedClock) -> Actor:
    created = await partners.create_partner(
        world.system,
        channel_schemas.OrganisationCreate(
            supplier_id=world.org_id("D1"),
            kind=OrgKind.STORE,
            code="S1D",
            name="Direct Store",
            currency="EUR",
            locale="en",
            status=PartnerStatus.ACTIVE,
        ),
        clock,
    )
    place = await find_org_place(created.id)
    assert place is not None
    return Actor(
        organisation_id=place.id,
        organisation_kind=OrgKind.STORE,
        organisation_path=place.path,
        roles=frozenset({Role.STORE_MANAGER}),
        label="manager@s1d.example",
    )


async def _balanced() -> None:
    assert (await stock.check_ledger()).mismatches == []


async def test_the_manufacturer_ships_a_forwarded_order_straight_to_the_store(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    store = await _store_under_d1(world, clock)
    distributor, factory = world.actors["d1_admin"], world.actors["m_admin"]
    await stock.adjust(factory, schemas.StockAdjustment(sku="HOB", quantity=10, reason="produced"), clock)
    store_order = await orders.submit_order(
        store, schemas.OrderCreate(lines=[schemas.OrderLineRequest(sku="HOB", quantity=5)]), clock
    )
    await orders.decide(distributor, store_order.id, schemas.OrderDecision(decision="approve"), clock)
    upstream = await orders.forward_backorders(distributor, schemas.ForwardRequest(), clock)
    await orders.decide(factory, upstream.id, schemas.OrderDecision(decision="approve"), clock)
    d1, m, s1d = world.org_id("D1"), world.org_id("M"), store.organisation_id

    # Only what was forwarded, to an order it fills.
    with pytest.raises(InvalidInputError):
        await orders.ship_direct(
            factory,
            upstream.id,
            schemas.DropShipCreate(
                downstream_order_id=store_order.id,
                lines=[schemas.ShipLine(order_line_id=upstream.lines[0].id, quantity=6)],
            ),
            clock,
        )
    first = await orders.ship_direct(
        factory,
        upstream.id,
        schemas.DropShipCreate(
            downstream_order_id=store_order.id,
            lines=[schemas.ShipLine(order_line_id=upstream.lines[0].id, quantity=3)],
            carrier="DHL",
            tracking="DHL-1",
        ),
        clock,
    )
    assert first.status is OrderStatus.PARTIALLY_SHIPPED
    assert (first.shipments[0].drop_ship, first.shipments[0].deliver_to) == (True, "Direct Store")
    assert await level(m, "HOB") == Levels(on_hand=7, reserved=2)
    assert await level(d1, "HOB") == Levels(in_transit=3)  # on its way to the distributor's books
    assert await level(s1d, "HOB") == Levels(in_transit=3)
    seen = await orders.get_order(store, store_order.id)
    assert seen.status is OrderStatus.PARTIALLY_SHIPPED
    assert (seen.lines[0].shipped, seen.lines[0].backordered) == (3, 2)
    assert seen.shipments[0].drop_ship and seen.shipments[0].tracking == "DHL-1"
    await _balanced()

    with pytest.raises(ConflictError) as refused:  # the store confirms it, not the distributor
        await orders.receive(distributor, upstream.id, first.shipments[0].id, schemas.ReceiptCreate(), clock)
    assert refused.value.code == "drop_ship_received_by_buyer"

    line = seen.lines[0].id
    await orders.receive(
        store,
        store_order.id,
        seen.shipments[0].id,
        schemas.ReceiptCreate(lines=[schemas.ReceiptLine(order_line_id=line, received=2, damaged=1)]),
        clock,
    )
    assert await level(s1d, "HOB") == Levels(on_hand=2)
    assert await level(d1, "HOB") == Levels()  # received and shipped on, never handled
    through = (
        await StockMovement.select(StockMovement.kind, StockMovement.quantity)
        .where((StockMovement.organisation_id == d1) & (StockMovement.sku == "HOB"))
        .order_by(StockMovement.id)
    )
    assert [(r["kind"], r["quantity"]) for r in through] == [
        ("in_transit", 3),
        ("receipt", 2),
        ("receipt_shortfall", 1),
        ("allocation", 2),
        ("shipment_out", 2),
    ]
    up = await orders.get_order(distributor, upstream.id)
    assert (up.shipments[0].status, up.lines[0].received) == ("received", 2)
    assert up.shipments[0].discrepancy.startswith("HOB: 0 short, 1 damaged")
    await _balanced()

    rest = await orders.ship_direct(
        factory, upstream.id, schemas.DropShipCreate(downstream_order_id=store_order.id), clock
    )
    assert rest.status is OrderStatus.SHIPPED
    with pytest.raises(ConflictError):
        await orders.ship_direct(
            factory, upstream.id, schemas.DropShipCreate(downstream_order_id=store_order.id), clock
        )
    waiting = await orders.get_order(store, store_order.id)
    assert waiting.status is OrderStatus.SHIPPED
    done = await orders.receive(
        store, store_order.id, waiting.shipments[1].id, schemas.ReceiptCreate(), clock
    )

    assert done.status is OrderStatus.RECEIVED
    assert (await orders.get_order(distributor, upstream.id)).status is OrderStatus.RECEIVED
    assert await level(s1d, "HOB") == Levels(on_hand=4)
    assert await level(d1, "HOB") == Levels()
    assert await level(m, "HOB") == Levels(on_hand=5)
    await _balanced()


async def test_the_shipper_lists_its_drop_shipping_to_do_and_done_with_filters_and_pages(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    store = await _store_under_d1(world, clock)
    distributor, factory = world.actors["d1_admin"], world.actors["m_admin"]
    await stock.adjust(factory, schemas.StockAdjustment(sku="HOB", quantity=10, reason="produced"), clock)
    placed = []
    for quantity in (5, 2):
        order = await orders.submit_order(
            store, schemas.OrderCreate(lines=[schemas.OrderLineRequest(sku="HOB", quantity=quantity)]), clock
        )
        await orders.decide(distributor, order.id, schemas.OrderDecision(decision="approve"), clock)
        placed.append(order)
        clock.advance(minutes=1)
    upstream = await orders.forward_backorders(distributor, schemas.ForwardRequest(), clock)
    await orders.decide(factory, upstream.id, schemas.OrderDecision(decision="approve"), clock)

    async def listed(**filters: object) -> list[schemas.DropShipmentView]:
        found, _ = await orders.list_drop_shipments(factory, schemas.DropShipmentFilter(**filters))  # type: ignore[arg-type]
        return found

    to_do = await listed()
    assert [(d.order_number, d.forwarded, d.shipped, d.open, d.state) for d in to_do] == [
        (placed[0].number, 5, 0, 5, "to_do"),  # the longest waiting first
        (placed[1].number, 2, 0, 2, "to_do"),
    ]
    assert (to_do[0].via_name, to_do[0].deliver_to_name, to_do[0].upstream_number) == (
        "D1 Trading",
        "Direct Store",
        upstream.number,
    )
    assert await listed(state="done") == []

    line = upstream.lines[0].id
    await orders.ship_direct(
        factory,
        upstream.id,
        schemas.DropShipCreate(
            downstream_order_id=placed[0].id, lines=[schemas.ShipLine(order_line_id=line, quantity=3)]
        ),
        clock,
    )
    first = (await listed())[0]
    assert (first.shipped, first.open, [s.units for s in first.shipments]) == (3, 2, [3])
    await orders.ship_direct(
        factory, upstream.id, schemas.DropShipCreate(downstream_order_id=placed[0].id), clock
    )

    assert [d.order_number for d in await listed()] == [placed[1].number]
    done = await listed(state="done")
    assert [(d.order_number, d.shipped, d.open, [s.units for s in d.shipments]) for d in done] == [
        (placed[0].number, 5, 0, [3, 2])
    ]
    assert [d.order_number for d in await listed(state="all")] == [placed[1].number, placed[0].number]

    # Filters and pages.
    assert await listed(state="all", buyer_id=world.org_id("S1")) == []
    assert len(await listed(state="all", buyer_id=store.organisation_id)) == 2
    page_one, cursor = await orders.list_drop_shipments(
        factory, schemas.DropShipmentFilter(state="all", limit=1)
    )
    assert cursor is not None
    page_two, last = await orders.list_drop_shipments(
        factory, schemas.DropShipmentFilter(state="all", limit=1, cursor=cursor)
    )
    assert ([d.order_number for d in page_one + page_two], last) == (
        [placed[1].number, placed[0].number],
        None,
    )

    # Only the shipper's own: the distributor ships nothing direct; a store fulfils no orders.
    assert (await orders.list_drop_shipments(distributor, schemas.DropShipmentFilter(state="all")))[0] == []
    with pytest.raises(PermissionDeniedError):
        await orders.list_drop_shipments(store, schemas.DropShipmentFilter())
