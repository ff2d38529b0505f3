"""Commission plans on the pages: a channel manager sets a plan with a form and reads its rates in
words, attributes an order with its split and runs the commissions; a wrong or clashing form comes
back with the reason by its field and saves nothing."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from uuid import UUID

import httpx

from core.clock import FixedClock
from incentives.commissions import CategoryRate, CommissionPlan
from incentives.rebates import Tier
from incentives.services import commissions
from ordering.schemas import Order
from tests.api.conftest import sign_in
from tests.api.form_pages import error_of, post_form
from tests.builders import World, email_of
from tests.integration.incentives.incentive_world import commission_plan, received_order, worked_lead
from tests.integration.pricing.pricing_world import priced_world

D = Decimal


def _agents(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """What a channel manager fills in: kitchen in two slabs, everything else at 1%."""
    fields: dict[str, str | list[str]] = {
        "code": "AGENTS",
        "name": "Kitchen agents",
        "currency": "EUR",
        "rates.0.category": "KITCHEN",
        "rates.0.threshold": ["0", "10000", ""],
        "rates.0.percent": ["3", "5", ""],
        "rates.1.category": "",
        "rates.1.threshold": ["", "", ""],
        "rates.1.percent": ["1", "", ""],
        "rates.2.category": "",
        "rates.2.threshold": ["", "", ""],
        "rates.2.percent": ["", "", ""],
    }
    fields.update(changes)
    return fields


def _text(page: str, testid: str) -> list[str]:
    """The items of a list on the page, as read (tags left out)."""
    found = re.search(rf'data-testid="{testid}">(.*?)</ul>', page, re.S)
    assert found, testid
    return [
        html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in found.group(1).split("</li>") if item
    ]


async def _deal(world: World, clock: FixedClock) -> tuple[UUID, Order, dict[str, str | list[str]]]:
    """The channel manager's plan (2% of everything), a received order of three hobs (3,000.00) from a
    worked lead, and the form that attributes it to the plan, 75% to D1A and 25% to D1."""
    plan = await commissions.create_plan(world.actors["m_cm"], commission_plan(), clock)
    await worked_lead(clock)
    order = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)
    return (
        plan.id,
        order,
        {
            "order_number": order.number,
            "source": "l-000001",
            "split_partner": [str(world.org_id("D1A")), str(world.org_id("D1")), "", ""],
            "split_percent": ["75", "25", "", ""],
        },
    )


async def test_a_channel_manager_sets_a_plan_with_the_form_and_reads_its_rates_in_words(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, email_of("m_cm"))

    empty = await client.get("/m/incentives/commission-plans")
    saved = await post_form(client, "/m/incentives/commission-plans", _agents())
    listed = await client.get("/m/incentives/commission-plans")

    assert empty.status_code == 200 and '<option value="KITCHEN"' in empty.text
    assert saved.status_code == 303
    [plan] = await commissions.list_plans(world.actors["m_cm"])
    assert saved.headers["location"] == f"/m/incentives/commission-plans#plan-{plan.id}"
    assert "Plan AGENTS is set" in listed.text
    assert _text(listed.text, "plan-rates") == [
        "KITCHEN: 3% up to €10,000.00, 5% above",
        "Every other product: 1% of the whole volume",
    ]
    assert plan.plan == CommissionPlan(
        rates=(
            CategoryRate(
                category="KITCHEN",
                tiers=(Tier(threshold=D(0), percent=D(3)), Tier(threshold=D(10000), percent=D(5))),
            ),
            CategoryRate(category="", tiers=(Tier(threshold=D(0), percent=D(1)),)),
        )
    )


async def test_a_wrong_tier_comes_back_with_its_error_and_the_values_as_typed(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, email_of("m_cm"))

    refused = await post_form(
        client,
        "/m/incentives/commission-plans",
        _agents(**{"rates.0.threshold": ["0", "10000", "5000"], "rates.0.percent": ["0", "5", "7"]}),
    )

    assert refused.status_code == 422
    assert error_of(refused.text, "rates.0.tiers.0.value") == "This value is out of range."
    assert error_of(refused.text, "rates.0.tiers.2.kind") == "Each tier must start above the one before it."
    assert 'value="Kitchen agents"' in refused.text and 'value="5000"' in refused.text
    assert await commissions.list_plans(world.actors["m_cm"]) == []


async def test_a_code_already_taken_is_refused_by_its_field(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await commissions.create_plan(world.actors["m_cm"], commission_plan(), clock)
    await sign_in(client, email_of("m_cm"))

    refused = await post_form(client, "/m/incentives/commission-plans", _agents())

    assert refused.status_code == 409
    assert error_of(refused.text, "code") == "A plan with the code AGENTS already exists."
    assert [p.name for p in await commissions.list_plans(world.actors["m_cm"])] == ["Agents"]


async def test_an_order_attributed_with_the_form_shows_as_a_deal_with_its_split(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    plan_id, order, deal = await _deal(world, clock)
    await sign_in(client, email_of("m_cm"))
    url = f"/m/incentives/commission-plans/{plan_id}"

    unknown = await post_form(client, f"{url}/deals", {**deal, "source": "DR-999999"})
    to_owner = await post_form(
        client,
        f"{url}/deals",
        {**deal, "split_partner": [str(world.org_id("M")), str(world.org_id("D1")), "", ""]},
    )
    saved = await post_form(client, f"{url}/deals", deal)
    page = await client.get(url)
    again = await post_form(client, f"{url}/deals", deal)

    assert unknown.status_code == 422
    assert error_of(unknown.text, "source") == "There is no registration or lead DR-999999 that you see."
    assert to_owner.status_code == 422
    assert error_of(to_owner.text, "splits.0.partner_id") == "This is not a partner under the plan's owner."
    assert saved.status_code == 303 and saved.headers["location"] == url
    assert again.status_code == 409
    assert error_of(again.text, "order_number") == f"Order {order.number} is already attributed to a deal."
    assert f"Order {order.number} is attributed to this plan." in page.text
    row = re.search(r'data-testid="plan-deal">(.*?)</tr>', page.text, re.S)
    assert row is not None
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row.group(1).split("</td>")][:3]
    assert cells == [order.number, "Lead L-000001", "D1A Trading 75%, D1 Trading 25%"]
    assert f'href="/m/orders/{order.id}"' in page.text


async def test_running_the_commissions_says_what_was_earned(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    plan_id, _, deal = await _deal(world, clock)
    await sign_in(client, email_of("m_cm"))
    await post_form(client, f"/m/incentives/commission-plans/{plan_id}/deals", deal)

    ran = await post_form(client, "/m/incentives/commission-plans/runs", {})
    page = await client.get(ran.headers["location"])
    again = await post_form(client, "/m/incentives/commission-plans/runs", {})
    next_page = await client.get(again.headers["location"])

    # 2% of 3,000.00 = 60.00: 45.00 for D1A, 15.00 for D1
    assert ran.status_code == 303
    assert "Commissions run: €60.00 earned, €0.00 clawed back, 2 entries recorded." in page.text
    assert "Nothing new to record: every deal&#39;s commission is up to date." in next_page.text
