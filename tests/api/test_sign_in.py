"""Sign-in, sessions and their limits, sign-out, CSRF, throttling."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from uuid import uuid4

import httpx
import pytest

from channel.roles import Role
from core.clock import FixedClock
from portal.app import create_app
from tests.api.conftest import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    plant_cookie,
    serve,
    settings_for_tests,
    sign_in,
    unsafe_headers,
)
from tests.builders import PASSWORD, World


@pytest.mark.parametrize(
    ("email", "portal"),
    [("m.admin@example.com", "/m"), ("d1.buyer@example.com", "/d"), ("s1.clerk@example.com", "/s")],
)
async def test_each_person_lands_on_their_own_portal(
    client: httpx.AsyncClient, world: World, email: str, portal: str
) -> None:
    page = await client.get("/sign-in")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]

    answer = await client.post("/sign-in", data={"_csrf_token": token, "email": email, "password": PASSWORD})

    assert (answer.status_code, answer.headers["location"]) == (303, portal)
    home = await client.get(portal)
    assert home.status_code == 200


async def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await client.get("/m/partners")
    assert first.headers["location"] == "/sign-in?next=/m/partners"

    token = await _form_token(client)
    for target, landing in (
        ("/m/partners", "/m/partners"),
        ("//evil.example/x", "/m"),
        ("https://evil.example", "/m"),
    ):
        client.cookies.delete(SESSION_COOKIE)
        answer = await client.post(
            "/sign-in",
            data={"_csrf_token": token, "email": "m.admin@example.com", "password": PASSWORD, "next": target},
        )
        assert answer.headers["location"] == landing


async def _form_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/sign-in")
    return page.text.split('name="_csrf_token" value="')[1].split('"')[0]


async def test_a_wrong_password_and_an_unknown_e_mail_get_the_same_answer(
    client: httpx.AsyncClient, world: World
) -> None:
    token = await _form_token(client)

    wrong = await client.post(
        "/sign-in", data={"_csrf_token": token, "email": "m.admin@example.com", "password": "x" * 12}
    )
    unknown = await client.post(
        "/sign-in", data={"_csrf_token": token, "email": "ghost@example.com", "password": "x" * 12}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert (
        _error_of(wrong.text)
        == _error_of(unknown.text)
        == "The e-mail address or the password is not correct."
    )
    assert SESSION_COOKIE not in client.cookies


def _error_of(html: str) -> str:
    return html.split('data-testid="sign-in-error">')[1].split("<")[0]


async def test_signing_in_issues_a_new_session_id_and_the_planted_one_is_worthless(
    client: httpx.AsyncClient, world: World
) -> None:
    plant_cookie(client, SESSION_COOKIE, "planted-by-an-attacker")

    assert await sign_in(client, "d1.admin@example.com") == 303
    issued = client.cookies[SESSION_COOKIE]
    assert issued != "planted-by-an-attacker"

    plant_cookie(client, SESSION_COOKIE, "planted-by-an-attacker")
    assert (await client.get("/api/me")).status_code == 401


async def test_signing_in_again_retires_the_previous_session_id(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "d1.admin@example.com")
    first = client.cookies[SESSION_COOKIE]

    await sign_in(client, "d1.admin@example.com")
    second = client.cookies[SESSION_COOKIE]

    assert first != second
    plant_cookie(client, SESSION_COOKIE, first)
    assert (await client.get("/api/me")).status_code == 401
    plant_cookie(client, SESSION_COOKIE, second)
    assert (await client.get("/api/me")).status_code == 200


async def test_signing_out_ends_the_session_on_the_server(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, "d1.admin@example.com")
    session = client.cookies[SESSION_COOKIE]

    answer = await client.post("/sign-out", headers=await unsafe_headers(client))

    assert answer.status_code == 303
    plant_cookie(client, SESSION_COOKIE, session)
    assert (await client.get("/api/me")).status_code == 401


async def test_anonymous_visitors_get_no_session(client: httpx.AsyncClient, world: World) -> None:
    await client.get("/sign-in")
    await client.get("/health")

    assert SESSION_COOKIE not in client.cookies


async def test_a_session_ends_twelve_hours_after_sign_in_whatever_happens(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await sign_in(client, "d1.admin@example.com")
    clock.advance(hours=11, minutes=59)
    assert (await client.get("/d")).status_code == 200

    clock.advance(minutes=2)

    answer = await client.get("/d")
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in?next=/d")


async def test_suspension_ends_a_signed_in_persons_session_at_once(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    from channel.roles import UserStatus
    from channel.services import people

    await sign_in(client, "d1.buyer@example.com")
    clock.advance(seconds=1)

    await people.set_user_status(
        world.actors["d1_admin"], world.user_ids["d1_buyer"], UserStatus.SUSPENDED, clock
    )

    assert (await client.get("/api/me")).status_code == 401


async def test_session_cookies_are_httponly_and_samesite_in_development(
    client: httpx.AsyncClient, world: World
) -> None:
    page = await client.get("/sign-in")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]

    answer = await client.post(
        "/sign-in", data={"_csrf_token": token, "email": "d1.admin@example.com", "password": PASSWORD}
    )

    cookie = next(v for v in answer.headers.get_list("set-cookie") if v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=7200" in cookie


async def test_production_cookies_are_secure_and_host_prefixed(db: None, clock: FixedClock) -> None:
    from tests.builders import build_world

    await build_world(clock)
    app = create_app(settings_for_tests(environment="production"), clock)
    async with serve(app, base_url="https://portal.example") as client:
        page = await client.get("/sign-in")
        token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
        answer = await client.post(
            "/sign-in", data={"_csrf_token": token, "email": "d1.admin@example.com", "password": PASSWORD}
        )

    cookies = answer.headers.get_list("set-cookie") + page.headers.get_list("set-cookie")
    session = next(v for v in cookies if v.startswith("__Host-session="))
    csrf = next(v for v in cookies if v.startswith("__Host-csrftoken="))
    assert "Secure" in session and "Path=/" in session and "Domain" not in session
    assert "Secure" in csrf
    assert answer.headers["strict-transport-security"].startswith("max-age=")


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.admin@example.com")

    answer = await client.post("/m/settings/regions", data={"code": "NORTH", "name": "North"})

    assert answer.status_code == 403
    regions = (await client.get("/api/regions")).json()
    assert "NORTH" not in [r["code"] for r in regions]


async def test_the_sign_in_form_itself_needs_its_csrf_token(client: httpx.AsyncClient, world: World) -> None:
    answer = await client.post("/sign-in", data={"email": "m.admin@example.com", "password": PASSWORD})

    assert answer.status_code == 403
    assert SESSION_COOKIE not in client.cookies


async def test_a_json_call_with_a_session_needs_the_csrf_header(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.admin@example.com")

    without = await client.post("/api/regions", json={"code": "NORTH", "name": "North"})
    with_header = await client.post(
        "/api/regions",
        json={"code": "NORTH", "name": "North"},
        headers={"x-csrftoken": client.cookies[CSRF_COOKIE]},
    )

    assert (without.status_code, with_header.status_code) == (403, 201)


async def test_sign_in_attempts_are_limited_per_address(db: None, clock: FixedClock) -> None:
    from tests.builders import build_world

    await build_world(clock)
    async with serve(create_app(settings_for_tests(sign_in_attempts_per_minute=3), clock)) as client:
        token = await _form_token(client)
        statuses = [
            (
                await client.post(
                    "/sign-in", data={"_csrf_token": token, "email": "a@b.cd", "password": "x" * 12}
                )
            ).status_code
            for _ in range(4)
        ]

    assert statuses == [401, 401, 401, 429]


async def test_an_account_is_paused_after_repeated_failures_even_with_the_right_password(
    db: None, clock: FixedClock
) -> None:
    from tests.builders import build_world

    await build_world(clock)
    async with serve(create_app(settings_for_tests(sign_in_failures_per_account=3), clock)) as client:
        token = await _form_token(client)
        for _ in range(3):
            await client.post(
                "/sign-in", data={"_csrf_token": token, "email": "d1.admin@example.com", "password": "x" * 12}
            )
        paused = await client.post(
            "/sign-in", data={"_csrf_token": token, "email": "d1.admin@example.com", "password": PASSWORD}
        )
        elsewhere = await client.post(
            "/sign-in", data={"_csrf_token": token, "email": "d2.admin@example.com", "password": PASSWORD}
        )

    assert paused.status_code == 429
    assert elsewhere.status_code == 303


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_PARAMETER = re.compile(r"\{(\w+):(\w+)\}")


def _unsafe_routes() -> list[tuple[str, str]]:
    """Every unsafe (method, path) the app serves, its path parameters filled in."""
    app = create_app(settings_for_tests())
    found = set()
    for route in app.routes:
        for handler in route.route_handlers:
            for method in set(getattr(handler, "http_methods", ())) & UNSAFE:
                path = _PARAMETER.sub(
                    lambda m: str(uuid4()) if m.group(2) == "uuid" else ("1" if m.group(2) == "int" else "x"),
                    route.path,
                )
                found.add((method, path))
    return sorted(found)


async def test_every_unsafe_route_refuses_a_signed_in_request_without_the_csrf_token(
    client: httpx.AsyncClient, world: World, figure: Callable[[str], None]
) -> None:
    from tests.api.test_hostile_input import _row_counts

    routes = _unsafe_routes()
    await sign_in(client, "m.admin@example.com")
    before = await _row_counts()

    passed = []
    for method, path in routes:
        answer = await client.request(method, path, data={"name": "x", "code": "X"}, follow_redirects=False)
        if answer.status_code != 403:
            passed.append(f"{method} {path}: {answer.status_code}")
    # A token that is not the cookie's is refused as well (the double submit must match).
    forged = await client.post(
        "/m/settings/regions", data={"_csrf_token": "f" * 64, "code": "N", "name": "N"}
    )

    figure(f"\ncsrf: {len(routes)} unsafe routes, {len(passed)} without the check")
    assert passed == []
    assert forged.status_code == 403
    assert await _row_counts() == before


async def test_an_unknown_e_mail_costs_the_same_time_as_a_wrong_password(
    db: None, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    from argon2 import PasswordHasher

    from channel import passwords
    from tests.builders import add_person, build_world

    world = await build_world(clock)
    # This person's hash has the production cost, like the decoy checked for unknown addresses.
    cheap, passwords._HASHER = (
        passwords._HASHER,
        PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),
    )
    try:
        await add_person(world.system, clock, world.org_id("D1"), "real.cost@example.com", [Role.BUYER])
    finally:
        passwords._HASHER = cheap
    tries = 30

    async with serve(create_app(settings_for_tests(), clock)) as client:
        token = await _form_token(client)

        async def timed(email: str) -> tuple[float, str]:
            started = time.perf_counter()
            answer = await client.post(
                "/sign-in", data={"_csrf_token": token, "email": email, "password": "wrong password!"}
            )
            return time.perf_counter() - started, _error_of(answer.text)

        await timed("ghost@example.com")  # warm up
        unknown, wrong = [], []
        for i in range(tries):  # interleaved, so that the machine's load falls on both alike
            unknown.append(await timed(f"ghost{i}@example.com"))
            wrong.append(await timed("real.cost@example.com"))

    # The fastest of each is the cost of the work itself; the medians carry the machine's noise.
    unknown_fastest, wrong_fastest = min(t for t, _ in unknown), min(t for t, _ in wrong)
    figure(
        f"\nsign-in timing over {tries} tries each: unknown e-mail {unknown_fastest * 1000:.1f} ms "
        f"(median {statistics.median(t for t, _ in unknown) * 1000:.1f}), wrong password "
        f"{wrong_fastest * 1000:.1f} ms (median {statistics.median(t for t, _ in wrong) * 1000:.1f})"
    )
    assert {message for _, message in unknown + wrong} == {
        "The e-mail address or the password is not correct."
    }
    # Without the decoy hash an unknown e-mail would answer about ten times faster; the machine's noise
    # (CI shares its cores) stays well inside a factor of 1.5 between the fastest answers.
    assert min(unknown_fastest, wrong_fastest) > max(unknown_fastest, wrong_fastest) / 1.5
