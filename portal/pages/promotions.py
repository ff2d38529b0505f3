"""Promotion pages: the list with budgets, the editor that validates a promotion and previews it
against carts before it is saved (what-if), and activating or ending one."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import Permission
from channel.services import partners
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from ordering import schemas as ordering_schemas
from ordering.services import orders
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import refusal_text
from portal.i18n import gettext
from portal.messages import PROMOTION_STATUS_LABELS, message
from portal.pages.rendering import back_to, page
from portal.portals import Portal
from portal.security.guards import requires_permission
from pricing import schemas
from pricing.services import pricing, promotions

_BASE: dict[str, Any] = {
    "code": "",
    "name": "",
    "currency": "CNY",
    "eligibility": {
        "partner_levels": [],
        "regions": [],
        "buyer_kinds": [],
        "starts_at": None,
        "ends_at": None,
    },
    "condition": {"min_quantity": 0},
    "stacking": "combinable",
    "priority": 0,
    "budget_amount": None,
}

# What the editor starts from, one per kind of benefit.
TEMPLATES: dict[str, dict[str, Any]] = {
    "percent_off": {"type": "percent_off", "percent": "10", "target": {"categories": ["HOBS"]}},
    "amount_off": {"type": "amount_off", "amount": "50", "target": {"skus": ["HOB-G2-60"]}},
    "fixed_price": {"type": "fixed_price", "unit_price": "999", "target": {"skus": ["HOB-G2-60"]}},
    "buy_x_get_y": {"type": "buy_x_get_y", "buy": 5, "get": 1, "target": {"skus": ["KETTLE-17"]}},
    "threshold": {"type": "threshold", "every": "1000", "off": "100", "target": {"categories": ["SMALL"]}},
    "gift": {"type": "gift", "sku": "FILTER-HOOD", "quantity": 1},
    "volume_tiers": {
        "type": "volume_tiers",
        "tiers": [{"min_quantity": 5, "percent": "3"}, {"min_quantity": 10, "percent": "5"}],
        "target": {"categories": ["WASHERS"]},
    },
    "bundle_price": {
        "type": "bundle_price",
        "components": [{"sku": "HOB-G2-60", "quantity": 1}, {"sku": "HOOD-T-90", "quantity": 1}],
        "price": "3999",
    },
}


def _starting_text(kind: str) -> str:
    return json.dumps({**_BASE, "benefit": TEMPLATES.get(kind, TEMPLATES["percent_off"])}, indent=2)


async def _carts(actor: Actor, text: str) -> tuple[list[schemas.WhatIfCart], list[str]]:
    """Carts typed as lines "BUYER-CODE SKU QUANTITY"; consecutive lines of one buyer are one cart,
    a blank line starts the next."""
    carts: list[schemas.WhatIfCart] = []
    problems: list[str] = []
    lines: list[schemas.CartLineRequest] = []
    buyer: str | None = None
    ids: dict[str, UUID] = {}

    def close() -> None:
        if buyer and lines and buyer in ids:
            carts.append(schemas.WhatIfCart(buyer_id=ids[buyer], lines=list(lines)))

    for number, raw in enumerate(text.splitlines()[:5000], start=1):
        parts = raw.replace(",", " ").replace(";", " ").split()
        if not parts:
            close()
            buyer, lines = None, []
            continue
        if len(parts) != 3 or not parts[2].isdigit() or int(parts[2]) < 1:
            problems.append(
                gettext("Line {number}: write a buyer code, a SKU and a quantity.").format(number=number)
            )
            continue
        code, sku, quantity = parts[0].upper(), parts[1].upper(), int(parts[2])
        if code not in ids:
            found = await partners.find_partner_by_code(actor, code)
            if found is None:
                problems.append(
                    gettext("Line {number}: no partner {code} of yours.").format(number=number, code=code)
                )
                continue
            ids[code] = found.id
        if buyer is not None and code != buyer:
            close()
            lines = []
        buyer = code
        lines.append(schemas.CartLineRequest(sku=sku, quantity=min(quantity, 1_000_000)))
    close()
    return carts, problems


class PromotionPages(Controller):
    path = "/promotions"
    guards = [requires_permission(Permission.MANAGE_PROMOTIONS)]

    @get("/", name="promotions")
    async def list_promotions(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return page(
            "shared/promotions/list.html.jinja",
            actor=actor,
            portal=portal,
            promotions=await promotions.list_promotions(actor),
            kinds=list(TEMPLATES),
        )

    async def _editor(
        self,
        actor: Actor,
        portal: Portal,
        text: str,
        carts_text: str = "",
        problems: list[str] | None = None,
        preview: schemas.WhatIfResult | None = None,
        status: int = 200,
        currency: str = "",
        period: dict[str, str] | None = None,
    ) -> Template:
        return page(
            "shared/promotions/editor.html.jinja",
            actor=actor,
            portal=portal,
            text=text,
            carts_text=carts_text,
            problems=problems or [],
            preview=preview,
            kinds=list(TEMPLATES),
            currency=currency,
            period=period or {},
            refused=status >= 400,
            status=status,
        )

    @get("/new")
    async def new_promotion(
        self, actor: CurrentActor, portal: CurrentPortal, kind: FromQuery[str] = "percent_off"
    ) -> Template:
        promotions.may_issue(actor)
        return await self._editor(actor, portal, _starting_text(kind))

    @post("/new")
    async def submit(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        """Check, preview against carts, or save as a draft: one form, three buttons."""
        form = await request.form()
        text = str(form.get("promotion", ""))[:100_000]
        carts_text = str(form.get("carts", ""))[:200_000]
        action = str(form.get("action", "check"))
        try:
            command = msgspec.json.decode(text.encode(), type=schemas.PromotionCreate)
        except (msgspec.ValidationError, msgspec.DecodeError) as refused:
            return await self._editor(actor, portal, text, carts_text, [str(refused)], status=422)
        try:
            if action == "save":
                record = await promotions.create_promotion(actor, command, clock)
                flash(
                    request,
                    gettext("Promotion {code} was saved as a draft.").format(code=record.code),
                    category="success",
                )
                return back_to(portal.url(f"/promotions/{record.id}"))
            issues = promotions.issues_of(actor, command)
            if issues or action != "preview":
                texts = [f"{i.field}: {message(i.code, dict(i.params))}" for i in issues] or [
                    gettext("The promotion keeps every rule; preview it or save it.")
                ]
                return await self._editor(
                    actor, portal, text, carts_text, texts, status=422 if issues else 200
                )
            since, until = str(form.get("since", "")).strip(), str(form.get("until", "")).strip()
            if since and until and not carts_text.strip():
                try:
                    past = msgspec.convert(
                        {
                            "promotion": msgspec.to_builtins(command),
                            "since": f"{since}T00:00:00Z",
                            "until": f"{until}T00:00:00Z",
                        },
                        ordering_schemas.WhatIfPast,
                    )
                except msgspec.ValidationError as refused:
                    return await self._editor(actor, portal, text, carts_text, [str(refused)], status=422)
                preview = await orders.what_if_past(actor, past, clock)
                return await self._editor(
                    actor,
                    portal,
                    text,
                    carts_text,
                    preview=preview,
                    currency=command.currency,
                    period={"since": since, "until": until},
                )
            carts, problems = await _carts(actor, carts_text)
            if problems or not carts:
                problems = problems or [
                    gettext("Enter at least one cart, or a period of past orders, to preview against.")
                ]
                return await self._editor(actor, portal, text, carts_text, problems, status=422)
            preview = await pricing.what_if(
                actor, schemas.WhatIfRequest(promotion=command, carts=carts), clock
            )
        except (InvalidInputError, ConflictError) as refused:
            texts = [refusal_text(refused)]
            return await self._editor(actor, portal, text, carts_text, texts, status=422)
        return await self._editor(actor, portal, text, carts_text, preview=preview, currency=command.currency)

    @get("/{promotion_id:uuid}")
    async def detail(
        self, actor: CurrentActor, portal: CurrentPortal, promotion_id: FromPath[UUID]
    ) -> Template:
        record = await promotions.get_promotion(actor, promotion_id)
        return page(
            "shared/promotions/detail.html.jinja",
            actor=actor,
            portal=portal,
            promotion=record,
            rule_text=msgspec.json.format(msgspec.json.encode(record.rule), indent=2).decode(),
            mine=record.issuer_id == actor.organisation_id,
        )

    @post("/{promotion_id:uuid}/status")
    async def set_status(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        promotion_id: FromPath[UUID],
    ) -> Redirect:
        wanted = str((await request.form()).get("status", ""))
        try:
            change = msgspec.convert({"status": wanted}, schemas.PromotionStatusChange)
            await promotions.set_status(actor, promotion_id, change, clock)
        except (msgspec.ValidationError, ConflictError) as refused:
            flash(
                request,
                refusal_text(refused),
                category="error",
            )
            return back_to(portal.url(f"/promotions/{promotion_id}"))
        flash(
            request,
            gettext("The promotion is now {status}.").format(
                status=gettext(PROMOTION_STATUS_LABELS.get(wanted, wanted)).lower()
            ),
            category="success",
        )
        return back_to(portal.url(f"/promotions/{promotion_id}"))
