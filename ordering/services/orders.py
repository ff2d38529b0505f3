"""Orders between tiers: a buyer orders from its supplier; the supplier approves (reserving what
it has, backordering the rest), ships all or part; the buyer receives, noting what was short.

Who sees an order: everyone who sees its buyer (the buyer, its supplier and everyone above, a
channel manager for the partners assigned). Who acts: the buyer's people place, cancel before the
supplier answers, and receive; the supplier's people approve, reject, ship and cancel before
shipping. Every change is audited and told to the other side.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from channel.roles import OrgKind, PartnerStatus, Permission
from channel.services.activity import record_change
from channel.services.notifications import notice, notify_all
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError, PermissionDeniedError
from ordering import orders, payments, repository, schemas
from ordering.orders import OrderStatus, Party
from ordering.stock import MovementKind, fill_in_turn
from pricing import repository as pricing_repository
from pricing import schemas as pricing_schemas
from pricing.services import pricing, pricing_data, quotes

_APPROVABLE = (OrderStatus.SUBMITTED.value,)
_ENDED = (OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value)


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDeniedError()


async def _visible_row(actor: Actor, order_id: UUID, *, changing: bool = False) -> dict[str, Any]:
    """The order if the actor sees it; ``changing`` first waits for anyone else changing it, so a
    step reads the order as the step before it left it (two shipments at once never ship twice)."""
    _require(actor, Permission.VIEW_ORDERS)
    row = await repository.order_row(order_id, lock=changing)
    if row is None or not actor.sees(row["buyer_path"]):
        raise NotFoundError("order_not_found")
    return row


def _party(actor: Actor, row: dict[str, Any]) -> Party | None:
    if row["buyer_id"] == actor.organisation_id:
        return Party.BUYER
    if row["supplier_id"] == actor.organisation_id:
        return Party.SUPPLIER
    return None


async def _audit(actor: Actor, clock: Clock, action: str, row: dict[str, Any], **after: Any) -> None:
    await record_change(
        actor,
        clock,
        action=action,
        object_type="order",
        object_id=row["id"],
        object_label=row["number"],
        organisation_id=row["buyer_id"],
        organisation_path=row["buyer_path"],
        after={"status": row["status"], **after},
    )


async def _tell(clock: Clock, row: dict[str, Any], to: Party, kind: str, **params: str) -> None:
    await notify_all([_notice(clock, row, to, kind, **params)])


def _notice(clock: Clock, row: dict[str, Any], to: Party, kind: str, **params: str) -> dict[str, object]:
    return notice(
        row["buyer_id"] if to is Party.BUYER else row["supplier_id"],
        kind,
        clock,
        params={"number": row["number"], **params},
        link=f"/orders/{row['id']}",
        permission=Permission.PLACE_ORDERS if to is Party.BUYER else Permission.FULFIL_ORDERS,
    )


# --- placing --------------------------------------------------------------------------------------


def _check_lines(command: schemas.OrderCreate, products: Mapping[str, pricing_schemas.Product]) -> None:
    """Every line an active product, in whole cases and at least its minimum (the catalogue as the
    pricing data holds it)."""
    problems: list[FieldProblem] = []
    for index, line in enumerate(command.lines):
        product = products.get(line.sku)
        if product is None or product.status.value != "active":
            problems.append(
                FieldProblem(field=f"lines[{index}].sku", code="unknown_product", params={"sku": line.sku})
            )
            continue
        for issue in orders.line_issues(
            line.sku, line.quantity, minimum=product.minimum_order_quantity, case=product.case_quantity
        ):
            problems.append(
                FieldProblem(
                    field=f"lines[{index}].quantity",
                    code=issue.code,
                    params={"sku": issue.sku, **issue.params},
                )
            )
    if problems:
        raise InvalidInputError(problems)


class _BuyerState(msgspec.Struct, frozen=True):
    owed: Decimal  # open receivables, when a credit limit is set (else 0)
    pricing: pricing_repository.BuyerPricingState


async def _buyer_and_pricing_data(
    actor: Actor,
) -> tuple[dict[str, Any], _BuyerState, pricing_data.PricingData]:
    """The buying organisation (locked on PostgreSQL), then what its previous order may have changed
    (what it owes, its promotion uses, the budgets left, the pricing stamp: read after the lock, so
    they include that order), and the pricing data at that stamp, from memory unless it changed:
    two statements, whatever the size of the catalogue and the order."""
    buyer = await repository.buyer_for_order(actor.organisation_id, _upstream_paths(actor.organisation_path))
    if buyer is None or buyer["supplier_id"] is None:
        raise InvalidInputError.single("buyer", "buyer_has_no_supplier")
    if buyer["status"] != PartnerStatus.ACTIVE.value:
        raise ConflictError("partner_not_active")
    if buyer["path"] != actor.organisation_path:  # moved in the channel since the actor was read
        buyer["upstream_ids"] = frozenset(
            await repository.organisation_ids_at(_upstream_paths(buyer["path"]))
        )
    owed, pricing_state = await repository.buyer_state_for_order(buyer["id"], owed=buyer["credit_limit"] > 0)
    data = await pricing.data_at(pricing_state, time.monotonic())
    return buyer, _BuyerState(owed=owed, pricing=pricing_state), data


def _upstream_paths(path: str) -> list[str]:
    """The paths of the organisations above one in the channel: ``M/D1/S1/`` -> ``M/``, ``M/D1/``."""
    return [path[: n + 1] for n, char in enumerate(path[:-1]) if char == "/"]


def _buyer_facts(buyer: dict[str, Any]) -> pricing.BuyerFacts:
    return pricing.BuyerFacts(
        id=buyer["id"],
        kind=buyer["kind"],
        tier=buyer["depth"],
        seller_id=buyer["supplier_id"],
        currency=buyer["currency"],
        partner_level=buyer["partner_level"],
        region=buyer["region"],
        upstream_ids=buyer["upstream_ids"],
    )


async def submit_order(actor: Actor, command: schemas.OrderCreate, clock: Clock) -> schemas.Order:
    """Place an order with the buyer's supplier, priced now; the priced lines are kept as they are.

    A constant number of statements whatever the number of lines: the buyer with its place in the
    channel (locked on PostgreSQL, so one buyer's orders check the credit limit one at a time);
    what it owes, its promotion uses, the budgets left and the pricing stamp (the catalogue, price
    books and promotions come from memory at that stamp, read again only when they changed); the
    promotions' budgets spent and uses counted, when it used any (one statement on PostgreSQL);
    the order numbered and written with its lines (one statement on PostgreSQL); the audit entry
    and the supplier's notification. The answer is built from what was written, not read back."""
    _require(actor, Permission.PLACE_ORDERS)
    now = clock.now()
    async with write_transaction():
        buyer, state, data = await _buyer_and_pricing_data(actor)
        _check_lines(command, data.products)
        priced = pricing.price_for_buyer(
            actor,
            data,
            _buyer_facts(buyer),
            state.pricing,
            pricing_schemas.CartRequest(
                lines=[
                    pricing_schemas.CartLineRequest(sku=ln.sku, quantity=ln.quantity) for ln in command.lines
                ],
                coupon_codes=command.coupon_codes,
            ),
            clock,
        )
        if priced.problems:
            skus = ", ".join(str(p.params.get("sku", "")) for p in priced.problems)
            raise ConflictError("no_price_for_products", skus=skus)
        due = priced.total - command.fund_amount
        if buyer["credit_limit"] > 0:
            owed = state.owed
            if owed + due > buyer["credit_limit"]:
                raise ConflictError(
                    "credit_limit_exceeded",
                    limit=str(buyer["credit_limit"]),
                    open=str(owed),
                    order=str(due),
                    currency=priced.currency,
                )
        await pricing.commit_consumption(priced, buyer["id"])
        order_id = uuid4()
        values = {
            "id": order_id,
            "supplier_id": buyer["supplier_id"],
            "buyer_id": buyer["id"],
            "buyer_path": actor.organisation_path,
            "status": OrderStatus.SUBMITTED.value,
            "currency": priced.currency,
            "total": priced.total,
            "fund_amount": command.fund_amount,
            "line_count": len(priced.lines),
            "note": command.note,
            "reason": "",
            "placed_by": actor.label,
            "created_at": now,
            "updated_at": now,
        }
        lines = [
            {
                "id": uuid4(),
                "order_id": order_id,
                "position": position,
                "sku": line.sku,
                "quantity": line.quantity,
                "free_quantity": line.free_quantity,
                "net_total": line.net_total,
                "priced": msgspec.to_builtins(line),
            }
            for position, line in enumerate(priced.lines, start=1)
        ]
        values["number"] = await repository.place_order(
            values, lines, supplier_code=buyer["supplier_code"], year=now.year
        )
        if command.fund_amount:
            await payments.buyer_fund().take(actor, _fund_payment(values, command.fund_amount), clock)
        await _audit(
            actor,
            clock,
            "order.submitted",
            values,
            total=str(priced.total),
            fund_amount=str(command.fund_amount),
        )
        await _tell(clock, values, Party.SUPPLIER, "order.submitted", buyer=buyer["name"])
        return _assemble(
            values,
            [{**ln, "allocated": 0, "shipped": 0, "received": 0} for ln in lines],
            names={buyer["id"]: buyer["name"], buyer["supplier_id"]: buyer["supplier_name"]},
        )


def _fund_payment(row: dict[str, Any], amount: Any) -> payments.FundPayment:
    return payments.FundPayment(
        buyer_id=row["buyer_id"],
        order_number=row["number"],
        currency=row["currency"],
        order_total=_money(row["total"]),
        amount=_money(amount),
    )


async def _give_back_fund(actor: Actor, row: dict[str, Any], clock: Clock) -> None:
    """A cancelled or rejected order returns what it paid from the buyer's fund, in the same transaction."""
    if _money(row["fund_amount"]):
        await payments.buyer_fund().give_back(actor, _fund_payment(row, row["fund_amount"]), clock)


async def _give_back_fund_for_returns(actor: Actor, row: dict[str, Any], clock: Clock) -> None:
    """Goods sent back from an order paid partly from the buyer's fund give back their share of it,
    in the transaction that approves the return."""
    if not _money(row["fund_amount"]):
        return
    lines = {
        ln["id"]: (ln["quantity"], _money(ln["net_total"])) for ln in await repository.lines_of(row["id"])
    }
    approved = [
        (r["order_line_id"], r["quantity"])
        for r in await repository.returns_of(row["id"])
        if r["status"] == "approved"
    ]
    await payments.buyer_fund().give_back_for_return(
        actor, _fund_payment(row, row["fund_amount"]), orders.returned_value(lines, approved), clock
    )


async def pay_from_fund(actor: Actor, order_id: UUID, amount: Decimal, clock: Clock) -> schemas.Order:
    """Pay part of an order already placed, still waiting for the supplier's answer, from the buyer's
    rebate fund (placing it with ``fund_amount`` does the same at once). The buyer's people who place
    orders only; the same amount again answers the first payment, another amount is refused."""
    _require(actor, Permission.PLACE_ORDERS)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInputError.single("amount", "invalid_value")
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, order_id, changing=True)
        if _party(actor, row) is not Party.BUYER:
            raise PermissionDeniedError("fund_of_another_partner")
        if row["status"] in _ENDED:
            raise ConflictError("order_not_open", number=row["number"])
        paid = _money(row["fund_amount"])
        if paid:
            if paid != amount:
                raise ConflictError("fund_already_used", order_reference=row["number"])
            return await _view(actor, order_id, row=row)
        if not await repository.update_order(order_id, {"fund_amount": amount}, now, expect=_APPROVABLE):
            raise ConflictError("order_not_open", number=row["number"])
        await payments.buyer_fund().take(actor, _fund_payment(row, amount), clock)
        after = {**row, "fund_amount": amount, "updated_at": now}
        await _audit(actor, clock, "order.paid_from_fund", after, fund_amount=str(amount))
        return await _view(actor, order_id, row=after)


