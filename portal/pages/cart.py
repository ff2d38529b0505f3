"""The cart: paste or type SKUs and quantities, see every line's price explained, step by step.

Pricing a cart changes nothing, so the page is a GET: a clerk can bookmark or share it. Ordering it
arrives with the ordering pages; until then this is the price check a buyer runs before calling.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from channel.roles import OrgKind, Permission
from core.errors import InvalidInputError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.explained import explain
from portal.forms import refusal_errors
from portal.i18n import gettext
from portal.pages.rendering import is_htmx, page
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
        skus = [line.sku for line in priced.lines] if priced else [line.sku for line in lines]
        names = {p.sku: p for p in (await catalogue.products_named(actor, skus))}
        context = {
            "items": items,
            "coupon": coupon,
            "priced": priced,
            "refused": refused,
            "errors": errors,
            "products": names,
            "note": gettext("Prices are checked again when the order is submitted."),
        }
        if is_htmx(request):
            return page("shared/cart/_priced.html.jinja", actor=actor, portal=portal, **context)
        return page("shared/cart/cart.html.jinja", actor=actor, portal=portal, **context)
