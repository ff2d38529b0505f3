"""Deal registration: first come, first served; conflicts to the channel manager; protection that ends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import msgspec
import pytest

from channel import schemas as channel_schemas
from channel.roles import OrgKind, PartnerStatus
from channel.services import partners
from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError
from deal_registration import schemas
from deal_registration.services import registrations
from tests.builders import World
from tests.conftest import ON_POSTGRES


def _claim(name: str = "Hangzhou Lakeview Hotel Co., Ltd.", **customer: str) -> schemas.RegistrationCreate:
    return schemas.RegistrationCreate(
        customer=schemas.EndCustomer(company_name=name, country="CN", **customer),
        product_lines=["HOBS"],
        estimated_value=Decimal("250000"),
    )


async def test_a_clear_registration_is_protected_at_once_for_ninety_days(
    world: World, clock: FixedClock
) -> None:
    made = await registrations.register(
        world.actors["d1_sales"], _claim(website="www.lakeview.example"), clock
    )

    assert (made.number, made.status) == ("DR-000001", "protected")
    assert made.protected_until == clock.now() + timedelta(days=90)


async def test_a_second_partner_with_the_same_domain_is_refused_without_learning_who(
    world: World, clock: FixedClock
) -> None:
    await registrations.register(world.actors["d1_sales"], _claim(website="https://lakeview.example"), clock)

    with pytest.raises(ConflictError) as refused:
        await registrations.register(
            world.actors["d2_admin"], _claim("Lakeview Hotel Group", website="sales@lakeview.example"), clock
        )

    assert refused.value.code == "customer_already_registered" and refused.value.params == {}


async def test_a_fuzzy_match_goes_to_the_channel_manager_with_the_evidence(
    world: World, clock: FixedClock
) -> None:
    await registrations.register(world.actors["d2_admin"], _claim("杭州湖景酒店有限公司"), clock)

    mine = await registrations.register(world.actors["d1_sales"], _claim("湖景酒店"), clock)
    seen_by_manager = await registrations.get_registration(world.actors["m_admin"], mine.id)

    assert (mine.status, mine.already_registered, mine.conflicts) == ("under_review", True, [])
    conflict = seen_by_manager.conflicts[0]
    assert conflict.other_partner == "D2 Trading" and conflict.score >= 85
    with pytest.raises(ConflictError):  # D2 was first and is protected
        await registrations.decide(
            world.actors["m_admin"], mine.id, schemas.RegistrationDecision(decision="approve"), clock
        )
    rejected = await registrations.decide(
        world.actors["m_admin"],
        mine.id,
        schemas.RegistrationDecision(decision="reject", reason="D2 registered first"),
        clock,
    )
    assert rejected.status == "rejected"


async def test_other_product_lines_are_no_conflict(world: World, clock: FixedClock) -> None:
    await registrations.register(world.actors["d2_admin"], _claim(website="lakeview.example"), clock)
    laundry = schemas.RegistrationCreate(
        customer=schemas.EndCustomer(
            company_name="Hangzhou Lakeview Hotel", website="lakeview.example", country="CN"
        ),
        product_lines=["LAUNDRY"],
    )

    assert (await registrations.register(world.actors["d1_sales"], laundry, clock)).status == "protected"


async def test_extensions_are_limited_and_protection_expires_by_itself(
    world: World, clock: FixedClock
) -> None:
    made = await registrations.register(world.actors["d1_sales"], _claim(), clock)
    await registrations.extend(world.actors["d1_sales"], made.id, clock)
    extended = await registrations.extend(world.actors["d1_sales"], made.id, clock)
    with pytest.raises(ConflictError):
        await registrations.extend(world.actors["d1_sales"], made.id, clock)

    assert extended.protected_until == clock.now() + timedelta(days=150)
    clock.advance(timedelta(days=149))
    assert await registrations.expire(world.system, clock) == 0
    clock.advance(timedelta(days=1))
    assert await registrations.expire(world.system, clock) == 1
    assert (await registrations.get_registration(world.actors["d1_sales"], made.id)).status == "expired"


async def test_bad_identifiers_are_refused_with_the_field(world: World, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await registrations.register(world.actors["d1_sales"], _claim(tax_id="91350100M000100Y44"), clock)
    assert refused.value.problems[0].field == "customer.tax_id"
    with pytest.raises(InvalidInputError):
        await registrations.register(world.actors["d1_sales"], _claim(phone="12"), clock)


async def test_partners_see_their_own_registrations_only(world: World, clock: FixedClock) -> None:
    made = await registrations.register(world.actors["d1_sales"], _claim(), clock)

    with pytest.raises(NotFoundError):
        await registrations.get_registration(world.actors["d2_admin"], made.id)
    assert [r.number for r in await registrations.list_registrations(world.actors["m_cm"])] == [made.number]


async def test_twenty_partners_registering_one_customer_at_once_leave_exactly_one_protected(
    world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    actors = []
    for n in range(20):
        partner = await partners.create_partner(
            world.system,
            channel_schemas.OrganisationCreate(
                supplier_id=world.org_id("M"),
                kind=OrgKind.DISTRIBUTOR,
                code=f"RACE{n}",
                name=f"Racer {n}",
                currency="CNY",
                locale="en",
                status=PartnerStatus.ACTIVE,
            ),
            clock,
        )
        place = await partners.visible_place(world.system, partner.id)
        # Each racer's sales person: the same role as D1's, in its own organisation.
        actors.append(
            msgspec.structs.replace(
                world.actors["d1_sales"], organisation_id=partner.id, organisation_path=place.path
            )
        )

    async def claim(actor: object) -> str:
        try:
            return (await registrations.register(actor, _claim(), clock)).status  # type: ignore[arg-type]
        except ConflictError:
            return "refused"

    if ON_POSTGRES:
        outcomes = await asyncio.gather(*(claim(a) for a in actors))
    else:  # one writer at a time on SQLite: the same race, queued by BEGIN IMMEDIATE
        outcomes = [await claim(a) for a in actors]

    figure(
        f"{'PostgreSQL' if ON_POSTGRES else 'SQLite (one writer at a time)'}: {len(actors)} partners registering "
        f"one customer -> {outcomes.count('protected')} protected, {outcomes.count('under_review')} under review"
    )
    assert outcomes.count("protected") == 1
    assert outcomes.count("under_review") == 19  # each flagged with the protected one as its conflict


async def test_a_protected_registration_earns_its_deal_discount_on_the_partners_quote(
    world: World, clock: FixedClock
) -> None:
    from pricing import schemas as pricing_schemas
    from pricing.services import quotes
    from tests.integration.pricing.pricing_world import priced_world

    await priced_world(world, clock)
    await registrations.save_programme(
        world.actors["m_admin"],
        schemas.ProgrammeSettings(code="STANDARD", name="Standard", deal_discount_percent=Decimal("5")),
        clock,
    )
    await registrations.register(
        world.actors["d1_sales"], _claim("Lakeview Hotel GmbH", tax_id="DE123456789"), clock
    )
    customer = registrations.quote_customer("Lakeview Hotel GmbH", "DE 123 456 789")

    deal = await registrations.deal_discount(world.org_id("D1"), customer, clock.now())
    quote = await quotes.create_quote(
        world.actors["d1_sales"],
        pricing_schemas.QuoteCreate(
            customer=pricing_schemas.QuoteCustomer(company="Lakeview Hotel GmbH", tax_id="DE 123 456 789"),
            lines=[pricing_schemas.CartLineRequest(sku="HOB", quantity=1)],
        ),
        clock,
        deal=deal,
    )

    steps = quote.versions[-1].priced.lines[0].steps
    assert [(s.kind, s.amount) for s in steps][-1] == ("deal_registration", Decimal("-50.00"))
    assert await registrations.protected_by_another(world.org_id("D2"), customer)
    assert await registrations.deal_discount(world.org_id("D2"), customer, clock.now()) is None


async def test_reviewers_who_see_the_partner_and_then_the_partner_are_told(
    world: World, clock: FixedClock
) -> None:
    from channel.services import notifications

    await registrations.register(world.actors["d1_sales"], _claim("杭州湖景酒店有限公司"), clock)
    theirs = await registrations.register(world.actors["d2_admin"], _claim("湖景酒店"), clock)
    mine = await registrations.register(world.actors["d1a_admin"], _claim("Lakeview Kitchens Ltd"), clock)
    assert theirs.status == "under_review" and mine.status == "protected"

    admin_inbox = await notifications.inbox(world.actors["m_admin"])
    assert [(n.kind, n.params["number"], n.link) for n in admin_inbox] == [
        ("registration.awaits_review", theirs.number, f"/registrations/{theirs.id}")
    ]
    assert admin_inbox[0].params["partner"] == "D2 Trading" and not admin_inbox[0].read
    # m_cm manages D1's part of the channel only: D2's registration is not theirs to hear about.
    assert await notifications.inbox(world.actors["m_cm"]) == []

    await registrations.decide(
        world.actors["m_admin"],
        theirs.id,
        schemas.RegistrationDecision(decision="reject", reason="D1 registered first"),
        clock,
    )
    told = await notifications.inbox(world.actors["d2_admin"])

    assert [(n.kind, n.params["reason"]) for n in told] == [("registration.rejected", "D1 registered first")]
    assert await notifications.inbox(world.actors["d1_sales"]) == []
    await notifications.mark_all_read(world.actors["d2_admin"], clock)
    assert await notifications.unread_count(world.actors["d2_admin"]) == 0
    assert (await notifications.inbox(world.actors["d2_admin"]))[0].read


async def test_registrations_of_different_customers_at_once_each_get_their_own_number(
    world: World, clock: FixedClock
) -> None:
    partners_ = ["d1_sales", "d2_admin", "d1a_admin"]
    made = await asyncio.gather(
        *(
            registrations.register(world.actors[partners_[n % 3]], _claim(f"Customer number {n} Ltd"), clock)
            for n in range(12)
        )
    )

    assert len({m.number for m in made}) == 12
