"""Rebate programmes over the API: defined by the manufacturer, seen by the stores they enrol."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import httpx

from channel import schemas as channel_schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from incentives import schemas
from incentives.commissions import Split
from incentives.services import commissions, programmes, settlements
from ordering.schemas import Order
from tests.api.conftest import sign_in, unsafe_headers
from tests.builders import World, email_of
from tests.integration.incentives.incentive_world import (
    commission_plan,
    received_order,
    store_programme,
    worked_lead,
)
from tests.integration.pricing.pricing_world import priced_world

PROGRAMME = {
    "code": "STORES-Q",
    "name": "Store quarterly rebate",
    "currency": "EUR",
    "starts_on": "2026-10-01",
    "definition": {
        "period": "quarter",
        "basis": {"type": "sell_in"},
        "tiers": [{"threshold": "1000", "percent": "1"}, {"threshold": "5000", "percent": "2"}],
        "mode": "slab",
        "enrolment": {"partner_kinds": ["store"]},
    },
}


async def _token(world: World, clock: FixedClock, actor: str, role: Role) -> dict[str, str]:
    issued = await access.create_api_token(
        world.actors[actor], channel_schemas.ApiTokenCreate(name=f"{actor} ERP", roles=[role]), clock
    )
    return {"Authorization": f"Bearer {issued.token}"}


async def test_the_manufacturer_defines_a_programme_and_a_store_sees_its_standing(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    factory = await _token(world, clock, "m_admin", Role.MANUFACTURER_ADMIN)
    till = await _token(world, clock, "s1_manager", Role.CLERK)
    await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)

    created = await client.post("/api/rebate-programmes", json=PROGRAMME, headers=factory)
    mine = await client.get("/api/rebate-accruals", headers=till)
    overview = await client.get(f"/api/rebate-programmes/{created.json()['id']}/accruals", headers=factory)

    assert created.status_code == 201
    assert created.json()["definition"]["basis"] == {
        "type": "sell_in",
        "scope": {"skus": [], "categories": []},
    }
    assert mine.status_code == 200
    [standing] = mine.json()
    # Slabs: 1% of the 2,000 above 1,000; the projection of 5,111.11 adds 2% of 111.11.
    assert (standing["accrual"]["volume"], standing["accrual"]["earned"]["amount"]) == ("3000.00", "20.00")
    assert standing["accrual"]["next_tier"]["remaining"] == "2000.00"
    assert standing["accrual"]["projected"]["amount"] == "42.22"
    assert len(overview.json()) == 3


async def test_a_bad_programme_names_each_field_and_nothing_is_written(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    factory = await _token(world, clock, "m_admin", Role.MANUFACTURER_ADMIN)
    tiers = [{"threshold": "5000", "percent": "1"}, {"threshold": "1000", "percent": "2"}]
    bad = {**PROGRAMME, "definition": {**PROGRAMME["definition"], "tiers": tiers}}  # type: ignore[dict-item]

    refused = await client.post("/api/rebate-programmes", json=bad, headers=factory)
    not_a_number = await client.post(
        "/api/rebate-programmes",
        json={**PROGRAMME, "definition": {**PROGRAMME["definition"], "cap": "NaN"}},  # type: ignore[dict-item]
        headers=factory,
    )
    listed = await client.get("/api/rebate-programmes", headers=factory)

    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["tiers[1].threshold"]
    assert not_a_number.status_code == 400
    assert listed.json() == []


async def test_a_store_cannot_pay_another_partners_order_from_its_fund(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    till = await _token(world, clock, "s1_manager", Role.CLERK)

    foreign = await client.post(
        f"/api/rebate-funds/{world.org_id('S2')}/uses",
        json={"amount": "1.00", "order_reference": "X"},
        headers=till,
    )
    own = await client.get(f"/api/rebate-funds/{world.org_id('S1')}", headers=till)

    assert foreign.status_code == 404
    assert (own.status_code, own.json()["balance"], own.json()["entries"]) == (200, "0.00", [])


async def test_a_store_sees_its_rebate_and_the_manufacturer_settles_and_approves_it_on_the_pages(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    programme = await programmes.create_programme(world.actors["m_admin"], store_programme(), clock)
    await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)

    assert await sign_in(client, email_of("s1_manager")) == 303
    standing = await client.get("/s/incentives")
    assert standing.status_code == 200
    assert 'data-testid="earned">€30.00' in standing.text
    assert 'data-testid="projected">€102.22' in standing.text

    clock.set(datetime(2027, 1, 2, 9, tzinfo=UTC))
    client.cookies.clear()
    assert await sign_in(client, email_of("m_admin")) == 303
    settled = await client.post(
        f"/m/incentives/programmes/{programme.id}/settlements",
        data={"period_day": "2026-12-31"},
        headers=await unsafe_headers(client),
        follow_redirects=False,
    )
    proposed = await settlements.list_settlements(world.actors["m_admin"], status="proposed")
    approved = await client.post(
        f"/m/incentives/settlements/{proposed[0].id}/decision",
        data={"decision": "approve"},
        headers=await unsafe_headers(client),
        follow_redirects=False,
    )

    assert (settled.status_code, approved.status_code) == (303, 303)
    assert [(s.partner_name, s.amount) for s in proposed] == [("S1 Trading", Decimal("30.00"))]
    client.cookies.clear()
    assert await sign_in(client, email_of("s1_manager")) == 303
    page = await client.get("/s/incentives")
    assert 'data-testid="fund-balance">€30.00' in page.text


async def test_a_store_sees_when_its_fund_credit_lapses_on_the_page_and_in_the_api(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    factory = await _token(world, clock, "m_admin", Role.MANUFACTURER_ADMIN)
    created = await client.post(
        "/api/rebate-programmes",
        json={**PROGRAMME, "definition": {**PROGRAMME["definition"], "credit_valid_months": 12}},  # type: ignore[dict-item]
        headers=factory,
    )
    await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)
    clock.set(datetime(2027, 1, 2, 9, tzinfo=UTC))
    m = world.actors["m_admin"]
    run = await settlements.settle_period(
        m, UUID(created.json()["id"]), schemas.SettleCommand(period_day=date(2026, 12, 1)), clock
    )
    await settlements.decide_settlement(
        m, run.proposed[0].id, schemas.SettlementDecision(decision="approve"), clock
    )
    till = await _token(world, clock, "s1_manager", Role.CLERK)

    as_json = await client.get(f"/api/rebate-funds/{world.org_id('S1')}", headers=till)
    assert await sign_in(client, email_of("s1_manager")) == 303
    page = await client.get("/s/incentives")

    assert created.json()["definition"]["credit_valid_months"] == 12
    assert as_json.json()["lapsing"] == [{"usable_until": "2028-01-31", "amount": "20.00"}]
    assert as_json.json()["entries"][0]["usable_until"] == "2028-01-31"
    assert "€20.00 usable until Jan 31, 2028, then it lapses" in page.text


async def test_a_partner_downloads_its_commission_statement_as_csv_and_pdf(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    _, order = await _agents_deal(world, clock, 3)
    await commissions.run_commissions(world.actors["m_admin"], clock)
    dealer = await _token(world, clock, "d1a_admin", Role.DISTRIBUTOR_ADMIN)
    url = f"/api/commission-statements/{world.org_id('D1A')}"

    as_json = await client.get(url, headers=dealer)
    as_csv = await client.get(f"{url}?format=csv", headers=dealer)
    as_pdf = await client.get(f"{url}?format=pdf", headers=dealer)
    foreign = await client.get(f"/api/commission-statements/{world.org_id('D2')}", headers=dealer)

    assert as_json.json()["totals"] == {"EUR": "60.00"}
    assert as_csv.text.lstrip("\ufeff").splitlines() == [
        "order,line,date,category,volume,rate_percent,share_percent,amount,currency",
        f"{order.number},category,,*,3000.00,2.00,100,60.00,EUR",
        f"{order.number},earned,2026-11-23,,,,,60.00,EUR",
    ]
    assert (as_pdf.status_code, as_pdf.headers["content-type"], as_pdf.content[:5]) == (
        200,
        "application/pdf",
        b"%PDF-",
    )
    assert foreign.status_code == 404


async def _agents_deal(
    world: World,
    clock: FixedClock,
    quantity: int,
    plan: schemas.CommissionPlanCreate | None = None,
) -> tuple[schemas.CommissionPlanView, Order]:
    """The manufacturer's commission plan (2% of everything by default) and a received order of
    hobs attributed to it, from a worked lead, all D1A's."""
    created = await commissions.create_plan(world.actors["m_admin"], plan or commission_plan(), clock)
    order = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", quantity)
    await commissions.attribute_order(
        world.actors["m_admin"],
        created.id,
        schemas.CommissionDealCreate(
            order_number=order.number,
            lead_id=await worked_lead(clock),
            splits=[Split(partner_id=world.org_id("D1A"), percent=Decimal(100))],
        ),
        clock,
    )
    return created, order


