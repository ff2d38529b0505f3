"""The rebate programme editor's form: a programme as fields a person fills in, and back.

The form holds every value as typed (strings), so a refused form comes back exactly as it was sent.
``command_of`` turns it into the same ``ProgrammeCreate`` the JSON editor and the API take, naming
every field that is wrong, the rules across fields included (``programmes.problems_of``);
``form_of`` turns a programme back into the form, so that ``command_of(form_of(c)) == c`` for any
programme the form can express (all of them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from core.errors import FieldProblem
from incentives import rebates, schemas
from incentives.services import programmes
from portal.errors import problem_from_validation
from portal.form_reading import FormError, FormValues, Reader, Row, many, number_text, one, rows
from portal.messages import message

PERIODS = ("month", "quarter", "year")
BASES = ("sell_in", "sell_out", "growth", "product_family")
MODES = ("whole", "slab")
PARTNER_KINDS = ("distributor", "store")
SCOPE_KINDS = ("sku", "category")


class ProgrammeForm(msgspec.Struct, kw_only=True):
    """Every field of the editor as the person typed it."""

    code: str = ""
    name: str = ""
    currency: str = "CNY"
    period: str = "quarter"
    starts_on: str = ""  # the first day of the first period, "2027-01-01"
    ends_on: str = ""
    partner_levels: list[str] = []
    regions: list[str] = []
    partner_kinds: list[str] = []
    partners: list[str] = []  # partner codes
    basis: str = "sell_in"  # one of BASES
    growth_source: str = "sell_in"  # what grows, for the growth basis
    scope: list[Row] = []  # kind: one of SCOPE_KINDS, value: a SKU or category code
    tiers: list[Row] = []  # kind: threshold (money), value: percent
    mode: str = "whole"
    cap: str = ""
    exclude_free_goods: bool = True
    fund_use_percent: str = "10"
    credit_valid_months: str = ""  # empty: credit never lapses

    def with_blank_rows(self, tiers: int = 1) -> ProgrammeForm:
        """The form with empty rows after each repeated group, to fill in without a script."""
        return msgspec.structs.replace(
            self,
            partners=[*self.partners, ""],
            scope=[*self.scope, Row(kind="category" if self.basis == "product_family" else "sku")],
            tiers=[*self.tiers, *(Row() for _ in range(tiers))],
        )


class ProgrammeFormError(FormError):
    """The form cannot become a programme: ``errors`` maps form fields to sentences."""


def read_form(values: FormValues) -> ProgrammeForm:
    """The form as submitted: blank repeated rows dropped, nothing converted yet."""
    defaults = ProgrammeForm()
    text = {
        name: one(values, name, getattr(defaults, name))
        for name in (
            "code", "name", "currency", "period", "starts_on", "ends_on", "basis", "growth_source", "mode",
            "cap", "fund_use_percent", "credit_valid_months",
        )
    }  # fmt: skip
    return ProgrammeForm(
        **text,
        partner_levels=many(values, "partner_levels"),
        regions=many(values, "regions"),
        partner_kinds=many(values, "partner_kinds"),
        partners=[p.upper() for p in many(values, "partners")],
        scope=rows(values, "scope_kind", "scope_value", kept_by="value"),
        tiers=rows(values, "tier_threshold", "tier_percent", kept_by="either"),
        exclude_free_goods=bool(one(values, "exclude_free_goods")),
    )


# --- form -> programme ----------------------------------------------------------------------------


def _day(reader: Reader, field: str, text: str, *, required: bool) -> date | None:
    if not text:
        if required:
            reader.fail(field, "required")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        reader.fail(field, "enter_date")
        return None


def _scope(reader: Reader, form: ProgrammeForm) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {"skus": [], "categories": []}
    for i, row in enumerate(form.scope):
        if row.kind not in SCOPE_KINDS:
            reader.fail(f"scope.{i}", "invalid_value")
        elif row.kind == "sku" and form.basis == "product_family":
            reader.fail(f"scope.{i}", "family_by_categories")
        else:
            chosen["skus" if row.kind == "sku" else "categories"].append(row.value.upper())
    return chosen


def _basis(reader: Reader, form: ProgrammeForm) -> dict[str, Any]:
    scope = _scope(reader, form)
    if form.basis in ("sell_in", "sell_out"):
        return {"type": form.basis, "scope": scope}
    if form.basis == "growth":
        if form.growth_source not in ("sell_in", "sell_out"):
            reader.fail("growth_source", "invalid_value")
        return {"type": "growth", "source": form.growth_source, "scope": scope}
    if form.basis == "product_family":
        return {"type": "product_family", "categories": scope["categories"]}
    reader.fail("basis", "invalid_value")
    return {"type": "sell_in"}


def _data(reader: Reader, form: ProgrammeForm, partner_ids: Mapping[str, UUID]) -> dict[str, Any]:
    unknown = [code for code in form.partners if code not in partner_ids]
    if unknown:
        reader.fail("partners", "partners_not_yours", codes=", ".join(unknown))
    for field, allowed in (("period", PERIODS), ("mode", MODES)):
        if getattr(form, field) not in allowed:
            reader.fail(field, "invalid_value")
    if any(kind not in PARTNER_KINDS for kind in form.partner_kinds):
        reader.fail("partner_kinds", "invalid_value")
    for field in ("code", "name", "currency"):
        if not getattr(form, field):
            reader.fail(field, "required")
    if not form.tiers:
        reader.fail("tiers", "required")
    return {
        "code": form.code,
        "name": form.name,
        "currency": form.currency.upper(),
        "starts_on": _day(reader, "starts_on", form.starts_on, required=True),
        "ends_on": _day(reader, "ends_on", form.ends_on, required=False),
        "definition": {
            "period": form.period,
            "basis": _basis(reader, form),
            "tiers": [
                {
                    "threshold": reader.decimal(f"tiers.{i}.kind", row.kind),
                    "percent": reader.decimal(f"tiers.{i}.value", row.value),
                }
                for i, row in enumerate(form.tiers)
            ],
            "mode": form.mode,
            "cap": reader.decimal("cap", form.cap, required=False),
            "enrolment": {
                "partner_levels": form.partner_levels,
                "regions": form.regions,
                "partner_kinds": form.partner_kinds,
                "partner_ids": [partner_ids[c] for c in form.partners if c in partner_ids],
            },
            "exclude_free_goods": form.exclude_free_goods,
            "fund_use_percent": reader.decimal("fund_use_percent", form.fund_use_percent),
            "credit_valid_months": reader.integer(
                "credit_valid_months", form.credit_valid_months, required=False
            ),
        },
    }


def command_of(form: ProgrammeForm, partner_ids: Mapping[str, UUID]) -> schemas.ProgrammeCreate:
    """The programme the form describes; ``partner_ids`` holds the partner codes the actor may name.

    Raises ``ProgrammeFormError`` with every field that is wrong: what cannot be read, what the
    schema refuses, and the rules across fields (ascending tiers, a period's first day...).
    """
    reader = Reader()
    data = _data(reader, form, partner_ids)
    if reader.errors:
        raise ProgrammeFormError({**_problems_beside(data, reader.errors), **reader.errors})
    try:
        command = msgspec.convert(data, schemas.ProgrammeCreate)
    except msgspec.ValidationError as refused:
        errors = schema_errors(refused)
        raise ProgrammeFormError({**_problems_beside(data, errors), **errors}) from None
    problems = programmes.problems_of(command.definition, command.starts_on, command.ends_on)
    if problems:
        raise ProgrammeFormError(problem_errors(problems))
    return command


def _problems_beside(data: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """The rules across fields that the readable part of a refused form already breaks, so that one
    round shows every mistake; nothing is said while a tier cannot be read."""
    definition = data["definition"]
    if any(None in tier.values() for tier in definition["tiers"]):
        return {}
    candidate = {
        **definition,
        "cap": None if "cap" in errors else definition["cap"],
        "fund_use_percent": 10 if "fund_use_percent" in errors else definition["fund_use_percent"],
        "credit_valid_months": None if "credit_valid_months" in errors else definition["credit_valid_months"],
    }
    try:
        rules = msgspec.convert(candidate, rebates.Definition)
    except msgspec.ValidationError:
        return {}
    starts_on = data["starts_on"] or date(2000, 1, 1)  # unreadable: a day that starts every period
    ends_on = None if "ends_on" in errors else data["ends_on"]
    found = problem_errors(programmes.problems_of(rules, starts_on, ends_on))
    return {f: t for f, t in found.items() if f not in errors}


def schema_errors(
    refused: msgspec.ValidationError, field_of: Callable[[str], str] | None = None
) -> dict[str, str]:
    """What the schema's own checks refused (a code's characters, a number's places...), by the
    form field ``field_of`` names (this form's by default)."""
    field_of = field_of or form_field
    problem = problem_from_validation(refused)
    if problem is not None:
        return {field_of(problem.field): problem.message}
    text = str(refused)
    path = text.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in text else ""
    return {field_of(path) if path else "__all__": message("invalid_value")}


FIELD_OF = {
    "basis.categories": "scope",
    "basis.scope": "scope",
    "basis": "basis",
    "enrolment.partner_ids": "partners",
    "enrolment.partner_levels": "partner_levels",
    "enrolment.regions": "regions",
    "enrolment.partner_kinds": "partner_kinds",
}
_TIER = re.compile(r"^tiers\[(\d+)\]\.(threshold|percent)$")


def form_field(field: str) -> str:
    """The form field of a field the schema or the service names ("definition.tiers[1].threshold")."""
    field = field.removeprefix("definition.")
    tier = _TIER.match(field)
    if tier:
        return f"tiers.{tier.group(1)}.{'kind' if tier.group(2) == 'threshold' else 'value'}"
    return FIELD_OF.get(field) or FIELD_OF.get(field.split(".")[0] + "." + field.split(".")[-1], field)


def problem_errors(
    problems: list[FieldProblem], field_of: Callable[[str], str] | None = None
) -> dict[str, str]:
    field_of = field_of or form_field
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(field_of(problem.field), message(problem.code, dict(problem.params)))
    return errors


# --- programme -> form ----------------------------------------------------------------------------


def _scope_rows(scope: rebates.ProductScope) -> list[Row]:
    return [Row(kind="sku", value=s) for s in sorted(scope.skus)] + [
        Row(kind="category", value=c) for c in sorted(scope.categories)
    ]


def _basis_fields(basis: rebates.Basis) -> dict[str, Any]:
    match basis:
        case rebates.SellIn():
            return {"basis": "sell_in", "scope": _scope_rows(basis.scope)}
        case rebates.SellOut():
            return {"basis": "sell_out", "scope": _scope_rows(basis.scope)}
        case rebates.Growth():
            return {"basis": "growth", "growth_source": basis.source, "scope": _scope_rows(basis.scope)}
        case rebates.ProductFamily():
            return {
                "basis": "product_family",
                "scope": [Row(kind="category", value=c) for c in sorted(basis.categories)],
            }


def form_of(command: schemas.ProgrammeCreate, partner_codes: Mapping[UUID, str]) -> ProgrammeForm:
    """The form that shows ``command``; ``partner_codes`` names the partners it enrols."""
    definition = command.definition
    enrolment = definition.enrolment
    return ProgrammeForm(
        code=command.code,
        name=command.name,
        currency=command.currency,
        period=definition.period.value,
        starts_on=command.starts_on.isoformat(),
        ends_on=command.ends_on.isoformat() if command.ends_on else "",
        partner_levels=sorted(enrolment.partner_levels),
        regions=sorted(enrolment.regions),
        partner_kinds=sorted(enrolment.partner_kinds),
        partners=sorted(partner_codes.get(p, str(p)) for p in enrolment.partner_ids),
        tiers=[Row(kind=number_text(t.threshold), value=number_text(t.percent)) for t in definition.tiers],
        mode=definition.mode.value,
        cap=number_text(definition.cap),
        exclude_free_goods=definition.exclude_free_goods,
        fund_use_percent=number_text(definition.fund_use_percent),
        credit_valid_months=str(definition.credit_valid_months or ""),
        **_basis_fields(definition.basis),
    )


def starting_form(currency: str, starts_on: date) -> ProgrammeForm:
    """A new programme: quarterly on purchases, the usual three tiers, for stores."""
    return ProgrammeForm(
        currency=currency,
        starts_on=starts_on.isoformat(),
        partner_kinds=["store"],
        tiers=[Row(kind="100000", value="1"), Row(kind="250000", value="2"), Row(kind="500000", value="3.5")],
    )
