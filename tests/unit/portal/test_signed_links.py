"""A customer's quote link opens exactly one version of one quote, until it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from portal.security.signed_links import quote_link_token, read_quote_token

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
QUOTE = UUID(int=42)


def test_a_link_opens_its_quote_version_until_it_expires() -> None:
    token = quote_link_token("secret" * 6, QUOTE, 3, NOW + timedelta(days=30))

    assert read_quote_token("secret" * 6, token, NOW) == (QUOTE, 3)
    assert read_quote_token("secret" * 6, token, NOW + timedelta(days=30)) is None


def test_a_changed_link_or_another_secret_opens_nothing() -> None:
    token = quote_link_token("secret" * 6, QUOTE, 3, NOW + timedelta(days=30))
    quote_id, version, expires, signature = token.split(".")

    assert read_quote_token("secret" * 6, f"{quote_id}.4.{expires}.{signature}", NOW) is None
    assert (
        read_quote_token("secret" * 6, f"{quote_id}.{version}.{int(expires) + 999}.{signature}", NOW) is None
    )
    assert read_quote_token("another" * 6, token, NOW) is None
    assert read_quote_token("secret" * 6, "garbage", NOW) is None
