"""Incentive pages: my rebate standing, fund and settlements; the programme editor, the accrual
overview and settling. Market development funds are in ``portal.pages.mdf``, commission statements
in ``portal.pages.commissions``, commission plans in ``portal.pages.commission_plans``."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import OrgKind, Permission
from channel.services import partners, reference
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from incentives import rebates, schemas
from incentives.services import fund, programmes, settlements
from portal import programme_form
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import refusal_text
from portal.i18n import N_, gettext
from portal.messages import MDF_ACTIVITY_LABELS, MDF_STATUS_LABELS, SETTLEMENT_STATUS_LABELS, message
from portal.pages import choices
from portal.pages.rendering import back_to, flash_outcome, page
from portal.portals import Portal
from portal.security.guards import requires_permission

BASISLABELS = {
    "sell_in": N_("Purchases (sell-in)"),
    "sell_out": N_("Reported sell-out"),
    "growth": N_("Growth over last year"),
    "product_family": N_("Product family"),
}
PERIODLABELS = {"month": N_("Monthly"), "quarter": N_("Quarterly"), "year": N_("Yearly")}
ENTRYLABELS = {
    "credit": N_("Rebate credited"),
    "use": N_("Paid on an order"),
    "return": N_("Given back by a cancelled order"),
    "expiry": N_("Expired"),
    "adjustment": N_("Adjustment"),
}
ACTIVITYLABELS = MDF_ACTIVITY_LABELS
LABELS = {
    "basis_labels": BASISLABELS,
    "period_labels": PERIODLABELS,
    "settlement_status_labels": SETTLEMENT_STATUS_LABELS,
    "entry_labels": ENTRYLABELS,
    "mdf_status_labels": MDF_STATUS_LABELS,
    "activity_labels": ACTIVITYLABELS,
}

STARTING_PROGRAMME: dict[str, Any] = {
    "code": "",
    "name": "",
    "currency": "CNY",
    "starts_on": "2027-01-01",
    "definition": {
        "period": "quarter",
        "basis": {"type": "sell_in"},
        "tiers": [
            {"threshold": "100000", "percent": "1"},
            {"threshold": "250000", "percent": "2"},
            {"threshold": "500000", "percent": "3.5"},
        ],
        "mode": "whole",
        "cap": None,
        "enrolment": {"partner_levels": [], "regions": [], "partner_kinds": ["store"], "partner_ids": []},
        "exclude_free_goods": True,
        "fund_use_percent": "10",
    },
}


class IncentivePages(Controller):
    path = "/incentives"
    guards = [requires_permission(Permission.VIEW_ORDERS)]

    @get("/", name="incentives")
    async def overview(self, actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock) -> Template:
        """My programmes and standing, my fund, and the settlements I see (to approve, for owners)."""
        own_fund = None
        if actor.organisation_kind is not OrgKind.MANUFACTURER:
            own_fund = await fund.get_fund(actor, actor.organisation_id)
        return page(
            "shared/incentives/overview.html.jinja",
            actor=actor,
            portal=portal,
            standing=await settlements.my_accruals(actor, clock),
            programmes=await programmes.list_programmes(actor),
            fund=own_fund,
            settlements=await settlements.list_settlements(actor),
            may_manage=actor.can(Permission.MANAGE_PROMOTIONS)
            and actor.organisation_kind is not OrgKind.STORE,
            **LABELS,
        )

    def _editor(self, actor: Any, portal: Any, text: str, problems: list[str], status: int = 200) -> Template:
        return page(
            "shared/incentives/editor.html.jinja",
            actor=actor,
            portal=portal,
            text=text,
            problems=problems,
            status=status,
        )

    async def _form_page(
        self,
        actor: Actor,
        portal: Portal,
        form: programme_form.ProgrammeForm,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            "shared/incentives/form.html.jinja",
            actor=actor,
            portal=portal,
            form=form.with_blank_rows(tiers=2),
            errors=errors or {},
            action=portal.url("/incentives/programmes"),
            periods=programme_form.PERIODS,
            bases=programme_form.BASES,
            levels=await reference.list_partner_levels(actor),
            regions=await reference.list_regions(actor),
            partner_choices=await choices.partner_choices(actor),
            catalogue_choices=await choices.catalogue_choices(actor),
            status=status,
            **LABELS,
        )

    @get("/programmes/new", guards=[requires_permission(Permission.MANAGE_PROMOTIONS)])
    async def new_programme(
        self, actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock, view: FromQuery[str] = "form"
    ) -> Template:
        """The programme editor: a form field by field, or the programme as JSON (advanced)."""
        if view == "json":
            return self._editor(actor, portal, json.dumps(STARTING_PROGRAMME, indent=2), [])
        own = await partners.visible_place(actor, actor.organisation_id)
        today = clock.now().date()
        next_quarter = rebates.period_of(rebates.PeriodKind.QUARTER, today).end
        return await self._form_page(actor, portal, programme_form.starting_form(own.currency, next_quarter))

    @post("/programmes", guards=[requires_permission(Permission.MANAGE_PROMOTIONS)])
    async def create_programme(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        values = await request.form()
        if "programme" not in values:
            return await self._submitted_form(request, actor, portal, clock)
        text = str(values.get("programme", ""))[:100_000]
        try:
            command = msgspec.json.decode(text.encode(), type=schemas.ProgrammeCreate)
            created = await programmes.create_programme(actor, command, clock)
        except (msgspec.ValidationError, msgspec.DecodeError) as refused:
            return self._editor(actor, portal, text, [str(refused)], status=422)
        except InvalidInputError as refused:
            texts = [f"{p.field}: {message(p.code, dict(p.params))}" for p in refused.problems]
            return self._editor(actor, portal, text, texts, status=422)
        except ConflictError as refused:
            return self._editor(actor, portal, text, [refusal_text(refused)], status=409)
        return back_to(portal.url(f"/incentives/programmes/{created.id}"))

    async def _submitted_form(
        self, request: Request[Any, Any, Any], actor: Actor, portal: Portal, clock: CurrentClock
    ) -> Template | Redirect:
        """The form: re-drawn (another basis, more rows), shown as JSON, or saved."""
        values = await request.form()
        form = programme_form.read_form(values)
        action = str(values.get("action", "save"))
        if action in ("refresh", "add_row"):
            return await self._form_page(actor, portal, form)
        try:
            command = programme_form.command_of(form, await choices.partner_ids(actor, form.partners))
        except programme_form.ProgrammeFormError as refused:
            return await self._form_page(actor, portal, form, refused.errors, status=422)
        if action == "to_json":
            text = msgspec.json.format(msgspec.json.encode(command), indent=2).decode()
            return self._editor(actor, portal, text, [])
        try:
            created = await programmes.create_programme(actor, command, clock)
        except InvalidInputError as refused:
            errors = programme_form.problem_errors(list(refused.problems))
            return await self._form_page(actor, portal, form, errors, status=422)
        except ConflictError as refused:
            field = "code" if refused.code == "programme_code_taken" else "__all__"
            return await self._form_page(actor, portal, form, {field: refusal_text(refused)}, status=409)
        flash(request, gettext("Programme {code} was created.").format(code=created.code), category="success")
        return back_to(portal.url(f"/incentives/programmes/{created.id}"))

    @get("/programmes/{programme_id:uuid}")
    async def programme(
        self, actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock, programme_id: FromPath[UUID]
    ) -> Template:
        """A programme's rules and the accrual of every enrolled partner the actor sees."""
        found = await programmes.get_programme(actor, programme_id)
        return page(
            "shared/incentives/programme.html.jinja",
            actor=actor,
            portal=portal,
            programme=found,
            accruals=await settlements.programme_accruals(actor, programme_id, clock),
            settlements=await settlements.list_settlements(actor, programme_id=programme_id),
            mine=found.owner_id == actor.organisation_id and actor.can(Permission.MANAGE_PROMOTIONS),
            rules=msgspec.json.format(msgspec.json.encode(found.definition), indent=2).decode(),
            today=clock.now().date(),
            **LABELS,
        )

    @post(
        "/programmes/{programme_id:uuid}/settlements",
        guards=[requires_permission(Permission.MANAGE_PROMOTIONS)],
    )
    async def settle(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        programme_id: FromPath[UUID],
    ) -> Redirect:
        raw = str((await request.form()).get("period_day", ""))
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            day = date.min
        await flash_outcome(
            request,
            settlements.settle_period(actor, programme_id, schemas.SettleCommand(period_day=day), clock),
            gettext("The period was settled: the proposals are waiting for approval."),
        )
        return back_to(portal.url(f"/incentives/programmes/{programme_id}"))

    @post(
        "/settlements/{settlement_id:uuid}/decision",
        guards=[requires_permission(Permission.MANAGE_PROMOTIONS)],
    )
    async def decide_settlement(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        settlement_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        decision = "approve" if form.get("decision") == "approve" else "reject"
        await flash_outcome(
            request,
            settlements.decide_settlement(
                actor,
                settlement_id,
                schemas.SettlementDecision(decision=decision, reason=str(form.get("reason", ""))[:500]),
                clock,
            ),
            gettext("The settlement was approved and credited.")
            if decision == "approve"
            else gettext("The settlement was rejected."),
        )
        return back_to(portal.url("/incentives"))