# --- reading --------------------------------------------------------------------------------------


async def _view(
    actor: Actor,
    order_id: UUID,
    *,
    row: dict[str, Any] | None = None,
    lines: list[dict[str, Any]] | None = None,
    shipments: list[dict[str, Any]] | None = None,
) -> schemas.Order:
    """The order as its reader sees it; a step passes what it already holds (the order, its lines
    as it left them, its shipments) so only the rest is read."""
    if row is None:
        row = await _visible_row(actor, order_id)
    if lines is None:
        lines = await repository.lines_of(order_id)
    if shipments is None:
        shipments = await repository.shipments_of(order_id)
    return _assemble(
        row,
        lines,
        shipments=shipments,
        shipment_lines=await repository.shipment_lines([s["id"] for s in shipments]),
        names=await _names(
            [
                row["buyer_id"],
                row["supplier_id"],
                *(s["deliver_to_id"] for s in shipments if s["deliver_to_id"]),
            ]
        ),
        links=await repository.links_of(order_id),
        returns=await repository.returns_of(order_id),
    )


def _assemble(
    row: dict[str, Any],
    lines: list[dict[str, Any]],
    *,
    names: dict[UUID, str],
    shipments: Sequence[dict[str, Any]] = (),
    shipment_lines: Sequence[dict[str, Any]] = (),
    links: Sequence[dict[str, Any]] = (),
    returns: Sequence[dict[str, Any]] = (),
) -> schemas.Order:
    approved = row["status"] in (OrderStatus.APPROVED.value, OrderStatus.PARTIALLY_SHIPPED.value)
    return schemas.Order(
        id=row["id"],
        number=row["number"],
        status=OrderStatus(row["status"]),
        buyer_id=row["buyer_id"],
        buyer_name=names.get(row["buyer_id"], ""),
        supplier_id=row["supplier_id"],
        supplier_name=names.get(row["supplier_id"], ""),
        currency=row["currency"],
        total=_money(row["total"]),
        fund_amount=_money(row["fund_amount"]),
        total_due=_money(row["total"]) - _money(row["fund_amount"]),
        note=row["note"],
        reason=row["reason"],
        placed_by=row["placed_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        lines=[
            schemas.OrderLineView(
                id=ln["id"],
                sku=ln["sku"],
                quantity=ln["quantity"],
                free_quantity=ln["free_quantity"],
                net_total=_money(ln["net_total"]),
                allocated=ln["allocated"],
                shipped=ln["shipped"],
                received=ln["received"],
                backordered=max(0, ln["quantity"] - ln["shipped"] - ln["allocated"]) if approved else 0,
                priced=ln["priced"] or {},
            )
            for ln in sorted(lines, key=lambda ln: ln["position"])
        ],
        shipments=[
            schemas.ShipmentView(
                id=s["id"],
                number=s["number"],
                status=s["status"],
                carrier=s["carrier"],
                tracking=s["tracking"],
                packages=s["packages"],
                shipped_at=s["shipped_at"],
                received_at=s["received_at"],
                discrepancy=s["discrepancy"],
                drop_ship=s.get("paired_shipment_id") is not None,
                deliver_to=names.get(s["deliver_to_id"], "") if s.get("deliver_to_id") else "",
                lines=[
                    schemas.ShipmentLineView(
                        order_line_id=sl["order_line_id"],
                        sku=sl["sku"],
                        quantity=sl["quantity"],
                        received=sl["received"],
                        damaged=sl["damaged"],
                    )
                    for sl in shipment_lines
                    if sl["shipment_id"] == s["id"]
                ],
            )
            for s in shipments
        ],
        forwarded=[
            schemas.ForwardedView(
                sku=ln["sku"], quantity=ln["quantity"], upstream_status=OrderStatus(ln["status"])
            )
            for ln in links
            if ln["direction"] == "up"
        ],
        fills=[
            schemas.FillsView(
                order_id=ln["other_id"], order_number=ln["number"], sku=ln["sku"], quantity=ln["quantity"]
            )
            for ln in links
            if ln["direction"] == "down"
        ],
        returns=[
            schemas.ReturnView(
                id=r["id"],
                order_line_id=r["order_line_id"],
                sku=r["sku"],
                quantity=r["quantity"],
                reason=r["reason"],
                status=r["status"],
                requested_at=r["requested_at"],
                answer=r["answer"],
            )
            for r in returns
        ],
    )