async def test_a_partner_reads_its_commission_statement_on_the_pages_and_downloads_it(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    _, order = await _agents_deal(world, clock, 2, commission_plan(percent=Decimal(3), category="KITCHEN"))
    await commissions.run_commissions(world.actors["m_admin"], clock)
    assert await sign_in(client, email_of("d1a_admin")) == 303
    mine = f"/d/incentives/commissions/{world.org_id('D1A')}"

    listed = await client.get("/d/incentives/commissions")
    page = await client.get(mine)
    pdf = await client.get(f"{mine}/download?format=pdf")
    csv = await client.get(f"{mine}/download?format=csv&start=2026-11-01&end=2026-12-01")
    foreign = await client.get(f"/d/incentives/commissions/{world.org_id('D2')}")
    foreign_file = await client.get(f"/d/incentives/commissions/{world.org_id('D2')}/download?format=csv")

    assert listed.status_code == 200 and "D1A Trading" in listed.text and "€60.00" in listed.text
    assert page.status_code == 200
    assert order.number in page.text and "KITCHEN" in page.text and "€2,000.00" in page.text
    assert "3 %" in page.text and "€60.00" in page.text
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (
        200,
        "application/pdf",
        b"%PDF-",
    )
    assert pdf.headers["content-disposition"] == 'attachment; filename="commissions-2026-11-01.pdf"'
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").splitlines()[1:] == [
        f"{order.number},category,,KITCHEN,2000.00,3.00,100,60.00,EUR",
        f"{order.number},earned,2026-11-23,,,,,60.00,EUR",
    ]
    assert (foreign.status_code, foreign_file.status_code) == (404, 404)


