"""The audit trail over JSON."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from channel import schemas
from channel.services import activity
from portal.dependencies import CurrentActor


class ActivityController(Controller):
    path = "/activity"
    tags = ["Activity"]

    @get("/", operation_id="ListActivity", summary="State changes in my scope, newest first")
    async def list_activity(
        self,
        actor: CurrentActor,
        organisation_id: FromQuery[UUID | None] = None,
        object_type: Annotated[str | None, QueryParameter(max_length=32)] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> schemas.Page[schemas.AuditEntry]:
        return await activity.list_activity(
            actor,
            schemas.ActivityFilter(
                organisation_id=organisation_id, object_type=object_type, cursor=cursor, limit=limit
            ),
        )