async def forward_backorders(actor: Actor, command: schemas.ForwardRequest, clock: Clock) -> schemas.Order:
    """What the distributor's buyers wait for, from one or many of their orders, becomes one order to
    its own supplier (whole cases, at least the minimum); the links are kept, so when it arrives the
    waiting orders take the stock first and each buyer can see its order moving a tier further up."""
    _require(actor, Permission.PLACE_ORDERS)
    async with write_transaction():
        waiting = await repository.waiting_lines(actor.organisation_id)
        if command.skus:
            wanted_skus = {sku.strip().upper() for sku in command.skus}
            waiting = [ln for ln in waiting if ln["sku"] in wanted_skus]
        already = await repository.forwarded_open([ln["id"] for ln in waiting])
        shares = []
        for ln in waiting:
            missing = ln["quantity"] - ln["shipped"] - ln["allocated"] - already.get(ln["id"], 0)
            if missing > 0:
                shares.append((ln, missing))
        if not shares:
            raise ConflictError("nothing_to_forward")
        totals: dict[str, int] = {}
        for ln, missing in shares:
            totals[ln["sku"]] = totals.get(ln["sku"], 0) + missing
        products = await pricing_repository.products_by_sku(list(totals))
        lines = []
        for sku, units in sorted(totals.items()):
            product = products.get(sku)
            if product is None:
                continue
            lines.append(
                schemas.OrderLineRequest(
                    sku=sku,
                    quantity=orders.orderable(
                        units, minimum=product.minimum_order_quantity, case=product.case_quantity
                    ),
                )
            )
        downstream = sorted({str(ln["order_id"]) for ln, _ in shares})
        placed = await submit_order(
            actor, schemas.OrderCreate(lines=lines, note=command.note or "Backorders of our buyers"), clock
        )
        await repository.insert_links(
            [
                {
                    "upstream_order_id": placed.id,
                    "downstream_order_id": ln["order_id"],
                    "downstream_line_id": ln["id"],
                    "sku": ln["sku"],
                    "quantity": missing,
                }
                for ln, missing in shares
            ]
        )
        row = await repository.order_row(placed.id)
        assert row is not None
        await _audit(actor, clock, "order.forwarded", row, downstream_orders=len(downstream))
        return await _view(actor, placed.id)


def _money(value: Any) -> Decimal:
    # SQLite hands NUMERIC back without its scale; both engines answer with cents.
    return Decimal(str(value)).quantize(Decimal("0.01"))


async def _names(ids: list[UUID]) -> dict[UUID, str]:
    return await repository.organisation_names(ids)


async def get_order(actor: Actor, order_id: UUID) -> schemas.Order:
    async with read_transaction():
        return await _view(actor, order_id)


async def list_orders(
    actor: Actor, filters: schemas.OrderFilter
) -> tuple[list[schemas.OrderSummary], str | None]:
    _require(actor, Permission.VIEW_ORDERS)
    async with read_transaction():
        rows, cursor = await repository.list_orders(actor.scope, actor.organisation_id, filters)
        names = await repository.organisation_names(
            [r["buyer_id"] for r in rows] + [r["supplier_id"] for r in rows]
        )
    return [
        schemas.OrderSummary(
            id=r["id"],
            number=r["number"],
            status=OrderStatus(r["status"]),
            buyer_id=r["buyer_id"],
            supplier_id=r["supplier_id"],
            currency=r["currency"],
            total=_money(r["total"]),
            fund_amount=_money(r["fund_amount"]),
            line_count=r["line_count"],
            created_at=r["created_at"],
            buyer_name=names.get(r["buyer_id"], ""),
            supplier_name=names.get(r["supplier_id"], ""),
        )
        for r in rows
    ], cursor


# --- the supplier's answer ------------------------------------------------------------------------


async def _supplier_row(actor: Actor, order_id: UUID) -> dict[str, Any]:
    _require(actor, Permission.FULFIL_ORDERS)
    row = await _visible_row(actor, order_id, changing=True)
    if _party(actor, row) is not Party.SUPPLIER:
        raise PermissionDeniedError("only_supplier_fulfils_order")
    return row


