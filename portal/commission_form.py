"""The commission pages' forms: a plan as rate rows of up to three tiers each, and an order
attributed to a deal with its split, held as typed and turned into the commands the API takes.

Tiers are read as the rebate programme editor reads them (``Row``: threshold as ``kind``, percent as
``value``), and their errors are named the same way under their rate row ("rates.0.tiers.1.kind").
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import msgspec

from core.errors import FieldProblem
from incentives import commissions, schemas
from portal import programme_form
from portal.form_reading import FormError, FormValues, Reader, Row, one, rows
from portal.forms import uuid_or_none

MAX_RATES = 20
TIERS_PER_RATE = 3
RATE_ROWS = 3  # shown at least, filled or not
SPLIT_ROWS = 4


class RateRow(msgspec.Struct, kw_only=True):
    category: str = ""  # "": every other product
    tiers: list[Row] = []  # kind: threshold (money), value: percent


class PlanForm(msgspec.Struct, kw_only=True):
    """A new plan as the person typed it."""

    code: str = ""
    name: str = ""
    currency: str = ""
    rates: list[RateRow] = []

    def with_blank_rows(self) -> PlanForm:
        """Each rate row with room for three tiers, and blank rate rows to fill in without a script."""
        filled = [
            msgspec.structs.replace(
                r, tiers=[*r.tiers, *(Row() for _ in range(TIERS_PER_RATE - len(r.tiers)))]
            )
            for r in self.rates
        ]
        blank = [
            RateRow(tiers=[Row() for _ in range(TIERS_PER_RATE)])
            for _ in range(max(1, RATE_ROWS - len(self.rates)))
        ]
        return msgspec.structs.replace(self, rates=filled + blank)


class DealForm(msgspec.Struct, kw_only=True):
    """An order to attribute as the person typed it."""

    order_number: str = ""
    source: str = ""  # the number of the registration or the lead the order came from
    splits: list[Row] = []  # kind: partner id, value: percent

    def with_blank_rows(self) -> DealForm:
        blank = [Row() for _ in range(max(1, SPLIT_ROWS - len(self.splits)))]
        return msgspec.structs.replace(self, splits=[*self.splits, *blank])


class CommissionFormError(FormError):
    """The form cannot become its command: ``errors`` maps form fields to sentences."""


def read_plan_form(values: FormValues) -> PlanForm:
    """The plan as submitted: rate rows with neither a category nor a tier are unused and left out."""
    rates = []
    for index in range(MAX_RATES):
        category = one(values, f"rates.{index}.category").upper()
        tiers = rows(values, f"rates.{index}.threshold", f"rates.{index}.percent", kept_by="either")
        if category or tiers:
            rates.append(RateRow(category=category, tiers=tiers))
    return PlanForm(
        code=one(values, "code"),
        name=one(values, "name"),
        currency=one(values, "currency").upper(),
        rates=rates,
    )


def read_deal_form(values: FormValues) -> DealForm:
    return DealForm(
        order_number=one(values, "order_number"),
        source=one(values, "source").upper(),
        splits=rows(values, "split_partner", "split_percent", kept_by="either"),
    )


# --- form -> command ------------------------------------------------------------------------------


def _rates(reader: Reader, form: PlanForm) -> list[dict[str, Any]]:
    return [
        {
            "category": rate.category,
            "tiers": [
                {
                    # an empty first threshold pays from the first unit
                    "threshold": reader.decimal(f"rates.{i}.tiers.{j}.kind", tier.kind, required=j > 0)
                    if tier.kind or j
                    else 0,
                    "percent": reader.decimal(f"rates.{i}.tiers.{j}.value", tier.value),
                }
                for j, tier in enumerate(rate.tiers)
            ],
        }
        for i, rate in enumerate(form.rates)
    ]


def plan_command(form: PlanForm) -> schemas.CommissionPlanCreate:
    """The plan the form describes; ``CommissionFormError`` names every field that is wrong, the
    rates' rules (ascending thresholds, percents above 0) included."""
    reader = Reader()
    for field in ("code", "name", "currency"):
        if not getattr(form, field):
            reader.fail(field, "required")
    if not form.rates:
        reader.fail("rates", "required")
    plan = {"rates": _rates(reader, form)}
    if reader.errors:
        raise CommissionFormError({**_rules_beside(plan, reader.errors), **reader.errors})
    try:
        command = msgspec.convert(
            {"code": form.code, "name": form.name, "currency": form.currency, "plan": plan},
            schemas.CommissionPlanCreate,
        )
    except msgspec.ValidationError as refused:
        errors = programme_form.schema_errors(refused, form_field)
        raise CommissionFormError({**_rules_beside(plan, errors), **errors}) from None
    problems = commissions.validate_plan(command.plan)
    if problems:
        raise CommissionFormError(problem_errors(problems))
    return command


def _rules_beside(plan: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """The rates' rules that the readable part of a refused form already breaks, so that one round
    shows every mistake; nothing is said while a tier cannot be read."""
    if any(None in tier.values() for rate in plan["rates"] for tier in rate["tiers"]):
        return {}
    try:
        readable = msgspec.convert(plan, commissions.CommissionPlan)
    except msgspec.ValidationError:
        return {}
    found = problem_errors(commissions.validate_plan(readable))
    return {f: t for f, t in found.items() if f not in errors}


def deal_command(
    form: DealForm, source: tuple[UUID | None, UUID | None] | None
) -> schemas.CommissionDealCreate:
    """The attribution the form describes; ``source`` is what its number names (None: nothing)."""
    reader = Reader()
    if not form.order_number:
        reader.fail("order_number", "required")
    if not form.source:
        reader.fail("source", "registration_or_lead")
    elif source is None:
        reader.fail("source", "unknown_deal_source", number=form.source)
    if not form.splits:
        reader.fail("splits", "required")
    splits = []
    for index, row in enumerate(form.splits):
        partner_id = uuid_or_none(row.kind)
        if partner_id is None:
            reader.fail(f"splits.{index}.partner_id", "required")
        percent = reader.decimal(f"splits.{index}.percent", row.value)
        splits.append({"partner_id": partner_id, "percent": percent})
    if reader.errors:
        raise CommissionFormError(reader.errors)
    registration_id, lead_id = source or (None, None)
    try:
        return msgspec.convert(
            {
                "order_number": form.order_number,
                "registration_id": registration_id,
                "lead_id": lead_id,
                "splits": splits,
            },
            schemas.CommissionDealCreate,
        )
    except msgspec.ValidationError as refused:
        raise CommissionFormError(programme_form.schema_errors(refused, form_field)) from None


_RATE = re.compile(r"^rates\[(\d+)\]\.(.+)$")
FIELD_OF = {"registration_id": "source", "lead_id": "source"}


def form_field(field: str) -> str:
    """The form field of a field the schema or the service names ("rates[0].tiers[1].threshold"
    is "rates.0.tiers.1.kind", a split's "splits[2].partner_id" is "splits.2.partner_id")."""
    field = field.removeprefix("plan.")
    rate = _RATE.match(field)
    if rate:
        return f"rates.{rate.group(1)}.{programme_form.form_field(rate.group(2))}"
    return FIELD_OF.get(field) or re.sub(r"\[(\d+)\]", r".\1", field)


def problem_errors(problems: list[FieldProblem]) -> dict[str, str]:
    """A service's refusal of the plan or the deal, by form field."""
    return programme_form.problem_errors(problems, form_field)
