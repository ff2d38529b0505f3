"""One's own account: password, language, signing out everywhere."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel import schemas
from channel.services import access, people
from core.errors import InvalidInputError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.forms import FormError, refusal_errors, struct_from_form
from portal.i18n import gettext
from portal.messages import message
from portal.pages.rendering import back_to, page
from portal.security.guards import requires_user_session
from portal.security.sessions import end_session, start_session


class AccountPages(Controller):
    path = "/account"
    guards = [requires_user_session]

    @get("/", name="account")
    async def account(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return page("shared/account/index.html.jinja", actor=actor, portal=portal, errors={})

    @post("/password")
    async def change_password(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        errors: dict[str, str] = {}
        if form.get("new_password") != form.get("new_password_again"):
            errors = {"new_password_again": message("passwords_differ")}
        else:
            try:
                await people.change_password(actor, struct_from_form(form, schemas.PasswordChange), clock)
            except FormError as refused:
                errors = refused.errors
            except InvalidInputError as refused:
                errors = refusal_errors(refused)
        if errors:
            return page(
                "shared/account/index.html.jinja", actor=actor, portal=portal, errors=errors, status=422
            )
        # Every other session of this person has just ended; this one continues under a new id.
        assert actor.user_id is not None
        start_session(request, actor.user_id, clock.now())
        flash(
            request, gettext("Your password was changed. Other sessions were signed out."), category="success"
        )
        return back_to(portal.url("/account"))

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(
        self, request: Request[Any, Any, Any], actor: CurrentActor, clock: CurrentClock
    ) -> Redirect:
        await access.end_all_sessions(actor, clock)
        end_session(request)
        return Redirect("/sign-in", status_code=303)