async def decide(
    actor: Actor, order_id: UUID, decision: schemas.OrderDecision, clock: Clock
) -> schemas.Order:
    """Approve (reserving what stock there is, the rest waits as a backorder) or reject with a reason."""
    now = clock.now()
    async with write_transaction():
        row = await _supplier_row(actor, order_id)
        if decision.decision == "reject":
            if not decision.reason.strip():
                raise InvalidInputError.single("reason", "required")
            if not await repository.update_order(
                order_id,
                {"status": OrderStatus.REJECTED.value, "reason": decision.reason},
                now,
                expect=_APPROVABLE,
            ):
                raise ConflictError("order_not_waiting", status=row["status"])
            await _give_back_fund(actor, row, clock)
            await _audit(
                actor, clock, "order.rejected", {**row, "status": "rejected"}, reason=decision.reason
            )
            await _tell(clock, row, Party.BUYER, "order.rejected", reason=decision.reason)
            return await _view(actor, order_id)
        if not await repository.update_order(
            order_id, {"status": OrderStatus.APPROVED.value}, now, expect=_APPROVABLE
        ):
            raise ConflictError("order_not_waiting", status=row["status"])
        lines = await repository.lines_of(order_id)
        short = await _reserve(actor, row, lines, now)
        approved = {**row, "status": OrderStatus.APPROVED.value, "updated_at": now}
        await _audit(actor, clock, "order.approved", approved, backordered=short)
        await _tell(clock, row, Party.BUYER, "order.approved")
        return await _view(actor, order_id, row=approved, lines=lines, shipments=[])


async def _reserve(
    actor: Actor, row: dict[str, Any], lines: list[dict[str, Any]], now: Any
) -> dict[str, int]:
    """Reserve what the supplier has for the order's lines, all in one statement (see
    ``repository.reserve``); what is missing stays a backorder. Updates ``lines`` in place and
    returns the backordered units by SKU."""
    await _take_in_turn(
        actor,
        row["supplier_id"],
        [(ln, ln["quantity"] - ln["shipped"] - ln["allocated"]) for ln in lines],
        now,
    )
    short: dict[str, int] = {}
    for line in lines:
        missing = line["quantity"] - line["shipped"] - line["allocated"]
        if missing > 0:
            short[line["sku"]] = short.get(line["sku"], 0) + missing
    return short


async def _take_in_turn(
    actor: Actor, supplier_id: UUID, waiting: list[tuple[dict[str, Any], int]], now: Any
) -> list[tuple[dict[str, Any], int]]:
    """Reserve for waiting lines, in the list's order (first come, first served), what the
    supplier's stock allows: one reservation statement, one ledger INSERT, one update of the
    lines' counters. Returns each line given something with its share; ``line["allocated"]``
    moves with it."""
    wanted: dict[str, int] = {}
    for line, missing in waiting:
        if missing > 0:
            wanted[line["sku"]] = wanted.get(line["sku"], 0) + missing
    taken = await repository.reserve(supplier_id, wanted, now)
    given: list[tuple[dict[str, Any], int]] = []
    for sku, units in taken.items():
        queue = [(line, missing) for line, missing in waiting if line["sku"] == sku and missing > 0]
        for (line, _), share in zip(queue, fill_in_turn(units, [m for _, m in queue]), strict=True):
            if share:
                given.append((line, share))
                line["allocated"] += share
    await repository.insert_movements(
        [
            repository.Movement(
                organisation_id=supplier_id,
                sku=line["sku"],
                kind=MovementKind.ALLOCATION,
                quantity=share,
                order_id=line["order_id"],
                actor_label=actor.label,
            )
            for line, share in given
        ],
        now,
    )
    await repository.add_to_lines([(line["id"], share, 0, 0) for line, share in given])
    return given


def _movements(
    actor: Actor, rows: Iterable[tuple[UUID, str, MovementKind, int, UUID, UUID | None]]
) -> list[repository.Movement]:
    """Ledger movements from (organisation, SKU, kind, units, order, shipment), by the actor."""
    return [
        repository.Movement(
            organisation_id=organisation,
            sku=sku,
            kind=kind,
            quantity=units,
            order_id=order,
            shipment_id=shipment,
            actor_label=actor.label,
        )
        for organisation, sku, kind, units, order, shipment in rows
        if units
    ]


async def allocate_waiting(actor: Actor, supplier_id: UUID, skus: Sequence[str], clock: Clock) -> int:
    """Stock of ``skus`` arrived at the supplier: backorders take it first come, first served, and
    their buyers are told (once per order and product). Constant statements whatever the count."""
    now = clock.now()
    waiting = await repository.waiting_lines(supplier_id, skus)
    given = await _take_in_turn(
        actor, supplier_id, [(ln, ln["quantity"] - ln["shipped"] - ln["allocated"]) for ln in waiting], now
    )
    told: dict[tuple[UUID, str], dict[str, object]] = {}
    for line, _ in given:
        order = {"id": line["order_id"], "number": line["number"], "buyer_id": line["buyer_id"]}
        told.setdefault(
            (line["order_id"], line["sku"]),
            _notice(clock, order, Party.BUYER, "order.backorder_filled", sku=line["sku"]),
        )
    await notify_all(list(told.values()))
    return sum(share for _, share in given)


async def cancel(actor: Actor, order_id: UUID, command: schemas.OrderCancel, clock: Clock) -> schemas.Order:
    """The buyer before the supplier answers; the supplier until something ships (reservations are
    released and go to whoever waits next)."""
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, order_id, changing=True)
        party = _party(actor, row)
        needed = Permission.PLACE_ORDERS if party is Party.BUYER else Permission.FULFIL_ORDERS
        if party is None or not actor.can(needed):
            raise PermissionDeniedError("only_parties_cancel_order")
        if not orders.may_cancel(OrderStatus(row["status"]), party):
            raise ConflictError("order_cannot_be_cancelled", status=row["status"])
        if not await repository.update_order(
            order_id,
            {"status": OrderStatus.CANCELLED.value, "reason": command.reason},
            now,
            expect=(row["status"],),
        ):
            raise ConflictError("order_changed_meanwhile")
        reserved = [line for line in await repository.lines_of(order_id) if line["allocated"]]
        refused = await repository.apply_movements(
            [
                repository.Movement(
                    organisation_id=row["supplier_id"],
                    sku=line["sku"],
                    kind=MovementKind.RELEASE,
                    quantity=line["allocated"],
                    order_id=order_id,
                    actor_label=actor.label,
                )
                for line in reserved
            ],
            now,
        )
        assert not refused, "an order's reservations are within the supplier's reserved units"
        await repository.add_to_lines([(line["id"], -line["allocated"], 0, 0) for line in reserved])
        await allocate_waiting(actor, row["supplier_id"], sorted({line["sku"] for line in reserved}), clock)
        await _give_back_fund(actor, row, clock)
        await _audit(actor, clock, "order.cancelled", {**row, "status": "cancelled"}, reason=command.reason)
        other = Party.SUPPLIER if party is Party.BUYER else Party.BUYER
        await _tell(clock, row, other, "order.cancelled", reason=command.reason)
        return await _view(actor, order_id)


