"""Turning refusals and failures into answers: problem details (RFC 9457) for the API, pages for people.

No answer ever carries a traceback, SQL or a file path; unexpected errors are logged and answered
with a generic message.
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template

from core.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from core.validation import FieldValueError
from portal.documents.renderer import RenderError, RenderTimeoutError
from portal.messages import MESSAGES, message, status_title

log = logging.getLogger("portal.errors")

STATUS_OF: dict[type[DomainError], int] = {
    NotFoundError: 404,
    PermissionDeniedError: 403,
    ConflictError: 409,
    InvalidInputError: 422,
    AuthenticationError: 401,
}

PROBLEM_JSON = "application/problem+json"


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """One field's problem in an answer."""

    field: str
    code: str
    message: str


class ProblemDetails(msgspec.Struct, frozen=True, omit_defaults=True):
    """An error answer of the API (RFC 9457): ``code`` is stable, ``detail`` is for people."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    problems: list[Problem] | None = None


# What any API operation may answer besides its success: the request is not understood (400), no or a
# revoked token (401), a role that may not (403), an object that is not there or not visible (404),
# a state that forbids the step (409), a body too large (413), a business rule refusing it (422),
# throttling (429), the database briefly unavailable (503, with Retry-After).
API_ERROR_STATUSES = {
    400: "The request is not understood: a value, a type or the body's shape (the field is named).",
    401: "No valid API token or session.",
    403: "The acting role may not do this (or the CSRF token of a session is missing).",
    404: "Not found, or not visible to the acting organisation: both answer the same.",
    409: "The object's state forbids this step, or it conflicts with another one.",
    413: "The body is larger than the limit.",
    415: "The body is neither JSON nor, for an upload, multipart/form-data.",
    422: "A business rule refuses the request (the problems name the fields).",
    429: "Too many attempts; try again later.",
    503: "The database is briefly unavailable; retry after the Retry-After seconds.",
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith("/api") or path == "/health" or "authorization" in request.headers


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]  # type: ignore[index]
    return 400


def answer(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    detail: str,
    problems: list[Problem] | None = None,
) -> Response[Any]:
    if wants_json(request):
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "code": code,
            "detail": detail,
        }
        if problems:
            body["problems"] = [msgspec.structs.asdict(p) for p in problems]
        return Response(content=body, status_code=status, media_type=PROBLEM_JSON)
    return Template(
        template_name="errors/error.html.jinja",
        context={
            "status": status,
            "title": status_title(status),
            "detail": detail,
            "problems": problems or [],
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


def field_problems(error: InvalidInputError) -> list[Problem]:
    return [Problem(field=p.field, code=p.code, message=message(p.code, p.params)) for p in error.problems]


def problem_from_validation(exc: BaseException) -> Problem | None:
    """The field problem behind a msgspec ValidationError, translated when the domain gave a reason."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, FieldValueError):
        cause = cause.__cause__
    if isinstance(cause, FieldValueError):
        return Problem(field=cause.field, code=cause.code, message=message(cause.code, cause.params))
    return None


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    problems = field_problems(exc) if isinstance(exc, InvalidInputError) else None
    detail = problems[0].message if problems and len(problems) == 1 else message(exc.code, exc.params)
    return answer(request, status_of(exc), exc.code, detail, problems)


def on_validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    problem = problem_from_validation(exc)
    if problem is not None:
        return answer(request, 400, problem.code, problem.message, [problem])
    # msgspec's own text ("Expected `int`, got `str` - at `$.rank`") is precise but English: machine
    # clients get it as the detail, people get a sentence in their language.
    items = [item for item in (exc.extra if isinstance(exc.extra, list) else []) if isinstance(item, dict)]
    problems = [
        Problem(
            field=_field_of(str(item.get("message", ""))) or str(item.get("key") or ""),
            code="invalid_value",
            message=message("invalid_value"),
        )
        for item in items
    ]
    precise = str(items[0].get("message", "")) if items else ""
    detail = precise if wants_json(request) and precise else message("request_not_understood")
    return answer(request, 400, "invalid_value", detail, problems)


