"""Market development fund pages: a partner's shares of the budgets it may draw on, its requests
for funds, proof files and claims; the owner's queue that decides requests and claims and marks
them paid, with the funnel from budget to paid per partner and per region."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from channel.roles import Permission
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError
from incentives import mdf as mdf_rules
from incentives import schemas
from incentives.services import mdf
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.downloads import attachment
from portal.forms import FormError, refusal_errors, struct_from_form
from portal.i18n import gettext
from portal.messages import message
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
    shares = []
    for budget in budgets:
        if budget.owner_id == actor.organisation_id:
            continue
        for allocation in await mdf.list_allocations(actor, budget.id):
            if allocation.partner_id == actor.organisation_id:
                shares.append((budget, allocation))
    return shares


class MdfPages(Controller):
    path = "/incentives/mdf"
    guards = [requires_permission(Permission.VIEW_ORDERS)]

    async def _queue(
        self,
        actor: Actor,
        portal: Portal,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        budgets = await mdf.list_budgets(actor)
        own = [b for b in budgets if b.owner_id == actor.organisation_id]
        return page(
            "shared/incentives/mdf.html.jinja",
            actor=actor,
            portal=portal,
            requests=await mdf.list_requests(actor),
            shares=await _my_shares(actor, budgets),
            funnels=[
                (await mdf.funnel(actor, b.id, "partner"), await mdf.funnel(actor, b.id, "region"))
                for b in own
            ],
            may_decide=actor.can(Permission.MANAGE_PROMOTIONS),
            may_request=actor.can(Permission.PLACE_ORDERS),
            values=values or {},
            errors=errors or {},
            status=status,
            **LABELS,
        )

    @get("/")
    async def queue(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        """The owner's queue and funnels; a partner's shares, its requests and the form to ask."""
        return await self._queue(actor, portal)

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
        except FormError as refused:
            return await self._queue(actor, portal, values=values, errors=refused.errors, status=422)
        except (InvalidInputError, ConflictError) as refused:
            status = 422 if isinstance(refused, InvalidInputError) else 409
            return await self._queue(
                actor, portal, values=values, errors=refusal_errors(refused), status=status
            )
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
