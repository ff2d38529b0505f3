"""The inbox: what the signed-in person's organisation was told, worded in their language."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from channel.services import notifications
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.i18n import format_number, gettext
from portal.pages.rendering import back_to, page


class NotificationPages(Controller):
    path = "/notifications"

    @get("/", name="notifications")
    async def inbox(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return page(
            "shared/notifications/list.html.jinja",
            actor=actor,
            portal=portal,
            items=await notifications.inbox(actor),
        )

    @get("/badge", media_type=MediaType.HTML)
    async def badge(self, actor: CurrentActor) -> Response[str]:
        """The unread count beside the header's link (fetched after the page, so no page waits)."""
        count = await notifications.unread_count(actor)
        text = (
            f'<span class="count" data-testid="unread-count">{format_number(count)}</span>' if count else ""
        )
        return Response(text, media_type=MediaType.HTML, headers={"Cache-Control": "no-store"})

    @post("/read")
    async def mark_all_read(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        await notifications.mark_all_read(actor, clock)
        flash(request, gettext("Everything is marked as read."), category="success")
        return back_to(portal.url("/notifications"))
