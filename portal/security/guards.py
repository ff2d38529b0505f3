"""Route guards: which portal a user may open, and which permission a handler needs.

Services enforce the same rules again; the guards give a clear answer early and put the rule on
the route, where the route inventory and the authorization matrix read it.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from channel.roles import OrgKind, Permission
from channel.visibility import Actor


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise PermissionDeniedException("Sign in first")
    return user


def requires_portal(kind: OrgKind) -> Any:
    """Only people of this kind of organisation may open this portal."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if actor_of(connection).organisation_kind is not kind:
            raise PermissionDeniedException("wrong_portal", extra={"portal": kind.value})

    return guard


def requires_permission(permission: Permission) -> Any:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not actor_of(connection).can(permission):
            raise PermissionDeniedException("permission_denied")

    guard.permission = permission  # type: ignore[attr-defined]
    return guard


def requires_any_permission(*permissions: Permission) -> Any:
    """For pages shared by two kinds of user (the lead pool's managers and the partners working leads)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = actor_of(connection)
        if not any(actor.can(p) for p in permissions):
            raise PermissionDeniedException("permission_denied")

    return guard


def requires_user_session(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """For one's own account (password, language): a person in a browser, not an API token."""
    if actor_of(connection).user_id is None or connection.scope.get("auth") != "session":
        raise PermissionDeniedException("session_only")
