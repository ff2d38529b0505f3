"""Order pages: a buyer's orders and receiving; a supplier's inbox with approving and shipping;
stock with adjustments. The same pages in every portal, each person seeing their own part."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from babel.numbers import NumberFormatError
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import Permission
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from core.validation import FieldValueError
from ordering import schemas
from ordering.orders import OrderStatus
from ordering.services import orders, stock
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import refusal_text
from portal.i18n import gettext, ngettext, parse_amount
from portal.messages import message
from portal.pages.cart import parse_items
from portal.pages.rendering import back_to, flash_outcome, page
from portal.security.guards import requires_permission


def _quantities(form: FormMultiDict, prefix: str) -> dict[UUID, int]:
    found: dict[UUID, int] = {}
    for key, value in form.items():
        if key.startswith(prefix) and str(value).strip().isdigit():
            try:
                found[UUID(key.removeprefix(prefix))] = min(int(str(value)), 1_000_000)
            except ValueError:
                continue
    return found


async def _each_ticked(
    request: Request[Any, Any, Any],
    actor: Actor,
    form: FormMultiDict,
    act: Callable[[UUID], Awaitable[object]],
) -> int:
    """Do ``act`` to each ticked order (at most 200), each on its own: one refusal stops no other.
    Returns how many were done; the first refusals are flashed, each after its order's number."""
    done, refused = 0, []
    for raw in form.getall("order_id", [])[:200]:
        try:
            order_id = UUID(str(raw))
        except ValueError:
            refused.append(message("order_not_found"))
            continue
        try:
            await act(order_id)
            done += 1
        except (NotFoundError, PermissionDeniedError) as refusal:
            refused.append(message(refusal.code))
        except (ConflictError, InvalidInputError) as refusal:
            with contextlib.suppress(NotFoundError, PermissionDeniedError):
                number = (await orders.get_order(actor, order_id)).number
                refused.append(f"{number}: {refusal_text(refusal)}")
                continue
            refused.append(refusal_text(refusal))
    for text in refused[:5]:
        flash(request, text, category="error")
    return done


def _flash_done(request: Request[Any, Any, Any], text: str, done: int) -> None:
    if done:
        flash(request, text % {"num": done}, category="success")


