"""The store's home page."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.pages.home import home_context
from portal.pages.rendering import page


@get("/", name="store_home")
async def home(actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock) -> Template:
    return page("store/home.html.jinja", actor=actor, portal=portal, **await home_context(actor, clock))
