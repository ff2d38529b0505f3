"""Who is calling: an API token in ``Authorization: Bearer``, or the signed-in session.

A request that carries an ``Authorization`` header is judged by it alone (a browser never sends one
by itself, which is also why such requests need no CSRF token). Every route is authenticated
unless its handler is marked ``opt={"public": True}``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from channel.services import access
from core.clock import Clock
from portal.security.sessions import end_session, session_identity

PUBLIC = "public"


class PortalAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, clock: Clock, absolute_session_lifetime: timedelta) -> None:
        super().__init__(app, exclude_from_auth_key=PUBLIC, exclude=["^/static/"])
        self.clock = clock
        self.absolute_session_lifetime = absolute_session_lifetime

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthorizedException("bearer_expected")
            actor = await access.actor_for_token(token.strip(), self.clock)
            if actor is None:
                raise NotAuthorizedException("token_invalid")
            return AuthenticationResult(user=actor, auth="token")

        identity = session_identity(connection)
        if identity is None:
            raise NotAuthorizedException("not_signed_in")
        user_id, signed_in_at = identity
        if self.clock.now() - signed_in_at > self.absolute_session_lifetime:
            end_session(connection)
            raise NotAuthorizedException("session_ended")
        actor = await access.actor_for_session(user_id, signed_in_at)
        if actor is None:
            end_session(connection)
            raise NotAuthorizedException("session_ended")
        return AuthenticationResult(user=actor, auth="session")
