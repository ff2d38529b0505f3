from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from litestar import Litestar

from core.clock import FixedClock
from portal.app import create_app
from portal.settings import Settings
from tests.builders import PASSWORD, World, build_world

CSRF_COOKIE = "portal_csrf"
SESSION_COOKIE = "portal_session"


def settings_for_tests(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "sign_in_attempts_per_minute": 100_000,
        "sign_in_failures_per_account": 100_000,
        "run_jobs": False,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings() -> Settings:
    return settings_for_tests()


@asynccontextmanager
async def serve(app: Litestar, base_url: str = "http://testserver.local") -> AsyncIterator[httpx.AsyncClient]:
    """The app in the test's own event loop (Litestar's test client runs it in another thread and
    loop, where a PostgreSQL pool opened by the test session cannot be used)."""
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as test_client,
    ):
        yield test_client


@pytest.fixture
async def client(db: None, settings: Settings, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(settings, clock)) as test_client:
        yield test_client


@pytest.fixture
async def world(db: None, clock: FixedClock) -> World:
    return await build_world(clock)


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The double-submit token: fetched with the sign-in page when the client has none yet."""
    if CSRF_COOKIE not in client.cookies:
        await client.get("/sign-in")
    return client.cookies[CSRF_COOKIE]


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> int:
    """Sign in through the form like a browser; returns the status (303 on success)."""
    response = await client.post(
        "/sign-in",
        data={"_csrf_token": await csrf_token(client), "email": email, "password": password, "next": ""},
        follow_redirects=False,
    )
    return response.status_code


def plant_cookie(client: httpx.AsyncClient, name: str, value: str) -> None:
    """Replace a cookie as a browser (or an attacker) would: one value for the test host."""
    client.cookies.delete(name)
    client.cookies.set(name, value, domain="testserver.local")


async def unsafe_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"x-csrftoken": await csrf_token(client)}
