"""The channel's forms on the pages: a code already in use is a clash with the data (409) and says
so on the form, while what was typed wrong stays a 422."""

from __future__ import annotations

import httpx

from tests.api.conftest import sign_in
from tests.api.form_pages import post_form
from tests.builders import World, email_of


async def test_a_level_or_region_code_already_in_use_answers_409_with_the_reason(
    client: httpx.AsyncClient, world: World
) -> None:
    assert await sign_in(client, email_of("m_admin")) == 303

    level = await post_form(
        client, "/m/settings/partner-levels", {"code": "GOLD", "name": "Gold again", "rank": "3"}
    )
    region = await post_form(client, "/m/settings/regions", {"code": "EAST", "name": "East again"})
    unnamed = await post_form(client, "/m/settings/regions", {"code": "NORTH"})

    assert (level.status_code, region.status_code, unnamed.status_code) == (409, 409, 422)
    assert "The level code GOLD is already in use." in level.text
    assert "The region code EAST is already in use." in region.text


async def test_a_partner_code_already_in_use_answers_409_with_the_reason(
    client: httpx.AsyncClient, world: World
) -> None:
    assert await sign_in(client, email_of("m_admin")) == 303
    fields = {
        "supplier_id": str(world.org_id("M")),
        "kind": "distributor",
        "name": "Another D1",
        "currency": "EUR",
        "locale": "en",
    }

    taken = await post_form(client, "/m/partners", {**fields, "code": "D1"})
    no_currency = await post_form(client, "/m/partners", {**fields, "code": "D9", "currency": ""})

    assert (taken.status_code, no_currency.status_code) == (409, 422)
    assert "The partner code D1 is already in use." in taken.text
    assert 'value="Another D1"' in taken.text
