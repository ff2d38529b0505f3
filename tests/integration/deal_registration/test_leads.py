"""Leads go to a partner of their region in turn, must be taken within a day, and come back when left alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.errors import ConflictError, NotFoundError, PermissionDeniedError
from deal_registration import schemas
from deal_registration.leads import LeadStage, LeadStatus
from deal_registration.services import leads
from tests.builders import World


def _inquiry(company: str = "Hangzhou Lakeview Hotel", **overrides: object) -> schemas.LeadCreate:
    values: dict[str, object] = {"source": "website", "company_name": company, "region": "EAST", **overrides}
    return schemas.LeadCreate(**values)  # type: ignore[arg-type]


def _owner(world: World, lead: schemas.Lead) -> str | None:
    return next((code for code, org in world.orgs.items() if org.id == lead.owner_id), None)


async def test_leads_of_a_region_go_to_its_distributors_in_turn(world: World, clock: FixedClock) -> None:
    m = world.actors["m_admin"]

    first = await leads.create_lead(m, _inquiry("Hotel A"), clock)
    clock.advance(timedelta(minutes=1))
    second = await leads.create_lead(m, _inquiry("Hotel B"), clock)
    west = await leads.create_lead(m, _inquiry("Hotel C", region="WEST"), clock)

    assert (first.status, _owner(world, first)) == (LeadStatus.OFFERED, "D1")
    assert _owner(world, second) == "D1A"
    assert _owner(world, west) == "D2"
    assert first.offer_expires_at == clock.now() - timedelta(minutes=1) + timedelta(hours=24)


async def test_an_offer_not_accepted_within_a_day_goes_to_the_next_partner(
    world: World, clock: FixedClock
) -> None:
    lead = await leads.create_lead(world.actors["m_admin"], _inquiry(), clock)
    clock.advance(timedelta(hours=23, minutes=59))
    assert (await leads.sweep(world.system, clock)).lapsed_offers == 0

    clock.advance(timedelta(minutes=1))
    result = await leads.sweep(world.system, clock)
    moved = await leads.get_lead(world.actors["m_admin"], lead.id)

    assert (result.lapsed_offers, result.dispatched) == (1, 1)
    assert (_owner(world, moved), moved.returned_count) == ("D1A", 1)
    assert [e.kind for e in moved.events] == ["created", "offered", "offer_lapsed", "offered"]
    with pytest.raises(NotFoundError):  # D1 let it go: now its dealer's lead, not D1's to take
        await leads.accept_lead(world.actors["d1_sales"], lead.id, clock)


async def test_a_lapsed_offer_cannot_be_accepted_any_more(world: World, clock: FixedClock) -> None:
    lead = await leads.create_lead(world.actors["m_admin"], _inquiry(), clock)
    clock.advance(timedelta(hours=25))

    with pytest.raises(ConflictError) as refused:
        await leads.accept_lead(world.actors["d1_sales"], lead.id, clock)
    assert refused.value.code == "lead_offer_lapsed"


async def test_an_accepted_lead_without_follow_up_for_fifteen_days_returns_to_the_pool(
    world: World, clock: FixedClock
) -> None:
    lead = await leads.create_lead(world.actors["m_admin"], _inquiry(), clock)
    await leads.accept_lead(world.actors["d1_sales"], lead.id, clock)
    clock.advance(timedelta(days=10))
    await leads.follow_up(
        world.actors["d1_sales"],
        lead.id,
        schemas.LeadFollowUp(note="Called the buyer", stage=LeadStage.MQL),
        clock,
    )
    clock.advance(timedelta(days=14, hours=23))
    assert (await leads.sweep(world.system, clock)).returned_for_no_follow_up == 0

    clock.advance(timedelta(hours=1))
    result = await leads.sweep(world.system, clock)
    moved = await leads.get_lead(world.actors["m_admin"], lead.id)

    assert result.returned_for_no_follow_up == 1
    assert (_owner(world, moved), moved.stage) == ("D1A", LeadStage.MQL)


async def test_a_partner_at_its_cap_receives_no_more_leads(world: World, clock: FixedClock) -> None:
    m = world.actors["m_admin"]
    await leads.set_policy(m, schemas.LeadPolicy(private_pool_cap=1), clock)

    owners = [_owner(world, await leads.create_lead(m, _inquiry(f"Hotel {n}"), clock)) for n in range(3)]

    assert owners == ["D1", "D1A", None]  # the third stays in the pool: both have their one lead
    with pytest.raises(ConflictError):
        pooled = (await leads.list_leads(m, schemas.LeadFilter(status=LeadStatus.POOLED)))[0]
        await leads.dispatch_lead(m, pooled.id, schemas.LeadDispatch(partner_id=world.org_id("D1")), clock)


async def test_a_declined_lead_moves_on_and_never_comes_back_to_the_decliner(
    world: World, clock: FixedClock
) -> None:
    m = world.actors["m_admin"]
    lead = await leads.create_lead(m, _inquiry(), clock)

    declined = await leads.decline_lead(
        world.actors["d1_admin"], lead.id, schemas.LeadDecline(reason="No installers there"), clock
    )
    again = await leads.decline_lead(world.actors["d1a_admin"], lead.id, schemas.LeadDecline(), clock)

    assert _owner(world, declined) == "D1A"
    assert (again.status, again.owner_id) == (LeadStatus.POOLED, None)  # nobody left in the region


async def test_a_new_inquiry_from_a_pooled_customer_is_flagged_and_its_last_owner_told(
    world: World, clock: FixedClock
) -> None:
    m = world.actors["m_admin"]
    lead = await leads.create_lead(m, _inquiry(contact_email="buyer@lakeview.example"), clock)
    await leads.decline_lead(world.actors["d1_admin"], lead.id, schemas.LeadDecline(), clock)
    await leads.decline_lead(world.actors["d1a_admin"], lead.id, schemas.LeadDecline(), clock)

    again = await leads.create_lead(
        m, _inquiry("Lakeview Hotel Group", contact_email="buyer@lakeview.example"), clock
    )

    assert again.id == lead.id and again.reinquiry
    from channel import schemas as channel_schemas
    from channel.services import activity

    told = await activity.list_activity(world.actors["d1a_admin"], channel_schemas.ActivityFilter())
    assert any(e.action == "lead.returned_inquiry" for e in told.items)


async def test_partners_see_only_their_own_leads_and_never_the_pool(world: World, clock: FixedClock) -> None:
    m = world.actors["m_admin"]
    east = await leads.create_lead(m, _inquiry("Hotel A"), clock)
    await leads.create_lead(m, _inquiry("Hotel W", region="WEST"), clock)
    await leads.create_lead(m, _inquiry("Hotel N", region="NORTH"), clock)  # nobody there: stays pooled

    assert [
        x.company_name for x in await leads.list_leads(world.actors["d1_sales"], schemas.LeadFilter())
    ] == ["Hotel A"]
    assert len(await leads.list_leads(m, schemas.LeadFilter())) == 3
    with pytest.raises(NotFoundError):
        await leads.get_lead(world.actors["d2_admin"], east.id)
    with pytest.raises(PermissionDeniedError):
        await leads.list_leads(world.actors["d1_warehouse"], schemas.LeadFilter())
    with pytest.raises(NotFoundError):  # a dealer does not see its supplier's leads
        await leads.accept_lead(world.actors["d1a_admin"], east.id, clock)


async def test_the_funnel_counts_each_stage_reached_and_the_conversion(
    world: World, clock: FixedClock
) -> None:
    m = world.actors["m_admin"]
    sales = world.actors["d1_sales"]
    for name, stages in [
        ("A", [LeadStage.MQL, LeadStage.SQL, LeadStage.WON]),
        ("B", [LeadStage.MQL, LeadStage.LOST]),
        ("C", []),
    ]:
        lead = await leads.create_lead(m, _inquiry(f"Hotel {name}"), clock)
        if _owner(world, lead) != "D1":
            lead = await leads.decline_lead(world.actors["d1a_admin"], lead.id, schemas.LeadDecline(), clock)
        assert _owner(world, lead) == "D1"
        await leads.accept_lead(sales, lead.id, clock)
        for stage in stages:
            await leads.follow_up(sales, lead.id, schemas.LeadFollowUp(note="progress", stage=stage), clock)

    overall = (await leads.funnel(m, "source")).rows[0]

    assert overall.reached == {"uql": 3, "mql": 2, "sql": 1, "won": 1, "lost": 1}
    assert str(overall.conversion["uql->mql"]) == "0.6667"
    assert str(overall.conversion["won_rate"]) == "0.5000"


async def test_a_qualified_lead_becomes_a_deal_registration_in_one_step(
    world: World, clock: FixedClock
) -> None:
    d1 = world.actors["d1_sales"]
    lead = await leads.create_lead(
        world.actors["m_admin"],
        _inquiry("杭州湖景酒店有限公司", contact_email="wang@lakeview.example", country="CN"),
        clock,
    )
    await leads.accept_lead(d1, lead.id, clock)
    with pytest.raises(ConflictError) as early:  # an unqualified inquiry is not yet a deal
        await leads.register_deal(d1, lead.id, schemas.LeadRegistration(), clock)
    await leads.follow_up(d1, lead.id, schemas.LeadFollowUp(note="Site visit", stage=LeadStage.SQL), clock)

    registration = await leads.register_deal(
        d1,
        lead.id,
        schemas.LeadRegistration(product_lines=["OVENS"], estimated_value=Decimal("80000")),
        clock,
    )
    after = await leads.get_lead(d1, lead.id)

    assert early.value.code == "lead_not_qualified"
    assert registration.status == "protected"
    assert registration.customer.company_name == "杭州湖景酒店有限公司"
    assert registration.customer.website == "wang@lakeview.example"  # the e-mail's domain is a key
    assert after.registration_id == registration.id
    assert after.events[-1].kind == "registered" and after.events[-1].note == registration.number
    with pytest.raises(ConflictError) as twice:
        await leads.register_deal(d1, lead.id, schemas.LeadRegistration(), clock)
    assert twice.value.code == "lead_already_registered"


async def test_a_lead_for_a_customer_protected_elsewhere_is_refused_and_stays_unregistered(
    world: World, clock: FixedClock
) -> None:
    from deal_registration.services import registrations

    await registrations.register(
        world.actors["d2_admin"],
        schemas.RegistrationCreate(
            customer=schemas.EndCustomer(
                company_name="Lakeview Hotel", website="lakeview.example", country="CN"
            )
        ),
        clock,
    )
    d1 = world.actors["d1_sales"]
    lead = await leads.create_lead(
        world.actors["m_admin"], _inquiry("Lakeview Hotel", contact_email="li@lakeview.example"), clock
    )
    await leads.accept_lead(d1, lead.id, clock)
    await leads.follow_up(d1, lead.id, schemas.LeadFollowUp(note="Qualified", stage=LeadStage.MQL), clock)

    with pytest.raises(ConflictError) as refused:
        await leads.register_deal(d1, lead.id, schemas.LeadRegistration(), clock)

    assert refused.value.code == "customer_already_registered"
    assert (await leads.get_lead(d1, lead.id)).registration_id is None


async def test_the_partner_offered_a_lead_is_told_with_a_link_to_it(world: World, clock: FixedClock) -> None:
    from channel.services import notifications

    lead = await leads.create_lead(
        world.actors["m_admin"], _inquiry(contact_email="li@lakeview.example"), clock
    )
    await leads.accept_lead(world.actors["d1_sales"], lead.id, clock)
    await leads.decline_lead(world.actors["d1_sales"], lead.id, schemas.LeadDecline(reason="busy"), clock)
    offered = await notifications.inbox(world.actors["d1_sales"])
    assert [(n.kind, n.params["number"], n.link) for n in offered] == [
        ("lead.offered", lead.number, f"/leads/{lead.id}")
    ]
