"""E-mail for notifications: each one, worded in its reader's language, through the SMTP server
the settings name. The in-app inbox is the record; e-mail is a copy, sent by a job after the
change has committed, and sent again at the next turn when the server could not be reached."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from channel.roles import OrgKind
from channel.services import notifications
from core.clock import Clock
from portal import i18n
from portal.messages import notification_text
from portal.portals import PORTALS
from portal.settings import Settings

log = logging.getLogger("portal.mail")


def _message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def _deliver(settings: Settings, messages: list[EmailMessage]) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as server:
        if settings.smtp_starttls:
            server.starttls()
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password)
        for message in messages:
            server.send_message(message)


async def send_notification_emails(settings: Settings, clock: Clock) -> int:
    """Send what is pending; returns how many e-mails went out. Nothing to do without SMTP."""
    if not settings.smtp_host:
        return 0
    sent = 0
    for pending in await notifications.pending_emails(clock):
        messages = []
        for recipient in pending.recipients:
            with i18n.speaking(i18n.supported_locale(recipient.locale) or i18n.DEFAULT_LOCALE):
                text = notification_text(pending.notification.kind, pending.notification.params)
                link = ""
                if pending.notification.link:
                    portal = PORTALS[OrgKind(recipient.organisation_kind)]
                    link = f"{settings.base_url}{portal.url(pending.notification.link)}"
                body = "\n\n".join(part for part in (text, link, "Channel Portal") if part)
            messages.append(_message(settings, recipient.email, text[:150], body))
        try:
            if messages:
                await asyncio.to_thread(_deliver, settings, messages)
        except (OSError, smtplib.SMTPException):
            log.warning("could not send notification %s; trying again later", pending.notification.id)
            return sent
        await notifications.mark_emailed(pending.notification.id, clock)
        sent += len(messages)
    return sent
