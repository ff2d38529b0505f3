import asyncio
from collections.abc import Callable

import msgspec
import pytest

from channel import schemas
from channel.idempotency import answer_once, request_fingerprint
from channel.roles import OrgKind
from channel.services import partners
from core.clock import FixedClock
from core.errors import ConflictError
from tests.builders import World


def _command(world: World, code: str) -> schemas.OrganisationCreate:
    return schemas.OrganisationCreate(
        supplier_id=world.org_id("D1"),
        kind=OrgKind.STORE,
        code=code,
        name=f"Store {code}",
        currency="EUR",
        locale="en",
    )


async def _create_once(world: World, clock: FixedClock, key: str, code: str) -> tuple[int, bytes, bool]:
    actor = world.actors["d1_admin"]
    body = msgspec.json.encode(_command(world, code))

    async def produce() -> tuple[int, bytes]:
        return 201, msgspec.json.encode(await partners.create_partner(actor, _command(world, code), clock))

    answer = await answer_once(
        actor, clock, "POST /api/partners", key, request_fingerprint("POST", "/api/partners", body), produce
    )
    return answer.status_code, answer.body, answer.replayed


async def _store_codes(world: World) -> list[str]:
    page = await partners.list_partners(
        world.actors["d1_admin"], schemas.PartnerFilter(kind=OrgKind.STORE, limit=200)
    )
    return [o.code for o in page.items]


async def test_a_retry_with_the_same_key_replays_the_first_answer(world: World, clock: FixedClock) -> None:
    first = await _create_once(world, clock, "key-1", "S77")
    second = await _create_once(world, clock, "key-1", "S77")

    assert first[:2] == second[:2]
    assert (first[2], second[2]) == (False, True)
    assert (await _store_codes(world)).count("S77") == 1


async def test_the_same_key_with_another_body_is_refused(world: World, clock: FixedClock) -> None:
    await _create_once(world, clock, "key-2", "S78")

    with pytest.raises(ConflictError) as refused:
        await _create_once(world, clock, "key-2", "S79")

    assert refused.value.code == "idempotency_key_reused"
    assert "S79" not in await _store_codes(world)


async def test_keys_are_per_organisation(world: World, clock: FixedClock) -> None:
    await _create_once(world, clock, "shared-key", "S80")
    actor = world.actors["d2_admin"]
    command = schemas.OrganisationCreate(
        supplier_id=world.org_id("D2"),
        kind=OrgKind.STORE,
        code="S81",
        name="S81",
        currency="EUR",
        locale="en",
    )

    async def produce() -> tuple[int, bytes]:
        return 201, msgspec.json.encode(await partners.create_partner(actor, command, clock))

    answer = await answer_once(actor, clock, "POST /api/partners", "shared-key", "other-fingerprint", produce)

    assert not answer.replayed


async def test_twenty_simultaneous_retries_with_one_key_create_one_partner(
    world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    answers = await asyncio.gather(*(_create_once(world, clock, "burst", "S90") for _ in range(20)))

    figure(
        f"20 simultaneous requests with one key -> {sum(1 for _, _, replayed in answers if not replayed)} "
        f"made, {sum(1 for _, _, replayed in answers if replayed)} replays"
    )
    assert {status for status, _, _ in answers} == {201}
    assert len({body for _, body, _ in answers}) == 1
    assert sum(1 for _, _, replayed in answers if not replayed) == 1
    assert (await _store_codes(world)).count("S90") == 1