# --- shipping and receiving -----------------------------------------------------------------------


async def ship(actor: Actor, order_id: UUID, command: schemas.ShipmentCreate, clock: Clock) -> schemas.Order:
    """Ship reserved units: they leave the supplier's stock and travel to the buyer."""
    now = clock.now()
    async with write_transaction():
        row = await _supplier_row(actor, order_id)
        if row["status"] not in (OrderStatus.APPROVED.value, OrderStatus.PARTIALLY_SHIPPED.value):
            raise ConflictError("order_not_shippable", status=row["status"])
        lines = {ln["id"]: ln for ln in await repository.lines_of(order_id)}
        wanted = {s.order_line_id: s.quantity for s in command.lines} or {
            line_id: ln["allocated"] for line_id, ln in lines.items() if ln["allocated"]
        }
        problems = [
            FieldProblem(
                field="lines",
                code="more_than_reserved",
                params={"sku": lines[i]["sku"], "reserved": lines[i]["allocated"]},
            )
            for i, q in wanted.items()
            if i in lines and q > lines[i]["allocated"]
        ] + [FieldProblem(field="lines", code="not_a_line_of_order") for i in wanted if i not in lines]
        if problems:
            raise InvalidInputError(problems)
        if not any(wanted.values()):
            raise ConflictError("nothing_reserved_to_ship")
        shipment_id = uuid4()
        shipments = await repository.shipments_of(order_id)
        number = f"{row['number']}-S{len(shipments) + 1}"
        shipping = [
            (lines[i], q) for i, q in sorted(wanted.items(), key=lambda item: lines[item[0]]["sku"]) if q
        ]
        refused = await repository.apply_movements(
            _movements(
                actor,
                (
                    (organisation_id, line["sku"], kind, quantity, order_id, shipment_id)
                    for line, quantity in shipping
                    for organisation_id, kind in (
                        (row["supplier_id"], MovementKind.SHIPMENT_OUT),
                        (row["buyer_id"], MovementKind.SHIPMENT_IN_TRANSIT),
                    )
                ),
            ),
            now,
        )
        assert not refused, "reserved units are on hand"
        for line, quantity in shipping:
            line["allocated"] -= quantity
            line["shipped"] += quantity
        await repository.add_to_lines([(line["id"], -quantity, quantity, 0) for line, quantity in shipping])
        shipment = {
            "id": shipment_id,
            "number": number,
            "order_id": order_id,
            "carrier": command.carrier,
            "tracking": command.tracking,
            "packages": command.packages,
            "shipped_by": actor.label,
            "shipped_at": now,
        }
        await repository.insert_shipment(
            shipment,
            [
                {
                    "shipment_id": shipment_id,
                    "order_line_id": line["id"],
                    "sku": line["sku"],
                    "quantity": quantity,
                }
                for line, quantity in shipping
            ],
        )
        ordered = [ln["quantity"] for ln in lines.values()]
        shipped = [ln["shipped"] for ln in lines.values()]
        status = orders.status_after_shipping(ordered, shipped)
        await repository.update_order(order_id, {"status": status.value}, now, expect=(row["status"],))
        after = {**row, "status": status.value, "updated_at": now}
        await _audit(actor, clock, "order.shipped", after, shipment=number)
        await _tell(clock, row, Party.BUYER, "order.shipped", shipment=number, tracking=command.tracking)
        shipments.append(
            {**shipment, "status": "shipped", "received_by": "", "received_at": None, "discrepancy": ""}
            | {"deliver_to_id": None, "paired_shipment_id": None}
        )
        return await _view(actor, order_id, row=after, lines=list(lines.values()), shipments=shipments)


