"""Rebate programmes: the owner (the manufacturer, or a distributor for its own downstream) defines
them; the owner's upstream and the enrolled partners see them.

Who sees a programme: whoever sees its owner, and every partner it enrols. Who changes it: the
owner's people who manage promotions.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError, PermissionDeniedError
from incentives import rebates, repository, schemas


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDeniedError()


async def actor_facts(actor: Actor) -> rebates.PartnerFacts:
    found = await repository.partner_facts(actor.organisation_id)
    if found is None:
        raise NotFoundError("organisation_not_found")
    return found[0]


def enrols(row: dict[str, Any], partner: rebates.PartnerFacts) -> bool:
    definition = repository.definition_of(row["definition"])
    return rebates.is_enrolled(definition.enrolment, row["owner_path"], partner)


async def visible_programme(actor: Actor, programme_id: UUID) -> dict[str, Any]:
    """The programme if the actor sees its owner or is enrolled in it; else ``NotFoundError``."""
    require(actor, Permission.VIEW_ORDERS)
    row = await repository.programme_row(programme_id)
    if row is None:
        raise NotFoundError("programme_not_found")
    if actor.sees(row["owner_path"]) or enrols(row, await actor_facts(actor)):
        return row
    raise NotFoundError("programme_not_found")


def require_owner(actor: Actor, row: dict[str, Any]) -> None:
    """Only the owner's people who manage promotions change a programme or settle it."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    if row["owner_id"] != actor.organisation_id:
        raise PermissionDeniedError("not_programme_owner")


def problems_of(definition: rebates.Definition, starts_on: date, ends_on: date | None) -> list[FieldProblem]:
    """What spans the fields of a programme (the definition's rules, and its dates): the same
    checks whether it comes from the API, the JSON editor or the form."""
    problems = rebates.validate_definition(definition)
    if ends_on is not None and ends_on <= starts_on:
        problems.append(FieldProblem("ends_on", "before_start"))
    if not rebates.is_period_start(definition.period, starts_on):
        problems.append(FieldProblem("starts_on", "not_a_period_start"))
    return problems


async def _partners_outside(actor: Actor, partner_ids: frozenset[UUID]) -> list[UUID]:
    """The named partners that are not strictly under the actor's organisation (or do not exist):
    a programme enrols only the owner's own downstream."""
    outside = []
    for partner_id in sorted(partner_ids):
        found = await repository.partner_facts(partner_id)
        path = found[0].path if found else ""
        if path == actor.organisation_path or not path.startswith(actor.organisation_path):
            outside.append(partner_id)
    return outside


async def create_programme(actor: Actor, command: schemas.ProgrammeCreate, clock: Clock) -> schemas.Programme:
    """A new programme owned by the actor's organisation, active from ``starts_on``."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    if actor.organisation_kind is OrgKind.STORE:
        raise PermissionDeniedError("stores_have_no_downstream")
    problems = problems_of(command.definition, command.starts_on, command.ends_on)
    strangers = await _partners_outside(actor, command.definition.enrolment.partner_ids)
    if strangers:
        codes = ", ".join(sorted(str(s) for s in strangers))
        problems.append(
            FieldProblem("definition.enrolment.partner_ids", "partners_not_yours", {"codes": codes})
        )
    if problems:
        raise InvalidInputError(problems)
    now = clock.now()
    programme_id = uuid4()
    async with write_transaction():
        if await repository.programme_code_taken(command.code):
            raise ConflictError("programme_code_taken", code=command.code)
        values = {
            "id": programme_id,
            "code": command.code,
            "name": command.name,
            "owner_id": actor.organisation_id,
            "owner_path": actor.organisation_path,
            "currency": command.currency,
            "status": "active",
            "starts_on": command.starts_on,
            "ends_on": command.ends_on,
            "definition": command.definition,
            "created_by": actor.label,
            "created_at": now,
            "updated_at": now,
        }
        await repository.insert_programme(values)
        await record_change(
            actor,
            clock,
            action="rebate_programme.created",
            object_type="rebate_programme",
            object_id=programme_id,
            object_label=command.code,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=command,
        )
        row = await repository.programme_row(programme_id)
        assert row is not None
        return (await repository.to_programmes([row]))[0]


async def change_status(
    actor: Actor, programme_id: UUID, command: schemas.ProgrammeStatusChange, clock: Clock
) -> schemas.Programme:
    """Close a programme (no new periods accrue) or reopen it."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    async with write_transaction():
        row = await visible_programme(actor, programme_id)
        require_owner(actor, row)
        if row["status"] != command.status:
            await repository.update_programme(
                programme_id, {"status": command.status, "updated_at": clock.now()}
            )
            await record_change(
                actor,
                clock,
                action="rebate_programme.status_changed",
                object_type="rebate_programme",
                object_id=programme_id,
                object_label=row["code"],
                organisation_id=row["owner_id"],
                organisation_path=row["owner_path"],
                before={"status": row["status"]},
                after={"status": command.status},
            )
        fresh = await repository.programme_row(programme_id)
        assert fresh is not None
        return (await repository.to_programmes([fresh]))[0]


def _named_owners(actor: Actor, rows: list[dict[str, Any]]) -> set[UUID]:
    """Owners whose name the actor may read: those it sees, and its own supplier (a partner
    enrolled by an organisation further up learns only that there is a programme, not who runs it)."""
    supplier_path = actor.organisation_path.rstrip("/").rsplit("/", 1)[0] + "/"
    return {r["owner_id"] for r in rows if actor.sees(r["owner_path"]) or r["owner_path"] == supplier_path}


async def get_programme(actor: Actor, programme_id: UUID) -> schemas.Programme:
    row = await visible_programme(actor, programme_id)
    return (await repository.to_programmes([row], _named_owners(actor, [row])))[0]


async def list_programmes(actor: Actor) -> list[schemas.Programme]:
    """The programmes the actor's scope owns, and those that enrol the actor's own organisation."""
    require(actor, Permission.VIEW_ORDERS)
    async with read_transaction():
        facts = await actor_facts(actor)
        rows = await repository.programme_rows(owner_scope=actor.scope, under_paths=[facts.path])
        visible = [r for r in rows if actor.sees(r["owner_path"]) or enrols(r, facts)]
        return await repository.to_programmes(visible, _named_owners(actor, visible))


def active_on(row: dict[str, Any], day: date) -> bool:
    starts = repository.as_day(row["starts_on"])
    ends = repository.as_day(row["ends_on"]) if row["ends_on"] else None
    return row["status"] == "active" and starts <= day and (ends is None or day < ends)
