"""Plain builders: a small channel with people in every role, made through the real services.

    M (manufacturer)
    ├── D1 (tier-1, Gold, East) ── D1A (tier-2) ── S1, S1B (stores)
    └── D2 (tier-1, Silver, West) ── D2A (tier-2) ── S2 (store)

Each organisation also has a "target" person (``t_<code>``) that tests may change without touching
anybody who acts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from channel import schemas
from channel.roles import ROLES_BY_KIND, OrgKind, PartnerStatus, Role
from channel.services import access, partners, people, reference, setup
from channel.visibility import Actor
from core.clock import Clock

PASSWORD = "correct horse battery staple"

# actor name -> (organisation code, roles)
ACTORS: dict[str, tuple[str, list[Role]]] = {
    "m_admin": ("M", [Role.MANUFACTURER_ADMIN]),
    "m_cm": ("M", [Role.CHANNEL_MANAGER]),
    "m_ops": ("M", [Role.SALES_OPS]),
    "d1_admin": ("D1", [Role.DISTRIBUTOR_ADMIN]),
    "d1_buyer": ("D1", [Role.BUYER]),
    "d1_sales": ("D1", [Role.SALES]),
    "d1_warehouse": ("D1", [Role.WAREHOUSE]),
    "d1a_admin": ("D1A", [Role.DISTRIBUTOR_ADMIN]),
    "d2_admin": ("D2", [Role.DISTRIBUTOR_ADMIN]),
    "s1_manager": ("S1", [Role.STORE_MANAGER]),
    "s1_clerk": ("S1", [Role.CLERK]),
    "s2_manager": ("S2", [Role.STORE_MANAGER]),
}

# organisation code -> (supplier code, kind, level, region)
ORGANISATIONS: dict[str, tuple[str, OrgKind, str | None, str | None]] = {
    "D1": ("M", OrgKind.DISTRIBUTOR, "GOLD", "EAST"),
    "D2": ("M", OrgKind.DISTRIBUTOR, "SILVER", "WEST"),
    "D1A": ("D1", OrgKind.DISTRIBUTOR, "SILVER", "EAST"),
    "D2A": ("D2", OrgKind.DISTRIBUTOR, None, "WEST"),
    "S1": ("D1A", OrgKind.STORE, None, "EAST"),
    "S1B": ("D1A", OrgKind.STORE, None, "EAST"),
    "S2": ("D2A", OrgKind.STORE, None, "WEST"),
}


def email_of(name: str) -> str:
    return f"{name.replace('_', '.')}@example.com"


@dataclass
class World:
    clock: Clock
    system: Actor
    orgs: dict[str, schemas.Organisation] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    user_ids: dict[str, UUID] = field(default_factory=dict)

    def org_id(self, code: str) -> UUID:
        return self.orgs[code].id


async def add_person(
    actor: Actor, clock: Clock, organisation_id: UUID, email: str, roles: list[Role], name: str = ""
) -> UUID:
    """Invite and accept at once: a person who can sign in with ``PASSWORD``."""
    issued = await people.invite_user(
        actor,
        schemas.InvitationCreate(
            organisation_id=organisation_id,
            email=email,
            display_name=name or email.split("@")[0],
            roles=roles,
        ),
        clock,
    )
    return await people.accept_invitation(issued.token, PASSWORD, clock)


async def signed_in(user_id: UUID, clock: Clock) -> Actor:
    actor = await access.actor_for_session(user_id, clock.now())
    assert actor is not None
    return actor


async def build_world(clock: Clock) -> World:
    await setup.create_manufacturer(
        setup.ManufacturerCreate(code="M", name="M Trading", currency="EUR", locale="en", country="DE"), clock
    )
    world = World(clock=clock, system=await access.system_actor())
    world.orgs["M"] = await partners.get_partner(world.system, world.system.organisation_id)
    for code, name, rank in (("GOLD", "Gold", 1), ("SILVER", "Silver", 2)):
        await reference.create_partner_level(
            world.system, schemas.PartnerLevelCreate(code=code, name=name, rank=rank), clock
        )
    for code, name in (("EAST", "East"), ("WEST", "West")):
        await reference.create_region(world.system, schemas.RegionCreate(code=code, name=name), clock)
    for code, (supplier, kind, level, region) in ORGANISATIONS.items():
        world.orgs[code] = await partners.create_partner(
            world.system,
            schemas.OrganisationCreate(
                supplier_id=world.org_id(supplier),
                kind=kind,
                code=code,
                name=f"{code} Trading",
                currency="EUR",
                locale="en",
                partner_level=level,
                region=region,
                credit_limit=Decimal("10000"),
                status=PartnerStatus.ACTIVE,
                city=f"City {code}",
            ),
            clock,
        )
    for name, (code, roles) in ACTORS.items():
        world.user_ids[name] = await add_person(
            world.system, clock, world.org_id(code), email_of(name), roles, name
        )
    for code, org in world.orgs.items():
        basic = ROLES_BY_KIND[org.kind][-1]
        world.user_ids[f"t_{code}"] = await add_person(
            world.system, clock, org.id, f"target.{code.lower()}@example.com", [basic], f"Target {code}"
        )
    await partners.assign_channel_manager(world.system, world.org_id("D1"), world.user_ids["m_cm"], clock)
    for name in ACTORS:
        world.actors[name] = await signed_in(world.user_ids[name], clock)
    return world
