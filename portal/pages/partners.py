"""The partner tree: search and filter, onboard a partner, change its terms, assign channel managers."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel import schemas
from channel.network import ALLOWED_CHILDREN
from channel.roles import OrgKind, PartnerStatus, Permission
from channel.services import activity, partners, people, reference
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import FormError, form_refusal, refusal_errors, struct_from_form, uuid_or_none
from portal.i18n import gettext
from portal.messages import message
from portal.pages.rendering import back_to, is_htmx, page
from portal.portals import Portal
from portal.security.guards import requires_permission

FormData = URLEncodedBody[dict[str, Any]]


class PartnerPages(Controller):
    path = "/partners"
    guards = [requires_permission(Permission.VIEW_NETWORK)]

    @get("/", name="partners")
    async def list_partners(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        kind: FromQuery[OrgKind | None] = None,
        partner_level: Annotated[str | None, QueryParameter(max_length=32)] = None,
        region: Annotated[str | None, QueryParameter(max_length=32)] = None,
        status: FromQuery[PartnerStatus | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
    ) -> Template:
        filters = schemas.PartnerFilter(
            q=q,
            kind=kind,
            partner_level=partner_level or None,
            region=region or None,
            status=status,
            cursor=cursor,
            limit=50,
        )
        found = await partners.list_partners(actor, filters)
        context = {"found": found, "filters": filters, "base_depth": actor.organisation_path.count("/") - 1}
        if is_htmx(request):
            return page("shared/partners/_rows.html.jinja", actor=actor, portal=portal, **context)
        return page(
            "shared/partners/list.html.jinja",
            actor=actor,
            portal=portal,
            levels=await reference.list_partner_levels(actor),
            regions=await reference.list_regions(actor),
            **context,
        )

    @get("/new", guards=[requires_permission(Permission.MANAGE_PARTNERS)])
    async def new_partner(
        self, actor: CurrentActor, portal: CurrentPortal, under: FromQuery[UUID | None] = None
    ) -> Template:
        supplier = await partners.get_partner(actor, under or actor.organisation_id)
        return await self._form(actor, portal, supplier, {}, {})

    async def _form(
        self,
        actor: Actor,
        portal: Portal,
        supplier: schemas.Organisation,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        return page(
            "shared/partners/new.html.jinja",
            actor=actor,
            portal=portal,
            supplier=supplier,
            kinds=sorted(ALLOWED_CHILDREN[supplier.kind]),
            levels=await reference.list_partner_levels(actor),
            regions=await reference.list_regions(actor),
            values=values,
            errors=errors,
            status=status,
        )

    @post("/", guards=[requires_permission(Permission.MANAGE_PARTNERS)])
    async def create_partner(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        values = dict(form.items())
        supplier_id = uuid_or_none(values.get("supplier_id")) or actor.organisation_id
        supplier = await partners.get_partner(actor, supplier_id)
        try:
            command = struct_from_form(form, schemas.OrganisationCreate)
            created = await partners.create_partner(actor, command, clock)
        except (FormError, InvalidInputError, ConflictError) as refused:
            errors, status = form_refusal(refused)
            return await self._form(actor, portal, supplier, values, errors, status=status)
        flash(request, gettext("Partner {name} was created.").format(name=created.name), category="success")
        return back_to(portal.url(f"/partners/{created.id}"))

    @get("/{partner_id:uuid}")
    async def partner_detail(
        self, actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock, partner_id: FromPath[UUID]
    ) -> Template:
        return await self._detail(actor, portal, clock, partner_id, {}, {})

    async def _detail(
        self,
        actor: Actor,
        portal: Portal,
        clock: Clock,
        partner_id: FromPath[UUID],
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        partner = await partners.get_partner(actor, partner_id)
        return page(
            "shared/partners/detail.html.jinja",
            actor=actor,
            portal=portal,
            partner=partner,
            children=await partners.list_partners(actor, schemas.PartnerFilter(under=partner_id, limit=30)),
            users=await people.list_users(actor, partner_id, None, 50),
            history=await activity.list_activity(
                actor, schemas.ActivityFilter(organisation_id=partner_id, limit=10)
            ),
            levels=await reference.list_partner_levels(actor),
            regions=await reference.list_regions(actor),
            channel_managers=(
                await partners.list_channel_managers(actor)
                if actor.can(Permission.ASSIGN_CHANNEL_MANAGERS)
                else []
            ),
            can_add_under=bool(ALLOWED_CHILDREN[partner.kind]),
            is_own=partner.id == actor.organisation_id,
            values=values,
            errors=errors,
            status=status,
        )

    @post("/{partner_id:uuid}", guards=[requires_permission(Permission.MANAGE_PARTNERS)])
    async def update_partner(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
    ) -> Template | Redirect:
        form = await request.form()
        try:
            update = struct_from_form(form, schemas.OrganisationUpdate)
            await partners.update_partner(actor, partner_id, update, clock)
        except (FormError, InvalidInputError, ConflictError) as refused:
            errors, status = form_refusal(refused)
            return await self._detail(actor, portal, clock, partner_id, dict(form.items()), errors, status)
        flash(request, gettext("Changes saved."), category="success")
        return back_to(portal.url(f"/partners/{partner_id}"))

    @post(
        "/{partner_id:uuid}/channel-managers",
        guards=[requires_permission(Permission.ASSIGN_CHANNEL_MANAGERS)],
    )
    async def assign_channel_manager(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        data: FormData,
    ) -> Template | Redirect:
        manager_id = uuid_or_none(data.get("manager_id"))
        if manager_id is None:
            errors = {"manager_id": message("not_a_channel_manager")}
            return await self._detail(actor, portal, clock, partner_id, {}, errors, 422)
        try:
            await partners.assign_channel_manager(actor, partner_id, manager_id, clock)
        except InvalidInputError as refused:
            return await self._detail(actor, portal, clock, partner_id, {}, refusal_errors(refused), 422)
        flash(request, gettext("Channel manager assigned."), category="success")
        return back_to(portal.url(f"/partners/{partner_id}"))

    @post(
        "/{partner_id:uuid}/channel-managers/{manager_id:uuid}/remove",
        guards=[requires_permission(Permission.ASSIGN_CHANNEL_MANAGERS)],
    )
    async def unassign_channel_manager(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        manager_id: FromPath[UUID],
    ) -> Redirect:
        await partners.unassign_channel_manager(actor, partner_id, manager_id, clock)
        flash(request, gettext("Channel manager removed."), category="success")
        return back_to(portal.url(f"/partners/{partner_id}"))
