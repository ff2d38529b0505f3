"""The promotion form through HTTP: saved as the data it stands for, refused with each error by its
field, never naming a partner outside the issuer's downstream, and a draft changed in the same form."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from uuid import UUID

import httpx

from core.clock import FixedClock
from pricing import schemas
from pricing.promotions import Condition, PercentOff, Target
from pricing.services import promotions
from tests.api.conftest import sign_in, unsafe_headers
from tests.api.form_pages import error_of, post_form
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world


def _winter(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """The fields a channel manager fills in for ten percent off hobs, for Gold partners in the East."""
    fields: dict[str, str | list[str]] = {
        "code": "HOBS-WINTER",
        "name": "Winter hobs",
        "currency": "EUR",
        "starts_at": "2026-12-01T00:00",
        "ends_at": "2027-01-01T00:00",
        "partner_levels": ["GOLD"],
        "regions": ["EAST"],
        "partners": ["S1", ""],
        "coupon_codes": "winter, hob10",
        "kind": "percent_off",
        "percent": "10",
        "target_kind": ["sku", "category"],
        "target_value": ["HOB", ""],
        "condition_kind": ["min_quantity"],
        "condition_value": ["2"],
        "priority": "5",
        "stacking": "exclusive",
        "budget_amount": "5000",
        "action": "save",
    }
    fields.update(changes)
    return fields


async def test_the_new_promotion_page_is_a_form_with_pickers_from_the_catalogue_and_the_network(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "d1.admin@example.com")

    page = await client.get("/d/promotions/new", params={"kind": "volume_tiers"})

    assert page.status_code == 200
    assert 'id="f-code"' in page.text and 'id="f-tier-min-0"' in page.text
    assert '<option value="HOB">Gas hob</option>' in page.text  # products to pick from
    assert '<option value="S1">' in page.text and '<option value="D1A">' in page.text  # its downstream
    assert '<option value="S2">' not in page.text and '<option value="D2">' not in page.text


async def test_a_channel_manager_saves_the_form_as_the_promotion_it_describes(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "m.admin@example.com")

    saved = await post_form(client, "/m/promotions/new", _winter())

    assert saved.status_code == 303
    promotion_id = UUID(saved.headers["location"].rsplit("/", 1)[-1])
    record = await promotions.get_promotion(world.actors["m_admin"], promotion_id)
    assert record.status == "draft" and record.code == "HOBS-WINTER"
    assert record.rule.benefit == PercentOff(percent=Decimal(10), target=Target(skus=frozenset({"HOB"})))
    assert record.rule.condition == Condition(min_quantity=2)
    assert record.rule.eligibility.partner_ids == frozenset({world.org_id("S1")})
    assert record.rule.eligibility.coupon_codes == frozenset({"WINTER", "HOB10"})
    assert record.rule.eligibility.partner_levels == frozenset({"GOLD"})
    assert record.rule.stacking == "exclusive" and record.budget_amount == Decimal(5000)


async def test_a_wrong_form_comes_back_with_each_error_by_its_field_and_saves_nothing(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await sign_in(client, "m.admin@example.com")

    refused = await post_form(
        client,
        "/m/promotions/new",
        _winter(
            code="", percent="120", ends_at="2026-11-01T00:00", condition_value=["two"], budget_units="0"
        ),
    )

    assert refused.status_code == 422
    assert error_of(refused.text, "code") == "This field is required."
    assert error_of(refused.text, "conditions.0.value") == "Enter a whole number."
    assert error_of(refused.text, "budget_units") == "Between 1 and 1000000000."
    assert 'value="Winter hobs"' in refused.text  # what was typed stays
    assert await promotions.list_promotions(world.actors["m_admin"]) == []

    across = await post_form(client, "/m/promotions/new", _winter(percent="120", ends_at="2026-11-01T00:00"))

    assert across.status_code == 422
    assert error_of(across.text, "percent") == "A percentage above 0 and at most 100."
    assert error_of(across.text, "ends_at") == "The end must come after the start."
    assert await promotions.list_promotions(world.actors["m_admin"]) == []


async def test_a_distributor_cannot_name_a_partner_outside_its_downstream(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await sign_in(client, "d1.admin@example.com")

    by_form = await post_form(client, "/d/promotions/new", _winter(partners=["S1", "S2"]))
    by_api = await client.post(
        "/api/promotions",
        json={
            "code": "STRANGER",
            "name": "Someone else's store",
            "currency": "EUR",
            "benefit": {"type": "percent_off", "percent": "5"},
            "eligibility": {"partner_ids": [str(world.org_id("S2"))]},
        },
        headers=await unsafe_headers(client),
    )

    assert by_form.status_code == 422
    assert error_of(by_form.text, "partners") == "Not among your partners: S2."
    assert by_api.status_code == 404
    assert await promotions.list_promotions(world.actors["d1_admin"]) == []


async def test_choosing_another_kind_shows_its_fields_and_keeps_the_rest(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.admin@example.com")

    page = await post_form(client, "/m/promotions/new", _winter(kind="bundle_price", action="refresh"))

    assert page.status_code == 200
    assert 'id="f-bundle_price"' in page.text and 'id="f-component-sku-0"' in page.text
    assert 'id="f-percent"' not in page.text
    assert 'value="HOBS-WINTER"' in page.text and 'class="error"' not in page.text


async def test_check_and_preview_work_from_the_form(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "m.admin@example.com")
    fields = _winter(partners=[""], condition_value=[""], starts_at="", ends_at="", coupon_codes="")
    fields["partner_levels"] = []
    fields["regions"] = []

    checked = await post_form(client, "/m/promotions/new", {**fields, "action": "check"})
    preview = await post_form(
        client, "/m/promotions/new", {**fields, "action": "preview", "carts": "S1 HOB 2\n\nS1B HOOD 1"}
    )

    assert checked.status_code == 200 and "The promotion keeps every rule" in checked.text
    assert preview.status_code == 200
    assert re.search(r"1 of 2", preview.text)  # the hood cart has no hob
    assert 'value="HOBS-WINTER"' in preview.text  # still the form, filled in


async def test_a_draft_opens_in_the_same_form_and_is_changed_by_it(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "m.admin@example.com")
    saved = await post_form(client, "/m/promotions/new", _winter())
    promotion_id = UUID(saved.headers["location"].rsplit("/", 1)[-1])
    before = await promotions.get_promotion(world.actors["m_admin"], promotion_id)

    form = await client.get(f"/m/promotions/{promotion_id}/edit")
    unchanged = await post_form(client, f"/m/promotions/{promotion_id}/edit", _winter())
    changed = await post_form(client, f"/m/promotions/{promotion_id}/edit", _winter(percent="15"))

    assert form.status_code == 200
    assert 'id="f-percent" name="percent" type="text" value="10"' in form.text
    assert 'value="S1"' in form.text and 'value="2026-12-01T00:00"' in form.text
    assert unchanged.status_code == 303 and changed.status_code == 303
    after = await promotions.get_promotion(world.actors["m_admin"], promotion_id)
    assert after.rule.benefit == PercentOff(percent=Decimal(15), target=Target(skus=frozenset({"HOB"})))
    assert after.rule.eligibility == before.rule.eligibility and after.rule.condition == before.rule.condition


async def test_an_active_promotion_or_another_issuers_is_not_changed(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    m = world.actors["m_admin"]
    record = await promotions.create_promotion(
        m,
        schemas.PromotionCreate(code="ON", name="On", currency="EUR", benefit=PercentOff(percent=Decimal(5))),
        clock,
    )
    await sign_in(client, "d1.admin@example.com")
    theirs = await client.get(f"/d/promotions/{record.id}/edit")
    await promotions.set_status(m, record.id, schemas.PromotionStatusChange(status="active"), clock)
    client.cookies.clear()
    await sign_in(client, "m.admin@example.com")

    active = await post_form(client, f"/m/promotions/{record.id}/edit", _winter(code="ON"))

    assert theirs.status_code == 404  # the manufacturer's promotion is not the distributor's to see
    assert active.status_code == 409
    assert (await promotions.get_promotion(m, record.id)).rule.benefit == PercentOff(percent=Decimal(5))


async def test_the_json_view_and_the_form_open_each_other_with_what_was_typed(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "m.admin@example.com")

    as_json = await post_form(client, "/m/promotions/new", _winter(partners=[""], action="to_json"))
    text = re.search(r'data-testid="promotion-text">([^<]*)</textarea>', as_json.text)
    assert as_json.status_code == 200 and text is not None
    back = await post_form(
        client, "/m/promotions/new", {"promotion": html.unescape(text.group(1)), "action": "to_form"}
    )

    assert '"code": "HOBS-WINTER"' in html.unescape(text.group(1))
    assert back.status_code == 200
    assert 'id="f-code" name="code" type="text" value="HOBS-WINTER"' in back.text
    assert 'id="f-percent" name="percent" type="text" value="10"' in back.text
    assert 'value="2026-12-01T00:00"' in back.text
