"""Rendering a portal page: the template plus what every page's layout needs."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from portal.forms import refusal_text
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


async def flash_outcome(request: Request[Any, Any, Any], action: Any, success: str) -> bool:
    """Run a step of a form; a refusal the person can act on (a lapsed offer, nothing reserved to
    ship) comes back as a message on the next page, not as an error page. True when it was done."""
    try:
        await action
    except (InvalidInputError, ConflictError, msgspec.ValidationError) as refusal:
        flash(request, refusal_text(refusal), category="error")
        return False
    flash(request, success, category="success")
    return True
