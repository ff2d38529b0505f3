"""The partner network over JSON: list, read, onboard, change, and assign channel managers."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from channel import schemas
from channel.roles import OrgKind, PartnerStatus
from channel.services import partners
from portal.api.idempotency import IdempotencyKey, create_once
from portal.dependencies import CurrentActor, CurrentClock


class PartnersController(Controller):
    path = "/partners"
    tags = ["Partners"]

    @get("/", operation_id="ListPartners", summary="Partners I may see, in tree order")
    async def list_partners(
        self,
        actor: CurrentActor,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        kind: FromQuery[OrgKind | None] = None,
        partner_level: Annotated[str | None, QueryParameter(max_length=32)] = None,
        region: Annotated[str | None, QueryParameter(max_length=32)] = None,
        status: FromQuery[PartnerStatus | None] = None,
        under: FromQuery[UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> schemas.Page[schemas.OrganisationSummary]:
        return await partners.list_partners(
            actor,
            schemas.PartnerFilter(
                q=q,
                kind=kind,
                partner_level=partner_level,
                region=region,
                status=status,
                under=under,
                cursor=cursor,
                limit=limit,
            ),
        )

    @post("/", operation_id="CreatePartner", summary="Onboard a distributor or store under a partner")
    async def create_partner(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        clock: CurrentClock,
        data: JSONBody[schemas.OrganisationCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Any]:
        return await create_once(
            request, actor, clock, idempotency_key, lambda: partners.create_partner(actor, data, clock)
        )

    @get("/{partner_id:uuid}", operation_id="GetPartner", summary="A partner's full record")
    async def get_partner(self, actor: CurrentActor, partner_id: FromPath[UUID]) -> schemas.Organisation:
        return await partners.get_partner(actor, partner_id)

    @patch("/{partner_id:uuid}", operation_id="UpdatePartner", summary="Change a partner's terms or profile")
    async def update_partner(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        data: JSONBody[schemas.OrganisationUpdate],
    ) -> schemas.Organisation:
        return await partners.update_partner(actor, partner_id, data, clock)

    @put(
        "/{partner_id:uuid}/channel-managers/{manager_id:uuid}",
        operation_id="AssignChannelManager",
        summary="Make a channel manager responsible for the partner",
        status_code=204,
    )
    async def assign_channel_manager(
        self, actor: CurrentActor, clock: CurrentClock, partner_id: FromPath[UUID], manager_id: FromPath[UUID]
    ) -> None:
        await partners.assign_channel_manager(actor, partner_id, manager_id, clock)

    @delete(
        "/{partner_id:uuid}/channel-managers/{manager_id:uuid}",
        operation_id="UnassignChannelManager",
        summary="Remove a channel manager from the partner",
    )
    async def unassign_channel_manager(
        self, actor: CurrentActor, clock: CurrentClock, partner_id: FromPath[UUID], manager_id: FromPath[UUID]
    ) -> None:
        await partners.unassign_channel_manager(actor, partner_id, manager_id, clock)


class ChannelManagersController(Controller):
    path = "/channel-managers"
    tags = ["Partners"]

    @get("/", operation_id="ListChannelManagers", summary="The manufacturer's active channel managers")
    async def list_channel_managers(self, actor: CurrentActor) -> list[schemas.UserRef]:
        return await partners.list_channel_managers(actor)
