"""Deal registration pages: partners register and follow their claims; channel managers decide."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import Permission
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from deal_registration import schemas
from deal_registration.services import leads, registrations
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import refusal_errors, uuid_or_none, validation_errors
from portal.i18n import gettext
from portal.messages import message
from portal.pages.rendering import back_to, flash_outcome, page
from portal.portals import Portal
from portal.security.guards import requires_any_permission, requires_permission

_CUSTOMER_FIELDS = ("company_name", "tax_id", "website", "phone", "address", "city", "country", "contact")


class RegistrationPages(Controller):
    path = "/registrations"
    guards = [requires_any_permission(Permission.REGISTER_DEALS, Permission.REVIEW_DEALS)]

    @get("/", name="registrations")
    async def list_registrations(
        self, actor: CurrentActor, portal: CurrentPortal, status: FromQuery[str | None] = None
    ) -> Template:
        chosen = (
            status if status in ("under_review", "protected", "submitted", "rejected", "expired") else None
        )
        return page(
            "shared/registrations/list.html.jinja",
            actor=actor,
            portal=portal,
            registrations=await registrations.list_registrations(actor, chosen),
            chosen_status=chosen,
        )

    async def _form(
        self, actor: Actor, portal: Portal, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Template:
        lead_id = uuid_or_none(values.get("lead_id"))
        return page(
            "shared/registrations/new.html.jinja",
            actor=actor,
            portal=portal,
            values=values,
            errors=errors,
            lead=await leads.get_lead(actor, lead_id) if lead_id else None,
            status=status,
        )

    @get("/new", guards=[requires_permission(Permission.REGISTER_DEALS)])
    async def new_registration(
        self, actor: CurrentActor, portal: CurrentPortal, lead: FromQuery[UUID | None] = None
    ) -> Template:
        values = {"country": "CN", "currency": "CNY"}
        if lead is not None:  # registering a qualified lead: its customer is taken as it is
            values["lead_id"] = str(lead)
        return await self._form(actor, portal, values, {})

    @post("/", guards=[requires_permission(Permission.REGISTER_DEALS)])
    async def register(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        values = dict(form.items())
        data: dict[str, Any] = {
            "customer": {f: str(form.get(f, "")).strip() for f in _CUSTOMER_FIELDS},
            "product_lines": [
                p for p in str(form.get("product_lines", "")).replace(";", ",").split(",") if p.strip()
            ],
            "currency": str(form.get("currency", "") or "CNY"),
            "notes": str(form.get("notes", "")),
        }
        if str(form.get("estimated_value", "")).strip():
            data["estimated_value"] = str(form.get("estimated_value")).replace(",", "")
        lead_id = uuid_or_none(form.get("lead_id"))
        try:
            if lead_id is not None:
                data.update({f: data["customer"][f] for f in ("tax_id", "website", "address")})
                del data["customer"]
                from_lead = msgspec.convert(data, schemas.LeadRegistration, strict=False)
                made = await leads.register_deal(actor, lead_id, from_lead, clock)
            else:
                command = msgspec.convert(data, schemas.RegistrationCreate, strict=False)
                made = await registrations.register(actor, command, clock)
        except msgspec.ValidationError as refused:
            return await self._form(actor, portal, values, _plain(validation_errors(refused)), status=422)
        except (InvalidInputError, ConflictError) as refused:
            return await self._form(actor, portal, values, _plain(refusal_errors(refused)), status=422)
        text = (
            gettext("Registered: {number} is protected until {date}.")
            if made.status == "protected"
            else gettext(
                "Registered: {number} goes to a channel manager, as the customer may already be registered."
            )
        )
        flash(
            request,
            text.format(
                number=made.number,
                date=made.protected_until.date().isoformat() if made.protected_until else "",
            ),
            category="success",
        )
        return back_to(portal.url(f"/registrations/{made.id}"))

    @get("/programmes", guards=[requires_permission(Permission.REVIEW_DEALS)])
    async def programmes(
        self, actor: CurrentActor, portal: CurrentPortal, code: FromQuery[str | None] = None
    ) -> Template:
        found = await registrations.list_programmes(actor)
        chosen = next((p for p in found if p.code == code), None)
        values = (
            msgspec.to_builtins(chosen) if chosen else msgspec.to_builtins(registrations.DEFAULT_PROGRAMME)
        )
        return await self._programmes(actor, portal, found, values, {})

    async def _programmes(
        self,
        actor: Actor,
        portal: Portal,
        found: list[schemas.ProgrammeSettings],
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        return page(
            "shared/registrations/programmes.html.jinja",
            actor=actor,
            portal=portal,
            programmes=found,
            values=values,
            errors=errors,
            status=status,
        )

    @post("/programmes", guards=[requires_permission(Permission.REVIEW_DEALS)])
    async def save_programme(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        values: dict[str, Any] = {k: str(v).strip() for k, v in form.items() if k != "_csrf_token"}
        data = {k: v for k, v in values.items() if v != ""}
        data["code"] = data.get("code", "").upper()
        for flag in ("block_exact_duplicates", "protect_when_clear"):
            data[flag] = flag in form
        try:
            settings = msgspec.convert(data, schemas.ProgrammeSettings, strict=False)
            await registrations.save_programme(actor, settings, clock)
        except msgspec.ValidationError as refused:
            found = await registrations.list_programmes(actor)
            return await self._programmes(
                actor, portal, found, values, _plain(validation_errors(refused)), status=422
            )
        flash(
            request, gettext("The programme {code} was saved.").format(code=settings.code), category="success"
        )
        return back_to(portal.url("/registrations/programmes"))

    @get("/{registration_id:uuid}")
    async def detail(
        self, actor: CurrentActor, portal: CurrentPortal, registration_id: FromPath[UUID]
    ) -> Template:
        registration = await registrations.get_registration(actor, registration_id)
        return page(
            "shared/registrations/detail.html.jinja",
            actor=actor,
            portal=portal,
            registration=registration,
            mine=registration.partner_id == actor.organisation_id,
        )

    @post("/{registration_id:uuid}/decision", guards=[requires_permission(Permission.REVIEW_DEALS)])
    async def decide(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        registration_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        choice = str(form.get("decision", ""))
        if choice not in ("approve", "reject", "request_info"):
            flash(request, message("invalid_value"), category="error")
            return back_to(portal.url(f"/registrations/{registration_id}"))
        decision = schemas.RegistrationDecision(decision=choice, reason=str(form.get("reason", ""))[:1000])  # type: ignore[arg-type]
        await flash_outcome(
            request,
            registrations.decide(actor, registration_id, decision, clock),
            gettext("The decision was recorded."),
        )
        return back_to(portal.url(f"/registrations/{registration_id}"))

    @post("/{registration_id:uuid}/extension", guards=[requires_permission(Permission.REGISTER_DEALS)])
    async def extend(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        registration_id: FromPath[UUID],
    ) -> Redirect:
        await flash_outcome(
            request,
            registrations.extend(actor, registration_id, clock),
            gettext("The protection was extended."),
        )
        return back_to(portal.url(f"/registrations/{registration_id}"))

    @post("/{registration_id:uuid}/outcome", guards=[requires_permission(Permission.REGISTER_DEALS)])
    async def outcome(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        registration_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        won = str(form.get("outcome", "")) == "won"
        result = schemas.RegistrationOutcome(
            outcome="won" if won else "lost", note=str(form.get("note", ""))[:1000]
        )
        await flash_outcome(
            request,
            registrations.report_outcome(actor, registration_id, result, clock),
            gettext("The outcome was recorded."),
        )
        return back_to(portal.url(f"/registrations/{registration_id}"))


def _plain(errors: dict[str, str]) -> dict[str, str]:
    return {key.removeprefix("customer.").split(".")[0]: text for key, text in errors.items()}
