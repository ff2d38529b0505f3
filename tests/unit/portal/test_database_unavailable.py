"""Losing the database is a short outage, answered 503 with Retry-After, never a 500.

Each exception is one the PostgreSQL driver or the socket layer raises while PostgreSQL restarts:
the pool's idle connections are gone, a new one is refused, or the server is still starting up.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import pytest
from asyncpg import exceptions as pg
from litestar import Request, get
from litestar.testing import create_test_client

from portal.errors import EXCEPTION_HANDLERS
from portal.templating import template_config

OUTAGES: dict[str, BaseException] = {
    "connection_lost": pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    "starting_up": pg.CannotConnectNowError("the database system is starting up"),
    "shutting_down": pg.AdminShutdownError("terminating connection due to administrator command"),
    "crash_of_another_process": pg.CrashShutdownError("terminating connection because of crash"),
    "connection_failure": pg.ConnectionFailureError("connection failure"),
    "cannot_connect": pg.ClientCannotConnectError("could not connect"),
    "rejected": pg.ConnectionRejectionError("rejected"),
    "too_many_connections": pg.TooManyConnectionsError("sorry, too many clients already"),
    "closed_connection": pg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    "refused": ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 5432)"),
    "reset": ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
    # asyncio's create_connection to a name with several addresses (localhost: ::1 and 127.0.0.1)
    "refused_on_every_address": OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432, 0, 0), "
        "[Errno 111] Connect call failed ('127.0.0.1', 5432)"
    ),
    "unreachable": OSError(errno.EHOSTUNREACH, "No route to host"),
    "name_not_resolved": socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    "timed_out": TimeoutError(),
}


@get("/api/outage", sync_to_thread=False)
def api_outage(request: Request[Any, Any, Any]) -> None:
    kind = request.query_params["kind"]
    raise OUTAGES[kind]


@get("/s/outage", sync_to_thread=False)
def page_outage(request: Request[Any, Any, Any]) -> None:
    kind = request.query_params["kind"]
    raise OUTAGES[kind]


@get("/api/broken", sync_to_thread=False)
def broken(request: Request[Any, Any, Any]) -> None:
    kind = request.query_params["kind"]
    raise {
        "missing_file": FileNotFoundError(errno.ENOENT, "No such file or directory", "/srv/portal/x"),
        "permission": PermissionError(errno.EACCES, "Permission denied"),
        "programming": pg.UndefinedColumnError('column "nope" does not exist'),
        "bug": ValueError("a bug"),
        "misuse": pg.InterfaceError("cannot perform operation: another operation is in progress"),
    }[kind]


@pytest.mark.parametrize("kind", sorted(OUTAGES))
def test_a_database_outage_answers_503_with_retry_after_to_the_api_and_to_people(kind: str) -> None:
    with create_test_client(
        [api_outage, page_outage], exception_handlers=EXCEPTION_HANDLERS, template_config=template_config()
    ) as client:
        api = client.get(f"/api/outage?kind={kind}")
        page = client.get(f"/s/outage?kind={kind}")

    assert api.status_code == 503, api.text
    assert api.headers["retry-after"].isdigit()
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "unavailable"
    assert "5432" not in api.text and "127.0.0.1" not in api.text
    assert page.status_code == 503 and page.headers["retry-after"].isdigit()
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("kind", ["missing_file", "permission", "programming", "bug", "misuse"])
def test_other_failures_stay_server_errors_and_say_nothing_of_their_cause(kind: str) -> None:
    with create_test_client([broken], exception_handlers=EXCEPTION_HANDLERS) as client:
        answer = client.get(f"/api/broken?kind={kind}")

    assert answer.status_code == 500
    assert "retry-after" not in answer.headers
    assert "/srv" not in answer.text and "nope" not in answer.text
