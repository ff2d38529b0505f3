"""Quote pages: a distributor quotes an end customer; a channel manager approves large discounts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import Permission
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from deal_registration.services import registrations
from ordering.services import orders
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal, CurrentRenderer, CurrentSettings
from portal.documents.quote_pdf import pdf_response, quote_pdf
from portal.explained import explain
from portal.forms import refusal_errors, refusal_text, validation_errors
from portal.i18n import gettext
from portal.pages.cart import parse_items
from portal.pages.rendering import back_to, flash_outcome, page
from portal.portals import Portal
from portal.security.guards import requires_any_permission, requires_permission
from portal.security.signed_links import customer_link
from pricing import schemas
from pricing.services import catalogue, quotes

CUSTOMER_LOCALES = {"en": "English", "zh_Hans_CN": "简体中文", "de_DE": "Deutsch"}


def _percent(form: FormMultiDict) -> Decimal | None:
    raw = str(form.get("manual_discount_percent", "")).strip().replace(",", ".")
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise InvalidInputError.single("manual_discount_percent", "invalid_value") from None


class QuotePages(Controller):
    path = "/quotes"
    guards = [requires_any_permission(Permission.CREATE_QUOTES, Permission.APPROVE_QUOTES)]

    @get("/", name="quotes")
    async def list_quotes(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return page(
            "shared/quotes/list.html.jinja",
            actor=actor,
            portal=portal,
            quotes=await quotes.list_quotes(actor),
        )

    async def _form(
        self, actor: Actor, portal: Portal, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Template:
        return page(
            "shared/quotes/new.html.jinja",
            actor=actor,
            portal=portal,
            values=values,
            errors=errors,
            locales=CUSTOMER_LOCALES,
            status=status,
        )

    @get("/new", guards=[requires_permission(Permission.CREATE_QUOTES)])
    async def new_quote(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._form(actor, portal, {"valid_days": 30, "locale": "en"}, {})

    @post("/", guards=[requires_permission(Permission.CREATE_QUOTES)])
    async def create_quote(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        settings: CurrentSettings,
    ) -> Template | Redirect:
        form = await request.form()
        values = dict(form.items())
        lines, refused = parse_items(str(form.get("items", "")))
        if refused or not lines:
            return await self._form(
                actor,
                portal,
                values,
                {
                    "items": gettext("Not understood:") + " " + "; ".join(refused)
                    if refused
                    else gettext("Add at least one product.")
                },
                422,
            )
        try:
            command = msgspec.convert(
                {
                    "customer": {
                        k: str(form.get(k, ""))
                        for k in ("company", "contact", "email", "address", "tax_id", "locale")
                    },
                    "lines": [msgspec.to_builtins(x) for x in lines],
                    "manual_discount_percent": _percent(form),
                    "valid_days": str(form.get("valid_days", "") or "30"),
                    "terms": str(form.get("terms", "")),
                },
                schemas.QuoteCreate,
                strict=False,
            )
            customer = registrations.quote_customer(
                command.customer.company, command.customer.tax_id, command.customer.email
            )
            deal = await registrations.deal_discount(actor.organisation_id, customer, clock.now())
            created = await quotes.create_quote(
                actor, command, clock, Decimal(settings.quote_approval_percent), deal
            )
            if await registrations.protected_by_another(actor.organisation_id, customer):
                flash(
                    request,
                    gettext("Another partner holds a protected deal registration for this customer."),
                    category="error",
                )
        except msgspec.ValidationError as refusal:
            return await self._form(actor, portal, values, _unprefixed(validation_errors(refusal)), 422)
        except (InvalidInputError, ConflictError) as refusal:
            return await self._form(actor, portal, values, _unprefixed(refusal_errors(refusal)), 422)
        flash(
            request, gettext("Quote {number} was created.").format(number=created.number), category="success"
        )
        return back_to(portal.url(f"/quotes/{created.id}"))

    @get("/{quote_id:uuid}")
    async def quote_detail(
        self, actor: CurrentActor, portal: CurrentPortal, settings: CurrentSettings, quote_id: FromPath[UUID]
    ) -> Template:
        quote = await quotes.get_quote(actor, quote_id, Decimal(settings.quote_approval_percent))
        latest = quote.versions[-1]
        named = await catalogue.products_named(actor, [line.sku for line in latest.priced.lines])
        return page(
            "shared/quotes/detail.html.jinja",
            actor=actor,
            portal=portal,
            quote=quote,
            priced=explain(latest.priced),
            products={p.sku: p for p in named},
            items="\n".join(f"{x.sku} {x.quantity}" for x in latest.lines),
            link=customer_link(
                settings.base_url, settings.secret_key, quote.id, quote.version, quote.valid_until
            )
            if quote.status in ("sent", "accepted", "declined")
            else None,
            mine=quote.seller_id == actor.organisation_id,
            locales=CUSTOMER_LOCALES,
        )

    @get("/{quote_id:uuid}/pdf")
    async def pdf(
        self, actor: CurrentActor, renderer: CurrentRenderer, quote_id: FromPath[UUID]
    ) -> Response[bytes]:
        quote = await quotes.get_quote(actor, quote_id)
        return pdf_response(await quote_pdf(quote, renderer), quote)

    @post("/{quote_id:uuid}/revisions", guards=[requires_permission(Permission.CREATE_QUOTES)])
    async def revise(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        settings: CurrentSettings,
        quote_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        lines, refused = parse_items(str(form.get("items", "")))
        try:
            if refused or not lines:
                raise InvalidInputError.single("items", "invalid_value")
            revision = schemas.QuoteRevision(
                lines=lines, manual_discount_percent=_percent(form), note=str(form.get("note", ""))[:1000]
            )
            await quotes.revise_quote(
                actor, quote_id, revision, clock, Decimal(settings.quote_approval_percent)
            )
        except (InvalidInputError, ConflictError) as refusal:
            flash(request, refusal_text(refusal), category="error")
        else:
            flash(request, gettext("A new version was saved."), category="success")
        return back_to(portal.url(f"/quotes/{quote_id}"))

    @post("/{quote_id:uuid}/approval", guards=[requires_permission(Permission.APPROVE_QUOTES)])
    async def approve(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        quote_id: FromPath[UUID],
    ) -> Redirect:
        await flash_outcome(
            request,
            quotes.approve_quote(actor, quote_id, clock),
            gettext("The quote is approved; its seller can send it."),
        )
        return back_to(portal.url(f"/quotes/{quote_id}"))

    @post("/{quote_id:uuid}/sending", guards=[requires_permission(Permission.CREATE_QUOTES)])
    async def send(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        quote_id: FromPath[UUID],
    ) -> Redirect:
        await flash_outcome(
            request,
            quotes.send_quote(actor, quote_id, clock),
            gettext("The quote is sent: give the customer the link below."),
        )
        return back_to(portal.url(f"/quotes/{quote_id}"))

    @post("/{quote_id:uuid}/order", guards=[requires_permission(Permission.PLACE_ORDERS)])
    async def order(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        quote_id: FromPath[UUID],
    ) -> Redirect:
        """The customer accepted: order the quote's lines from our own supplier, in one step."""
        try:
            placed = await orders.order_from_quote(actor, quote_id, clock)
        except (ConflictError, InvalidInputError) as refusal:
            flash(request, refusal_text(refusal), category="error")
            return back_to(portal.url(f"/quotes/{quote_id}"))
        flash(
            request,
            gettext("Order {number} was placed for this quote.").format(number=placed.number),
            category="success",
        )
        return back_to(portal.url(f"/orders/{placed.id}"))


def _unprefixed(errors: dict[str, str]) -> dict[str, str]:
    return {key.removeprefix("customer.").split(".")[0]: text for key, text in errors.items()}