async def ship_direct(
    actor: Actor, order_id: UUID, command: schemas.DropShipCreate, clock: Clock
) -> schemas.Order:
    """Drop-ship: the supplier of an upstream order ships what it reserved for it straight to the
    buyer of a downstream order that order fills (linked when it was forwarded).

    The goods skip the middle tier, its books do not: the upstream order ships to it (in transit
    at the middle tier) and the downstream order ships to its buyer (in transit there); when the
    buyer confirms receipt, the middle tier receives the upstream shipment and ships the units on,
    in the same step (see ``_pass_through``). Both orders move on as if it had handled them.
    """
    now = clock.now()
    async with write_transaction():
        row = await _supplier_row(actor, order_id)
        if row["status"] not in (OrderStatus.APPROVED.value, OrderStatus.PARTIALLY_SHIPPED.value):
            raise ConflictError("order_not_shippable", status=row["status"])
        links = [
            ln
            for ln in await repository.links_of_upstream(order_id)
            if ln["downstream_order_id"] == command.downstream_order_id
        ]
        down = await repository.order_row(command.downstream_order_id, lock=True)
        if down is None or not links:
            raise NotFoundError("order_not_found")
        if down["status"] not in (OrderStatus.APPROVED.value, OrderStatus.PARTIALLY_SHIPPED.value):
            raise ConflictError("order_not_shippable", status=down["status"])
        up_lines = {ln["id"]: ln for ln in await repository.lines_of(order_id)}
        down_lines = {ln["id"]: ln for ln in await repository.lines_of(down["id"])}
        already = await repository.drop_shipped(order_id, down["id"])
        forwarded: dict[UUID, int] = {}
        for link in links:
            line_id = link["downstream_line_id"]
            forwarded[line_id] = forwarded.get(line_id, 0) + link["quantity"]
        room = {}  # what each downstream line may still take: what it waits for, up to what was forwarded
        for line_id, units in forwarded.items():
            line = down_lines[line_id]
            missing = line["quantity"] - line["shipped"] - line["allocated"]
            room[line_id] = max(0, min(missing, units - already.get(line_id, 0)))
        wanted = {s.order_line_id: s.quantity for s in command.lines} or {
            line_id: ln["allocated"] for line_id, ln in up_lines.items() if ln["allocated"]
        }
        problems = [
            FieldProblem(field="lines", code="not_a_line_of_order") for i in wanted if i not in up_lines
        ]
        if problems:
            raise InvalidInputError(problems)
        pairs: list[tuple[dict[str, Any], dict[str, Any], int]] = []
        for up_id, units in sorted(wanted.items(), key=lambda item: up_lines[item[0]]["sku"]):
            up = up_lines[up_id]
            if units > up["allocated"]:
                problems.append(
                    FieldProblem(
                        field="lines",
                        code="more_than_reserved",
                        params={"sku": up["sku"], "reserved": up["allocated"]},
                    )
                )
                continue
            left = units
            for down_id in [i for i in room if down_lines[i]["sku"] == up["sku"]]:
                take = min(left, room[down_id])
                if take:
                    pairs.append((up, down_lines[down_id], take))
                    room[down_id] -= take
                    left -= take
            if left and command.lines:  # asked for more than the downstream order waits for
                problems.append(
                    FieldProblem(
                        field="lines",
                        code="more_than_forwarded",
                        params={"sku": up["sku"], "units": units - left},
                    )
                )
        if problems:
            raise InvalidInputError(problems)
        if not pairs:
            raise ConflictError("nothing_to_drop_ship")
        up_shipment, down_shipment = uuid4(), uuid4()
        up_shipments = await repository.shipments_of(order_id)
        down_count = len(await repository.shipments_of(down["id"]))
        refused = await repository.apply_movements(
            _movements(
                actor,
                (
                    (organisation, up["sku"], kind, units, order, shipment)
                    for up, _, units in pairs
                    for organisation, kind, order, shipment in (
                        (row["supplier_id"], MovementKind.SHIPMENT_OUT, order_id, up_shipment),
                        (row["buyer_id"], MovementKind.SHIPMENT_IN_TRANSIT, order_id, up_shipment),
                        (down["buyer_id"], MovementKind.SHIPMENT_IN_TRANSIT, down["id"], down_shipment),
                    )
                ),
            ),
            now,
        )
        assert not refused, "reserved units are on hand"
        for up, line, units in pairs:
            up["allocated"] -= units
            up["shipped"] += units
            line["shipped"] += units
        await repository.add_to_lines(
            [(up["id"], -units, units, 0) for up, _, units in pairs]
            + [(line["id"], 0, units, 0) for _, line, units in pairs]
        )
        common = {
            "carrier": command.carrier,
            "tracking": command.tracking,
            "packages": command.packages,
            "shipped_by": actor.label,
            "shipped_at": now,
        }
        shipment = {
            "id": up_shipment,
            "number": f"{row['number']}-S{len(up_shipments) + 1}",
            "order_id": order_id,
            "deliver_to_id": down["buyer_id"],
            "paired_shipment_id": down_shipment,
            **common,
        }
        await repository.insert_shipment(
            shipment,
            [
                {"shipment_id": up_shipment, "order_line_id": up["id"], "sku": up["sku"], "quantity": units}
                for up, _, units in pairs
            ],
        )
        down_number = f"{down['number']}-S{down_count + 1}"
        await repository.insert_shipment(
            {
                "id": down_shipment,
                "number": down_number,
                "order_id": down["id"],
                "paired_shipment_id": up_shipment,
                **common,
            },
            [
                {
                    "shipment_id": down_shipment,
                    "order_line_id": line["id"],
                    "sku": line["sku"],
                    "quantity": units,
                }
                for _, line, units in pairs
            ],
        )
        after = {}
        for order, lines in ((row, up_lines), (down, down_lines)):
            status = orders.status_after_shipping(
                [ln["quantity"] for ln in lines.values()], [ln["shipped"] for ln in lines.values()]
            )
            await repository.update_order(
                order["id"], {"status": status.value}, now, expect=(order["status"],)
            )
            after[order["id"]] = {**order, "status": status.value, "updated_at": now}
        await _audit(actor, clock, "order.drop_shipped", after[order_id], shipment=shipment["number"])
        await _audit(actor, clock, "order.shipped", after[down["id"]], shipment=down_number, drop_ship=True)
        await notify_all(
            [
                _notice(
                    clock,
                    row,
                    Party.BUYER,
                    "order.drop_shipped",
                    shipment=shipment["number"],
                    store=await _name(down["buyer_id"]),
                ),
                _notice(
                    clock, down, Party.BUYER, "order.shipped", shipment=down_number, tracking=command.tracking
                ),
            ]
        )
        up_shipments.append(
            {**shipment, "status": "shipped", "received_by": "", "received_at": None, "discrepancy": ""}
        )
        return await _view(
            actor, order_id, row=after[order_id], lines=list(up_lines.values()), shipments=up_shipments
        )


async def list_drop_shipments(
    actor: Actor, filters: schemas.DropShipmentFilter
) -> tuple[list[schemas.DropShipmentView], str | None]:
    """What the actor's organisation ships, or may ship, straight to the buyers of the orders its
    own orders were forwarded for: its drop-shipping to do and done. Only its own (it is the
    supplier of the upstream orders); the people who fulfil orders see it."""
    _require(actor, Permission.FULFIL_ORDERS)
    async with read_transaction():
        rows, cursor = await repository.drop_shipments(actor.organisation_id, filters)
        refs = await repository.drop_shipment_refs(sorted({r["upstream_order_id"] for r in rows}, key=str))
        names = await _names([r["via_id"] for r in rows] + [r["deliver_to_id"] for r in rows])
    return [
        schemas.DropShipmentView(
            state="to_do" if r["open_units"] > 0 else "done",
            upstream_order_id=r["upstream_order_id"],
            upstream_number=r["upstream_number"],
            upstream_status=OrderStatus(r["upstream_status"]),
            via_id=r["via_id"],
            via_name=names.get(r["via_id"], ""),
            order_id=r["order_id"],
            order_number=r["order_number"],
            order_status=OrderStatus(r["order_status"]),
            deliver_to_id=r["deliver_to_id"],
            deliver_to_name=names.get(r["deliver_to_id"], ""),
            ordered_at=r["ordered_at"],
            forwarded=r["forwarded"],
            shipped=r["shipped"],
            open=r["open_units"],
            shipments=[
                schemas.DropShipmentRef(
                    id=x["id"],
                    number=x["number"],
                    status=x["status"],
                    units=x["units"],
                    shipped_at=x["shipped_at"],
                    received_at=x["received_at"],
                )
                for x in refs
                if x["upstream_order_id"] == r["upstream_order_id"] and x["order_id"] == r["order_id"]
            ],
        )
        for r in rows
    ], cursor


async def _name(organisation_id: UUID) -> str:
    return (await _names([organisation_id])).get(organisation_id, "")


