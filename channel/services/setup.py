"""Setting up a channel: its one manufacturer, created from the command line."""

from __future__ import annotations

from uuid import uuid4

import msgspec

from channel import repository, schemas
from channel.network import path_for
from channel.roles import OrgKind, PartnerStatus, Role
from channel.services.activity import record_change
from channel.transactions import write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError


class ManufacturerCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: schemas.Code
    name: schemas.Name
    currency: str
    locale: str
    country: str = ""
    city: str = ""

    def __post_init__(self) -> None:
        self.code = schemas.check_code(self.code, "code")
        schemas.check_currency(self.currency)
        schemas.check_locale(self.locale)
        schemas.check_country(self.country)


async def create_manufacturer(command: ManufacturerCreate, clock: Clock) -> schemas.Organisation:
    """The root of the network; there is exactly one."""
    org_id = uuid4()
    path = path_for(command.code, None)
    async with write_transaction():
        if await repository.find_manufacturer() is not None:
            raise ConflictError("manufacturer_exists")
        if await repository.organisation_code_taken(command.code):
            raise ConflictError("partner_code_taken", code=command.code)
        now = clock.now()
        await repository.insert_organisation(
            {
                "id": org_id,
                "kind": OrgKind.MANUFACTURER.value,
                "code": command.code,
                "name": command.name,
                "supplier": None,
                "path": path,
                "depth": 0,
                "currency": command.currency,
                "locale": command.locale,
                "status": PartnerStatus.ACTIVE.value,
                "country": command.country,
                "city": command.city,
                "created_at": now,
                "updated_at": now,
            }
        )
        created = await repository.find_organisation(org_id)
        assert created is not None
        installer = Actor(
            organisation_id=org_id,
            organisation_kind=OrgKind.MANUFACTURER,
            organisation_path=path,
            roles=frozenset({Role.MANUFACTURER_ADMIN}),
            label="command line",
        )
        await record_change(
            installer,
            clock,
            action="partner.created",
            object_type="organisation",
            object_id=org_id,
            object_label=f"{command.name} ({command.code})",
            organisation_id=org_id,
            organisation_path=path,
            after={"code": command.code, "name": command.name},
        )
    return created


async def find_manufacturer() -> schemas.OrganisationRef | None:
    """The channel's manufacturer, if it has been created (no actor: nothing private is returned)."""
    place = await repository.find_manufacturer()
    if place is None:
        return None
    found = await repository.find_organisation(place.id)
    assert found is not None
    return schemas.OrganisationRef(id=found.id, code=found.code, name=found.name, kind=found.kind)
