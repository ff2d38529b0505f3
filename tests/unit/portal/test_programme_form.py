"""The rebate programme form and the programme it stands for: every basis and tier mode survives
form -> programme -> form, and a wrong form names each wrong field in words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from litestar.datastructures import FormMultiDict
from msgspec.structs import replace

from incentives.rebates import (
    Basis,
    Definition,
    Enrolment,
    Growth,
    PeriodKind,
    ProductFamily,
    ProductScope,
    SellIn,
    SellOut,
    Tier,
    TierMode,
)
from incentives.schemas import ProgrammeCreate
from portal.form_reading import Row
from portal.programme_form import (
    ProgrammeForm,
    ProgrammeFormError,
    command_of,
    form_of,
    read_form,
    starting_form,
)

S_001 = UUID(int=101)
S_002 = UUID(int=102)
CODES = {S_001: "S-001", S_002: "S-002"}
IDS = {code: partner_id for partner_id, code in CODES.items()}
HOBS = ProductScope(skus=frozenset({"HOB-G2-60"}), categories=frozenset({"HOBS", "HOODS"}))
TIERS = (
    Tier(threshold=Decimal("100000"), percent=Decimal("1")),
    Tier(threshold=Decimal("250000"), percent=Decimal("2")),
    Tier(threshold=Decimal("500000"), percent=Decimal("3.5")),
)

BASES: dict[str, Basis] = {
    "sell_in": SellIn(scope=HOBS),
    "sell_in_everything": SellIn(),
    "sell_out": SellOut(scope=ProductScope(categories=frozenset({"SMALL"}))),
    "growth_of_sell_in": Growth(source="sell_in", scope=HOBS),
    "growth_of_sell_out": Growth(source="sell_out"),
    "product_family": ProductFamily(categories=frozenset({"HOBS", "HOODS"})),
}


def _programme(basis: Basis, mode: TierMode, **changes: object) -> ProgrammeCreate:
    fields: dict[str, object] = {
        "code": "STORES-2027",
        "name": "Store rebate 2027",
        "currency": "CNY",
        "starts_on": date(2027, 1, 1),
        "ends_on": date(2028, 1, 1),
        "definition": Definition(
            period=PeriodKind.QUARTER,
            basis=basis,
            tiers=TIERS,
            mode=mode,
            cap=Decimal("20000"),
            enrolment=Enrolment(
                partner_levels=frozenset({"GOLD"}),
                regions=frozenset({"EAST", "NORTH"}),
                partner_kinds=frozenset({"store"}),
                partner_ids=frozenset({S_001, S_002}),
            ),
            exclude_free_goods=False,
            fund_use_percent=Decimal("12.5"),
            credit_valid_months=12,
        ),
    }
    fields.update(changes)
    return ProgrammeCreate(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", list(TierMode))
@pytest.mark.parametrize("basis", list(BASES))
def test_every_basis_and_tier_mode_survives_form_to_programme_to_form(basis: str, mode: TierMode) -> None:
    programme = _programme(BASES[basis], mode)

    form = form_of(programme, CODES)
    again = command_of(form, IDS)

    assert again == programme
    assert form_of(again, CODES) == form


def test_a_submitted_form_is_read_as_typed_and_becomes_the_programme() -> None:
    values = FormMultiDict(
        [
            ("code", "STORES-2027"), ("name", "Store rebate 2027"), ("currency", "cny"),
            ("period", "year"), ("starts_on", "2027-01-01"), ("ends_on", ""),
            ("partner_kinds", "store"), ("partners", "s-001"), ("partners", ""),
            ("basis", "growth"), ("growth_source", "sell_out"),
            ("scope_kind", "category"), ("scope_value", "hobs"), ("scope_kind", "sku"), ("scope_value", ""),
            ("tier_threshold", "100,000"), ("tier_percent", "1"), ("tier_threshold", "250000"),
            ("tier_percent", "2"), ("tier_threshold", ""), ("tier_percent", ""),
            ("mode", "slab"), ("cap", ""), ("fund_use_percent", "10"),
        ]
    )  # fmt: skip

    form = read_form(values)
    programme = command_of(form, IDS)

    assert form.partners == ["S-001"] and form.tiers == [
        Row(kind="100,000", value="1"),
        Row(kind="250000", value="2"),
    ]
    assert form.exclude_free_goods is False  # an unticked box sends nothing
    assert programme == ProgrammeCreate(
        code="STORES-2027",
        name="Store rebate 2027",
        currency="CNY",
        starts_on=date(2027, 1, 1),
        definition=Definition(
            period=PeriodKind.YEAR,
            basis=Growth(source="sell_out", scope=ProductScope(categories=frozenset({"HOBS"}))),
            tiers=(
                Tier(threshold=Decimal(100000), percent=Decimal(1)),
                Tier(threshold=Decimal(250000), percent=Decimal(2)),
            ),
            mode=TierMode.SLAB,
            enrolment=Enrolment(partner_kinds=frozenset({"store"}), partner_ids=frozenset({S_001})),
            exclude_free_goods=False,
        ),
    )


def test_a_wrong_form_names_every_wrong_field_in_words() -> None:
    form = ProgrammeForm(
        code="",
        name="Store rebate",
        starts_on="2027-02-01",
        ends_on="soon",
        partners=["S-999"],
        basis="product_family",
        scope=[Row(kind="sku", value="HOB-G2-60")],
        tiers=[Row(kind="5000", value="1"), Row(kind="1000", value="2")],
        cap="lots",
    )

    with pytest.raises(ProgrammeFormError) as refused:
        command_of(form, IDS)

    assert refused.value.errors == {
        "code": "This field is required.",
        "ends_on": "Enter a date.",
        "partners": "Not among your partners: S-999.",
        "scope.0": "A product family is chosen by categories only.",
        "cap": "Enter a number.",
        # the rules across fields, found in the same round
        "tiers.1.kind": "Each tier must start above the one before it.",
        "starts_on": "A programme starts on the first day of a month, quarter or year.",
        "scope": "This field is required.",
    }


def test_rules_across_fields_and_the_schemas_checks_are_named_by_field() -> None:
    base = form_of(_programme(SellIn(), TierMode.WHOLE), CODES)
    cases = {
        "tiers.1.kind": replace(base, tiers=[Row(kind="5000", value="1"), Row(kind="5000", value="2")]),
        "tiers.0.value": replace(base, tiers=[Row(kind="0", value="120")]),
        "fund_use_percent": replace(base, fund_use_percent="101"),
        "credit_valid_months": replace(base, credit_valid_months="0"),
        "tiers": replace(base, tiers=[]),
        "ends_on": replace(base, ends_on="2026-12-01"),
        "code": replace(base, code="not a code!"),
        "cap": replace(base, cap="0"),
    }

    for field, form in cases.items():
        with pytest.raises(ProgrammeFormError) as refused:
            command_of(form, IDS)
        assert field in refused.value.errors, (field, refused.value.errors)


def test_a_new_programme_starts_as_a_quarterly_purchase_rebate_for_stores() -> None:
    form = starting_form("CNY", date(2027, 1, 1))

    programme = command_of(replace(form, code="NEW", name="New"), IDS)

    assert programme.definition.basis == SellIn()
    assert [t.threshold for t in programme.definition.tiers] == [
        Decimal(100000),
        Decimal(250000),
        Decimal(500000),
    ]
    assert programme.definition.enrolment == Enrolment(partner_kinds=frozenset({"store"}))


def test_credit_validity_is_read_in_whole_months_and_empty_means_credit_never_lapses() -> None:
    base = form_of(_programme(SellIn(), TierMode.WHOLE), CODES)
    assert base.credit_valid_months == "12"

    assert command_of(replace(base, credit_valid_months=""), IDS).definition.credit_valid_months is None
    assert command_of(replace(base, credit_valid_months="6"), IDS).definition.credit_valid_months == 6
    for typed, said in (("6.5", "Enter a whole number."), ("121", "This value is out of range.")):
        with pytest.raises(ProgrammeFormError) as refused:
            command_of(replace(base, credit_valid_months=typed), IDS)
        assert refused.value.errors == {"credit_valid_months": said}
