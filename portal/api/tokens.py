"""API tokens of one's own organisation: created by its admin, shown once, revocable."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from channel import schemas
from channel.services import access
from portal.dependencies import CurrentActor, CurrentClock


class ApiTokensController(Controller):
    path = "/api-tokens"
    tags = ["API tokens"]

    @get("/", operation_id="ListApiTokens", summary="My organisation's API tokens (never their secrets)")
    async def list_tokens(self, actor: CurrentActor) -> list[schemas.ApiToken]:
        return await access.list_api_tokens(actor)

    @post("/", operation_id="CreateApiToken", summary="Create a token; its secret is in this answer only")
    async def create_token(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.ApiTokenCreate]
    ) -> schemas.ApiTokenIssued:
        return await access.create_api_token(actor, data, clock)

    @delete("/{token_id:uuid}", operation_id="RevokeApiToken", summary="Revoke a token at once")
    async def revoke_token(self, actor: CurrentActor, clock: CurrentClock, token_id: FromPath[UUID]) -> None:
        await access.revoke_api_token(actor, token_id, clock)
