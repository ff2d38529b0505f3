"""Notifications: who is told about a decision, an offer or a customer's answer, and their inbox.

A notification goes to an organisation, in the same transaction as the change it reports. Its
people see it when they hold the permission it names, and (the manufacturer's channel managers)
when they see the partner it is about; each person marks what they have read. Only the kind and its
parameters are stored: the portal words it in the reader's language.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from channel import repository, schemas
from channel.roles import Permission
from channel.services import access
from channel.visibility import Actor
from core.clock import Clock

# How many of the newest notifications of an organisation an inbox looks at.
INBOX_SIZE = 100


async def notify(
    recipient_id: UUID,
    kind: str,
    clock: Clock,
    *,
    params: dict[str, str] | None = None,
    link: str = "",
    permission: Permission | None = None,
    about_path: str = "",
) -> None:
    """Tell ``recipient_id``'s people (those holding ``permission``) about ``kind``; call inside the
    transaction of the change, so the notice exists exactly when the change does."""
    await repository.insert_notification(
        notice(
            recipient_id, kind, clock, params=params, link=link, permission=permission, about_path=about_path
        )
    )


def notice(
    recipient_id: UUID,
    kind: str,
    clock: Clock,
    *,
    params: dict[str, str] | None = None,
    link: str = "",
    permission: Permission | None = None,
    about_path: str = "",
) -> dict[str, object]:
    """One notification as ``notify`` stores it, for ``notify_all``."""
    return {
        "created_at": clock.now(),
        "recipient_id": recipient_id,
        "permission": permission.value if permission else "",
        "about_path": about_path,
        "kind": kind,
        "params": {k: str(v)[:200] for k, v in (params or {}).items()},
        "link": link,
    }


async def notify_all(notices: list[dict[str, object]]) -> None:
    """Store many notifications (made by ``notice``) in one statement: a step that tells many
    organisations costs what telling one does."""
    if notices:
        await repository.insert_notifications(notices)


def _addressed_to(actor: Actor, row: dict[str, object]) -> bool:
    permission = str(row["permission"])
    if permission and not actor.can(Permission(permission)):
        return False
    about = str(row["about_path"])
    return not about or actor.sees(about)


async def inbox(actor: Actor) -> list[schemas.Notification]:
    """The actor's notifications, newest first, each marked read or not."""
    rows = [
        r
        for r in (await repository.recent_notifications(actor.organisation_id, INBOX_SIZE * 4))
        if _addressed_to(actor, r)
    ][:INBOX_SIZE]
    read = (
        await repository.read_notification_ids(actor.user_id, [r["id"] for r in rows])
        if actor.user_id
        else set()
    )
    return [
        schemas.Notification(
            id=r["id"],
            created_at=r["created_at"],
            kind=r["kind"],
            params=r["params"] or {},
            link=r["link"],
            read=r["id"] in read,
        )
        for r in rows
    ]


async def unread_count(actor: Actor) -> int:
    return sum(1 for n in await inbox(actor) if not n.read)


async def mark_all_read(actor: Actor, clock: Clock) -> None:
    """Everything in the actor's inbox is read (an API token has no read state of its own)."""
    if actor.user_id is None:
        return
    unread = [n.id for n in await inbox(actor) if not n.read]
    await repository.mark_notifications_read(actor.user_id, unread, clock.now())


class Recipient(msgspec.Struct, frozen=True):
    email: str
    name: str
    locale: str
    organisation_kind: str


class PendingEmail(msgspec.Struct, frozen=True):
    notification: schemas.Notification
    recipients: list[Recipient]


async def pending_emails(clock: Clock, limit: int = 100) -> list[PendingEmail]:
    """Notifications not e-mailed yet, each with the people it is addressed to (active people of
    the organisation who hold its permission and, for channel managers, see its partner)."""
    pending = []
    for row in await repository.unsent_notifications(limit):
        recipients = []
        for user_id in await repository.active_user_ids(row["recipient_id"]):
            actor = await access.actor_for_session(user_id, clock.now())
            if actor is not None and _addressed_to(actor, row):
                recipients.append(
                    Recipient(actor.label, actor.display_name, actor.locale, actor.organisation_kind.value)
                )
        notification = schemas.Notification(
            id=row["id"],
            created_at=row["created_at"],
            kind=row["kind"],
            params=row["params"] or {},
            link=row["link"],
            read=False,
        )
        pending.append(PendingEmail(notification, recipients))
    return pending


async def mark_emailed(notification_id: int, clock: Clock) -> None:
    await repository.mark_emailed(notification_id, clock.now())
