"""Rendering a portal page: the template plus what every page's layout needs."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Redirect, Template

from channel.visibility import Actor
from portal.portals import Portal


def page(name: str, *, actor: Actor, portal: Portal, status: int = 200, **context: Any) -> Template:
    return Template(
        name,
        context={"actor": actor, "portal": portal, **context},
        status_code=status,
        media_type=MediaType.HTML,
    )


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def back_to(path: str) -> Redirect:
    """After a successful form: See Other, so reloading does not send the form twice."""
    return Redirect(path, status_code=303)
