"""People over JSON: users, invitations, roles and suspension."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from channel import schemas
from channel.roles import UserStatus
from channel.services import people
from portal.dependencies import CurrentActor, CurrentClock


class UserStatusChange(msgspec.Struct, forbid_unknown_fields=True):
    status: UserStatus


class UsersController(Controller):
    path = "/users"
    tags = ["People"]

    @get("/", operation_id="ListUsers", summary="People I may see, optionally of one organisation")
    async def list_users(
        self,
        actor: CurrentActor,
        organisation_id: FromQuery[UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> schemas.Page[schemas.User]:
        return await people.list_users(actor, organisation_id, cursor, limit)

    @get("/{user_id:uuid}", operation_id="GetUser", summary="One person")
    async def get_user(self, actor: CurrentActor, user_id: FromPath[UUID]) -> schemas.User:
        return await people.get_user(actor, user_id)

    @put("/{user_id:uuid}/roles", operation_id="ChangeUserRoles", summary="Replace a person's roles")
    async def change_roles(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        user_id: FromPath[UUID],
        data: JSONBody[schemas.UserRolesUpdate],
    ) -> schemas.User:
        return await people.change_roles(actor, user_id, data.roles, clock)

    @put("/{user_id:uuid}/status", operation_id="ChangeUserStatus", summary="Suspend or reactivate a person")
    async def change_status(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        user_id: FromPath[UUID],
        data: JSONBody[UserStatusChange],
    ) -> schemas.User:
        return await people.set_user_status(actor, user_id, data.status, clock)

    @post(
        "/{user_id:uuid}/invitation",
        operation_id="ReissueInvitation",
        summary="A new invitation link for someone who has not accepted yet",
    )
    async def reissue_invitation(
        self, actor: CurrentActor, clock: CurrentClock, user_id: FromPath[UUID]
    ) -> schemas.InvitationIssued:
        return await people.reissue_invitation(actor, user_id, clock)


class InvitationsController(Controller):
    path = "/invitations"
    tags = ["People"]

    @get("/", operation_id="ListInvitations", summary="Invitations not yet accepted, revoked or expired")
    async def list_invitations(self, actor: CurrentActor, clock: CurrentClock) -> list[schemas.Invitation]:
        return await people.list_open_invitations(actor, clock)

    @post("/", operation_id="InviteUser", summary="Invite a person; the answer holds the link's token, once")
    async def invite_user(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.InvitationCreate]
    ) -> schemas.InvitationIssued:
        return await people.invite_user(actor, data, clock)

    @delete("/{invitation_id:uuid}", operation_id="RevokeInvitation", summary="Revoke an open invitation")
    async def revoke_invitation(
        self, actor: CurrentActor, clock: CurrentClock, invitation_id: FromPath[UUID]
    ) -> None:
        await people.revoke_invitation(actor, invitation_id, clock)