class OrderPages(Controller):
    path = "/orders"
    guards = [requires_permission(Permission.VIEW_ORDERS)]

    @get("/", name="orders")
    async def list_orders(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        tab: FromQuery[Literal["placed", "received", "all"]] = "all",
        status: FromQuery[OrderStatus | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Template:
        found, next_cursor = await orders.list_orders(
            actor, schemas.OrderFilter(role=tab, status=status, cursor=cursor, limit=50)
        )
        return page(
            "shared/orders/list.html.jinja",
            actor=actor,
            portal=portal,
            orders=found,
            next_cursor=next_cursor,
            tab=tab,
            chosen_status=status.value if status else "",
            statuses=list(OrderStatus),
        )

    @get("/drop-shipments", name="drop_shipments", guards=[requires_permission(Permission.FULFIL_ORDERS)])
    async def drop_shipments(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        tab: FromQuery[Literal["to_do", "done", "all"]] = "to_do",
        buyer: FromQuery[UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Template:
        found, next_cursor = await orders.list_drop_shipments(
            actor, schemas.DropShipmentFilter(state=tab, buyer_id=buyer, cursor=cursor, limit=50)
        )
        return page(
            "shared/orders/drop_shipments.html.jinja",
            actor=actor,
            portal=portal,
            drops=found,
            next_cursor=next_cursor,
            tab=tab,
            buyer=buyer,
            buyer_name=next((d.deliver_to_name for d in found if d.deliver_to_id == buyer), ""),
        )

    @post("/", guards=[requires_permission(Permission.PLACE_ORDERS)])
    async def place(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        """The cart becomes an order: priced again now, the prices kept with the order."""
        form = await request.form()
        items = str(form.get("items", ""))[:20_000]
        lines, refused = parse_items(items)
        coupon = str(form.get("coupon", "")).strip()[:40]
        typed_fund = str(form.get("fund_amount", "")).strip()[:20]
        back = portal.url("/cart") + "?" + urlencode({"items": items, "coupon": coupon, "fund": typed_fund})
        if refused or not lines:
            flash(request, gettext("Check the products and quantities first."), category="error")
            return back_to(back)
        try:
            fund_amount = parse_amount(typed_fund) if typed_fund else Decimal(0)
        except NumberFormatError:
            flash(
                request,
                gettext("Write the amount to pay from your rebate fund as a number, such as 120.50."),
                category="error",
            )
            return back_to(back)
        try:
            command = schemas.OrderCreate(
                lines=[
                    schemas.OrderLineRequest(sku=line.sku, quantity=line.quantity) for line in lines[:2000]
                ],
                note=str(form.get("note", ""))[:2000],
                coupon_codes=[coupon] if coupon else [],
                fund_amount=fund_amount,
            )
            placed = await orders.submit_order(actor, command, clock)
        except FieldValueError as bad:
            flash(
                request,
                gettext("Pay from your rebate fund: {problem}").format(problem=message(bad.code, bad.params)),
                category="error",
            )
            return back_to(back)
        except (InvalidInputError, ConflictError, msgspec.ValidationError) as refusal:
            flash(request, refusal_text(refusal), category="error")
            return back_to(back)
        flash(
            request,
            gettext("Order {number} was placed with {supplier}.").format(
                number=placed.number, supplier=placed.supplier_name
            ),
            category="success",
        )
        return back_to(portal.url(f"/orders/{placed.id}"))

    @post("/approvals", guards=[requires_permission(Permission.FULFIL_ORDERS)])
    async def approve_many(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        """Approve the ticked orders of the inbox, each on its own: one refusal stops no other."""
        form = await request.form()
        approve = schemas.OrderDecision(decision="approve")
        done = await _each_ticked(
            request, actor, form, lambda order_id: orders.decide(actor, order_id, approve, clock)
        )
        _flash_done(request, ngettext("%(num)s order approved.", "%(num)s orders approved.", done), done)
        return back_to(portal.url("/orders?tab=received&status=submitted"))

    @post("/shipments", guards=[requires_permission(Permission.FULFIL_ORDERS)])
    async def ship_many(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        """Ship what is reserved for each ticked approved order, one shipment each with the carrier
        given: the packing list of a warehouse's day. An order still waiting for stock is named and
        stays; the others ship."""
        form = await request.form()
        command = schemas.ShipmentCreate(carrier=str(form.get("carrier", "")).strip()[:80])
        done = await _each_ticked(
            request, actor, form, lambda order_id: orders.ship(actor, order_id, command, clock)
        )
        _flash_done(request, ngettext("%(num)s order shipped.", "%(num)s orders shipped.", done), done)
        return back_to(portal.url("/orders?tab=received&status=approved"))

    @post("/forwarding", guards=[requires_permission(Permission.PLACE_ORDERS)])
    async def forward(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        form = await request.form()
        skus = [s.strip() for s in str(form.get("skus", "")).replace(";", ",").split(",") if s.strip()][:500]
        try:
            placed = await orders.forward_backorders(actor, schemas.ForwardRequest(skus=skus), clock)
        except (InvalidInputError, ConflictError, msgspec.ValidationError) as refusal:
            flash(request, refusal_text(refusal), category="error")
            return back_to(portal.url("/orders?tab=received"))
        flash(
            request,
            gettext("Order {number} asks {supplier} for what your buyers wait for.").format(
                number=placed.number, supplier=placed.supplier_name
            ),
            category="success",
        )
        return back_to(portal.url(f"/orders/{placed.id}"))

    @get("/{order_id:uuid}")
    async def detail(self, actor: CurrentActor, portal: CurrentPortal, order_id: FromPath[UUID]) -> Template:
        order = await orders.get_order(actor, order_id)
        return page(
            "shared/orders/detail.html.jinja",
            actor=actor,
            portal=portal,
            order=order,
            is_buyer=order.buyer_id == actor.organisation_id,
            is_supplier=order.supplier_id == actor.organisation_id,
            # Ordering again: the lines the buyer asked for; lines a promotion added come by themselves.
            again=urlencode(
                {
                    "items": "\n".join(
                        f"{line.sku} {line.quantity}"
                        for line in order.lines
                        if not line.priced.get("is_gift") and line.free_quantity < line.quantity
                    )
                }
            ),
        )

    @post("/{order_id:uuid}/decision", guards=[requires_permission(Permission.FULFIL_ORDERS)])
    async def decide(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        order_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        decision = "reject" if form.get("decision") == "reject" else "approve"
        command = schemas.OrderDecision(decision=decision, reason=str(form.get("reason", ""))[:1000])
        text = (
            gettext("The order was approved.")
            if decision == "approve"
            else gettext("The order was rejected.")
        )
        await flash_outcome(request, orders.decide(actor, order_id, command, clock), text)
        return back_to(portal.url(f"/orders/{order_id}"))

    @post("/{order_id:uuid}/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        order_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        command = schemas.OrderCancel(reason=str(form.get("reason", ""))[:1000])
        await flash_outcome(
            request, orders.cancel(actor, order_id, command, clock), gettext("The order was cancelled.")
        )
        return back_to(portal.url(f"/orders/{order_id}"))

    @post("/{order_id:uuid}/ship", guards=[requires_permission(Permission.FULFIL_ORDERS)])
    async def ship(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        order_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        packages = str(form.get("packages", "1")).strip()
        try:
            command = schemas.ShipmentCreate(
                lines=[
                    schemas.ShipLine(order_line_id=k, quantity=v)
                    for k, v in _quantities(form, "ship_").items()
                    if v
                ],
                carrier=str(form.get("carrier", ""))[:80],
                tracking=str(form.get("tracking", ""))[:80],
                packages=max(1, min(int(packages), 10_000)) if packages.isdigit() else 1,
            )
        except msgspec.ValidationError as refusal:
            flash(request, refusal_text(refusal), category="error")
            return back_to(portal.url(f"/orders/{order_id}"))
        await flash_outcome(
            request, orders.ship(actor, order_id, command, clock), gettext("The shipment is on its way.")
        )
        return back_to(portal.url(f"/orders/{order_id}"))

    @post("/{order_id:uuid}/drop-ship", guards=[requires_permission(Permission.FULFIL_ORDERS)])
    async def drop_ship(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        order_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        try:
            command = schemas.DropShipCreate(
                downstream_order_id=UUID(str(form.get("downstream_order_id", ""))),
                carrier=str(form.get("carrier", ""))[:80],
                tracking=str(form.get("tracking", ""))[:80],
            )
        except ValueError:
            flash(request, gettext("We could not find that order."), category="error")
            return back_to(portal.url(f"/orders/{order_id}"))
        await flash_outcome(
            request,
            orders.ship_direct(actor, order_id, command, clock),
            gettext("The shipment is on its way straight to the buyer."),
        )
        return back_to(portal.url(f"/orders/{order_id}"))

    @post(
        "/{order_id:uuid}/shipments/{shipment_id:uuid}/receive",
        guards=[requires_permission(Permission.PLACE_ORDERS)],
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        shipment_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        received, damaged = _quantities(form, "received_"), _quantities(form, "damaged_")
        command = schemas.ReceiptCreate(
            lines=[
                schemas.ReceiptLine(
                    order_line_id=line_id, received=received[line_id], damaged=damaged.get(line_id, 0)
                )
                for line_id in received
            ],
            note=str(form.get("note", ""))[:2000],
        )
        await flash_outcome(
            request,
            orders.receive(actor, order_id, shipment_id, command, clock),
            gettext("The receipt was recorded."),
        )
        return back_to(portal.url(f"/orders/{order_id}"))

    @post("/{order_id:uuid}/returns", guards=[requires_permission(Permission.PLACE_ORDERS)])
    async def request_return(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        order_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        wanted = [
            schemas.ReturnLine(order_line_id=k, quantity=v)
            for k, v in _quantities(form, "return_").items()
            if v
        ]
        reason = str(form.get("reason", "")).strip()[:1000]
        if not wanted or not reason:
            flash(request, gettext("Say how many units of which product go back, and why."), category="error")
            return back_to(portal.url(f"/orders/{order_id}"))
        try:
            command = msgspec.convert(
                {"lines": [msgspec.to_builtins(w) for w in wanted], "reason": reason}, schemas.ReturnCreate
            )
        except msgspec.ValidationError as refusal:
            flash(request, refusal_text(refusal), category="error")
            return back_to(portal.url(f"/orders/{order_id}"))
        await flash_outcome(
            request,
            orders.request_return(actor, order_id, command, clock),
            gettext("The return was asked for."),
        )
        return back_to(portal.url(f"/orders/{order_id}"))

    @post(
        "/{order_id:uuid}/returns/{return_id:uuid}/decision",
        guards=[requires_permission(Permission.FULFIL_ORDERS)],
    )
    async def decide_return(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        order_id: FromPath[UUID],
        return_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        decision = "refuse" if form.get("decision") == "refuse" else "approve"
        command = schemas.ReturnDecision(decision=decision, answer=str(form.get("answer", ""))[:1000])
        await flash_outcome(
            request,
            orders.decide_return(actor, order_id, return_id, command, clock),
            gettext("The return was answered."),
        )
        return back_to(portal.url(f"/orders/{order_id}"))


class StockPages(Controller):
    path = "/stock"
    guards = [requires_permission(Permission.VIEW_ORDERS)]

    @get("/", name="stock")
    async def list_stock(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return page(
            "shared/orders/stock.html.jinja", actor=actor, portal=portal, rows=await stock.list_stock(actor)
        )

    @post("/adjustments", guards=[requires_permission(Permission.FULFIL_ORDERS)])
    async def adjust(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        form = await request.form()
        raw = str(form.get("quantity", "")).strip()
        try:
            command = msgspec.convert(
                {
                    "sku": str(form.get("sku", "")),
                    "quantity": int(raw) if raw.lstrip("-").isdigit() else 0,
                    "reason": str(form.get("reason", "")),
                },
                schemas.StockAdjustment,
            )
            if command.quantity == 0:
                raise InvalidInputError.single("quantity", "must_not_be_zero")
        except (msgspec.ValidationError, InvalidInputError) as refusal:
            flash(request, refusal_text(refusal), category="error")
            return back_to(portal.url("/stock"))
        await flash_outcome(request, stock.adjust(actor, command, clock), gettext("The stock was adjusted."))
        return back_to(portal.url("/stock"))
