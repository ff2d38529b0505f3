"""Channel settings: the partner levels and regions every partner is filed under."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel import schemas
from channel.roles import Permission
from channel.services import reference
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import FormError, form_refusal, struct_from_form
from portal.i18n import gettext
from portal.pages.rendering import back_to, page
from portal.portals import Portal
from portal.security.guards import requires_permission


class ChannelSettingsPages(Controller):
    path = "/settings"
    guards = [requires_permission(Permission.CONFIGURE_CHANNEL)]

    async def _page(
        self, actor: Actor, portal: Portal, errors: dict[str, dict[str, str]], status: int = 200
    ) -> Template:
        return page(
            "manufacturer/settings/index.html.jinja",
            actor=actor,
            portal=portal,
            levels=await reference.list_partner_levels(actor),
            regions=await reference.list_regions(actor),
            errors=errors,
            status=status,
        )

    @get("/", name="channel_settings")
    async def settings(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._page(actor, portal, {})

    async def _create(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        portal: Portal,
        clock: Clock,
        kind: type[msgspec.Struct],
        form_name: str,
    ) -> Template | Redirect:
        form = await request.form()
        try:
            command = struct_from_form(form, kind)
            if isinstance(command, schemas.PartnerLevelCreate):
                await reference.create_partner_level(actor, command, clock)
            else:
                assert isinstance(command, schemas.RegionCreate)
                await reference.create_region(actor, command, clock)
        except (FormError, ConflictError) as refused:
            errors, status = form_refusal(refused)
            return await self._page(actor, portal, {form_name: errors}, status)
        flash(request, gettext("Saved."), category="success")
        return back_to(portal.url("/settings"))

    @post("/partner-levels")
    async def create_level(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        return await self._create(request, actor, portal, clock, schemas.PartnerLevelCreate, "level")

    @post("/regions")
    async def create_region(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        return await self._create(request, actor, portal, clock, schemas.RegionCreate, "region")
