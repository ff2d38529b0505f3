"""API tokens for one's own organisation's machine clients (a partner's ERP)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel import schemas
from channel.roles import ROLES_BY_KIND, Permission
from channel.services import access
from channel.visibility import Actor
from core.errors import InvalidInputError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import FormError, form_refusal, struct_from_form
from portal.i18n import gettext
from portal.pages.rendering import back_to, page
from portal.portals import Portal
from portal.security.guards import requires_permission


class ApiTokenPages(Controller):
    path = "/api-tokens"
    guards = [requires_permission(Permission.MANAGE_API_TOKENS)]

    async def _list(
        self, actor: Actor, portal: Portal, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Template:
        return page(
            "shared/tokens/list.html.jinja",
            actor=actor,
            portal=portal,
            tokens=await access.list_api_tokens(actor),
            roles=ROLES_BY_KIND[actor.organisation_kind],
            values=values,
            errors=errors,
            status=status,
        )

    @get("/", name="api_tokens")
    async def list_tokens(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._list(actor, portal, {}, {})

    @post("/")
    async def create_token(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template:
        form = await request.form()
        values = {**dict(form.items()), "roles": form.getall("roles", [])}
        try:
            issued = await access.create_api_token(
                actor, struct_from_form(form, schemas.ApiTokenCreate, lists=["roles"]), clock
            )
        except (FormError, InvalidInputError) as refused:
            errors, status = form_refusal(refused)
            return await self._list(actor, portal, values, errors, status)
        return page("shared/tokens/created.html.jinja", actor=actor, portal=portal, issued=issued, status=201)

    @post("/{token_id:uuid}/revoke")
    async def revoke_token(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        token_id: FromPath[UUID],
    ) -> Redirect:
        revoked = await access.revoke_api_token(actor, token_id, clock)
        flash(request, gettext("Token {name} revoked.").format(name=revoked.name), category="success")
        return back_to(portal.url("/api-tokens"))
