"""The figures on each portal's home page, always for the actor's own scope."""

from __future__ import annotations

from channel import repository, schemas
from channel.roles import OrgKind, Permission, UserStatus
from channel.transactions import read_transaction
from channel.visibility import Actor, Scope
from core.clock import Clock
from core.errors import NotFoundError


async def network_overview(actor: Actor, clock: Clock) -> schemas.NetworkOverview:
    """Partners below the actor (or assigned to them), people, and invitations still open.

    Without VIEW_NETWORK (a store clerk) the figures cover the actor's own organisation only.
    """
    scope = (
        actor.scope
        if actor.can(Permission.VIEW_NETWORK)
        else Scope(everything=False, singles=(actor.organisation_path,))
    )
    async with read_transaction():
        organisation = await repository.find_organisation(actor.organisation_id)
        partners = await repository.count_partners(scope, exclude_path=actor.organisation_path)
        users = await repository.count_users(scope)
        pending = await repository.count_open_invitations(scope, clock.now())
    if organisation is None:
        raise NotFoundError("organisation_not_found")
    by_status: dict[str, int] = {}
    for (_, status), n in partners.items():
        by_status[status] = by_status.get(status, 0) + n
    return schemas.NetworkOverview(
        organisation=schemas.OrganisationRef(
            id=organisation.id, code=organisation.code, name=organisation.name, kind=organisation.kind
        ),
        distributors=sum(n for (kind, _), n in partners.items() if kind == OrgKind.DISTRIBUTOR),
        stores=sum(n for (kind, _), n in partners.items() if kind == OrgKind.STORE),
        partners_by_status=by_status,
        users=sum(users.values()),
        active_users=users.get(UserStatus.ACTIVE.value, 0),
        pending_invitations=pending,
    )
