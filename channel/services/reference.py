"""The channel's reference data: partner levels and regions (readable by every partner)."""

from __future__ import annotations

from uuid import uuid4

from channel import repository, schemas
from channel.roles import Permission
from channel.services.activity import record_change
from channel.transactions import write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, PermissionDeniedError


async def list_partner_levels(actor: Actor) -> list[schemas.PartnerLevel]:
    return await repository.list_partner_levels()


async def create_partner_level(
    actor: Actor, command: schemas.PartnerLevelCreate, clock: Clock
) -> schemas.PartnerLevel:
    if not actor.can(Permission.CONFIGURE_CHANNEL):
        raise PermissionDeniedError()
    level = schemas.PartnerLevel(id=uuid4(), code=command.code, name=command.name, rank=command.rank)
    async with write_transaction():
        if await repository.find_partner_level(command.code):
            raise ConflictError("partner_level_code_taken", code=command.code)
        await repository.insert_partner_level(level)
        await record_change(
            actor,
            clock,
            action="partner_level.created",
            object_type="partner_level",
            object_id=level.id,
            object_label=f"{level.name} ({level.code})",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=level,
        )
    return level


async def list_regions(actor: Actor) -> list[schemas.Region]:
    return await repository.list_regions()


async def create_region(actor: Actor, command: schemas.RegionCreate, clock: Clock) -> schemas.Region:
    if not actor.can(Permission.CONFIGURE_CHANNEL):
        raise PermissionDeniedError()
    region = schemas.Region(id=uuid4(), code=command.code, name=command.name)
    async with write_transaction():
        if await repository.find_region(command.code):
            raise ConflictError("region_code_taken", code=command.code)
        await repository.insert_region(region)
        await record_change(
            actor,
            clock,
            action="region.created",
            object_type="region",
            object_id=region.id,
            object_label=f"{region.name} ({region.code})",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=region,
        )
    return region
