"""The cart: paste or type SKUs and quantities, see every line's price explained, step by step.

Pricing a cart changes nothing, so the page is a GET: a clerk can bookmark or share it. A
spreadsheet fills it too; *Place the order* under the prices turns it into an order.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.response import Template

from channel import tabular
from channel.roles import OrgKind, Permission
from channel.visibility import Actor
from core.clock import Clock
from core.errors import InvalidInputError
from incentives.services import fund
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.explained import explain
from portal.forms import refusal_errors
from portal.i18n import gettext
from portal.messages import message
from portal.pages.rendering import is_htmx, page
from portal.portals import Portal
from portal.security.guards import requires_permission
from pricing import schemas
from pricing.services import catalogue, pricing

_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._/-]{0,63})\s*[,;:\t x×*]?\s*(\d{1,7})?\s*$")


def parse_items(text: str) -> tuple[list[schemas.CartLineRequest], list[str]]:
    """Lines of "SKU quantity" (comma, tab, colon or "x" between; quantity 1 when left out), as pasted
    from a spreadsheet or a chat; the same SKU twice adds up. Returns the lines and what was not understood."""
    quantities: dict[str, int] = {}
    refused: list[str] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        match = _LINE.match(raw)
        if not match or (match.group(2) is not None and int(match.group(2)) == 0):
            refused.append(raw.strip()[:80])
            continue
        sku = match.group(1).upper()
        quantities[sku] = quantities.get(sku, 0) + int(match.group(2) or 1)
    return [schemas.CartLineRequest(sku=sku, quantity=q) for sku, q in quantities.items()], refused


class CartPages(Controller):
    path = "/cart"
    guards = [requires_permission(Permission.VIEW_CATALOGUE)]

    @get("/", name="cart")
    async def cart(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        items: Annotated[str, QueryParameter(max_length=20_000)] = "",
        coupon: Annotated[str, QueryParameter(max_length=40)] = "",
        fund: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return await self._render(request, actor, portal, clock, items, coupon, fund_amount=fund)

    @post("/upload")
    async def upload(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template:
        """A spreadsheet of SKU and quantity (CSV or XLSX, as a partner's system exports it) fills
        the cart; rows it cannot read are named by their row number."""
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile):
            return await self._render(request, actor, portal, clock, "", "", {"file": message("required")})
        try:
            table = tabular.read_table(
                await upload.read(), upload.filename or "", required=("sku", "quantity")
            )
        except InvalidInputError as refusal:
            return await self._render(request, actor, portal, clock, "", "", refusal_errors(refusal))
        lines, bad = [], []
        for row in table.rows:
            quantity = row.values.get("quantity", "").replace(",", "").strip()
            if quantity.endswith(".0"):
                quantity = quantity[:-2]  # a spreadsheet's whole number
            if not row.values.get("sku") or not quantity.isdigit() or int(quantity) < 1:
                bad.append(str(row.number))
                continue
            lines.append(f"{row.values['sku'].strip()} {int(quantity)}")
        errors = (
            {
                "file": gettext("Rows {rows}: a SKU and a whole quantity are needed.").format(
                    rows=", ".join(bad[:20])
                )
            }
            if bad
            else {}
        )
        return await self._render(request, actor, portal, clock, "\n".join(lines), "", errors)

    async def _render(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        portal: Portal,
        clock: Clock,
        items: str,
        coupon: str,
        upload_errors: dict[str, str] | None = None,
        *,
        fund_amount: str = "",
    ) -> Template:
        lines, refused = parse_items(items)
        priced = None
        errors: dict[str, str] = {}
        if lines and actor.organisation_kind is not OrgKind.MANUFACTURER:
            try:
                request_cart = schemas.CartRequest(
                    lines=lines[:2000], coupon_codes=[coupon] if coupon else []
                )
                priced = explain(await pricing.price_cart(actor, request_cart, clock))
            except InvalidInputError as refusal:
                errors = refusal_errors(refusal)
        # What the buyer's rebate fund holds and may pay of this cart, beside the field to use it.
        fund_available = await fund.available_for_order(actor, priced.total, clock) if priced else None
        skus = [line.sku for line in priced.lines] if priced else [line.sku for line in lines]
        names = {p.sku: p for p in (await catalogue.products_named(actor, skus))}
        context = {
            "items": items,
            "coupon": coupon,
            "priced": priced,
            "refused": refused,
            "errors": errors | (upload_errors or {}),
            "products": names,
            "fund": fund_available,
            "fund_amount": fund_amount,
            "note": gettext("Prices are checked again when the order is submitted."),
        }
        if is_htmx(request):
            return page("shared/cart/_priced.html.jinja", actor=actor, portal=portal, **context)
        return page("shared/cart/cart.html.jinja", actor=actor, portal=portal, **context)
