"""Configurable products: option groups and the rules a configuration must keep.

A bundle (a kitchen set, a laundry pair) is sold as one SKU whose buyer chooses options: one hob of
three, a hood, perhaps an oven, the filters that go with the hood. ``BundleDefinition`` is data,
validated when saved; ``check(definition, chosen)`` is a pure function that returns *every* broken
rule of a configuration, in a fixed order, each as a code with parameters that
``pricing.messages.CONFIGURATION`` words for a dealer.

Rules:
- an option group takes between ``min_choices`` and ``max_choices`` different options, and each
  option between ``min_quantity`` and ``max_quantity`` units when chosen;
- ``Requires``: choosing one option needs another (or any one of several);
- ``Excludes``: two options cannot be combined;
- ``QuantityRatio``: every ``per`` units of one option need ``quantity`` units of another
  ("2 filters per hood").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

Sku = Annotated[str, Meta(min_length=1, max_length=64)]
Quantity = Annotated[int, Meta(ge=0, le=1_000_000)]


class OptionGroup(msgspec.Struct, frozen=True, kw_only=True):
    code: Annotated[str, Meta(pattern=r"^[A-Z0-9_-]{1,32}$")]
    names: dict[str, str] = {}  # {"en": "Hob", "zh_Hans": "燃气灶"}
    options: Annotated[list[Sku], Meta(min_length=1, max_length=100)]
    min_choices: Annotated[int, Meta(ge=0, le=100)] = 0
    max_choices: Annotated[int, Meta(ge=1, le=100)] = 1
    min_quantity: Annotated[int, Meta(ge=1, le=1_000_000)] = 1  # of an option, when chosen
    max_quantity: Annotated[int, Meta(ge=1, le=1_000_000)] = 1


class Requires(msgspec.Struct, frozen=True, tag="requires", kw_only=True):
    """Choosing ``option`` needs at least one of ``needs``."""

    option: Sku
    needs: Annotated[list[Sku], Meta(min_length=1, max_length=20)]


class Excludes(msgspec.Struct, frozen=True, tag="excludes", kw_only=True):
    option: Sku
    other: Sku


class QuantityRatio(msgspec.Struct, frozen=True, tag="ratio", kw_only=True):
    """Every ``per`` units (or part of them) of ``of`` need ``quantity`` units of ``option``."""

    option: Sku
    of: Sku
    per: Annotated[int, Meta(ge=1, le=10_000)] = 1
    quantity: Annotated[int, Meta(ge=1, le=10_000)] = 1


Rule = Requires | Excludes | QuantityRatio


class BundleDefinition(msgspec.Struct, frozen=True, kw_only=True):
    groups: Annotated[list[OptionGroup], Meta(min_length=1, max_length=30)]
    rules: Annotated[list[Rule], Meta(max_length=200)] = []
    # A set priced from its chosen options costs this percent less than they do together.
    set_percent_off: Decimal = Decimal(0)


class Violation(msgspec.Struct, frozen=True):
    code: str
    params: dict[str, str | int] = {}


def options_of(definition: BundleDefinition) -> list[str]:
    return [sku for group in definition.groups for sku in group.options]


def definition_problems(definition: BundleDefinition) -> list[Violation]:
    """What makes a definition unusable: checked when it is saved, before any dealer sees it."""
    problems: list[Violation] = []
    seen: set[str] = set()
    codes: set[str] = set()
    if not 0 <= definition.set_percent_off < 100:
        problems.append(Violation("set_discount_out_of_range"))
    for group in definition.groups:
        if group.code in codes:
            problems.append(Violation("group_twice", {"group": group.code}))
        codes.add(group.code)
        if group.min_choices > group.max_choices:
            problems.append(Violation("group_min_above_max", {"group": group.code}))
        if group.min_choices > len(set(group.options)):
            problems.append(Violation("group_needs_more_options", {"group": group.code}))
        if group.min_quantity > group.max_quantity:
            problems.append(Violation("quantity_min_above_max", {"group": group.code}))
        for sku in group.options:
            if sku in seen:
                problems.append(Violation("option_twice", {"sku": sku}))
            seen.add(sku)
    for rule in definition.rules:
        named = [rule.option, *rule.needs] if isinstance(rule, Requires) else [rule.option]
        named += [rule.other] if isinstance(rule, Excludes) else []
        named += [rule.of] if isinstance(rule, QuantityRatio) else []
        for sku in named:
            if sku not in seen:
                problems.append(Violation("rule_names_unknown_option", {"sku": sku}))
        if isinstance(rule, Excludes | QuantityRatio) and rule.option == (
            rule.other if isinstance(rule, Excludes) else rule.of
        ):
            problems.append(Violation("rule_on_itself", {"sku": rule.option}))
    return problems


def check(definition: BundleDefinition, chosen: dict[str, int]) -> list[Violation]:
    """Every rule the configuration ``chosen`` (SKU -> units, zero means not chosen) breaks."""
    picked = {sku: quantity for sku, quantity in chosen.items() if quantity > 0}
    violations: list[Violation] = []
    known = set(options_of(definition))
    for sku in sorted(set(picked) - known):
        violations.append(Violation("not_an_option", {"sku": sku}))
    for group in definition.groups:
        in_group = [sku for sku in group.options if sku in picked]
        if len(in_group) < group.min_choices:
            code = "choose_one" if group.min_choices == 1 else "choose_at_least"
            violations.append(Violation(code, {"group": group.code, "count": group.min_choices}))
        if len(in_group) > group.max_choices:
            code = "only_one" if group.max_choices == 1 else "choose_at_most"
            violations.append(
                Violation(code, {"group": group.code, "count": group.max_choices, "chosen": len(in_group)})
            )
        for sku in in_group:
            if picked[sku] < group.min_quantity:
                violations.append(Violation("too_few_units", {"sku": sku, "count": group.min_quantity}))
            if picked[sku] > group.max_quantity:
                violations.append(Violation("too_many_units", {"sku": sku, "count": group.max_quantity}))
    for rule in definition.rules:
        violations.extend(_broken(rule, picked))
    return violations


def _broken(rule: Rule, picked: dict[str, int]) -> list[Violation]:
    if isinstance(rule, Requires):
        if rule.option in picked and not any(n in picked for n in rule.needs):
            code = "requires" if len(rule.needs) == 1 else "requires_one_of"
            return [Violation(code, {"sku": rule.option, "needs": ", ".join(rule.needs)})]
    elif isinstance(rule, Excludes):
        if rule.option in picked and rule.other in picked:
            return [Violation("excludes", {"sku": rule.option, "other": rule.other})]
    elif rule.of in picked:
        sets = -(-picked[rule.of] // rule.per)  # a started set counts whole
        needed = sets * rule.quantity
        have = picked.get(rule.option, 0)
        if have < needed:
            return [
                Violation(
                    "ratio",
                    {
                        "sku": rule.option,
                        "needed": needed,
                        "have": have,
                        "of": rule.of,
                        "per": rule.per,
                        "quantity": rule.quantity,
                    },
                )
            ]
    return []
