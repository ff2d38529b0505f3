"""The demo's opening stock at the manufacturer and the tier-1 distributors, and one store order
waiting in Huadong's inbox."""

from __future__ import annotations

from collections.abc import Callable

from core.clock import Clock
from ordering import schemas
from ordering.services import orders, stock
from portal.demo.commerce import PRODUCTS
from portal.demo.deals import person

# distributor admin's e-mail -> (SKU, units on hand)
OPENING_STOCK = {
    "admin@huadong.example": [
        ("HOB-G2-60", 40),
        ("HOB-G3-75", 20),
        ("HOOD-T-90", 15),
        ("KETTLE-17", 60),
        ("FILTER-HOOD", 100),
        ("WM-F8", 12),
    ],
    "admin@jingjin.example": [("HOB-G2-60", 25), ("HOOD-S-90", 10), ("WM-F10", 8), ("DRY-HP9", 4)],
    "admin@lingnan.example": [("OVEN-B60", 6), ("KETTLE-17", 36), ("RICE-4L", 24)],
}

STEPS = 3 + 1 + 1


async def load_orders(clock: Clock, advance: Callable[[str], None]) -> None:
    factory = await person("admin@aurora.example", clock)
    for sku, *_ in PRODUCTS:
        await stock.adjust(
            factory, schemas.StockAdjustment(sku=sku, quantity=1000, reason="Opening stock"), clock
        )
    advance("the manufacturer's stock")
    for email, rows in OPENING_STOCK.items():
        actor = await person(email, clock)
        for sku, units in rows:
            await stock.adjust(
                actor, schemas.StockAdjustment(sku=sku, quantity=units, reason="Opening stock"), clock
            )
        advance(email)
    await orders.submit_order(
        await person("manager@s-001.huadong.example", clock),
        schemas.OrderCreate(
            lines=[
                schemas.OrderLineRequest(sku="KETTLE-17", quantity=12),
                schemas.OrderLineRequest(sku="HOB-G2-60", quantity=1),
            ],
            note="For the weekend promotion",
        ),
        clock,
    )
    advance("a store order")
