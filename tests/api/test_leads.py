"""Leads in the portals: the manufacturer adds one, the partner of its region accepts it in its inbox."""

from __future__ import annotations

import httpx

from tests.api.conftest import csrf_token, sign_in, unsafe_headers
from tests.builders import World


async def test_a_lead_added_by_the_manufacturer_lands_in_the_regions_distributor_inbox(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.admin@example.com")
    token = await csrf_token(client)
    added = await client.post(
        "/m/leads",
        data={"_csrf_token": token, "company_name": "Lakeview Hotel", "source": "website", "region": "EAST"},
    )
    assert added.status_code == 303
    lead_page = await client.get(added.headers["location"])
    assert "Lakeview Hotel" in lead_page.text and "D1 Trading" in lead_page.text

    client.cookies.clear()
    await sign_in(client, "d1.sales@example.com")
    inbox = await client.get("/d/leads")
    assert "Lakeview Hotel" in inbox.text and "accept by" in inbox.text
    lead_id = added.headers["location"].rsplit("/", 1)[-1]
    accepted = await client.post(f"/d/leads/{lead_id}/accept", data={"_csrf_token": await csrf_token(client)})
    assert accepted.status_code == 303
    shown = await client.get(f"/api/leads/{lead_id}")
    assert shown.json()["status"] == "accepted"
    assert [e["kind"] for e in shown.json()["events"]] == ["created", "offered", "accepted"]


async def test_the_funnel_and_rules_pages_answer_and_a_bad_rule_is_refused_with_its_field(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.cm@example.com")

    assert (await client.get("/m/leads/funnel?by=owner")).status_code == 200
    refused = await client.post(
        "/api/lead-rules", json={"name": "", "regions": ["EAST"]}, headers=await unsafe_headers(client)
    )
    assert refused.status_code == 400
    made = await client.post(
        "/api/lead-rules",
        json={"name": "Hotels east", "regions": ["east"], "industries": ["Hotels"]},
        headers=await unsafe_headers(client),
    )
    assert (
        made.status_code == 201
        and made.json()["regions"] == ["EAST"]
        and made.json()["industries"] == ["hotels"]
    )
    assert "Hotels east" in (await client.get("/m/leads/rules")).text
