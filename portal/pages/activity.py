"""The activity list: every change in one's scope, who made it, before and after."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from channel import schemas
from channel.roles import Permission
from channel.services import activity, partners
from portal.dependencies import CurrentActor, CurrentPortal
from portal.pages.rendering import page
from portal.security.guards import requires_permission


class ActivityPages(Controller):
    path = "/activity"
    guards = [requires_permission(Permission.VIEW_NETWORK)]

    @get("/", name="activity")
    async def list_activity(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        organisation_id: FromQuery[UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
    ) -> Template:
        organisation = await partners.get_partner(actor, organisation_id) if organisation_id else None
        found = await activity.list_activity(
            actor, schemas.ActivityFilter(organisation_id=organisation_id, cursor=cursor, limit=50)
        )
        return page(
            "shared/activity/list.html.jinja",
            actor=actor,
            portal=portal,
            found=found,
            organisation=organisation,
        )
