"""Safe retries: a creating call sent again with the same ``Idempotency-Key`` gets the first answer.

Stripe's semantics: the same key with the same body replays the stored answer; the same key with a
different body is refused; the record is written in the creating transaction, so an answer is only
ever replayed for something that was committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import msgspec

from channel import repository
from channel.transactions import hold_lock, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError

MAX_KEY_LENGTH = 200


class StoredAnswer(msgspec.Struct, frozen=True):
    status_code: int
    body: bytes
    replayed: bool


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInputError.single("Idempotency-Key", "bad_idempotency_key", maximum=MAX_KEY_LENGTH)
    return key


def _replay(record: repository.IdempotencyAnswer, fingerprint: str) -> StoredAnswer:
    if record.request_hash != fingerprint:
        raise ConflictError("idempotency_key_reused")
    return StoredAnswer(status_code=record.status_code, body=record.response_body.encode(), replayed=True)


async def answer_once(
    actor: Actor,
    clock: Clock,
    route: str,
    key: str,
    fingerprint: str,
    produce: Callable[[], Awaitable[tuple[int, bytes]]],
) -> StoredAnswer:
    """Run ``produce`` at most once per (organisation, route, key); otherwise replay its answer."""
    check_key(key)
    async with write_transaction():
        # Requests with one key wait for each other, so the second finds the first's answer
        # instead of racing it through the use case's own checks.
        await hold_lock(f"idempotency:{actor.organisation_id}:{route}:{key}")
        found = await repository.find_idempotency_answer(actor.organisation_id, route, key)
        if found is not None:
            return _replay(found, fingerprint)
        status_code, body = await produce()
        await repository.insert_idempotency_answer(
            repository.IdempotencyAnswer(
                organisation_id=actor.organisation_id,
                route=route,
                key=key,
                request_hash=fingerprint,
                status_code=status_code,
                response_body=body.decode(),
            ),
            clock.now(),
        )
    return StoredAnswer(status_code=status_code, body=body, replayed=False)
