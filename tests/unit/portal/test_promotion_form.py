"""The promotion form and the promotion data it stands for: every kind survives form -> data -> form,
and a wrong form names each wrong field in words."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from litestar.datastructures import FormMultiDict

from portal.promotion_form import (
    PromotionForm,
    PromotionFormError,
    Row,
    command_of,
    form_of,
    issue_errors,
    read_form,
)
from pricing.promotions import (
    AmountOff,
    Benefit,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Condition,
    Eligibility,
    FixedPrice,
    Gift,
    PercentOff,
    Promotion,
    Target,
    ThresholdDiscount,
    VolumeTier,
    VolumeTiers,
    validate_promotion,
)
from pricing.schemas import PromotionCreate
from tests.unit.pricing.engine_helpers import d

SHANGHAI = ZoneInfo("Asia/Shanghai")
S_001 = UUID(int=101)
S_002 = UUID(int=102)
CODES = {S_001: "S-001", S_002: "S-002"}
IDS = {code: partner_id for partner_id, code in CODES.items()}
HOBS = Target(
    skus=frozenset({"HOB-G2-60"}), categories=frozenset({"HOBS", "HOODS"}), brands=frozenset({"Aurora"})
)

BENEFITS: dict[str, Benefit] = {
    "percent_off": PercentOff(percent=d("12.5"), target=HOBS),
    "amount_off": AmountOff(amount=d("50"), target=Target(skus=frozenset({"HOB-G2-60"}))),
    "fixed_price": FixedPrice(unit_price=d("999.00"), target=Target(brands=frozenset({"Aurora"}))),
    "buy_x_get_y": BuyXGetY(buy=5, get=1, target=Target(categories=frozenset({"SMALL"})), repeat=False),
    "buy_x_get_other": BuyXGetY(buy=2, get=1, target=HOBS, free_sku="FILTER-HOOD"),
    "threshold": ThresholdDiscount(
        every=d("1000"), off=d("100"), target=Target(categories=frozenset({"SMALL"}))
    ),
    "threshold_once": ThresholdDiscount(every=d("5000"), off=d("300"), repeat=False),
    "gift": Gift(sku="FILTER-HOOD", quantity=2),
    "volume_tiers": VolumeTiers(
        tiers=(VolumeTier(min_quantity=5, percent=d("3")), VolumeTier(min_quantity=10, percent=d("5.5"))),
        target=Target(categories=frozenset({"WASHERS"})),
    ),
    "bundle_price": BundlePrice(
        components=(
            BundleComponent(sku="HOB-G2-60", quantity=1),
            BundleComponent(sku="HOOD-T-90", quantity=2),
        ),
        price=d("3999"),
    ),
}

CONDITIONS_NONE = Condition()
CONDITIONS = {
    "none": CONDITIONS_NONE,
    "units": Condition(min_quantity=6),
    "amount": Condition(min_amount=d("2500.50")),
    "order_total": Condition(min_order_total=d("8000")),
    "all_three": Condition(min_quantity=2, min_amount=d("100"), min_order_total=d("3000")),
}


def _command(benefit: Benefit, condition: Condition = CONDITIONS_NONE, **changes: object) -> PromotionCreate:
    values: dict[str, object] = {
        "code": "HOBS-WINTER",
        "name": "Winter hobs",
        "currency": "CNY",
        "benefit": benefit,
        "condition": condition if not isinstance(benefit, Gift) else Condition(min_order_total=d("3000")),
        "eligibility": Eligibility(
            partner_levels=frozenset({"GOLD", "SILVER"}),
            tiers=frozenset({2, 3}),
            regions=frozenset({"EAST"}),
            partner_ids=frozenset({S_001, S_002}),
            buyer_kinds=frozenset({"store"}),
            customer_groups=frozenset({"HOTELS"}),
            coupon_codes=frozenset({"WINTER", "HOB10"}),
            starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
            ends_at=datetime(2027, 1, 1, 16, 30, tzinfo=UTC),
            first_order_only=True,
        ),
        "priority": 5,
        "stacking": "exclusive",
        "exclusivity_group": "WINTER",
        "free_shipping": True,
        "budget_amount": d("50000"),
        "budget_units": 300,
        "per_partner_limit": 2,
    }
    values.update(changes)
    return PromotionCreate(**values)  # type: ignore[arg-type]


def _posted(form: PromotionForm) -> FormMultiDict:
    """The form as a browser sends it from the page (field names of form.html.jinja)."""
    sent: list[tuple[str, str]] = []
    for name in (
        "code", "name", "currency", "starts_at", "ends_at", "customer_groups", "coupon_codes", "kind",
        "percent", "amount", "unit_price", "buy", "get", "free_sku", "every", "off", "gift_sku",
        "gift_quantity", "bundle_price", "priority", "stacking", "exclusivity_group", "budget_amount",
        "budget_units", "per_partner_limit",
    ):  # fmt: skip
        sent.append((name, getattr(form, name)))
    for name in ("partner_levels", "tiers", "regions", "buyer_kinds"):
        sent += [(name, v) for v in getattr(form, name)]
    form = form.with_blank_rows()  # the page always offers an empty row
    sent += [("partners", p) for p in form.partners]
    for group, (first, second) in {
        "conditions": ("condition_kind", "condition_value"),
        "targets": ("target_kind", "target_value"),
        "volume_tiers": ("tier_min_quantity", "tier_percent"),
        "components": ("component_sku", "component_quantity"),
    }.items():
        for row in getattr(form, group):
            sent += [(first, row.kind), (second, row.value)]
    if form.kind in ("buy_x_get_y", "threshold"):
        sent.append(("repeat_shown", "1"))
    sent += [(box, "1") for box in ("first_order_only", "repeat", "free_shipping") if getattr(form, box)]
    return FormMultiDict(sent)


@pytest.mark.parametrize("kind", list(BENEFITS))
def test_every_benefit_kind_comes_back_the_same_through_the_form(kind: str) -> None:
    command = _command(BENEFITS[kind])

    form = form_of(command, CODES, SHANGHAI)
    again = command_of(read_form(_posted(form)), IDS, SHANGHAI)

    assert again == command
    assert form_of(again, CODES, SHANGHAI) == form


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_every_condition_comes_back_the_same_through_the_form(name: str) -> None:
    command = _command(BENEFITS["percent_off"], CONDITIONS[name])

    again = command_of(read_form(_posted(form_of(command, CODES, SHANGHAI))), IDS, SHANGHAI)

    assert again == command
    assert again.condition == CONDITIONS[name]


def test_an_empty_promotion_keeps_its_defaults_through_the_form() -> None:
    command = PromotionCreate(code="P1", name="Plain", currency="EUR", benefit=PercentOff(percent=d("5")))

    again = command_of(read_form(_posted(form_of(command, {}, UTC))), {}, UTC)

    assert again == command


def test_the_window_is_typed_in_the_readers_time_zone() -> None:
    command = _command(BENEFITS["percent_off"])

    form = form_of(command, CODES, SHANGHAI)

    assert form.starts_at == "2026-12-01T08:00"  # midnight UTC is 8 in the morning in Shanghai
    assert form.ends_at == "2027-01-02T00:30"
    typed = PromotionForm(code="P1", name="P", starts_at="2026-12-01T08:00", percent="5")
    assert command_of(typed, {}, SHANGHAI).eligibility.starts_at == datetime(2026, 12, 1, tzinfo=UTC)


def test_a_form_with_many_mistakes_names_every_field_in_words() -> None:
    form = PromotionForm(
        code="",
        name="Winter",
        kind="volume_tiers",
        starts_at="first of December",
        partners=["S-001", "D-999"],
        volume_tiers=[Row(kind="five", value="3"), Row(kind="10", value="")],
        conditions=[Row(kind="min_quantity", value="2.5"), Row(kind="min_quantity", value="3")],
        priority="1000",
        budget_amount="lots",
        budget_units="0",
    )

    with pytest.raises(PromotionFormError) as refused:
        command_of(form, {"S-001": S_001}, UTC)

    assert refused.value.errors == {
        "partners": "Not among your partners: D-999.",
        "volume_tiers.0.kind": "Enter a whole number.",
        "volume_tiers.1.value": "This field is required.",
        "starts_at": "Enter a date and a time.",
        "conditions.0.value": "Enter a whole number.",
        "conditions.1.kind": "Each kind of condition once.",
        "priority": "Between -100 and 100.",
        "budget_amount": "Enter a number.",
        "budget_units": "Between 1 and 1000000000.",
        "code": "This field is required.",
    }


def test_a_rule_across_fields_is_named_in_the_same_round_as_a_missing_field() -> None:
    form = PromotionForm(name="Winter", percent="120", budget_units="none")

    with pytest.raises(PromotionFormError) as refused:
        command_of(form, {}, UTC)

    assert refused.value.errors == {
        "code": "This field is required.",
        "budget_units": "Enter a whole number.",
        "percent": "A percentage above 0 and at most 100.",
    }


def test_what_the_schema_refuses_is_put_by_its_field() -> None:
    form = PromotionForm(code="HOBS WINTER!", name="Winter", percent="5", currency="YUAN")

    with pytest.raises(PromotionFormError) as refused:
        command_of(form, {}, UTC)

    assert refused.value.errors == {
        "code": "Letters, digits, '.', '_' and '-' only, at most 32.",
        "currency": "Not a currency code (e.g. CNY, EUR, USD).",
    }


def test_an_overlong_group_is_refused_by_the_schema_at_its_field() -> None:
    form = PromotionForm(code="P1", name="Winter", percent="5", exclusivity_group="G" * 41)

    with pytest.raises(PromotionFormError) as refused:
        command_of(form, {}, UTC)

    assert refused.value.errors == {"exclusivity_group": "This value is not valid."}


@pytest.mark.parametrize(
    ("form", "field", "text"),
    [
        (PromotionForm(percent="120"), "percent", "A percentage above 0 and at most 100."),
        (PromotionForm(kind="amount_off", amount="0"), "amount", "Must be more than zero."),
        (PromotionForm(kind="fixed_price", unit_price="-1"), "unit_price", "Cannot be negative."),
        (PromotionForm(kind="buy_x_get_y", buy="0", get="1"), "buy", "Must be more than zero."),
        (
            PromotionForm(kind="threshold", every="100", off="100"),
            "off",
            "The discount must be smaller than the amount that earns it.",
        ),
        (
            PromotionForm(kind="gift", gift_sku="FILTER-HOOD"),
            "conditions",
            "Say what the buyer must order to get the gift.",
        ),
        (
            PromotionForm(
                kind="volume_tiers", volume_tiers=[Row(kind="10", value="5"), Row(kind="5", value="3")]
            ),
            "volume_tiers",
            "Tiers must go up in quantity, each quantity once.",
        ),
        (
            PromotionForm(
                kind="bundle_price", components=[Row(kind="HOB-G2-60", value="1")], bundle_price="9"
            ),
            "components",
            "A bundle needs at least two products.",
        ),
        (
            PromotionForm(percent="5", starts_at="2026-12-02T00:00", ends_at="2026-12-01T00:00"),
            "ends_at",
            "The end must come after the start.",
        ),
    ],
    ids=["percent", "amount", "price", "buy", "threshold", "gift", "tiers", "bundle", "window"],
)
def test_rules_across_fields_are_shown_by_the_field_they_concern(
    form: PromotionForm, field: str, text: str
) -> None:
    form = PromotionForm(
        **{**{f: getattr(form, f) for f in form.__struct_fields__}, "code": "P1", "name": "P"}
    )
    command = command_of(form, {}, UTC)

    issues = validate_promotion(
        Promotion(
            id=UUID(int=1),
            issuer_id=UUID(int=1),
            **{f: getattr(command, f) for f in command.__struct_fields__},
        )
    )

    assert issue_errors(issues) == {field: text}


def test_blank_rows_are_left_out_and_amounts_may_have_thousands_separators() -> None:
    sent = FormMultiDict(
        [
            ("code", "P1"),
            ("name", "P"),
            ("kind", "threshold"),
            ("every", "1,000"),
            ("off", "100"),
            ("target_kind", "category"),
            ("target_value", "small"),
            ("target_kind", "sku"),
            ("target_value", ""),
            ("condition_kind", "min_order_total"),
            ("condition_value", ""),
        ]
    )

    command = command_of(read_form(sent), {}, UTC)

    assert command.benefit == ThresholdDiscount(
        every=Decimal(1000), off=Decimal(100), target=Target(categories=frozenset({"SMALL"}))
    )
    assert command.condition == Condition()
