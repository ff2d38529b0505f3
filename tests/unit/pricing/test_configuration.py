"""A configurable kitchen set: every broken rule of a dealer's choice comes back, in a fixed order."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.configuration import (
    BundleDefinition,
    Excludes,
    OptionGroup,
    QuantityRatio,
    Requires,
    check,
    definition_problems,
    options_of,
)

KITCHEN_SET = BundleDefinition(
    groups=[
        OptionGroup(code="HOB", options=["HOB-GAS", "HOB-IND"], min_choices=1),
        OptionGroup(code="HOOD", options=["HOOD-T", "HOOD-S"], min_choices=1),
        OptionGroup(code="OVEN", options=["OVEN-B", "OVEN-STEAM"]),
        OptionGroup(code="PARTS", options=["FILTER", "GRATE"], max_choices=2, max_quantity=10),
    ],
    rules=[
        QuantityRatio(option="FILTER", of="HOOD-T", per=1, quantity=2),
        Excludes(option="GRATE", other="HOB-IND"),
        Requires(option="OVEN-STEAM", needs=["HOOD-S"]),
    ],
)


def _codes(chosen: dict[str, int]) -> list[str]:
    return [v.code for v in check(KITCHEN_SET, chosen)]


def test_a_complete_configuration_keeps_every_rule() -> None:
    assert check(KITCHEN_SET, {"HOB-GAS": 1, "HOOD-T": 1, "FILTER": 2, "GRATE": 1}) == []


def test_a_missing_choice_and_a_second_choice_of_one_group_are_both_reported() -> None:
    violations = check(KITCHEN_SET, {"HOB-GAS": 1, "HOB-IND": 1})

    assert [(v.code, v.params.get("group")) for v in violations] == [
        ("only_one", "HOB"),
        ("choose_one", "HOOD"),
    ]
    assert violations[0].params["chosen"] == 2


def test_requires_excludes_and_ratios_each_name_what_is_wrong() -> None:
    violations = check(KITCHEN_SET, {"HOB-IND": 1, "HOOD-T": 1, "OVEN-STEAM": 1, "GRATE": 1, "FILTER": 1})

    assert [v.code for v in violations] == ["ratio", "excludes", "requires"]
    assert violations[0].params == {
        "sku": "FILTER",
        "needed": 2,
        "have": 1,
        "of": "HOOD-T",
        "per": 1,
        "quantity": 2,
    }
    assert violations[1].params == {"sku": "GRATE", "other": "HOB-IND"}
    assert violations[2].params == {"sku": "OVEN-STEAM", "needs": "HOOD-S"}


def test_a_started_set_counts_whole_for_a_ratio() -> None:
    one_per_three = BundleDefinition(
        groups=[OptionGroup(code="A", options=["CHAIR", "TABLE"], max_choices=2, max_quantity=100)],
        rules=[QuantityRatio(option="TABLE", of="CHAIR", per=4, quantity=1)],
    )

    assert check(one_per_three, {"CHAIR": 8, "TABLE": 2}) == []
    assert check(one_per_three, {"CHAIR": 9, "TABLE": 2})[0].params["needed"] == 3


def test_quantities_outside_a_groups_bounds_and_foreign_skus_are_refused() -> None:
    assert _codes({"HOB-GAS": 1, "HOOD-S": 1, "FILTER": 11, "TOASTER": 1}) == [
        "not_an_option",
        "too_many_units",
    ]
    assert _codes({"HOB-GAS": 0, "HOOD-S": 1}) == ["choose_one"]  # zero units is not a choice


def test_a_definition_that_contradicts_itself_is_refused_with_every_reason() -> None:
    broken = BundleDefinition(
        groups=[
            OptionGroup(code="HOB", options=["HOB-GAS"], min_choices=2, max_choices=1),
            OptionGroup(code="HOB", options=["HOB-GAS", "HOOD"], min_quantity=3, max_quantity=2),
        ],
        rules=[Excludes(option="HOOD", other="HOOD"), Requires(option="HOB-GAS", needs=["OVEN"])],
    )

    assert [p.code for p in definition_problems(broken)] == [
        "group_min_above_max",
        "group_needs_more_options",
        "group_twice",
        "quantity_min_above_max",
        "option_twice",
        "rule_on_itself",
        "rule_names_unknown_option",
    ]


def test_definitions_are_data_checked_when_decoded() -> None:
    text = b'{"groups": [{"code": "HOB", "options": ["A"]}], "rules": [{"type": "excludes", "option": "A"}]}'

    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(text, type=BundleDefinition)
    assert msgspec.json.decode(msgspec.json.encode(KITCHEN_SET), type=BundleDefinition) == KITCHEN_SET


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(options_of(KITCHEN_SET)), st.integers(0, 12)))
def test_the_order_in_which_options_are_chosen_never_changes_the_verdict(chosen: dict[str, int]) -> None:
    backwards = dict(reversed(list(chosen.items())))

    assert check(KITCHEN_SET, chosen) == check(KITCHEN_SET, backwards)
    assert all(v.code != "not_an_option" for v in check(KITCHEN_SET, chosen))