async def _pass_through(
    actor: Actor,
    row: dict[str, Any],
    shipment: dict[str, Any],
    shipped_lines: list[dict[str, Any]],
    counts: list[tuple[int, int, int]],
    discrepancy: str,
    clock: Clock,
) -> None:
    """The buyer confirmed a drop-shipped shipment of its order (``row``): the middle tier — the
    order's supplier — receives the paired upstream shipment with the same figures and ships the
    good units on, without handling them: receipt (and shortfall) of the upstream order, then
    allocation and shipment out for this order, all at the middle tier. The upstream order is
    received when all its shipments are."""
    now = clock.now()
    paired = await repository.shipment_row(shipment["paired_shipment_id"])
    assert paired is not None
    upstream = await repository.order_row(paired["order_id"], lock=True)
    assert upstream is not None
    up_lines = await repository.shipment_lines([paired["id"]])
    middle = row["supplier_id"]
    movements: list[repository.Movement] = []
    up_counts = []
    received_by_line: dict[UUID, int] = {}
    # The pair's lines were written in the same order, one for one.
    for up, down, (_, received, damaged) in zip(up_lines, shipped_lines, counts, strict=True):
        assert up["sku"] == down["sku"] and up["quantity"] == down["quantity"]
        movements += _movements(
            actor,
            (
                (middle, up["sku"], kind, units, order, ship_id)
                for kind, units, order, ship_id in (
                    (MovementKind.RECEIPT, received, upstream["id"], paired["id"]),
                    (MovementKind.RECEIPT_SHORTFALL, up["quantity"] - received, upstream["id"], paired["id"]),
                    (MovementKind.ALLOCATION, received, row["id"], shipment["id"]),
                    (MovementKind.SHIPMENT_OUT, received, row["id"], shipment["id"]),
                )
            ),
        )
        up_counts.append((up["id"], received, damaged))
        received_by_line[up["order_line_id"]] = received_by_line.get(up["order_line_id"], 0) + received
    refused = await repository.apply_movements(movements, now)
    assert not refused, "the upstream shipment is in transit at the middle tier"
    await repository.set_received(up_counts)
    await repository.add_to_lines([(line_id, 0, 0, units) for line_id, units in received_by_line.items()])
    if not await repository.update_shipment(
        paired["id"],
        {"status": "received", "received_by": actor.label, "received_at": now, "discrepancy": discrepancy},
        expect="shipped",
    ):
        raise ConflictError("shipment_already_received")
    shipments = await repository.shipments_of(upstream["id"])
    if upstream["status"] == OrderStatus.SHIPPED.value and all(s["status"] == "received" for s in shipments):
        await repository.update_order(
            upstream["id"], {"status": OrderStatus.RECEIVED.value}, now, expect=(upstream["status"],)
        )
    await _audit(actor, clock, "order.received", upstream, shipment=paired["number"], discrepancy=discrepancy)
    if discrepancy:
        await _tell(
            clock,
            upstream,
            Party.SUPPLIER,
            "order.received_with_discrepancy",
            shipment=paired["number"],
            discrepancy=discrepancy,
        )


async def receive(
    actor: Actor, order_id: UUID, shipment_id: UUID, command: schemas.ReceiptCreate, clock: Clock
) -> schemas.Order:
    """The buyer confirms a shipment: good units enter its stock; short or damaged ones are a
    discrepancy the supplier sees."""
    _require(actor, Permission.PLACE_ORDERS)
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, order_id, changing=True)
        if _party(actor, row) is not Party.BUYER:
            raise PermissionDeniedError("only_buyer_receives")
        shipment = await repository.shipment_row(shipment_id)
        if shipment is None or shipment["order_id"] != order_id:
            raise NotFoundError("shipment_not_found")
        if shipment["deliver_to_id"] is not None:
            raise ConflictError("drop_ship_received_by_buyer")
        told = {r.order_line_id: r for r in command.lines}
        lines = {ln["id"]: ln for ln in await repository.lines_of(order_id)}
        notes = []
        movements = []
        counts = []
        shipped_lines = await repository.shipment_lines([shipment_id])
        for sl in shipped_lines:
            said = told.get(sl["order_line_id"])
            received = sl["quantity"] if said is None else said.received
            damaged = 0 if said is None else said.damaged
            if received + damaged > sl["quantity"]:
                raise InvalidInputError.single(
                    "lines", "more_than_shipped", sku=sl["sku"], shipped=sl["quantity"]
                )
            good = received
            common = {
                "organisation_id": row["buyer_id"],
                "sku": sl["sku"],
                "order_id": order_id,
                "shipment_id": shipment_id,
                "actor_label": actor.label,
            }
            if good:
                movements.append(repository.Movement(kind=MovementKind.RECEIPT, quantity=good, **common))
            if sl["quantity"] - good:
                movements.append(
                    repository.Movement(
                        kind=MovementKind.RECEIPT_SHORTFALL,
                        quantity=sl["quantity"] - good,
                        reason=command.note,
                        **common,
                    )
                )
                notes.append(f"{sl['sku']}: {sl['quantity'] - received - damaged} short, {damaged} damaged")
            counts.append((sl["id"], received, damaged))
            lines[sl["order_line_id"]]["received"] += good
        discrepancy = "; ".join(notes + ([command.note] if command.note and notes else []))
        if not await repository.update_shipment(
            shipment_id,
            {
                "status": "received",
                "received_by": actor.label,
                "received_at": now,
                "discrepancy": discrepancy,
            },
            expect="shipped",
        ):
            raise ConflictError("shipment_already_received")
        refused = await repository.apply_movements(movements, now)
        assert not refused, "what was shipped is in transit"
        await repository.set_received(counts)
        received_by_line: dict[UUID, int] = {}
        for sl, (_, received, _) in zip(shipped_lines, counts, strict=True):
            received_by_line[sl["order_line_id"]] = received_by_line.get(sl["order_line_id"], 0) + received
        await repository.add_to_lines([(line_id, 0, 0, units) for line_id, units in received_by_line.items()])
        if shipment["paired_shipment_id"] is not None:
            await _pass_through(actor, row, shipment, shipped_lines, counts, discrepancy, clock)
        # What arrived may be what the buyer's own buyers wait for.
        await allocate_waiting(actor, row["buyer_id"], sorted({sl["sku"] for sl in shipped_lines}), clock)
        shipments = await repository.shipments_of(order_id)
        if row["status"] == OrderStatus.SHIPPED.value and all(s["status"] == "received" for s in shipments):
            await repository.update_order(
                order_id, {"status": OrderStatus.RECEIVED.value}, now, expect=(row["status"],)
            )
            row = {**row, "status": OrderStatus.RECEIVED.value, "updated_at": now}
        await _audit(
            actor, clock, "order.received", row, shipment=shipment["number"], discrepancy=discrepancy
        )
        if discrepancy:
            await _tell(
                clock,
                row,
                Party.SUPPLIER,
                "order.received_with_discrepancy",
                shipment=shipment["number"],
                discrepancy=discrepancy,
            )
        return await _view(actor, order_id, row=row, lines=list(lines.values()), shipments=shipments)


# --- returns --------------------------------------------------------------------------------------


