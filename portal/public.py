"""Routes anyone may open: health, sign-in and sign-out, accepting an invitation, choosing a language,
and a customer's quote behind its signed link."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.services import access, people
from channel.transactions import engine
from core.clock import Clock
from core.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from portal import i18n
from portal.dependencies import CurrentClock, CurrentRenderer, CurrentSettings, SignInThrottle
from portal.documents.quote_pdf import pdf_response, quote_pdf
from portal.errors import field_problems
from portal.explained import explain
from portal.locale_middleware import locale_cookie
from portal.messages import message
from portal.portals import PORTALS
from portal.security.authentication import PUBLIC
from portal.security.sessions import end_session, session_identity, start_session
from portal.security.signed_links import read_quote_token
from portal.security.throttling import THROTTLED
from portal.settings import Settings
from pricing import schemas as pricing_schemas
from pricing.services import quotes

FormBody = URLEncodedBody[dict[str, str]]


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (``//evil``, ``/\\evil``, ``https://...``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return None
    return target


async def _home_of_session(request: Request[Any, Any, Any]) -> str | None:
    identity = session_identity(request)
    if identity is None:
        return None
    actor = await access.actor_for_session(*identity)
    return PORTALS[actor.organisation_kind].url() if actor else None


@get("/health", opt={PUBLIC: True}, summary="Liveness and database reachability", operation_id="Health")
async def health() -> Response[dict[str, str]]:
    """Answers without sign-in: 200 when the database answers, 503 when it does not."""
    try:
        await engine().run_ddl("SELECT 1", in_pool=True)
    except Exception:
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


@get("/", opt={PUBLIC: True}, include_in_schema=False)
async def root(request: Request[Any, Any, Any]) -> Redirect:
    return Redirect(await _home_of_session(request) or "/sign-in", status_code=303)


def _sign_in_page(
    next_path: str | None, email: str = "", error: str | None = None, status: int = 200
) -> Template:
    return Template(
        "public/sign_in.html.jinja",
        context={"next": next_path or "", "email": email, "error": error},
        status_code=status,
        media_type=MediaType.HTML,
    )


@get("/sign-in", opt={PUBLIC: True}, include_in_schema=False)
async def sign_in_page(
    request: Request[Any, Any, Any], next: FromQuery[str | None] = None
) -> Template | Redirect:
    home = await _home_of_session(request)
    if home:
        return Redirect(safe_next(next) or home, status_code=303)
    return _sign_in_page(safe_next(next))


@post("/sign-in", opt={PUBLIC: True, THROTTLED: True}, include_in_schema=False)
async def sign_in(
    request: Request[Any, Any, Any], data: FormBody, clock: CurrentClock, account_throttle: SignInThrottle
) -> Template | Redirect:
    email = data.get("email", "").strip()[:254]
    next_path = safe_next(data.get("next"))
    if await account_throttle.is_locked(email):
        return _sign_in_page(next_path, email, message("sign_in_throttled"), status=429)
    try:
        signed_in = await access.sign_in(email, data.get("password", "")[:256], clock)
    except AuthenticationError:
        await account_throttle.record_failure(email)
        return _sign_in_page(next_path, email, message("authentication_failed"), status=401)
    await account_throttle.clear(email)
    start_session(request, signed_in.user_id, signed_in.signed_in_at)
    actor = await access.actor_for_session(signed_in.user_id, signed_in.signed_in_at)
    assert actor is not None
    return Redirect(next_path or PORTALS[actor.organisation_kind].url(), status_code=303)


@post("/sign-out", opt={PUBLIC: True}, include_in_schema=False)
async def sign_out(request: Request[Any, Any, Any]) -> Redirect:
    end_session(request)
    return Redirect("/sign-in", status_code=303)


@get("/invitations/{token:str}", opt={PUBLIC: True}, include_in_schema=False)
async def invitation_page(token: FromPath[str], clock: CurrentClock) -> Template:
    try:
        invitation = await people.find_open_invitation(token, clock)
    except NotFoundError:
        return Template("public/invitation_invalid.html.jinja", status_code=404, media_type=MediaType.HTML)
    return Template(
        "public/invitation.html.jinja",
        context={"invitation": invitation, "errors": {}},
        media_type=MediaType.HTML,
    )


@post("/invitations/{token:str}", opt={PUBLIC: True, THROTTLED: True}, include_in_schema=False)
async def accept_invitation(
    request: Request[Any, Any, Any], token: FromPath[str], data: FormBody, clock: CurrentClock
) -> Template | Redirect:
    password = data.get("password", "")[:256]
    try:
        invitation = await people.find_open_invitation(token, clock)
    except NotFoundError:
        return Template("public/invitation_invalid.html.jinja", status_code=404, media_type=MediaType.HTML)
    errors: dict[str, str] = {}
    if password != data.get("password_again", ""):
        errors["password_again"] = message("passwords_differ")
    else:
        try:
            user_id = await people.accept_invitation(token, password, clock)
        except InvalidInputError as refused:
            errors = {p.field: p.message for p in field_problems(refused)}
    if errors:
        return Template(
            "public/invitation.html.jinja",
            context={"invitation": invitation, "errors": errors},
            status_code=422,
            media_type=MediaType.HTML,
        )
    start_session(request, user_id, clock.now())
    flash(request, i18n.gettext("Welcome! Your account is ready."), category="success")
    return Redirect(PORTALS[invitation.organisation.kind].url(), status_code=303)


@post("/language", opt={PUBLIC: True}, include_in_schema=False)
async def choose_language(
    request: Request[Any, Any, Any], data: FormBody, clock: CurrentClock, settings: CurrentSettings
) -> Redirect:
    """Switch the language; a signed-in person keeps it as their preference."""
    locale = i18n.supported_locale(data.get("locale")) or i18n.DEFAULT_LOCALE
    identity = session_identity(request)
    if identity is not None:
        actor = await access.actor_for_session(*identity)
        if actor is not None:
            await people.set_preferred_locale(actor, locale, clock)
    response = Redirect(safe_next(data.get("next")) or "/", status_code=303)
    response.set_cookie(locale_cookie(locale, settings.secure_cookies))
    return response


def _quote_page(
    quote: Any, *, error: str = "", status: int = 200, now: Any = None, names: Any = None
) -> Template:
    latest = quote.versions[-1]
    return Template(
        "public/quote.html.jinja",
        context={
            "quote": quote,
            "priced": explain(latest.priced),
            "products": {sku: _Named(names=n) for sku, n in (names or {}).items()},
            "answered": quote.status in ("accepted", "declined"),
            "expired": now is not None and quote.valid_until <= now,
            "error": error,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


class _Named:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names


async def _customer_quote(token: str, settings: Settings, clock: Clock) -> Any:
    found = read_quote_token(settings.secret_key, token, clock.now())
    if found is None:
        return None
    try:
        quote = await quotes.quote_for_customer(*found)
    except NotFoundError:
        return None
    # The customer reads the quote in the language it was made for, whatever their browser says.
    i18n.use_locale(
        i18n.supported_locale(quote.customer.locale) or i18n.DEFAULT_LOCALE, formats=quote.customer.locale
    )
    return quote


@get("/q/{token:str}", opt={PUBLIC: True}, include_in_schema=False)
async def customer_quote(token: FromPath[str], clock: CurrentClock, settings: CurrentSettings) -> Template:
    quote = await _customer_quote(token, settings, clock)
    if quote is None:
        return Template("public/quote_invalid.html.jinja", status_code=404, media_type=MediaType.HTML)
    names = await quotes.product_names([line.sku for line in quote.versions[-1].priced.lines])
    return _quote_page(quote, now=clock.now(), names=names)


@get("/q/{token:str}/pdf", opt={PUBLIC: True}, include_in_schema=False)
async def customer_quote_pdf(
    token: FromPath[str], clock: CurrentClock, settings: CurrentSettings, renderer: CurrentRenderer
) -> Response[bytes] | Template:
    quote = await _customer_quote(token, settings, clock)
    if quote is None:
        return Template("public/quote_invalid.html.jinja", status_code=404, media_type=MediaType.HTML)
    return pdf_response(await quote_pdf(quote, renderer), quote)


@post("/q/{token:str}", opt={PUBLIC: True, THROTTLED: True}, include_in_schema=False)
async def answer_customer_quote(
    token: FromPath[str], data: FormBody, clock: CurrentClock, settings: CurrentSettings
) -> Template:
    quote = await _customer_quote(token, settings, clock)
    if quote is None:
        return Template("public/quote_invalid.html.jinja", status_code=404, media_type=MediaType.HTML)
    names = await quotes.product_names([line.sku for line in quote.versions[-1].priced.lines])
    try:
        decision = pricing_schemas.QuoteDecision(
            accept=data.get("answer") == "accept",
            name=data.get("name", "")[:120],
            note=data.get("note", "")[:1000],
        )
        answered = await quotes.answer_quote(quote.id, quote.version, decision, clock)
    except (msgspec.ValidationError, ConflictError) as refused:
        text = (
            message(refused.code, refused.params)
            if isinstance(refused, ConflictError)
            else message("required")
        )
        return _quote_page(quote, error=text, status=422, now=clock.now(), names=names)
    return _quote_page(answered, now=clock.now(), names=names)


router = Router(
    path="/",
    route_handlers=[
        health,
        root,
        sign_in_page,
        sign_in,
        sign_out,
        invitation_page,
        accept_invitation,
        choose_language,
        customer_quote,
        customer_quote_pdf,
        answer_customer_quote,
    ],
)
