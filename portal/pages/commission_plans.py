"""Commission plan pages for the owner (the manufacturer, or a distributor for its downstream): its
plans with their rates in words, the form that sets a new one, running the commissions; a plan's
deals and the form that attributes an order to it with its split. Statements are in
``portal.pages.commissions``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import Permission
from channel.services import partners
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from incentives import schemas
from incentives.services import commissions
from portal import commission_form
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import form_refusal
from portal.i18n import format_list, format_money, gettext, ngettext
from portal.pages import choices
from portal.pages.rendering import back_to, page
from portal.portals import Portal
from portal.security.guards import requires_permission

# Conflicts that belong to one field of the form rather than to the whole of it.
CONFLICT_FIELDS = {"plan_code_taken": "code", "order_already_attributed": "order_number"}


def _refusal(
    refused: commission_form.CommissionFormError | InvalidInputError | ConflictError,
) -> tuple[dict[str, str], int]:
    """A refused form's errors by form field, and its status: 422 as typed, 409 against the data."""
    if isinstance(refused, commission_form.CommissionFormError):
        return refused.errors, 422
    if isinstance(refused, InvalidInputError):
        return commission_form.problem_errors(list(refused.problems)), 422
    errors, status = form_refusal(refused)
    field = CONFLICT_FIELDS.get(refused.code)
    return ({field: errors["__all__"]} if field else errors), status


def run_text(run: schemas.CommissionRun, currencies: set[str]) -> str:
    """What a run recorded, each currency of the owner's plans on its own ("CN¥480.00 and €80.00")."""
    if not run.entries:
        return gettext("Nothing new to record: every deal's commission is up to date.")

    def amounts(totals: dict[str, Decimal]) -> str:
        every = {currency: totals.get(currency, Decimal(0)) for currency in sorted(currencies | set(totals))}
        return format_list([format_money(amount, currency) for currency, amount in every.items()])

    earned, clawed = amounts(run.earned), amounts(run.clawed_back)
    return ngettext(
        "Commissions run: %(earned)s earned, %(clawed)s clawed back, %(num)s entry recorded.",
        "Commissions run: %(earned)s earned, %(clawed)s clawed back, %(num)s entries recorded.",
        run.entries,
    ) % {"earned": earned, "clawed": clawed, "num": run.entries}


class CommissionPlanPages(Controller):
    path = "/incentives/commission-plans"
    guards = [requires_permission(Permission.MANAGE_PROMOTIONS)]

    async def _plans(
        self,
        actor: Actor,
        portal: Portal,
        form: commission_form.PlanForm,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            "shared/incentives/commission_plans.html.jinja",
            actor=actor,
            portal=portal,
            plans=await commissions.list_plans(actor),
            form=form.with_blank_rows(),
            errors=errors or {},
            category_choices=await choices.category_choices(actor),
            status=status,
        )

    @get("/")
    async def plans(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        """The owner's plans with their rates in words, and the form to set a new one."""
        own = await partners.visible_place(actor, actor.organisation_id)
        return await self._plans(actor, portal, commission_form.PlanForm(currency=own.currency))

    @post("/")
    async def create_plan(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        """Set a plan: its code, name, currency and the tiers of each category's rate."""
        form = commission_form.read_plan_form(await request.form())
        try:
            created = await commissions.create_plan(actor, commission_form.plan_command(form), clock)
        except (commission_form.CommissionFormError, InvalidInputError, ConflictError) as refused:
            errors, status = _refusal(refused)
            return await self._plans(actor, portal, form, errors, status)
        flash(
            request,
            gettext("Plan {code} is set: now attribute the orders its deals brought.").format(
                code=created.code
            ),
            category="success",
        )
        return back_to(portal.url(f"/incentives/commission-plans#plan-{created.id}"))

    @post("/runs")
    async def run(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        """Bring the commissions of every deal of the owner's plans up to date, and say what it took."""
        done = await commissions.run_commissions(actor, clock)
        currencies = {p.currency for p in await commissions.list_plans(actor)}
        flash(request, run_text(done, currencies), category="success")
        return back_to(portal.url("/incentives/commission-plans"))

    async def _plan(
        self,
        actor: Actor,
        portal: Portal,
        plan_id: UUID,
        form: commission_form.DealForm,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            "shared/incentives/commission_plan.html.jinja",
            actor=actor,
            portal=portal,
            plan=await commissions.get_plan(actor, plan_id),
            deals=await commissions.list_deals(actor, plan_id),
            partner_choices=await choices.partner_choices(actor),
            form=form.with_blank_rows(),
            errors=errors or {},
            status=status,
        )

    @get("/{plan_id:uuid}")
    async def plan(self, actor: CurrentActor, portal: CurrentPortal, plan_id: FromPath[UUID]) -> Template:
        """A plan's rates, the deals attributed to it with their splits, and the form to add one."""
        return await self._plan(actor, portal, plan_id, commission_form.DealForm())

    @post("/{plan_id:uuid}/deals")
    async def attribute(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        plan_id: FromPath[UUID],
    ) -> Template | Redirect:
        """Attribute an order to the plan: the registration or lead it came from, and the split."""
        form = commission_form.read_deal_form(await request.form())
        try:
            source = await commissions.find_deal_source(actor, form.source) if form.source else None
            command = commission_form.deal_command(form, source)
            await commissions.attribute_order(actor, plan_id, command, clock)
        except (commission_form.CommissionFormError, InvalidInputError, ConflictError) as refused:
            errors, status = _refusal(refused)
            return await self._plan(actor, portal, plan_id, form, errors, status)
        flash(
            request,
            gettext("Order {number} is attributed to this plan.").format(number=command.order_number),
            category="success",
        )
        return back_to(portal.url(f"/incentives/commission-plans/{plan_id}"))
