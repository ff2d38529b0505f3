"""Market development fund pages: a partner's shares of the budgets it may draw on, its requests
for funds, proof files and claims; the owner's budgets (set up a period's budget, give each partner
its share), its queue that decides requests and claims and marks them paid, with the funnel from
budget to paid per partner and per region."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import OrgKind, Permission
from channel.services import partners
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError
from incentives import mdf as mdf_rules
from incentives import rebates, schemas
from incentives.services import mdf
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.downloads import attachment
from portal.forms import FormError, form_refusal, refusal_errors, struct_from_form, validation_errors
from portal.i18n import gettext
from portal.messages import message
from portal.pages import choices
from portal.pages.incentives import LABELS
from portal.pages.rendering import back_to, flash_outcome, page
from portal.portals import Portal
from portal.security.guards import requires_permission

# What a proof file may be, for the upload form's hint.
PROOF_LIMITS = {"maximum": mdf_rules.MAX_PROOF_BYTES // (1024 * 1024), "count": mdf_rules.MAX_PROOFS}


async def _my_shares(
    actor: Actor, budgets: list[schemas.MdfBudget]
) -> list[tuple[schemas.MdfBudget, schemas.MdfAllocation]]:
    """The budgets that allocate to the actor's own organisation, with its share of each."""
    others = [b for b in budgets if b.owner_id != actor.organisation_id]
    allocations = await mdf.list_allocations_of(actor, [b.id for b in others])
    return [
        (budget, allocation)
        for budget in others
        for allocation in allocations[budget.id]
        if allocation.partner_id == actor.organisation_id
    ]


