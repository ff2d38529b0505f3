"""Schemathesis over every operation of the OpenAPI description, as a manufacturer, a distributor and
a store: generated valid and invalid requests never get a server error, and every answer matches
what the description promises (status code, content type, body, headers).

The app runs in the test's own event loop (as every API test does, so that a PostgreSQL pool opened
by the session can serve it); Hypothesis and Schemathesis run in a worker thread and hand each request
to that loop. A second phase follows the links between operations: what one call creates (an id in
its answer) is what the next call reads, changes or deletes.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from channel import schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world

BASE_URL = "http://testserver.local"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Examples per operation and generation mode; each example is sent as every kind of user.
EXAMPLES = 6
STATEFUL_EXAMPLES = 8
STATEFUL_STEPS = 10

# kind of user -> (the person whose organisation issues the token, the token's roles)
USERS: dict[str, tuple[str, list[Role]]] = {
    "manufacturer": ("m_admin", [Role.MANUFACTURER_ADMIN]),
    "distributor": ("d1_admin", [Role.DISTRIBUTOR_ADMIN, Role.BUYER, Role.SALES, Role.WAREHOUSE]),
    "store": ("s1_manager", [Role.STORE_MANAGER]),
}


@dataclass
class Findings:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)

    def record(self, label: str, error: BaseException) -> None:
        self.failures.setdefault(label, str(error)[:3000])


def _httpx_kwargs(case: Any, headers: dict[str, str]) -> dict[str, Any]:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    out: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": {k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        out["json"] = kwargs["json"]
    if "data" in kwargs:
        data = kwargs["data"]
        if isinstance(data, bytes | str):
            out["content"] = data
        else:
            out["data"] = data
    if kwargs.get("files"):
        out["files"] = [_file_part(part) for part in _parts(kwargs["files"])]
    return out


def _parts(files: Any) -> list[tuple[str, Any]]:
    return list(files.items()) if isinstance(files, dict) else list(files)


def _file_part(part: tuple[str, Any]) -> tuple[str, Any]:
    """A negative case may put a number or null where a file goes: send its text as the part."""
    name, value = part
    if isinstance(value, tuple):
        filename, content, *rest = value
        return name, (filename, _bytes(content), *rest)
    return name, _bytes(value)


def _bytes(value: Any) -> bytes | str:
    return value if isinstance(value, bytes | str) else str(value).encode()


class Sender:
    """Sends a generated case from the worker thread through the app running in the test's loop."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop, findings: Findings):
        self.client = client
        self.loop = loop
        self.findings = findings

    def send(self, case: Any, headers: dict[str, str]) -> httpx.Response:
        request = self.client.build_request(**_httpx_kwargs(case, headers))
        request.read()  # a multipart body is kept, so that the checks can read what was sent
        future: Future[httpx.Response] = asyncio.run_coroutine_threadsafe(
            self.client.send(request), self.loop
        )
        response = future.result(timeout=60)
        self.findings.cases += 1
        self.findings.statuses[response.status_code] += 1
        return response

    def send_and_check(self, case: Any, headers: dict[str, str]) -> httpx.Response:
        response = self.send(case, headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        return response


def _run_operation(
    operation: Any, mode: GenerationMode, sender: Sender, tokens: dict[str, dict[str, str]]
) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy, user=st.sampled_from(sorted(tokens)))
    def one(case: Any, user: str) -> None:
        sender.send_and_check(case, tokens[user])

    one()


def _run_all(schema: Any, sender: Sender, tokens: dict[str, dict[str, str]]) -> int:
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            label = f"{operation.label} [{mode.value}]"
            try:
                _run_operation(operation, mode, sender, tokens)
            except (Exception, BaseExceptionGroup) as error:
                sender.findings.record(label, error)
    return operations


async def _tokens(world: World, clock: FixedClock) -> dict[str, dict[str, str]]:
    tokens = {}
    for kind, (person, roles) in USERS.items():
        issued = await access.create_api_token(
            world.actors[person], schemas.ApiTokenCreate(name=f"Fuzz {kind}", roles=roles), clock
        )
        tokens[kind] = {"Authorization": f"Bearer {issued.token}"}
    return tokens


def _run_stateful(schema: Any, sender: Sender, headers: dict[str, str]) -> int:
    """Schemathesis's state machine over the links it infers between operations (an id one answer
    returns feeds the path of the next call); returns the number of links it followed."""
    machine = schema.as_state_machine()

    class Portal(machine):  # type: ignore[misc, valid-type]
        def call(self, case: Any, **kwargs: Any) -> Any:
            response = sender.send(case, headers)
            return schemathesis.Response.from_any(response)

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, headers=headers)

    Portal.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.shrink],
        )
    )
    return 0


def _links(described: dict[str, Any]) -> int:
    """The links between operations, as given or as Schemathesis inferred them."""
    return sum(
        len(answer.get("links") or {})
        for item in described.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
        for answer in (operation.get("responses") or {}).values()
        if isinstance(answer, dict)
    )


async def _in_thread(function: Callable[[], int]) -> int:
    return await asyncio.get_running_loop().run_in_executor(None, function)


async def test_every_operation_as_every_kind_of_user_never_fails_and_keeps_to_its_description(
    client: httpx.AsyncClient, world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    await priced_world(world, clock)
    tokens = await _tokens(world, clock)
    described = (await client.get("/api/docs/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(described)
    findings = Findings()
    sender = Sender(client, asyncio.get_running_loop(), findings)

    started = time.monotonic()
    operations = await _in_thread(lambda: _run_all(schema, sender, tokens))

    figure(
        f"\nschemathesis: {operations} operations, {findings.cases} requests in "
        f"{time.monotonic() - started:.0f} s, statuses {dict(sorted(findings.statuses.items()))}, "
        f"{len(findings.failures)} failing"
    )
    assert not findings.failures, "\n\n".join(f"== {k}\n{v}" for k, v in findings.failures.items())
    assert findings.statuses.get(500, 0) == 0


async def test_following_the_links_between_operations_never_fails_and_keeps_to_the_description(
    client: httpx.AsyncClient, world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    await priced_world(world, clock)
    tokens = await _tokens(world, clock)
    schema = schemathesis.openapi.from_dict((await client.get("/api/docs/openapi.json")).json())
    findings = Findings()
    sender = Sender(client, asyncio.get_running_loop(), findings)

    started = time.monotonic()
    for kind, headers in tokens.items():
        try:
            await _in_thread(lambda headers=headers: _run_stateful(schema, sender, headers))  # type: ignore[misc]
        except (Exception, BaseExceptionGroup) as error:
            findings.record(f"stateful as {kind}", error)
    links = _links(schema.raw_schema)

    figure(
        f"\nschemathesis stateful: {links} links, {findings.cases} requests in "
        f"{time.monotonic() - started:.0f} s, statuses {dict(sorted(findings.statuses.items()))}"
    )
    assert not findings.failures, "\n\n".join(f"== {k}\n{v}" for k, v in findings.failures.items())
    assert findings.cases > 0
