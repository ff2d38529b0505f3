"""Promotion pages: the list with budgets, the editor (a form field by field, or the promotion as
JSON for power users) that validates a promotion and previews it against carts before it is saved
(what-if), editing a draft, and activating or ending one."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import Permission
from channel.services import partners, reference
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from ordering import schemas as ordering_schemas
from ordering.services import orders
from portal import promotion_form
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.errors import field_problems
from portal.forms import refusal_text
from portal.i18n import display_timezone, gettext
from portal.messages import PROMOTION_STATUS_LABELS, message
from portal.pages import choices
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


class _Editing(msgspec.Struct, kw_only=True):
    """What the editor page shows besides the promotion itself."""

    carts_text: str = ""
    problems: list[str] = []
    preview: schemas.WhatIfResult | None = None
    currency: str = ""
    period: dict[str, str] = {}
    status: int = 200


def _refusal_errors(
    refused: InvalidInputError | ConflictError | NotFoundError, *, as_json: bool
) -> dict[str, str]:
    """A service's refusal by field: a code in use is the code's problem, a partner the actor does
    not see is the partners' (the form resolves codes first, so this is the JSON view's case)."""
    if isinstance(refused, InvalidInputError):
        return {
            (p.field if as_json else promotion_form.form_field(p.field)): p.message
            for p in field_problems(refused)
        }
    if isinstance(refused, NotFoundError):
        field = "eligibility.partner_ids" if as_json else "partners"
        return {field: message("partners_not_yours", {"codes": "—"})}
    if refused.code == "promotion_code_taken":
        return {"code": message(refused.code, refused.params)}
    return {"__all__": message(refused.code, refused.params)}


def _json_of(command: schemas.PromotionCreate) -> str:
    return msgspec.json.format(msgspec.json.encode(command), indent=2).decode()


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

    async def _form_page(
        self,
        actor: Actor,
        portal: Portal,
        form: promotion_form.PromotionForm,
        editing: _Editing,
        errors: dict[str, str] | None = None,
        record: schemas.PromotionRecord | None = None,
    ) -> Template:
        return page(
            "shared/promotions/form.html.jinja",
            actor=actor,
            portal=portal,
            form=form.with_blank_rows(),
            errors=errors or {},
            record=record,
            action=portal.url(f"/promotions/{record.id}/edit" if record else "/promotions/new"),
            kinds=list(promotion_form.KINDS),
            targeted=promotion_form.TARGETED,
            levels=await reference.list_partner_levels(actor),
            regions=await reference.list_regions(actor),
            partner_choices=await choices.partner_choices(actor),
            catalogue_choices=await choices.catalogue_choices(actor),
            timezone=str(display_timezone()),
            carts_text=editing.carts_text,
            problems=editing.problems,
            preview=editing.preview,
            currency=editing.currency,
            period=editing.period,
            refused=editing.status >= 400,
            status=editing.status,
        )

    async def _json_page(
        self,
        actor: Actor,
        portal: Portal,
        text: str,
        editing: _Editing,
        record: schemas.PromotionRecord | None = None,
    ) -> Template:
        return page(
            "shared/promotions/editor.html.jinja",
            actor=actor,
            portal=portal,
            text=text,
            record=record,
            action=portal.url(f"/promotions/{record.id}/edit" if record else "/promotions/new"),
            carts_text=editing.carts_text,
            problems=editing.problems,
            preview=editing.preview,
            kinds=list(TEMPLATES),
            currency=editing.currency,
            period=editing.period,
            refused=editing.status >= 400,
            status=editing.status,
        )

    @get("/new")
    async def new_promotion(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        kind: FromQuery[str] = "percent_off",
        view: FromQuery[str] = "form",
    ) -> Template:
        promotions.may_issue(actor)
        if view == "json":
            return await self._json_page(actor, portal, _starting_text(kind), _Editing())
        own = await partners.visible_place(actor, actor.organisation_id)
        form = promotion_form.starting_form(kind, own.currency)
        return await self._form_page(actor, portal, form, _Editing())

    @post("/new")
    async def submit(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        """Check, preview against carts, or save as a draft: one form, three buttons."""
        return await self._submitted(request, actor, portal, clock, None)

    @get("/{promotion_id:uuid}/edit")
    async def edit_promotion(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        promotion_id: FromPath[UUID],
        view: FromQuery[str] = "form",
    ) -> Template:
        record = await self._draft_of_mine(actor, promotion_id)
        command = promotion_form.command_from_record(record)
        if view == "json":
            return await self._json_page(actor, portal, _json_of(command), _Editing(), record)
        form = promotion_form.form_of(
            command, await choices.partner_codes(actor, command.eligibility.partner_ids), display_timezone()
        )
        return await self._form_page(actor, portal, form, _Editing(), record=record)

    @post("/{promotion_id:uuid}/edit")
    async def submit_edit(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        promotion_id: FromPath[UUID],
    ) -> Template | Redirect:
        await self._draft_of_mine(actor, promotion_id)
        return await self._submitted(request, actor, portal, clock, promotion_id)

    async def _draft_of_mine(self, actor: Actor, promotion_id: UUID) -> schemas.PromotionRecord:
        promotions.may_issue(actor)
        record = await promotions.get_promotion(actor, promotion_id)
        if record.issuer_id != actor.organisation_id:
            raise PermissionDeniedError("only_issuer_changes_promotion")
        if record.status != "draft":
            raise ConflictError("promotion_not_draft", status=record.status)
        return record

    async def _submitted(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        portal: Portal,
        clock: CurrentClock,
        promotion_id: UUID | None,
    ) -> Template | Redirect:
        values = await request.form()
        record = await promotions.get_promotion(actor, promotion_id) if promotion_id else None
        action = str(values.get("action", "check"))
        editing = _Editing(
            carts_text=str(values.get("carts", ""))[:200_000],
            period={
                "since": str(values.get("since", "")).strip()[:10],
                "until": str(values.get("until", "")).strip()[:10],
            },
        )
        zone = display_timezone()
        if "promotion" in values:  # the JSON view
            text = str(values.get("promotion", ""))[:100_000]
            try:
                command = msgspec.json.decode(text.encode(), type=schemas.PromotionCreate)
            except (msgspec.ValidationError, msgspec.DecodeError) as refused:
                editing.problems, editing.status = [str(refused)], 422
                return await self._json_page(actor, portal, text, editing, record)
            if action == "to_form":
                form = promotion_form.form_of(
                    command, await choices.partner_codes(actor, command.eligibility.partner_ids), zone
                )
                return await self._form_page(actor, portal, form, editing, record=record)

            async def json_page(editing: _Editing, errors: dict[str, str]) -> Template:
                editing.problems = [*editing.problems, *(f"{f}: {t}" for f, t in errors.items())]
                return await self._json_page(actor, portal, text, editing, record)

            return await self._act(
                request, actor, portal, clock, command, action, editing, record, json_page, as_json=True
            )
        form = promotion_form.read_form(values)
        if action in ("refresh", "add_row"):  # the kind changed, or more rows are wanted
            return await self._form_page(actor, portal, form, editing, record=record)
        try:
            command = promotion_form.command_of(form, await choices.partner_ids(actor, form.partners), zone)
        except promotion_form.PromotionFormError as refused:
            editing.status = 422
            return await self._form_page(actor, portal, form, editing, refused.errors, record)
        if action == "to_json":
            return await self._json_page(actor, portal, _json_of(command), editing, record)

        async def form_page(editing: _Editing, errors: dict[str, str]) -> Template:
            return await self._form_page(actor, portal, form, editing, errors, record)

        return await self._act(
            request, actor, portal, clock, command, action, editing, record, form_page, as_json=False
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        portal: Portal,
        clock: CurrentClock,
        command: schemas.PromotionCreate,
        action: str,
        editing: _Editing,
        record: schemas.PromotionRecord | None,
        show: Callable[[_Editing, dict[str, str]], Awaitable[Template]],
        *,
        as_json: bool,
    ) -> Template | Redirect:
        """Save, check or preview a promotion read from either view; ``show`` renders that view with
        errors by field (the form's field names, or the promotion data's in the JSON view)."""
        try:
            if action == "save":
                if record is None:
                    saved = await promotions.create_promotion(actor, command, clock)
                    text = gettext("Promotion {code} was saved as a draft.")
                else:
                    saved = await promotions.update_promotion(actor, record.id, command, clock)
                    text = gettext("Promotion {code} was changed.")
                flash(request, text.format(code=saved.code), category="success")
                return back_to(portal.url(f"/promotions/{saved.id}"))
            issues = promotions.issues_of(actor, command)
            if issues or action != "preview":
                editing.status = 422 if issues else 200
                editing.problems = (
                    [] if issues else [gettext("The promotion keeps every rule; preview it or save it.")]
                )
                errors = (
                    {i.field: message(i.code, dict(i.params)) for i in issues}
                    if as_json
                    else promotion_form.issue_errors(issues)
                )
                return await show(editing, errors)
            since, until = editing.period["since"], editing.period["until"]
            if since and until and not editing.carts_text.strip():
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
                    editing.problems, editing.status = [refusal_text(refused)], 422
                    return await show(editing, {})
                editing.preview = await orders.what_if_past(actor, past, clock)
                editing.currency = command.currency
                return await show(editing, {})
            carts, problems = await _carts(actor, editing.carts_text)
            if problems or not carts:
                editing.problems = problems or [
                    gettext("Enter at least one cart, or a period of past orders, to preview against.")
                ]
                editing.status = 422
                return await show(editing, {})
            editing.preview = await pricing.what_if(
                actor, schemas.WhatIfRequest(promotion=command, carts=carts), clock
            )
            editing.currency = command.currency
        except (InvalidInputError, ConflictError, NotFoundError) as refused:
            editing.status = 422
            return await show(editing, _refusal_errors(refused, as_json=as_json))
        return await show(editing, {})

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
