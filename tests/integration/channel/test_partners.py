from decimal import Decimal

import pytest

from channel import schemas
from channel.roles import OrgKind, PartnerStatus
from channel.services import access, activity, partners
from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from tests.builders import World


def _store(world: World, supplier: str, code: str = "S9", **overrides: object) -> schemas.OrganisationCreate:
    values: dict[str, object] = {
        "supplier_id": world.org_id(supplier),
        "kind": OrgKind.STORE,
        "code": code,
        "name": f"Store {code}",
        "currency": "EUR",
        "locale": "en",
        **overrides,
    }
    return schemas.OrganisationCreate(**values)  # type: ignore[arg-type]


async def _codes(world: World, actor: str, **filters: object) -> list[str]:
    page = await partners.list_partners(world.actors[actor], schemas.PartnerFilter(limit=200, **filters))  # type: ignore[arg-type]
    return [o.code for o in page.items]


async def test_a_distributor_lists_its_own_subtree_in_tree_order(world: World) -> None:
    assert await _codes(world, "d1_admin") == ["D1", "D1A", "S1", "S1B"]


async def test_a_channel_manager_lists_the_manufacturer_and_the_partners_assigned(world: World) -> None:
    assert await _codes(world, "m_cm") == ["M", "D1", "D1A", "S1", "S1B"]


async def test_the_manufacturer_admin_lists_everyone(world: World) -> None:
    assert await _codes(world, "m_admin") == ["M", "D1", "D1A", "S1", "S1B", "D2", "D2A", "S2"]


async def test_partners_can_be_searched_and_filtered(world: World) -> None:
    assert await _codes(world, "m_admin", q="city s1") == ["S1", "S1B"]
    assert await _codes(world, "m_admin", kind=OrgKind.DISTRIBUTOR, region="WEST") == ["D2", "D2A"]
    assert await _codes(world, "m_admin", partner_level="GOLD") == ["D1"]
    assert await _codes(world, "m_admin", under=world.org_id("D2")) == ["D2", "D2A", "S2"]


async def test_search_treats_like_wildcards_as_plain_characters(world: World) -> None:
    assert await _codes(world, "m_admin", q="%") == []
    assert await _codes(world, "m_admin", q="_") == []


