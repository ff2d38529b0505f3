"""``Idempotency-Key`` for creating API calls: the same key and body replay the first answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.params import HeaderParameter

from channel.idempotency import answer_once, request_fingerprint
from portal.dependencies import CurrentActor, CurrentClock

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Send the same key again to retry safely: the first answer is replayed.",
    ),
]


async def create_once(
    request: Request[Any, Any, Any],
    actor: CurrentActor,
    clock: CurrentClock,
    key: str | None,
    create: Callable[[], Awaitable[msgspec.Struct]],
) -> Response[Any]:
    """201 with what ``create`` made; with a key, at most once per organisation, route and key."""
    if key is None:
        return Response(content=await create(), status_code=201)

    async def produce() -> tuple[int, bytes]:
        return 201, msgspec.json.encode(await create())

    route = f"{request.method} {request.scope['path_template']}"
    fingerprint = request_fingerprint(request.method, request.url.path, await request.body())
    answer = await answer_once(actor, clock, route, key, fingerprint, produce)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return Response(
        content=answer.body, status_code=answer.status_code, media_type=MediaType.JSON, headers=headers
    )
