"""What every portal's home page shows: the organisation's own figures and what changed lately."""

from __future__ import annotations

from typing import Any

from channel import schemas
from channel.roles import Permission
from channel.services import activity, overview, partners
from channel.visibility import Actor
from core.clock import Clock


async def home_context(actor: Actor, clock: Clock) -> dict[str, Any]:
    recent = (
        await activity.list_activity(actor, schemas.ActivityFilter(limit=8))
        if actor.can(Permission.VIEW_NETWORK)
        else None
    )
    return {
        "overview": await overview.network_overview(actor, clock),
        "supplier": await partners.get_supplier(actor),
        "recent": recent,
    }
