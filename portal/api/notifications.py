"""Notifications over JSON: the inbox and marking it read."""

from __future__ import annotations

from litestar import Controller, get, post

from channel import schemas
from channel.services import notifications
from portal.dependencies import CurrentActor, CurrentClock


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["Notifications"]

    @get("/", operation_id="ListNotifications", summary="What my organisation was told, newest first")
    async def inbox(self, actor: CurrentActor) -> list[schemas.Notification]:
        return await notifications.inbox(actor)

    @post(
        "/read",
        operation_id="MarkNotificationsRead",
        summary="Mark everything in my inbox as read",
        status_code=204,
    )
    async def mark_all_read(self, actor: CurrentActor, clock: CurrentClock) -> None:
        await notifications.mark_all_read(actor, clock)