def _field_of(text: str) -> str | None:
    """The field msgspec names in "... - at `$.rank`" (or "... `$.lines[3].quantity`")."""
    if "`$." in text:
        return text.split("`$.", 1)[1].split("`", 1)[0]
    return None


def on_not_authorized(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    if wants_json(request):
        code = exc.detail if exc.detail in MESSAGES else "not_signed_in"
        return answer(request, 401, code, message(code))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/sign-in?next={quote(target)}", status_code=303)


def on_permission_denied(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    code = exc.detail if exc.detail in MESSAGES else "permission_denied"
    if code == "csrf_failed" or "CSRF" in exc.detail:
        code = "csrf_failed"
    return answer(request, 403, code, message(code))


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        log.error("server error on %s %s", request.method, request.url.path, exc_info=exc)
    code = {
        404: "not_found",
        413: "request_too_large",
        415: "unsupported_media_type",
        429: "sign_in_throttled",
    }.get(status, "server_error" if status >= 500 else "refused")
    detail = message(code) if code in MESSAGES else HTTPStatus(status).phrase
    response = answer(request, status, code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def on_too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    return answer(request, 400, "request_too_deep", message("request_too_deep"))


def on_render_error(request: Request[Any, Any, Any], exc: RenderError) -> Response[Any]:
    """A document past the renderer's time or memory limit: the server is fine, the document is not."""
    log.warning("document not rendered on %s %s: %s", request.method, request.url.path, exc)
    code = "document_too_slow" if isinstance(exc, RenderTimeoutError) else "document_too_large"
    return answer(request, 503, code, message(code))


def on_bad_encoding(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Any]:
    # A JSON body whose strings are not UTF-8: Litestar's decoder lets the codec's error through.
    return answer(request, 400, "request_not_understood", message("request_not_understood"))


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _is_upload_without_file(exc):
        return answer(request, 400, "upload_missing", message("upload_missing"), [_NO_FILE])
    if _is_database_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        response = answer(request, 503, "unavailable", message("unavailable"))
        response.headers["Retry-After"] = "2"
        return response
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return answer(request, 500, "server_error", message("server_error"))


_NO_FILE = Problem(field="file", code="upload_missing", message="")


def _is_upload_without_file(exc: BaseException) -> bool:
    """A multipart body with no file part: Litestar's extractor for an ``UploadFile`` body runs out
    of parts (StopIteration inside a coroutine becomes a RuntimeError)."""
    return isinstance(exc, RuntimeError) and isinstance(exc.__cause__, StopIteration)


# Socket errors that mean "the database server is not there right now" (asyncio's connect raises a
# plain OSError, without errno, when every address of a name refused).
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ETIMEDOUT,
        errno.EPIPE,
    }
)


def _is_database_unavailable(exc: BaseException) -> bool:
    """Connection loss, a restarting PostgreSQL, or SQLite's lock wait running out: worth a retry.

    Files that are missing or unreadable (other ``OSError``s) and SQL errors stay server errors.
    """
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    if type(exc) is OSError and (exc.errno in _NETWORK_ERRNOS or str(exc).startswith("Multiple exceptions")):
        return True
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return True
    if type(exc).__module__.startswith("asyncpg"):
        from asyncpg import exceptions as pg

        if isinstance(exc, pg.InterfaceError):
            # the driver's "connection is closed" or "pool is closing"; not a misuse such as
            # "another operation is in progress", which stays a server error
            return "clos" in str(exc)
        return isinstance(
            exc,
            pg.PostgresConnectionError  # class 08: the connection is gone, refused or failed
            | pg.CannotConnectNowError  # starting up or shutting down
            | pg.AdminShutdownError
            | pg.CrashShutdownError
            | pg.TooManyConnectionsError,
        )
    return False


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: on_domain_error,
    ValidationException: on_validation_error,
    NotAuthorizedException: on_not_authorized,
    PermissionDeniedException: on_permission_denied,
    HTTPException: on_http_exception,
    RecursionError: on_too_deep,
    RenderError: on_render_error,
    UnicodeDecodeError: on_bad_encoding,
    Exception: on_unexpected,
}
