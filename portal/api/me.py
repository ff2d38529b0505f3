"""Who am I, and what does my corner of the network look like."""

from __future__ import annotations

from litestar import Controller, get

from channel import schemas
from channel.services import access, overview
from portal.dependencies import CurrentActor, CurrentClock


class MeController(Controller):
    path = "/me"
    tags = ["Me"]

    @get("/", operation_id="GetMe", summary="The caller: user, organisation, roles and permissions")
    async def get_me(self, actor: CurrentActor) -> schemas.Me:
        return await access.describe(actor)

    @get("/overview", operation_id="GetOverview", summary="Partner, people and invitation counts in my scope")
    async def get_overview(self, actor: CurrentActor, clock: CurrentClock) -> schemas.NetworkOverview:
        return await overview.network_overview(actor, clock)