class MdfPages(Controller):
    path = "/incentives/mdf"
    guards = [requires_permission(Permission.VIEW_ORDERS)]

    async def _queue(
        self,
        actor: Actor,
        portal: Portal,
        clock: Clock,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        budget_values: dict[str, str] | None = None,
        budget_errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        budgets = await mdf.list_budgets(actor)
        own = [b for b in budgets if b.owner_id == actor.organisation_id]
        may_budget = actor.can(Permission.MANAGE_PROMOTIONS) and actor.organisation_kind is not OrgKind.STORE
        return page(
            "shared/incentives/mdf.html.jinja",
            actor=actor,
            portal=portal,
            requests=await mdf.list_requests(actor),
            shares=await _my_shares(actor, budgets),
            funnels=await mdf.funnels(actor, [b.id for b in own]),
            may_decide=actor.can(Permission.MANAGE_PROMOTIONS),
            may_request=actor.can(Permission.PLACE_ORDERS),
            may_budget=may_budget,
            partner_choices=await choices.partner_choices(actor) if may_budget and own else [],
            values=values or {},
            errors=errors or {},
            budget_values=budget_values or (await _new_budget_values(actor, clock) if may_budget else {}),
            budget_errors=budget_errors or {},
            status=status,
            **LABELS,
        )

    @get("/")
    async def queue(self, actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock) -> Template:
        """The owner's budgets, queue and funnels; a partner's shares, its requests and the form to ask."""
        return await self._queue(actor, portal, clock)

    @post("/requests", guards=[requires_permission(Permission.PLACE_ORDERS)])
    async def request_funds(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        """Ask for funds for an activity, with its plan, dates and cost, within the partner's share."""
        form = await request.form()
        values = {k: str(v)[:5000] for k, v in form.items() if isinstance(v, str)}
        try:
            command = struct_from_form(form, schemas.MdfRequestCreate)
            created = await mdf.request_funds(actor, command, clock)
        except (FormError, InvalidInputError, ConflictError) as refused:
            errors, status = form_refusal(refused)
            return await self._queue(actor, portal, clock, values=values, errors=errors, status=status)
        return back_to(portal.url(f"/incentives/mdf/{created.id}"))

    async def _detail(
        self,
        actor: Actor,
        portal: Portal,
        request_id: UUID,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        found = await mdf.get_request(actor, request_id)
        mine = found.partner_id == actor.organisation_id
        return page(
            "shared/incentives/mdf_request.html.jinja",
            actor=actor,
            portal=portal,
            item=found,
            mine=mine,
            may_act=mine and actor.can(Permission.PLACE_ORDERS) and found.status == "approved",
            may_decide=actor.can(Permission.MANAGE_PROMOTIONS) and not mine,
            limits=PROOF_LIMITS,
            errors=errors or {},
            status=status,
            **LABELS,
        )

    @post("/budgets", guards=[requires_permission(Permission.MANAGE_PROMOTIONS)])
    async def create_budget(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        """Set up a budget for a period: its code, name, currency, amount, first and last day."""
        form = await request.form()
        values = {k: str(v)[:200] for k, v in form.items() if isinstance(v, str)}
        try:
            command = _budget_command(values)
            created = await mdf.create_budget(actor, command, clock)
        except (FormError, InvalidInputError, ConflictError) as refused:
            errors, status = form_refusal(refused)
            return await self._queue(
                actor, portal, clock, budget_values=values, budget_errors=errors, status=status
            )
        flash(
            request,
            gettext("Budget {code} is set up: now give each partner its share.").format(code=created.code),
            category="success",
        )
        return back_to(portal.url(f"/incentives/mdf#budget-{created.id}"))

    @post("/budgets/{budget_id:uuid}/allocations", guards=[requires_permission(Permission.MANAGE_PROMOTIONS)])
    async def allocate(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        budget_id: FromPath[UUID],
    ) -> Redirect:
        """Set a partner's share of the budget (0 takes back what no request holds)."""
        form = await request.form()
        await flash_outcome(request, _allocate(actor, budget_id, form, clock), gettext("Share saved."))
        return back_to(portal.url(f"/incentives/mdf#budget-{budget_id}"))

    @get("/{request_id:uuid}")
    async def detail(
        self, actor: CurrentActor, portal: CurrentPortal, request_id: FromPath[UUID]
    ) -> Template:
        """A request: its plan and figures, its proof files, and the next step for whoever takes it."""
        return await self._detail(actor, portal, request_id)

    @post(
        "/{request_id:uuid}/proofs",
        guards=[requires_permission(Permission.PLACE_ORDERS)],
        request_max_body_size=mdf_rules.MAX_PROOF_REQUEST_BYTES,
    )
    async def add_proof(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        request_id: FromPath[UUID],
    ) -> Template | Redirect:
        """Attach a proof file: PDF, PNG or JPEG by its content, bounded in size and count."""
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile):
            return await self._detail(actor, portal, request_id, {"file": message("required")}, 422)
        try:
            await mdf.add_proof(actor, request_id, upload.filename or "", await upload.read(), clock)
        except (InvalidInputError, ConflictError) as refused:
            status = 422 if isinstance(refused, InvalidInputError) else 409
            return await self._detail(actor, portal, request_id, refusal_errors(refused), status)
        return back_to(portal.url(f"/incentives/mdf/{request_id}"))

    @get("/{request_id:uuid}/proofs/{proof_id:uuid}")
    async def proof(
        self, actor: CurrentActor, request_id: FromPath[UUID], proof_id: FromPath[UUID]
    ) -> Response[bytes]:
        """A proof file, always as a download with the type recorded when it was checked."""
        name, kind, content = await mdf.get_proof(actor, request_id, proof_id)
        return attachment(content, kind, name)

    @post("/{request_id:uuid}/claim", guards=[requires_permission(Permission.PLACE_ORDERS)])
    async def claim(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        request_id: FromPath[UUID],
    ) -> Template | Redirect:
        """Claim what the activity cost (at most the approved amount), once proof is attached."""
        form = await request.form()
        try:
            command = struct_from_form(form, schemas.MdfClaim)
            await mdf.claim(actor, request_id, command, clock)
        except FormError as refused:
            return await self._detail(actor, portal, request_id, refused.errors, 422)
        except (InvalidInputError, ConflictError) as refused:
            status = 422 if isinstance(refused, InvalidInputError) else 409
            return await self._detail(actor, portal, request_id, refusal_errors(refused), status)
        return back_to(portal.url(f"/incentives/mdf/{request_id}"))

    @post("/{request_id:uuid}/decision", guards=[requires_permission(Permission.MANAGE_PROMOTIONS)])
    async def decide(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        request_id: FromPath[UUID],
    ) -> Redirect:
        """One form for each step the owner takes: decide the request (all or part of it), decide
        the claim, mark it paid."""
        form = await request.form()
        step = str(form.get("step", ""))
        await flash_outcome(request, _owner_step(actor, request_id, clock, step, form), gettext("Done."))
        target = str(form.get("back", ""))
        return back_to(
            portal.url(f"/incentives/mdf/{request_id}" if target == "detail" else "/incentives/mdf")
        )


async def _owner_step(
    actor: Actor, request_id: UUID, clock: Clock, step: str, form: Any
) -> schemas.MdfRequest:
    """The step named by the form; the decision Struct checks the amount and answer as the API does."""
    amount = str(form.get("amount", "")).strip()[:40]
    decision = msgspec.convert(
        {
            "decision": "approve" if form.get("decision") == "approve" else "reject",
            "amount": amount if amount and step == "request" else None,
            "answer": str(form.get("answer", ""))[:1000],
        },
        schemas.MdfDecision,
        strict=False,
    )
    if step == "payment":
        return await mdf.mark_paid(actor, request_id, clock)
    if step == "claim":
        return await mdf.decide_claim(actor, request_id, decision, clock)
    return await mdf.decide_request(actor, request_id, decision, clock)


def _budget_command(values: dict[str, str]) -> schemas.MdfBudgetCreate:
    """The budget a form describes; the form asks for the last day, the budget keeps the day after."""
    last_day = values.get("last_day", "").strip()
    data = {
        k: v
        for k, v in values.items()
        if k in ("code", "name", "currency", "amount", "period_start") and v.strip()
    }
    try:
        if last_day:
            data["period_end"] = (date.fromisoformat(last_day) + timedelta(days=1)).isoformat()
        return msgspec.convert(data, schemas.MdfBudgetCreate, strict=False)
    except ValueError:
        raise FormError({"last_day": message("bad_date", {"value": last_day})}) from None
    except msgspec.ValidationError as refused:
        errors = validation_errors(refused)
        if "period_end" in errors:
            errors["last_day"] = errors.pop("period_end")
        raise FormError(errors) from None


async def _new_budget_values(actor: Actor, clock: Clock) -> dict[str, str]:
    """A new budget starts as the next calendar quarter, in the owner's currency."""
    own = await partners.visible_place(actor, actor.organisation_id)
    starts = rebates.period_of(rebates.PeriodKind.QUARTER, clock.now().date()).end
    ends = rebates.period_of(rebates.PeriodKind.QUARTER, starts).end
    return {
        "currency": own.currency,
        "period_start": starts.isoformat(),
        "last_day": (ends - timedelta(days=1)).isoformat(),
    }


async def _allocate(actor: Actor, budget_id: UUID, form: Any, clock: Clock) -> schemas.MdfAllocation:
    """The share the form sets; the Struct checks the partner and amount as the API does."""
    command = msgspec.convert(
        {
            "partner_id": str(form.get("partner_id", ""))[:40],
            "amount": str(form.get("amount", "")).strip()[:40],
        },
        schemas.MdfAllocate,
        strict=False,
    )
    return await mdf.allocate(actor, budget_id, command, clock)
