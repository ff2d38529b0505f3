"""Sets the request's language: the signed-in person's preference (else their organisation's), else
the language cookie, else the browser's Accept-Language, else English."""

from __future__ import annotations

from litestar.datastructures import Cookie, Headers
from litestar.types import ASGIApp, Receive, Scope, Send

from channel.visibility import Actor
from portal import i18n


def _cookie(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class LocaleMiddleware:
    def __init__(self, app: ASGIApp, timezone: str) -> None:
        self.app = app
        self.timezone = timezone

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers.from_scope(scope)
            actor = scope.get("user")
            preferences: list[str | None] = []
            if isinstance(actor, Actor):
                preferences.append(actor.locale)
            preferences.append(_cookie(headers, i18n.LOCALE_COOKIE))
            preferences += i18n.accept_language(headers.get("accept-language"))
            i18n.use_locale(i18n.negotiate(preferences), self.timezone)
        await self.app(scope, receive, send)


def locale_cookie(locale: str, secure: bool) -> Cookie:
    return Cookie(
        key=i18n.LOCALE_COOKIE,
        value=locale,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
