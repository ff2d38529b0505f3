"""Sign-in throttling: per client address (Litestar's rate limiter) and per account.

The per-account counter counts failures for unknown e-mail addresses exactly like known ones, so
being throttled reveals nothing about which addresses exist.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.base import Store

THROTTLED = "sign_in_throttled"


def _is_sign_in_attempt(request: Request[Any, Any, Any]) -> bool:
    return request.method == "POST" and bool(request.route_handler.opt.get(THROTTLED))


def sign_in_rate_limit(per_minute: int) -> RateLimitConfig:
    """At most ``per_minute`` sign-in or password-setting attempts per client address."""
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        check_throttle_handler=_is_sign_in_attempt,
        store="rate_limits",
        set_rate_limit_headers=True,
    )


class AccountThrottle:
    """Refuses sign-in to an account for a while after ``limit`` failures within ``window``."""

    def __init__(self, store: Store, limit: int, window: timedelta = timedelta(minutes=15)) -> None:
        self.store = store
        self.limit = limit
        self.window = window

    @staticmethod
    def _key(email: str) -> str:
        return "sign-in-failures:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()

    async def is_locked(self, email: str) -> bool:
        raw = await self.store.get(self._key(email))
        return raw is not None and int(raw) >= self.limit

    async def record_failure(self, email: str) -> None:
        key = self._key(email)
        raw = await self.store.get(key)
        await self.store.set(key, str(int(raw or 0) + 1), expires_in=int(self.window.total_seconds()))

    async def clear(self, email: str) -> None:
        await self.store.delete(self._key(email))
