"""A partner's ERP uses the API with a token: no cookies, no CSRF, its organisation's scope only."""

from __future__ import annotations

import httpx

from channel import schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from tests.builders import World


async def _token(
    world: World, clock: FixedClock, actor: str = "d1_admin", roles: list[Role] | None = None
) -> str:
    issued = await access.create_api_token(
        world.actors[actor],
        schemas.ApiTokenCreate(name="ERP", roles=roles or [Role.DISTRIBUTOR_ADMIN]),
        clock,
    )
    return issued.token


async def test_a_token_reads_its_organisations_scope(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    headers = {"Authorization": f"Bearer {await _token(world, clock)}"}

    me = (await client.get("/api/me", headers=headers)).json()
    codes = [p["code"] for p in (await client.get("/api/partners", headers=headers)).json()["items"]]

    assert (me["organisation"]["code"], me["user"]) == ("D1", None)
    assert codes == ["D1", "D1A", "S1", "S1B"]


async def test_a_token_creates_partners_without_a_csrf_token(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    headers = {"Authorization": f"Bearer {await _token(world, clock)}"}
    body = {
        "supplier_id": str(world.org_id("D1A")),
        "kind": "store",
        "code": "s-erp",
        "name": "ERP shop",
        "currency": "EUR",
        "locale": "en",
    }

    answer = await client.post("/api/partners", json=body, headers=headers)

    assert answer.status_code == 201
    assert answer.json()["code"] == "S-ERP"


async def test_a_retried_creation_with_the_same_idempotency_key_returns_the_same_partner(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    headers = {"Authorization": f"Bearer {await _token(world, clock)}", "Idempotency-Key": "order-sync-42"}
    body = {
        "supplier_id": str(world.org_id("D1A")),
        "kind": "store",
        "code": "S-IDEM",
        "name": "Shop",
        "currency": "EUR",
        "locale": "en",
    }

    first = await client.post("/api/partners", json=body, headers=headers)
    again = await client.post("/api/partners", json=body, headers=headers)
    other = await client.post("/api/partners", json={**body, "name": "Another"}, headers=headers)

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.json()["code"] == "idempotency_key_reused"


async def test_an_unknown_or_revoked_token_is_refused(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    token = await _token(world, clock)
    token_id = (await access.list_api_tokens(world.actors["d1_admin"]))[0].id
    await access.revoke_api_token(world.actors["d1_admin"], token_id, clock)

    revoked = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    unknown = await client.get("/api/me", headers={"Authorization": "Bearer cpt_nothing"})
    basic = await client.get("/api/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert [revoked.status_code, unknown.status_code, basic.status_code] == [401, 401, 401]
    assert revoked.headers["content-type"].startswith("application/problem+json")


async def test_a_token_with_a_clerk_role_cannot_list_partners(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    token = await _token(world, clock, actor="s1_manager", roles=[Role.CLERK])

    answer = await client.get("/api/partners", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 403
