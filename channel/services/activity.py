"""The audit trail: recording every state change, and the activity list scoped like everything else."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from channel import repository, schemas
from channel.roles import Permission
from channel.visibility import Actor
from core.clock import Clock
from core.errors import NotFoundError, PermissionDeniedError


def snapshot(value: Any) -> str | None:
    """JSON text of a Struct or mapping, decimals and datetimes as strings; ``None`` stays ``None``."""
    if value is None:
        return None
    return msgspec.json.encode(value).decode()


async def record_change(
    actor: Actor,
    clock: Clock,
    *,
    action: str,
    object_type: str,
    object_id: UUID | str,
    object_label: str = "",
    organisation_id: UUID | None,
    organisation_path: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one audit entry; call inside the use case's transaction so both commit or neither."""
    await repository.insert_audit_entry(
        {
            "occurred_at": clock.now(),
            "actor_user_id": actor.user_id,
            "actor_token_id": actor.token_id,
            "actor_label": actor.label,
            "organisation_id": organisation_id,
            "organisation_path": organisation_path,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_label": object_label[:254],
            "before": snapshot(before),
            "after": snapshot(after),
        }
    )


async def list_activity(actor: Actor, filters: schemas.ActivityFilter) -> schemas.Page[schemas.AuditEntry]:
    """What changed in the actor's scope, newest first, optionally for one organisation's subtree."""
    if not actor.can(Permission.VIEW_NETWORK):
        raise PermissionDeniedError()
    under_path = None
    if filters.organisation_id is not None:
        place = await repository.find_org_place(filters.organisation_id)
        if place is None or not actor.sees(place.path):
            raise NotFoundError("organisation_not_found")
        under_path = place.path
    return await repository.list_audit_entries(
        actor.scope, under_path, filters.object_type, filters.cursor, filters.limit
    )