async def test_an_owner_reads_its_commission_plans_and_their_deals_over_the_api(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    plan, order = await _agents_deal(world, clock, 1)
    factory = await _token(world, clock, "m_admin", Role.MANUFACTURER_ADMIN)
    rival = await _token(world, clock, "d2_admin", Role.DISTRIBUTOR_ADMIN)
    till = await _token(world, clock, "s1_manager", Role.STORE_MANAGER)

    listed = await client.get("/api/commission-plans", headers=factory)
    detail = await client.get(f"/api/commission-plans/{plan.id}", headers=factory)
    foreign = await client.get(f"/api/commission-plans/{plan.id}", headers=rival)
    store = await client.get("/api/commission-plans", headers=till)

    assert [(p["code"], p["deal_count"]) for p in listed.json()] == [("AGENTS", 1)]
    assert detail.json()["plan"]["plan"] == {
        "rates": [{"category": "", "tiers": [{"threshold": "0", "percent": "2"}]}]
    }
    [deal] = detail.json()["deals"]
    assert (deal["order_number"], deal["lead_number"], deal["registration_id"]) == (
        order.number,
        "L-000001",
        None,
    )
    assert deal["shares"] == [
        {"partner_id": str(world.org_id("D1A")), "partner_name": "D1A Trading", "percent": "100"}
    ]
    assert (foreign.status_code, store.status_code) == (404, 403)
