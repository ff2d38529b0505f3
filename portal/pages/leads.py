"""Lead pages: the manufacturer's pool, dispatch and rules; the partner's inbox with its deadlines."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel import schemas as channel_schemas
from channel.roles import OrgKind, Permission
from channel.services import partners, reference
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from deal_registration import schemas
from deal_registration.leads import LeadStage, LeadStatus
from deal_registration.services import leads
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import FormError, refusal_errors, struct_from_form, uuid_or_none, validation_errors
from portal.i18n import gettext
from portal.pages.rendering import back_to, flash_outcome, page
from portal.portals import Portal
from portal.security.guards import requires_any_permission, requires_permission

_MANAGE = requires_permission(Permission.MANAGE_LEADS)
_WORK = requires_permission(Permission.WORK_LEADS)


def _codes(form: FormMultiDict, name: str) -> list[str]:
    return [part.strip() for part in str(form.get(name, "")).replace(";", ",").split(",") if part.strip()]


class LeadPages(Controller):
    path = "/leads"
    guards = [requires_any_permission(Permission.MANAGE_LEADS, Permission.WORK_LEADS)]

    @get("/", name="leads")
    async def list_leads(
        self, actor: CurrentActor, portal: CurrentPortal, status: FromQuery[LeadStatus | None] = None
    ) -> Template:
        found = await leads.list_leads(actor, schemas.LeadFilter(status=status))
        return page(
            "shared/leads/list.html.jinja",
            actor=actor,
            portal=portal,
            leads=found,
            chosen_status=status,
            statuses=list(LeadStatus),
            policy=await leads.get_policy(actor),
        )

    async def _new_form(
        self, actor: Actor, portal: Portal, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Template:
        return page(
            "shared/leads/new.html.jinja",
            actor=actor,
            portal=portal,
            regions=await reference.list_regions(actor),
            values=values,
            errors=errors,
            status=status,
        )

    @get("/new", guards=[_MANAGE])
    async def new_lead(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._new_form(actor, portal, {}, {})

    @post("/", guards=[_MANAGE])
    async def create_lead(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        try:
            created = await leads.create_lead(actor, struct_from_form(form, schemas.LeadCreate), clock)
        except FormError as refused:
            return await self._new_form(actor, portal, dict(form.items()), refused.errors, status=422)
        except InvalidInputError as refused:
            return await self._new_form(
                actor, portal, dict(form.items()), refusal_errors(refused), status=422
            )
        flash(request, gettext("Lead {number} was added.").format(number=created.number), category="success")
        return back_to(portal.url(f"/leads/{created.id}"))

    @get("/funnel")
    async def funnel(
        self, actor: CurrentActor, portal: CurrentPortal, by: FromQuery[str] = "source"
    ) -> Template:
        chosen = by if by in ("source", "owner") else "source"
        return page(
            "shared/leads/funnel.html.jinja",
            actor=actor,
            portal=portal,
            funnel=await leads.funnel(actor, chosen),
            stages=list(LeadStage),
        )

    @get("/rules", guards=[_MANAGE])
    async def rules(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._rules(actor, portal, {}, {})

    async def _rules(
        self, actor: Actor, portal: Portal, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Template:
        return page(
            "shared/leads/rules.html.jinja",
            actor=actor,
            portal=portal,
            rules=await leads.list_rules(actor),
            policy=await leads.get_policy(actor),
            values=values,
            errors=errors,
            status=status,
        )

    @post("/rules", guards=[_MANAGE])
    async def create_rule(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        data = {
            "name": str(form.get("name", "")),
            "position": str(form.get("position", "") or "100"),
            **{f: _codes(form, f) for f in ("regions", "industries", "sources", "partner_levels")},
        }
        try:
            command = msgspec.convert(data, schemas.DispatchRuleCreate, strict=False)
            await leads.create_rule(actor, command, clock)
        except msgspec.ValidationError as refused:
            return await self._rules(
                actor, portal, dict(form.items()), validation_errors(refused), status=422
            )
        except (InvalidInputError, ConflictError) as refused:
            return await self._rules(actor, portal, dict(form.items()), refusal_errors(refused), status=422)
        flash(request, gettext("The dispatch rule was added."), category="success")
        return back_to(portal.url("/leads/rules"))

    @post("/rules/{rule_id:uuid}/delete", guards=[_MANAGE])
    async def delete_rule(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        rule_id: FromPath[UUID],
    ) -> Redirect:
        await leads.delete_rule(actor, rule_id, clock)
        flash(request, gettext("The dispatch rule was removed."), category="success")
        return back_to(portal.url("/leads/rules"))

    @post("/policy", guards=[_MANAGE])
    async def set_policy(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        try:
            await leads.set_policy(actor, struct_from_form(form, schemas.LeadPolicy), clock)
        except FormError as refused:
            return await self._rules(actor, portal, dict(form.items()), refused.errors, status=422)
        flash(request, gettext("The lead policy was saved."), category="success")
        return back_to(portal.url("/leads/rules"))

    @get("/{lead_id:uuid}")
    async def lead_detail(
        self, actor: CurrentActor, portal: CurrentPortal, lead_id: FromPath[UUID]
    ) -> Template:
        lead = await leads.get_lead(actor, lead_id)
        distributors = []
        if actor.can(Permission.MANAGE_LEADS) and lead.status is LeadStatus.POOLED:
            found = await partners.list_partners(
                actor, channel_schemas.PartnerFilter(kind=OrgKind.DISTRIBUTOR, limit=200)
            )
            distributors = [d for d in found.items if d.status.value == "active"]
        return page(
            "shared/leads/detail.html.jinja",
            actor=actor,
            portal=portal,
            lead=lead,
            distributors=distributors,
            stages=[s for s in LeadStage if s is not LeadStage.UQL],
            mine=lead.owner_id == actor.organisation_id,
        )

    @post("/{lead_id:uuid}/dispatch", guards=[_MANAGE])
    async def dispatch(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        await flash_outcome(
            request,
            leads.dispatch_lead(
                actor, lead_id, schemas.LeadDispatch(partner_id=uuid_or_none(form.get("partner_id"))), clock
            ),
            gettext("The lead was offered."),
        )
        return back_to(portal.url(f"/leads/{lead_id}"))

    @post("/{lead_id:uuid}/accept", guards=[_WORK])
    async def accept(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
    ) -> Redirect:
        await flash_outcome(
            request,
            leads.accept_lead(actor, lead_id, clock),
            gettext("The lead is yours: follow up in time."),
        )
        return back_to(portal.url(f"/leads/{lead_id}"))

    @post("/{lead_id:uuid}/decline", guards=[_WORK])
    async def decline(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        reason = str(form.get("reason", ""))[:500]
        await flash_outcome(
            request,
            leads.decline_lead(actor, lead_id, schemas.LeadDecline(reason=reason), clock),
            gettext("The lead was given back."),
        )
        return back_to(portal.url("/leads"))

    @post("/{lead_id:uuid}/follow-ups", guards=[_WORK])
    async def follow_up(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        try:
            command = struct_from_form(form, schemas.LeadFollowUp)
        except FormError as refused:
            flash(request, next(iter(refused.errors.values())), category="error")
            return back_to(portal.url(f"/leads/{lead_id}"))
        await flash_outcome(
            request, leads.follow_up(actor, lead_id, command, clock), gettext("The follow-up was recorded.")
        )
        return back_to(portal.url(f"/leads/{lead_id}"))
