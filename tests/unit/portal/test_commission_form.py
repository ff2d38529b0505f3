"""The commission plan and deal forms: blank rows are left out, an empty first threshold pays from
0, and each wrong field is named under its rate row or split row."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from litestar.datastructures import FormMultiDict

from incentives.commissions import CategoryRate, CommissionPlan, Split
from incentives.rebates import Tier
from portal.commission_form import (
    CommissionFormError,
    deal_command,
    plan_command,
    read_deal_form,
    read_plan_form,
)

D = Decimal
D1A = UUID(int=1)
LEAD = UUID(int=2)


def _plan_form(**changes: list[str]) -> FormMultiDict:
    fields: dict[str, list[str]] = {
        "code": ["agents"],
        "name": ["Agents"],
        "currency": ["eur"],
        "rates.0.category": ["hob"],
        "rates.0.threshold": ["", "10,000", ""],
        "rates.0.percent": ["3", "5", ""],
        "rates.1.category": [""],
        "rates.1.threshold": ["", "", ""],
        "rates.1.percent": ["", "", ""],
    }
    fields.update(changes)
    return FormMultiDict([(name, value) for name, values in fields.items() for value in values])


def test_a_plan_form_leaves_out_blank_rows_and_pays_an_empty_first_threshold_from_zero() -> None:
    command = plan_command(read_plan_form(_plan_form()))

    assert (command.code, command.currency) == ("AGENTS", "EUR")
    assert command.plan == CommissionPlan(
        rates=(
            CategoryRate(
                category="HOB",
                tiers=(Tier(threshold=D(0), percent=D(3)), Tier(threshold=D(10000), percent=D(5))),
            ),
        )
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"rates.0.threshold": ["0", "x", ""], "rates.0.percent": ["0", "5", ""]},
            {
                "rates.0.tiers.1.kind": "Enter a number.",
            },
        ),
        (
            {"rates.0.threshold": ["0", "0", ""], "rates.0.percent": ["101", "5", ""], "name": [""]},
            {
                "name": "This field is required.",
                "rates.0.tiers.0.value": "This value is out of range.",
                "rates.0.tiers.1.kind": "Each tier must start above the one before it.",
            },
        ),
        (
            {"rates.1.category": ["HOB"], "rates.1.percent": ["1", "", ""]},
            {"rates.1.category": "Each may appear only once."},
        ),
    ],
    ids=["unreadable tier", "rules beside a missing name", "a category twice"],
)
def test_a_wrong_plan_form_names_each_wrong_field_by_its_row(
    changes: dict[str, list[str]], errors: dict[str, str]
) -> None:
    with pytest.raises(CommissionFormError) as refused:
        plan_command(read_plan_form(_plan_form(**changes)))

    assert refused.value.errors == errors


def test_a_deal_form_keeps_the_filled_split_rows_and_names_what_is_missing() -> None:
    form = read_deal_form(
        FormMultiDict(
            [
                ("order_number", "D1A-2026-000001"),
                ("source", "l-000001"),
                ("split_partner", str(D1A)),
                ("split_percent", "100"),
                ("split_partner", ""),
                ("split_percent", ""),
            ]
        )
    )
    missing = read_deal_form(FormMultiDict([("split_partner", ""), ("split_percent", "50")]))

    command = deal_command(form, (None, LEAD))

    assert form.source == "L-000001"
    assert (command.lead_id, command.registration_id, command.splits) == (
        LEAD,
        None,
        [Split(partner_id=D1A, percent=D(100))],
    )
    with pytest.raises(CommissionFormError) as refused:
        deal_command(missing, None)
    assert set(refused.value.errors) == {"order_number", "source", "splits.0.partner_id"}
