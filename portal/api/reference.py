"""Partner levels and regions over JSON."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from channel import schemas
from channel.services import reference
from portal.dependencies import CurrentActor, CurrentClock


class PartnerLevelsController(Controller):
    path = "/partner-levels"
    tags = ["Channel settings"]

    @get("/", operation_id="ListPartnerLevels", summary="Partner levels, highest first")
    async def list_levels(self, actor: CurrentActor) -> list[schemas.PartnerLevel]:
        return await reference.list_partner_levels(actor)

    @post("/", operation_id="CreatePartnerLevel", summary="Add a partner level")
    async def create_level(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.PartnerLevelCreate]
    ) -> schemas.PartnerLevel:
        return await reference.create_partner_level(actor, data, clock)


class RegionsController(Controller):
    path = "/regions"
    tags = ["Channel settings"]

    @get("/", operation_id="ListRegions", summary="Sales regions")
    async def list_regions(self, actor: CurrentActor) -> list[schemas.Region]:
        return await reference.list_regions(actor)

    @post("/", operation_id="CreateRegion", summary="Add a region")
    async def create_region(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.RegionCreate]
    ) -> schemas.Region:
        return await reference.create_region(actor, data, clock)
