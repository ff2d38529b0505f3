"""Managing the partner network: the tree, onboarding partners, their terms, their channel managers."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from channel import repository, schemas
from channel.network import MAX_DEPTH, depth_of, may_supply, path_for
from channel.repository import OrgPlace
from channel.roles import ADMIN_ROLE, OrgKind, PartnerStatus, Permission, Role, UserStatus
from channel.services.activity import record_change
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError

# Fields of one's own organisation that its own people may not change: its commercial terms are
# set by whoever supplies it.
_TERMS = frozenset({"partner_level", "region", "status", "credit_limit"})


async def visible_place(actor: Actor, org_id: UUID) -> OrgPlace:
    """The organisation, if the actor may see it; otherwise the same NotFoundError as a missing one."""
    place = await repository.find_org_place(org_id)
    if place is None or not actor.sees(place.path):
        raise NotFoundError("organisation_not_found")
    return place


async def list_partners(
    actor: Actor, filters: schemas.PartnerFilter
) -> schemas.Page[schemas.OrganisationSummary]:
    if not actor.can(Permission.VIEW_NETWORK):
        raise PermissionDeniedError()
    async with read_transaction():
        under_path = (await visible_place(actor, filters.under)).path if filters.under else None
        level_id = await _level_id(filters.partner_level) if filters.partner_level else None
        region_id = await _region_id(filters.region) if filters.region else None
        return await repository.list_organisations(
            actor.scope, filters, under_path=under_path, level_id=level_id, region_id=region_id
        )


async def get_partner(actor: Actor, org_id: UUID) -> schemas.Organisation:
    """A partner's full record. Everyone may read their own organisation's; others need VIEW_NETWORK."""
    async with read_transaction():
        place = await visible_place(actor, org_id)
        if place.id != actor.organisation_id and not actor.can(Permission.VIEW_NETWORK):
            raise NotFoundError("organisation_not_found")
        organisation = await repository.find_organisation(org_id)
    if organisation is None:
        raise NotFoundError("organisation_not_found")
    return organisation


async def find_partner_by_code(actor: Actor, code: str) -> schemas.Organisation | None:
    """The visible partner with this code, or ``None``."""
    org_id = await repository.find_organisation_id_by_code(code)
    if org_id is None:
        return None
    place = await repository.find_org_place(org_id)
    if place is None or not actor.sees(place.path):
        return None
    return await repository.find_organisation(org_id)


async def get_supplier(actor: Actor) -> schemas.OrganisationRef | None:
    """The name and code of whoever supplies the actor's organisation (nothing private of it)."""
    organisation = await repository.find_organisation(actor.organisation_id)
    return organisation.supplier if organisation else None


async def _level_id(code: str) -> UUID:
    level = await repository.find_partner_level(code)
    if level is None:
        raise InvalidInputError.single("partner_level", "unknown_partner_level", code=code)
    return level.id


async def _region_id(code: str) -> UUID:
    region = await repository.find_region(code)
    if region is None:
        raise InvalidInputError.single("region", "unknown_region", code=code)
    return region.id


async def create_partner(
    actor: Actor, command: schemas.OrganisationCreate, clock: Clock
) -> schemas.Organisation:
    """Onboard a distributor or store under a partner the actor may see and manage."""
    if not actor.can(Permission.MANAGE_PARTNERS):
        raise PermissionDeniedError()
    new_id = uuid4()
    async with write_transaction():
        supplier = await visible_place(actor, command.supplier_id)
        if not may_supply(supplier.kind, command.kind):
            raise InvalidInputError.single(
                "kind", "kind_cannot_sit_under", kind=command.kind.value, supplier_kind=supplier.kind.value
            )
        if command.kind is OrgKind.MANUFACTURER:
            raise InvalidInputError.single("kind", "only_one_manufacturer")
        if supplier.status is PartnerStatus.SUSPENDED:
            raise ConflictError("supplier_suspended")
        if await repository.organisation_code_taken(command.code):
            raise ConflictError("partner_code_taken", code=command.code)
        path = path_for(command.code, supplier.path)
        if depth_of(path) > MAX_DEPTH:
            raise InvalidInputError.single("supplier_id", "network_too_deep", maximum=MAX_DEPTH)
        now = clock.now()
        values = {
            "id": new_id,
            "kind": command.kind.value,
            "code": command.code,
            "name": command.name,
            "supplier": supplier.id,
            "path": path,
            "depth": depth_of(path),
            "currency": command.currency,
            "locale": command.locale,
            "credit_limit": command.credit_limit,
            "status": command.status.value,
            "contact_email": command.contact_email,
            "phone": command.phone,
            "city": command.city,
            "country": command.country,
            "created_at": now,
            "updated_at": now,
            "partner_level": await _level_id(command.partner_level) if command.partner_level else None,
            "region": await _region_id(command.region) if command.region else None,
        }
        await repository.insert_organisation(values)
        created = await repository.find_organisation(new_id)
        assert created is not None
        await record_change(
            actor,
            clock,
            action="partner.created",
            object_type="organisation",
            object_id=new_id,
            object_label=f"{created.name} ({created.code})",
            organisation_id=new_id,
            organisation_path=path,
            after=_audit_view(created),
        )
    return created


