"""People: who works where, invitations, roles and suspension."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel import schemas
from channel.roles import ROLES_BY_KIND, Permission, UserStatus
from channel.services import partners, people
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal, CurrentSettings
from portal.forms import FormError, refusal_errors, struct_from_form, uuid_or_none
from portal.i18n import gettext
from portal.messages import message
from portal.pages.rendering import back_to, page
from portal.portals import Portal
from portal.security.guards import requires_permission
from portal.settings import Settings

FormData = URLEncodedBody[dict[str, Any]]


def invitation_link(settings: CurrentSettings, token: FromPath[str]) -> str:
    return f"{settings.base_url}/invitations/{token}"


class PeoplePages(Controller):
    path = "/people"

    @get("/", name="people")
    async def list_people(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        organisation_id: FromQuery[UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
    ) -> Template:
        organisation = await partners.get_partner(actor, organisation_id) if organisation_id else None
        return page(
            "shared/people/list.html.jinja",
            actor=actor,
            portal=portal,
            organisation=organisation,
            found=await people.list_users(actor, organisation_id, cursor, 50),
            invitations=(
                await people.list_open_invitations(actor, clock) if actor.can(Permission.MANAGE_USERS) else []
            ),
        )

    async def _invite_form(
        self,
        actor: Actor,
        portal: Portal,
        organisation_id: UUID,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        organisation = await partners.get_partner(actor, organisation_id)
        return page(
            "shared/people/invite.html.jinja",
            actor=actor,
            portal=portal,
            organisation=organisation,
            roles=ROLES_BY_KIND[organisation.kind],
            values=values,
            errors=errors,
            status=status,
        )

    @get("/invite", guards=[requires_permission(Permission.MANAGE_USERS)])
    async def invite_form(
        self, actor: CurrentActor, portal: CurrentPortal, organisation_id: FromQuery[UUID | None] = None
    ) -> Template:
        return await self._invite_form(actor, portal, organisation_id or actor.organisation_id, {}, {})

    @post("/invite", guards=[requires_permission(Permission.MANAGE_USERS)])
    async def invite(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        settings: CurrentSettings,
    ) -> Template:
        form = await request.form()
        values = {**dict(form.items()), "roles": form.getall("roles", [])}
        organisation_id = uuid_or_none(values.get("organisation_id")) or actor.organisation_id
        try:
            command = struct_from_form(form, schemas.InvitationCreate, lists=["roles"])
            issued = await people.invite_user(actor, command, clock)
        except FormError as refused:
            return await self._invite_form(actor, portal, organisation_id, values, refused.errors, 422)
        except (InvalidInputError, ConflictError) as refused:
            return await self._invite_form(
                actor, portal, organisation_id, values, refusal_errors(refused), 422
            )
        return _invited(actor, portal, settings, issued)

    @get("/{user_id:uuid}")
    async def person(self, actor: CurrentActor, portal: CurrentPortal, user_id: FromPath[UUID]) -> Template:
        return await self._person(actor, portal, user_id, {})

    async def _person(
        self, actor: Actor, portal: Portal, user_id: FromPath[UUID], errors: dict[str, str], status: int = 200
    ) -> Template:
        user = await people.get_user(actor, user_id)
        return page(
            "shared/people/detail.html.jinja",
            actor=actor,
            portal=portal,
            person=user,
            roles=ROLES_BY_KIND[user.organisation.kind],
            errors=errors,
            status=status,
        )

    @post("/{user_id:uuid}/roles", guards=[requires_permission(Permission.MANAGE_USERS)])
    async def change_roles(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        user_id: FromPath[UUID],
    ) -> Template | Redirect:
        form = await request.form()
        try:
            update = struct_from_form(form, schemas.UserRolesUpdate, lists=["roles"])
            await people.change_roles(actor, user_id, update.roles, clock)
        except FormError as refused:
            return await self._person(actor, portal, user_id, refused.errors, 422)
        except (InvalidInputError, ConflictError) as refused:
            return await self._person(actor, portal, user_id, refusal_errors(refused), 422)
        flash(request, gettext("Roles saved."), category="success")
        return back_to(portal.url(f"/people/{user_id}"))

    @post("/{user_id:uuid}/status", guards=[requires_permission(Permission.MANAGE_USERS)])
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        user_id: FromPath[UUID],
        data: FormData,
    ) -> Template | Redirect:
        try:
            status = UserStatus(str(data.get("status")))
            await people.set_user_status(actor, user_id, status, clock)
        except ValueError:
            return await self._person(actor, portal, user_id, {"status": message("invalid_value")}, 422)
        except (InvalidInputError, ConflictError) as refused:
            return await self._person(actor, portal, user_id, refusal_errors(refused), 422)
        text = gettext("Suspended.") if status is UserStatus.SUSPENDED else gettext("Reactivated.")
        flash(request, text, category="success")
        return back_to(portal.url(f"/people/{user_id}"))

    @post("/{user_id:uuid}/invitation", guards=[requires_permission(Permission.MANAGE_USERS)])
    async def reissue_invitation(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        settings: CurrentSettings,
        user_id: FromPath[UUID],
    ) -> Template:
        issued = await people.reissue_invitation(actor, user_id, clock)
        return _invited(actor, portal, settings, issued)

    @post("/invitations/{invitation_id:uuid}/revoke", guards=[requires_permission(Permission.MANAGE_USERS)])
    async def revoke_invitation(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        invitation_id: FromPath[UUID],
    ) -> Redirect:
        await people.revoke_invitation(actor, invitation_id, clock)
        flash(request, gettext("Invitation revoked."), category="success")
        return back_to(portal.url("/people"))


def _invited(actor: Actor, portal: Portal, settings: Settings, issued: schemas.InvitationIssued) -> Template:
    """The link is shown to the inviting admin once; in development it is also printed to the console."""
    link = invitation_link(settings, issued.token)
    if settings.environment == "development":
        print(f"Invitation for {issued.invitation.user.email}: {link}", flush=True)
    return page(
        "shared/people/invited.html.jinja",
        actor=actor,
        portal=portal,
        invitation=issued.invitation,
        link=link,
        status=201,
    )
