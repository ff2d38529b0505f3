"""Server-side sessions that get a new id at every sign-in, and sessions with two time limits.

Litestar's server-side backend keeps the id of the cookie the browser already had, so an id planted
before sign-in (session fixation) would become an authenticated one. ``RotatingSessionBackend``
deletes the old id from the store and issues a fresh one when ``start_session`` asks for it. It also
stores nothing for anonymous visitors, so unauthenticated traffic cannot fill the session store.

The idle limit is the store's expiry (renewed on every request); the absolute limit is checked
against the sign-in instant kept in the session (see ``authentication.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession

_ROTATE = "portal.rotate_session"
_NEW_ID = "portal.new_session_id"

USER_KEY = "uid"
SIGNED_IN_AT_KEY = "at"


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        new_id = connection.scope.get(_NEW_ID)  # type: ignore[typeddict-item]
        return str(new_id) if new_id else super().get_session_id(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        scope: Any = connection.scope
        cookie_id = connection.cookies.get(self.config.key)
        if scope.get(_ROTATE) and _NEW_ID not in scope:
            if cookie_id and cookie_id != "null":
                await self.delete(cookie_id, self.config.get_store_from_app(scope["app"]))
            scope[_NEW_ID] = self.generate_session_id()
            connection._connection_state.session_id = scope[_NEW_ID]
        if not scope_session:
            if not cookie_id:
                return  # an anonymous visitor: nothing to store, no cookie
            scope_session = Empty
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def start_session(
    connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, signed_in_at: datetime
) -> None:
    """Make the request's session an authenticated one, under a brand-new session id."""
    connection.scope[_ROTATE] = True  # type: ignore[literal-required]
    session = {k: v for k, v in connection.session.items() if k.startswith("_")}  # keep flash messages
    session[USER_KEY] = str(user_id)
    session[SIGNED_IN_AT_KEY] = signed_in_at.isoformat()
    connection.scope["session"] = session


def end_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Forget the session on the server and clear the cookie."""
    connection.scope["session"] = Empty


def session_identity(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[UUID, datetime] | None:
    session = connection.scope.get("session")
    if not session or session is Empty:
        return None
    try:
        return UUID(session[USER_KEY]), datetime.fromisoformat(session[SIGNED_IN_AT_KEY])
    except (KeyError, ValueError, TypeError):
        return None
