"""The rebate programme form through HTTP: saved as the definition it stands for, refused with each
error by its field (saving nothing), and never enrolling a partner outside the owner's downstream."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from uuid import UUID

import httpx

from core.clock import FixedClock
from incentives.rebates import Definition, Enrolment, Growth, PeriodKind, ProductScope, Tier, TierMode
from incentives.services import programmes
from tests.api.conftest import csrf_token, sign_in
from tests.api.form_pages import error_of, post_form
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world


def _stores_2027(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """What a channel manager fills in: growth of purchases of hobs, three slabs, Gold stores in the East."""
    fields: dict[str, str | list[str]] = {
        "code": "STORES-2027",
        "name": "Store growth rebate",
        "currency": "EUR",
        "period": "quarter",
        "starts_on": "2027-01-01",
        "ends_on": "",
        "partner_levels": ["GOLD"],
        "regions": ["EAST"],
        "partner_kinds": ["store"],
        "partners": ["S1", ""],
        "basis": "growth",
        "growth_source": "sell_in",
        "scope_kind": ["category", "sku"],
        "scope_value": ["HOB", ""],
        "tier_threshold": ["100000", "250000", "500000", ""],
        "tier_percent": ["1", "2", "3.5", ""],
        "mode": "slab",
        "cap": "20000",
        "exclude_free_goods": "1",
        "fund_use_percent": "15",
        "action": "save",
    }
    fields.update(changes)
    return fields


async def test_the_new_programme_page_is_a_form_with_pickers_from_the_catalogue_and_the_downstream(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "d1.admin@example.com")

    page = await client.get("/d/incentives/programmes/new")
    json_view = await client.get("/d/incentives/programmes/new", params={"view": "json"})

    assert page.status_code == 200
    assert 'id="f-code"' in page.text and 'id="f-tier-threshold-3"' in page.text  # three tiers, blank rows
    assert '<option value="HOB">' in page.text  # products to pick from
    assert '<option value="S1">' in page.text and '<option value="D1A">' in page.text  # its downstream
    assert '<option value="S2">' not in page.text and '<option value="D2">' not in page.text
    assert json_view.status_code == 200 and 'name="programme"' in json_view.text


async def test_a_channel_manager_saves_the_form_as_the_programme_it_describes(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "m.admin@example.com")

    saved = await post_form(client, "/m/incentives/programmes", _stores_2027())

    assert saved.status_code == 303
    programme_id = UUID(saved.headers["location"].rsplit("/", 1)[-1])
    programme = await programmes.get_programme(world.actors["m_admin"], programme_id)
    assert (programme.code, programme.name, programme.currency) == (
        "STORES-2027",
        "Store growth rebate",
        "EUR",
    )
    assert (programme.starts_on, programme.ends_on) == (date(2027, 1, 1), None)
    assert programme.definition == Definition(
        period=PeriodKind.QUARTER,
        basis=Growth(source="sell_in", scope=ProductScope(categories=frozenset({"HOB"}))),
        tiers=(
            Tier(threshold=Decimal(100000), percent=Decimal(1)),
            Tier(threshold=Decimal(250000), percent=Decimal(2)),
            Tier(threshold=Decimal(500000), percent=Decimal("3.5")),
        ),
        mode=TierMode.SLAB,
        cap=Decimal(20000),
        enrolment=Enrolment(
            partner_levels=frozenset({"GOLD"}),
            regions=frozenset({"EAST"}),
            partner_kinds=frozenset({"store"}),
            partner_ids=frozenset({world.org_id("S1")}),
        ),
        exclude_free_goods=True,
        fund_use_percent=Decimal(15),
    )


async def test_a_wrong_form_comes_back_with_each_error_by_its_field_and_saves_nothing(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "m.admin@example.com")

    refused = await post_form(
        client,
        "/m/incentives/programmes",
        _stores_2027(
            code="",
            starts_on="2027-02-01",
            tier_threshold=["100000", "90000", "x"],
            tier_percent=["1", "2", "3"],
            fund_use_percent="150",
        ),
    )
    across = await post_form(
        client,
        "/m/incentives/programmes",
        _stores_2027(tier_threshold=["100000", "90000"], tier_percent=["1", "120"], fund_use_percent="150"),
    )

    assert refused.status_code == 422
    assert error_of(refused.text, "code") == "This field is required."
    assert error_of(refused.text, "tiers.2.kind") == "Enter a number."
    assert 'value="Store growth rebate"' in refused.text and 'value="90000"' in refused.text  # kept as typed
    assert across.status_code == 422
    assert error_of(across.text, "tiers.1.kind") == "Each tier must start above the one before it."
    assert error_of(across.text, "tiers.1.value") == "Must be at most 100."
    assert error_of(across.text, "fund_use_percent") != ""
    assert await programmes.list_programmes(world.actors["m_admin"]) == []


async def test_a_distributor_cannot_name_a_partner_outside_its_downstream(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "d1.admin@example.com")

    by_form = await post_form(
        client, "/d/incentives/programmes", _stores_2027(partners=["S1", "S2"], currency="CNY")
    )
    by_json = await client.post(
        "/d/incentives/programmes",
        data={
            "_csrf_token": await csrf_token(client),
            "programme": (
                '{"code": "D1-STORES", "name": "D1 stores", "currency": "CNY", "starts_on": "2027-01-01",'
                ' "definition": {"period": "quarter", "basis": {"type": "sell_in"},'
                ' "tiers": [{"threshold": "1000", "percent": "1"}],'
                f' "enrolment": {{"partner_ids": ["{world.org_id("S2")}"]}}}}}}'
            ),
        },
        follow_redirects=False,
    )

    assert by_form.status_code == 422
    assert error_of(by_form.text, "partners") == "Not among your partners: S2."
    assert by_json.status_code == 422
    assert "definition.enrolment.partner_ids: Not among your partners" in html.unescape(by_json.text)
    assert await programmes.list_programmes(world.actors["d1_admin"]) == []


async def test_another_basis_or_more_rows_redraw_the_form_as_typed_without_saving(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "m.admin@example.com")

    family = await post_form(
        client, "/m/incentives/programmes", _stores_2027(basis="product_family", action="refresh")
    )
    more = await post_form(client, "/m/incentives/programmes", _stores_2027(action="add_row"))

    assert family.status_code == 200 and 'list="category-options"' in family.text
    assert 'id="f-growth_source"' not in family.text and "programme-form-errors" not in family.text
    assert more.status_code == 200 and 'id="f-tier-threshold-4"' in more.text  # three typed, two empty
    assert 'value="3.5"' in more.text
    assert await programmes.list_programmes(world.actors["m_admin"]) == []
