"""Orders and stock over JSON: place (with an Idempotency-Key), answer, ship, receive, cancel."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from channel.schemas import Page
from ordering import schemas
from ordering.orders import OrderStatus
from ordering.services import orders, stock
from portal.api.idempotency import IdempotencyKey, create_once
from portal.dependencies import CurrentActor, CurrentClock
from pricing import schemas as pricing_schemas


class OrdersController(Controller):
    path = "/orders"
    tags = ["Orders"]

    @get("/", operation_id="ListOrders", summary="Orders in my scope, newest first (keyset pages)")
    async def list_orders(
        self,
        actor: CurrentActor,
        role: FromQuery[Literal["placed", "received", "all"]] = "all",
        status: FromQuery[OrderStatus | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Page[schemas.OrderSummary]:
        found, next_cursor = await orders.list_orders(
            actor, schemas.OrderFilter(role=role, status=status, cursor=cursor, limit=limit)
        )
        return Page(items=found, next_cursor=next_cursor)

    @get(
        "/drop-shipments",
        operation_id="ListDropShipments",
        summary="What I ship, or may ship, straight to the buyers of the orders mine were forwarded for",
    )
    async def list_drop_shipments(
        self,
        actor: CurrentActor,
        which: Annotated[Literal["to_do", "done", "all"], QueryParameter(name="state")] = "to_do",
        buyer_id: FromQuery[UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Page[schemas.DropShipmentView]:
        found, next_cursor = await orders.list_drop_shipments(
            actor, schemas.DropShipmentFilter(state=which, buyer_id=buyer_id, cursor=cursor, limit=limit)
        )
        return Page(items=found, next_cursor=next_cursor)

    @post(
        "/",
        operation_id="SubmitOrder",
        summary="Order from my supplier; priced now, each line's waterfall kept (retry with the same key)",
    )
    async def submit_order(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        clock: CurrentClock,
        data: JSONBody[schemas.OrderCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Any]:
        return await create_once(
            request, actor, clock, idempotency_key, lambda: orders.submit_order(actor, data, clock)
        )

    @post(
        "/forwarding",
        operation_id="ForwardBackorders",
        summary="Order what my buyers wait for from my own supplier, as one order linked to theirs",
    )
    async def forward(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.ForwardRequest]
    ) -> schemas.Order:
        return await orders.forward_backorders(actor, data, clock)

    @post(
        "/what-if",
        operation_id="PromotionWhatIfOnOrders",
        summary="What a draft promotion would have done to the orders of a past period",
        status_code=200,
    )
    async def what_if(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.WhatIfPast]
    ) -> pricing_schemas.WhatIfResult:
        return await orders.what_if_past(actor, data, clock)

    @get("/{order_id:uuid}", operation_id="GetOrder", summary="An order with its lines and shipments")
    async def get_order(self, actor: CurrentActor, order_id: FromPath[UUID]) -> schemas.Order:
        return await orders.get_order(actor, order_id)

    @post(
        "/{order_id:uuid}/decision",
        operation_id="DecideOrder",
        summary="The supplier approves (reserving stock, backordering the rest) or rejects with a reason",
        status_code=200,
    )
    async def decide(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.OrderDecision],
    ) -> schemas.Order:
        return await orders.decide(actor, order_id, data, clock)

    @post(
        "/{order_id:uuid}/cancel",
        operation_id="CancelOrder",
        summary="The buyer before the supplier answers, the supplier before anything ships",
        status_code=200,
    )
    async def cancel(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.OrderCancel],
    ) -> schemas.Order:
        return await orders.cancel(actor, order_id, data, clock)

    @post(
        "/{order_id:uuid}/shipments",
        operation_id="ShipOrder",
        summary="Ship all or part of what is reserved: carrier, tracking, packages",
    )
    async def ship(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.ShipmentCreate],
    ) -> schemas.Order:
        return await orders.ship(actor, order_id, data, clock)

    @post(
        "/{order_id:uuid}/drop-shipments",
        operation_id="DropShipOrder",
        summary="Ship what is reserved for a forwarded order straight to the buyer of an order it fills",
    )
    async def drop_ship(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.DropShipCreate],
    ) -> schemas.Order:
        return await orders.ship_direct(actor, order_id, data, clock)

    @post(
        "/{order_id:uuid}/shipments/{shipment_id:uuid}/receipt",
        operation_id="ReceiveShipment",
        summary="The buyer confirms what arrived; short or damaged units are a discrepancy",
        status_code=200,
    )
    async def receive(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        shipment_id: FromPath[UUID],
        data: JSONBody[schemas.ReceiptCreate],
    ) -> schemas.Order:
        return await orders.receive(actor, order_id, shipment_id, data, clock)

    @post(
        "/{order_id:uuid}/returns",
        operation_id="RequestReturn",
        summary="The buyer asks to send back received units, with a reason",
    )
    async def request_return(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.ReturnCreate],
    ) -> schemas.Order:
        return await orders.request_return(actor, order_id, data, clock)

    @post(
        "/{order_id:uuid}/returns/{return_id:uuid}/decision",
        operation_id="DecideReturn",
        summary="The supplier approves a return (stock moves back) or refuses it with an answer",
        status_code=200,
    )
    async def decide_return(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        return_id: FromPath[UUID],
        data: JSONBody[schemas.ReturnDecision],
    ) -> schemas.Order:
        return await orders.decide_return(actor, order_id, return_id, data, clock)


class QuoteOrdersController(Controller):
    path = "/quotes"
    tags = ["Quotes"]

    @post(
        "/{quote_id:uuid}/order",
        operation_id="OrderQuote",
        summary="Order an accepted quote's lines from my own supplier; the quote keeps the link",
    )
    async def order_quote(
        self, actor: CurrentActor, clock: CurrentClock, quote_id: FromPath[UUID]
    ) -> schemas.Order:
        return await orders.order_from_quote(actor, quote_id, clock)


class StockController(Controller):
    path = "/stock"
    tags = ["Stock"]

    @get("/", operation_id="ListStock", summary="On hand, reserved, in transit, available and backordered")
    async def list_stock(
        self, actor: CurrentActor, organisation_id: FromQuery[UUID | None] = None
    ) -> list[schemas.StockRow]:
        return await stock.list_stock(actor, organisation_id)

    @post("/adjustments", operation_id="AdjustStock", summary="Count stock in or write it off, with a reason")
    async def adjust(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.StockAdjustment]
    ) -> schemas.StockRow:
        return await stock.adjust(actor, data, clock)
