"""Notifications go out by e-mail too, in each reader's language, through a real SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from core.clock import FixedClock
from deal_registration import schemas
from deal_registration.services import registrations
from portal.mail import send_notification_emails
from tests.api.conftest import settings_for_tests
from tests.builders import World


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _claim(name: str) -> schemas.RegistrationCreate:
    return schemas.RegistrationCreate(
        customer=schemas.EndCustomer(company_name=name, country="CN"), product_lines=["HOBS"]
    )


async def test_a_registration_waiting_for_review_is_mailed_to_the_managers_who_see_the_partner_once(
    world: World, clock: FixedClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = settings_for_tests(smtp_host="127.0.0.1", smtp_port=port, base_url="https://portal.example")
    await registrations.register(world.actors["d2_admin"], _claim("杭州湖景酒店有限公司"), clock)
    waiting = await registrations.register(world.actors["d1_sales"], _claim("湖景酒店"), clock)

    sent = await send_notification_emails(settings, clock)
    again = await send_notification_emails(settings, clock)

    assert (sent, again) == (2, 0)  # the manufacturer admin and D1's channel manager, once
    to = sorted(m["To"] for m in inbox.messages)
    assert to == ["m.admin@example.com", "m.cm@example.com"]
    body = inbox.messages[0].get_payload(decode=True).decode()
    assert waiting.number in inbox.messages[0]["Subject"]
    assert f"https://portal.example/m/registrations/{waiting.id}" in body


async def test_without_an_smtp_host_nothing_is_sent_and_the_notifications_wait(
    world: World, clock: FixedClock
) -> None:
    await registrations.register(world.actors["d2_admin"], _claim("Lakeview Hotel"), clock)
    await registrations.register(world.actors["d1_sales"], _claim("Lakeview Hotels"), clock)

    assert await send_notification_emails(settings_for_tests(), clock) == 0


async def test_an_unreachable_server_leaves_the_mail_for_the_next_turn(
    world: World, clock: FixedClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    await registrations.register(world.actors["d2_admin"], _claim("Lakeview Hotel"), clock)
    await registrations.register(world.actors["d1_sales"], _claim("Lakeview Hotels"), clock)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])

    assert (
        await send_notification_emails(settings_for_tests(smtp_host="127.0.0.1", smtp_port=closed), clock)
        == 0
    )
    assert (
        await send_notification_emails(settings_for_tests(smtp_host="127.0.0.1", smtp_port=port), clock) == 2
    )
    assert len(inbox.messages) == 2