async def request_return(
    actor: Actor, order_id: UUID, command: schemas.ReturnCreate, clock: Clock
) -> schemas.Order:
    """The buyer asks to send back received units (not more than it received, less what it has
    asked to return already); the supplier decides."""
    _require(actor, Permission.PLACE_ORDERS)
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, order_id, changing=True)
        if _party(actor, row) is not Party.BUYER:
            raise PermissionDeniedError("only_buyer_returns")
        if row["status"] == OrderStatus.CLOSED.value:
            raise ConflictError("order_closed")
        lines = {ln["id"]: ln for ln in await repository.lines_of(order_id)}
        asked: dict[UUID, int] = {}
        for r in await repository.returns_of(order_id):
            if r["status"] != "refused":
                asked[r["order_line_id"]] = asked.get(r["order_line_id"], 0) + r["quantity"]
        problems = []
        for wanted in command.lines:
            line = lines.get(wanted.order_line_id)
            if line is None:
                problems.append(FieldProblem(field="lines", code="not_a_line_of_order"))
            elif wanted.quantity > line["received"] - asked.get(line["id"], 0):
                problems.append(
                    FieldProblem(
                        field="lines",
                        code="more_than_received",
                        params={"sku": line["sku"], "received": line["received"] - asked.get(line["id"], 0)},
                    )
                )
        if problems:
            raise InvalidInputError(problems)
        await repository.insert_returns(
            [
                {
                    "id": uuid4(),
                    "order_id": order_id,
                    "order_line_id": wanted.order_line_id,
                    "sku": lines[wanted.order_line_id]["sku"],
                    "quantity": wanted.quantity,
                    "reason": command.reason,
                    "requested_by": actor.label,
                    "requested_at": now,
                }
                for wanted in command.lines
            ]
        )
        await _audit(actor, clock, "order.return_requested", row, reason=command.reason)
        await _tell(clock, row, Party.SUPPLIER, "order.return_requested", reason=command.reason)
        return await _view(actor, order_id)


async def decide_return(
    actor: Actor, order_id: UUID, return_id: UUID, decision: schemas.ReturnDecision, clock: Clock
) -> schemas.Order:
    """The supplier approves (the units leave the buyer's stock and come back into its own, where
    waiting orders may take them) or refuses with an answer."""
    now = clock.now()
    async with write_transaction():
        row = await _supplier_row(actor, order_id)
        found = await repository.return_row(return_id)
        if found is None or found["order_id"] != order_id:
            raise NotFoundError("return_not_found")
        approve = decision.decision == "approve"
        if not approve and not decision.answer.strip():
            raise InvalidInputError.single("answer", "required")
        if not await repository.decide_return(
            return_id,
            {
                "status": "approved" if approve else "refused",
                "decided_by": actor.label,
                "decided_at": now,
                "answer": decision.answer,
            },
        ):
            raise ConflictError("return_already_decided")
        if approve:
            if not await repository.move(
                row["buyer_id"],
                found["sku"],
                MovementKind.RETURN_OUT,
                found["quantity"],
                now,
                order_id=order_id,
                reason=found["reason"],
                actor_label=actor.label,
            ):
                raise ConflictError("returned_units_not_in_buyer_stock", sku=found["sku"])
            await repository.move(
                row["supplier_id"],
                found["sku"],
                MovementKind.RETURN_IN,
                found["quantity"],
                now,
                order_id=order_id,
                reason=found["reason"],
                actor_label=actor.label,
            )
            await allocate_waiting(actor, row["supplier_id"], [found["sku"]], clock)
            await _give_back_fund_for_returns(actor, row, clock)
        await _audit(
            actor, clock, f"order.return_{'approved' if approve else 'refused'}", row, sku=found["sku"]
        )
        await _tell(
            clock,
            row,
            Party.BUYER,
            f"order.return_{'approved' if approve else 'refused'}",
            sku=found["sku"],
            answer=decision.answer,
        )
        return await _view(actor, order_id)


# --- closing --------------------------------------------------------------------------------------


async def close_received(actor: Actor, clock: Clock, limit: int = 500) -> int:
    """Close the received orders whose return window (``orders.RETURN_WINDOW`` after their last
    receipt) has passed and that no return waits on: a scheduled job, acting as the manufacturer.
    Returns how many closed."""
    _require(actor, Permission.FULFIL_ORDERS)
    if actor.organisation_kind is not OrgKind.MANUFACTURER:  # it sees every order of the channel
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        closed = await repository.close_received(now - orders.RETURN_WINDOW, now, limit)
        for row in closed:
            await _audit(actor, clock, "order.closed", row)
    return len(closed)


# --- from a quote ---------------------------------------------------------------------------------


async def order_from_quote(actor: Actor, quote_id: UUID, clock: Clock) -> schemas.Order:
    """The end customer accepted the seller's quote: the seller orders its lines from its own
    supplier in one step (priced at the seller's own buying prices), and the quote keeps the link."""
    _require(actor, Permission.PLACE_ORDERS)
    quote = await quotes.get_quote(actor, quote_id)
    if quote.seller_id != actor.organisation_id:
        raise PermissionDeniedError("only_seller_orders_quote")
    if quote.status != "accepted":
        raise ConflictError("quote_not_accepted", status=quote.status)
    if quote.order_id is not None:
        raise ConflictError("quote_already_ordered")
    latest = quote.versions[-1]
    command = schemas.OrderCreate(
        lines=[schemas.OrderLineRequest(sku=line.sku, quantity=line.quantity) for line in latest.lines],
        note=f"{quote.number}: {quote.customer.company}"[:2000],
    )
    async with write_transaction():
        placed = await submit_order(actor, command, clock)
        if not await pricing_repository.link_quote_order(quote_id, placed.id):
            raise ConflictError("quote_already_ordered")
        return placed


async def what_if_past(
    actor: Actor, request: schemas.WhatIfPast, clock: Clock
) -> pricing_schemas.WhatIfResult:
    """A draft promotion against the orders of a past period (what the buyers asked for; lines a
    promotion added are left out): how many it would have touched, its cost, its budget."""
    _require(actor, Permission.MANAGE_PROMOTIONS)
    _require(actor, Permission.VIEW_ORDERS)
    async with read_transaction():
        found = await repository.orders_between(actor.scope, request.since, request.until, limit=5000)
        lines = await repository.lines_of_orders([o["id"] for o in found])
    by_order: dict[UUID, list[pricing_schemas.CartLineRequest]] = {}
    for line in lines:
        if (line["priced"] or {}).get("is_gift") or line["free_quantity"] >= line["quantity"]:
            continue
        by_order.setdefault(line["order_id"], []).append(
            pricing_schemas.CartLineRequest(sku=line["sku"], quantity=line["quantity"])
        )
    carts = [
        pricing_schemas.WhatIfCart(buyer_id=o["buyer_id"], lines=by_order[o["id"]][:2000])
        for o in found
        if by_order.get(o["id"])
    ]
    if not carts:
        raise ConflictError("no_orders_in_period")
    return await pricing.what_if(
        actor, pricing_schemas.WhatIfRequest(promotion=request.promotion, carts=carts), clock
    )
