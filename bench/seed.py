"""A channel for the order benchmarks: a manufacturer, a distributor and its stores, products on the
list price. Import after ``scratch_database`` (the services read DATABASE_URL on import)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec


class Channel(msgspec.Struct):
    seller: Any  # the distributor's admin (an Actor)
    buyers: list[Any]  # each store's manager
    skus: list[str]


async def order_channel(products: int, stores: int = 1) -> Channel:
    from channel import repository as channel_repository
    from channel import schemas as channel_schemas
    from channel.roles import OrgKind, PartnerStatus, Role
    from channel.services import access, partners, setup
    from channel.visibility import Actor
    from core.clock import SystemClock
    from pricing import schemas as pricing_schemas
    from pricing.services import catalogue, price_books

    clock = SystemClock()
    await setup.create_manufacturer(
        setup.ManufacturerCreate(code="ACME", name="Acme", currency="EUR", locale="en"), clock
    )
    system = await access.system_actor()

    async def partner(supplier_id: Any, kind: OrgKind, code: str) -> Any:
        return await partners.create_partner(
            system,
            channel_schemas.OrganisationCreate(
                supplier_id=supplier_id,
                kind=kind,
                code=code,
                name=code.title(),
                currency="EUR",
                locale="en",
                status=PartnerStatus.ACTIVE,
            ),
            clock,
        )

    async def actor(org_id: Any, kind: OrgKind, role: Role) -> Actor:
        place = await channel_repository.find_org_place(org_id)
        assert place is not None
        return Actor(
            organisation_id=place.id,
            organisation_kind=kind,
            organisation_path=place.path,
            roles=frozenset({role}),
            label="bench",
        )

    distributor = await partner(system.organisation_id, OrgKind.DISTRIBUTOR, "DIST")
    buyers = [
        await actor(
            (await partner(distributor.id, OrgKind.STORE, f"SHOP{n:03d}")).id,
            OrgKind.STORE,
            Role.STORE_MANAGER,
        )
        for n in range(stores)
    ]
    await catalogue.create_category(
        system, pricing_schemas.CategoryCreate(code="ALL", names={"en": "All"}), clock
    )
    skus = [f"P-{n:04d}" for n in range(products)]
    for sku in skus:
        await catalogue.create_product(
            system, pricing_schemas.ProductCreate(sku=sku, names={"en": sku}, category="ALL"), clock
        )
    await price_books.create_price_book(
        system,
        pricing_schemas.PriceBookCreate(
            code="LIST",
            currency="EUR",
            kind="list",
            entries=[pricing_schemas.PriceEntry(sku=sku, unit_price=Decimal("10")) for sku in skus],
        ),
        clock,
    )
    seller = await actor(distributor.id, OrgKind.DISTRIBUTOR, Role.DISTRIBUTOR_ADMIN)
    return Channel(seller=seller, buyers=buyers, skus=skus)