async def test_paging_through_partners_returns_each_exactly_once(world: World) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = await partners.list_partners(
            world.actors["m_admin"], schemas.PartnerFilter(limit=3, cursor=cursor)
        )
        seen += [o.code for o in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ["M", "D1", "D1A", "S1", "S1B", "D2", "D2A", "S2"]


async def test_a_distributor_asking_for_a_sibling_gets_not_found_like_a_missing_partner(world: World) -> None:
    with pytest.raises(NotFoundError) as invisible:
        await partners.get_partner(world.actors["d1_admin"], world.org_id("D2"))
    with pytest.raises(NotFoundError) as missing:
        await partners.get_partner(world.actors["d1_admin"], world.user_ids["m_admin"])

    assert invisible.value.code == missing.value.code


async def test_a_store_cannot_see_its_supplier_record_but_knows_its_name(world: World) -> None:
    with pytest.raises(NotFoundError):
        await partners.get_partner(world.actors["s1_manager"], world.org_id("D1A"))

    supplier = await partners.get_supplier(world.actors["s1_manager"])
    assert supplier is not None and supplier.code == "D1A"


async def test_a_distributor_onboards_a_store_under_its_dealer_and_it_is_audited(
    world: World, clock: FixedClock
) -> None:
    created = await partners.create_partner(world.actors["d1_admin"], _store(world, "D1A"), clock)

    assert (created.depth, created.supplier and created.supplier.code) == (3, "D1A")
    trail = await activity.list_activity(
        world.actors["d1_admin"], schemas.ActivityFilter(organisation_id=created.id)
    )
    assert [(e.action, e.actor_label, e.object_label) for e in trail.items] == [
        ("partner.created", "d1.admin@example.com", "Store S9 (S9)")
    ]


async def test_nobody_can_add_a_partner_under_a_store(world: World, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await partners.create_partner(world.actors["m_admin"], _store(world, "S1"), clock)

    assert refused.value.problems[0].code == "kind_cannot_sit_under"


async def test_a_distributor_cannot_add_a_partner_under_a_sibling(world: World, clock: FixedClock) -> None:
    with pytest.raises(NotFoundError):
        await partners.create_partner(world.actors["d1_admin"], _store(world, "D2"), clock)
    assert "S9" not in await _codes(world, "m_admin")


async def test_a_taken_partner_code_is_refused_and_nothing_is_written(
    world: World, clock: FixedClock
) -> None:
    before = await activity.list_activity(world.actors["m_admin"], schemas.ActivityFilter(limit=200))

    with pytest.raises(ConflictError) as refused:
        await partners.create_partner(world.actors["m_admin"], _store(world, "D1", code="S1"), clock)

    assert refused.value.code == "partner_code_taken"
    after = await activity.list_activity(world.actors["m_admin"], schemas.ActivityFilter(limit=200))
    assert len(after.items) == len(before.items)


async def test_a_buyer_may_not_onboard_partners(world: World, clock: FixedClock) -> None:
    with pytest.raises(PermissionDeniedError):
        await partners.create_partner(world.actors["d1_buyer"], _store(world, "D1"), clock)


async def test_changing_terms_records_before_and_after(world: World, clock: FixedClock) -> None:
    update = schemas.OrganisationUpdate(credit_limit=Decimal("25000.50"), partner_level="GOLD")

    changed = await partners.update_partner(world.actors["m_admin"], world.org_id("D1A"), update, clock)

    assert changed.credit_limit == Decimal("25000.50")
    assert changed.partner_level is not None and changed.partner_level.code == "GOLD"
    entry = (await activity.list_activity(world.actors["m_admin"], schemas.ActivityFilter(limit=1))).items[0]
    assert entry.action == "partner.updated"
    assert entry.before == {"credit_limit": "10000.00", "partner_level": "SILVER"}
    assert entry.after == {"credit_limit": "25000.50", "partner_level": "GOLD"}


async def test_a_partner_cannot_change_its_own_terms(world: World, clock: FixedClock) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        await partners.update_partner(
            world.actors["d1_admin"],
            world.org_id("D1"),
            schemas.OrganisationUpdate(credit_limit=Decimal(10**9)),
            clock,
        )
    assert refused.value.code == "own_terms_set_by_supplier"

    own = await partners.update_partner(
        world.actors["d1_admin"],
        world.org_id("D1"),
        schemas.OrganisationUpdate(phone="+86 21 5555 0000"),
        clock,
    )
    assert (own.phone, own.credit_limit) == ("+86 21 5555 0000", Decimal("10000.00"))


async def test_suspending_a_partner_ends_its_peoples_sessions_at_once(
    world: World, clock: FixedClock
) -> None:
    clock.advance(minutes=5)

    await partners.update_partner(
        world.actors["m_admin"],
        world.org_id("S1"),
        schemas.OrganisationUpdate(status=PartnerStatus.SUSPENDED),
        clock,
    )

    assert await access.actor_for_session(world.user_ids["s1_manager"], clock.now()) is None
    assert await access.actor_for_session(world.user_ids["s2_manager"], clock.now()) is not None


async def test_a_channel_manager_assignment_widens_what_the_manager_sees(
    world: World, clock: FixedClock
) -> None:
    await partners.assign_channel_manager(world.system, world.org_id("D2"), world.user_ids["m_cm"], clock)
    manager = await access.actor_for_session(world.user_ids["m_cm"], clock.now())
    assert manager is not None

    assert manager.sees("M/D2/D2A/S2/")
    await partners.unassign_channel_manager(world.system, world.org_id("D2"), world.user_ids["m_cm"], clock)
    manager = await access.actor_for_session(world.user_ids["m_cm"], clock.now())
    assert manager is not None and not manager.sees("M/D2/D2A/S2/")


async def test_only_a_channel_manager_can_be_assigned(world: World, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await partners.assign_channel_manager(
            world.system, world.org_id("D2"), world.user_ids["m_ops"], clock
        )
    assert refused.value.problems[0].code == "not_a_channel_manager"


async def test_an_unknown_partner_level_is_refused_by_name(world: World, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await partners.create_partner(
            world.actors["m_admin"], _store(world, "D1", partner_level="DIAMOND"), clock
        )

    problem = refused.value.problems[0]
    assert (problem.field, problem.code, problem.params) == (
        "partner_level",
        "unknown_partner_level",
        {"code": "DIAMOND"},
    )