async def update_partner(
    actor: Actor, org_id: UUID, update: schemas.OrganisationUpdate, clock: Clock
) -> schemas.Organisation:
    """Change a partner's level, region, status, credit limit or profile; suspending ends its sessions."""
    if not actor.can(Permission.MANAGE_PARTNERS):
        raise PermissionDeniedError()
    changes = update.changes()
    async with write_transaction():
        place = await visible_place(actor, org_id)
        if place.id == actor.organisation_id:
            if ADMIN_ROLE[actor.organisation_kind] not in actor.roles:
                raise PermissionDeniedError("only_admin_manages_own_organisation")
            if changes.keys() & _TERMS:
                raise PermissionDeniedError("own_terms_set_by_supplier")
        if place.kind is OrgKind.MANUFACTURER and "status" in changes:
            raise PermissionDeniedError("manufacturer_cannot_be_suspended")
        before = await repository.find_organisation(org_id)
        assert before is not None
        values: dict[str, Any] = {k: v for k, v in changes.items() if k not in {"partner_level", "region"}}
        if "status" in values:
            values["status"] = values["status"].value
        if "partner_level" in changes:
            code = changes["partner_level"]
            values["partner_level"] = await _level_id(str(code)) if code is not None else None
        if "region" in changes:
            code = changes["region"]
            values["region"] = await _region_id(str(code)) if code is not None else None
        if not values:
            return before
        now = clock.now()
        values["updated_at"] = now
        await repository.update_organisation(org_id, values)
        if changes.get("status") is PartnerStatus.SUSPENDED and before.status is not PartnerStatus.SUSPENDED:
            await repository.end_sessions_of_organisation(org_id, now)
        after = await repository.find_organisation(org_id)
        assert after is not None
        await record_change(
            actor,
            clock,
            action="partner.updated",
            object_type="organisation",
            object_id=org_id,
            object_label=f"{after.name} ({after.code})",
            organisation_id=org_id,
            organisation_path=place.path,
            before=_changed_fields(_audit_view(before), changes),
            after=_changed_fields(_audit_view(after), changes),
        )
    return after


def _audit_view(organisation: schemas.Organisation) -> dict[str, Any]:
    return {
        "code": organisation.code,
        "name": organisation.name,
        "kind": organisation.kind,
        "supplier": organisation.supplier.code if organisation.supplier else None,
        "partner_level": organisation.partner_level.code if organisation.partner_level else None,
        "region": organisation.region.code if organisation.region else None,
        "status": organisation.status,
        "credit_limit": organisation.credit_limit,
        "currency": organisation.currency,
        "locale": organisation.locale,
        "contact_email": organisation.contact_email,
        "phone": organisation.phone,
        "city": organisation.city,
        "country": organisation.country,
    }


def _changed_fields(view: dict[str, Any], changes: dict[str, object]) -> dict[str, Any]:
    return {k: view[k] for k in changes if k in view}


# --- channel managers ---------------------------------------------------------------------------


async def list_channel_managers(actor: Actor) -> list[schemas.UserRef]:
    if not actor.can(Permission.ASSIGN_CHANNEL_MANAGERS):
        raise PermissionDeniedError()
    return await repository.list_channel_managers()


async def assign_channel_manager(actor: Actor, partner_id: UUID, manager_id: UUID, clock: Clock) -> None:
    """Make a manufacturer channel manager responsible for a partner and its subtree (idempotent)."""
    if not actor.can(Permission.ASSIGN_CHANNEL_MANAGERS):
        raise PermissionDeniedError()
    async with write_transaction():
        partner = await visible_place(actor, partner_id)
        if partner.kind is OrgKind.MANUFACTURER:
            raise InvalidInputError.single("partner", "manufacturer_needs_no_channel_manager")
        manager = await repository.find_user(manager_id)
        if (
            manager is None
            or manager.user.organisation.kind is not OrgKind.MANUFACTURER
            or Role.CHANNEL_MANAGER not in manager.user.roles
            or manager.user.status is not UserStatus.ACTIVE
        ):
            raise InvalidInputError.single("manager_id", "not_a_channel_manager")
        if await repository.assignment_exists(manager_id, partner_id):
            return
        await repository.insert_assignment(manager_id, partner_id, clock.now())
        await record_change(
            actor,
            clock,
            action="partner.channel_manager_assigned",
            object_type="organisation",
            object_id=partner_id,
            object_label=partner.label,
            organisation_id=partner_id,
            organisation_path=partner.path,
            after={"channel_manager": manager.user.email},
        )


async def unassign_channel_manager(actor: Actor, partner_id: UUID, manager_id: UUID, clock: Clock) -> None:
    if not actor.can(Permission.ASSIGN_CHANNEL_MANAGERS):
        raise PermissionDeniedError()
    async with write_transaction():
        partner = await visible_place(actor, partner_id)
        manager = await repository.find_user(manager_id)
        if manager is None or not await repository.delete_assignment(manager_id, partner_id):
            raise NotFoundError("assignment_not_found")
        await record_change(
            actor,
            clock,
            action="partner.channel_manager_unassigned",
            object_type="organisation",
            object_id=partner_id,
            object_label=partner.label,
            organisation_id=partner_id,
            organisation_path=partner.path,
            before={"channel_manager": manager.user.email},
        )
