"""Links for people without an account (an end customer opening a quote): signed, expiring, exact.

``<quote id>.<version>.<expiry>.<HMAC-SHA256>``: the signature covers all three, so a link opens one
version of one quote until it expires; changing any part, or the server's secret, voids it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from uuid import UUID


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"quote-link:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def quote_link_token(secret: str, quote_id: UUID, version: int, expires_at: datetime) -> str:
    payload = f"{quote_id.hex}.{version}.{int(expires_at.timestamp())}"
    return f"{payload}.{_signature(secret, payload)}"


def read_quote_token(secret: str, token: str, now: datetime) -> tuple[UUID, int] | None:
    """(quote id, version) if the token is ours, intact and not expired; otherwise None."""
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 200:
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _signature(secret, payload)):
        return None
    try:
        quote_id, version, expires = UUID(hex=parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if now.timestamp() >= expires:
        return None
    return quote_id, version


def customer_link(base_url: str, secret: str, quote_id: UUID, version: int, valid_until: datetime) -> str:
    """The link a seller gives the customer; it outlives the quote's validity by a month so a late
    customer still sees the quote (and that it expired) instead of a broken link."""
    return f"{base_url}/q/{quote_link_token(secret, quote_id, version, valid_until + timedelta(days=30))}"
