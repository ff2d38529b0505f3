"""The promotion editor's form: a promotion as fields a person fills in, and back.

The form holds every value as typed (strings), so a refused form comes back exactly as it was sent.
``command_of`` turns it into the same ``PromotionCreate`` the JSON API takes, naming every field that
is wrong (not only the first); ``form_of`` turns a saved promotion back into the form, so that
``command_of(form_of(c)) == c`` for any promotion the form can express (all of them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from uuid import UUID

import msgspec

from channel.schemas import check_code, check_currency
from core.validation import FieldValueError, check_text
from portal.errors import problem_from_validation
from portal.form_reading import FormError, FormValues, Reader, Row, many, number_text, one, rows
from portal.messages import message
from pricing import schemas
from pricing.promotions import (
    AmountOff,
    Benefit,
    BundlePrice,
    BuyXGetY,
    FixedPrice,
    Gift,
    PercentOff,
    Promotion,
    PromotionIssue,
    Target,
    ThresholdDiscount,
    VolumeTiers,
    validate_promotion,
)

KINDS = (
    "percent_off",
    "amount_off",
    "fixed_price",
    "buy_x_get_y",
    "threshold",
    "gift",
    "volume_tiers",
    "bundle_price",
)
# Kinds whose benefit applies to chosen products (a target); a gift and a bundle name their own.
TARGETED = frozenset({"percent_off", "amount_off", "fixed_price", "buy_x_get_y", "threshold", "volume_tiers"})
CONDITION_KINDS = ("min_quantity", "min_amount", "min_order_total")
TARGET_KINDS = ("sku", "category", "brand")


class PromotionForm(msgspec.Struct, kw_only=True):
    """Every field of the editor as the person typed it."""

    code: str = ""
    name: str = ""
    currency: str = "CNY"
    starts_at: str = ""  # "2026-12-01T08:00" in the reader's time zone
    ends_at: str = ""
    partner_levels: list[str] = []
    tiers: list[str] = []
    regions: list[str] = []
    buyer_kinds: list[str] = []
    partners: list[str] = []  # partner codes
    customer_groups: str = ""
    coupon_codes: str = ""
    first_order_only: bool = False
    conditions: list[Row] = []  # kind: one of CONDITION_KINDS
    kind: str = "percent_off"
    targets: list[Row] = []  # kind: one of TARGET_KINDS
    percent: str = ""
    amount: str = ""
    unit_price: str = ""
    buy: str = ""
    get: str = ""
    free_sku: str = ""
    repeat: bool = True
    every: str = ""
    off: str = ""
    gift_sku: str = ""
    gift_quantity: str = "1"
    volume_tiers: list[Row] = []  # kind: minimum quantity, value: percent
    components: list[Row] = []  # kind: SKU, value: quantity
    bundle_price: str = ""
    priority: str = "0"
    stacking: str = "combinable"
    exclusivity_group: str = ""
    free_shipping: bool = False
    budget_amount: str = ""
    budget_units: str = ""
    per_partner_limit: str = ""

    def with_blank_rows(self) -> PromotionForm:
        """The form with one empty row after each repeated group, to fill in without a script."""
        return msgspec.structs.replace(
            self,
            partners=[*self.partners, ""],
            conditions=[*self.conditions, Row()],
            targets=[*self.targets, Row(kind="sku")],
            volume_tiers=[*self.volume_tiers, Row()],
            components=[*self.components, Row(value="1")],
        )


class PromotionFormError(FormError):
    """The form cannot become a promotion: ``errors`` maps form fields to sentences."""


# --- reading a submitted form ---------------------------------------------------------------------


def read_form(values: FormValues) -> PromotionForm:
    """The form as submitted: blank repeated rows dropped, nothing converted yet."""
    defaults = PromotionForm()
    text = {
        name: one(values, name, getattr(defaults, name))
        for name in (
            "code", "name", "currency", "starts_at", "ends_at", "customer_groups", "coupon_codes", "kind",
            "percent", "amount", "unit_price", "buy", "get", "free_sku", "every", "off", "gift_sku",
            "gift_quantity", "bundle_price", "priority", "stacking", "exclusivity_group", "budget_amount",
            "budget_units", "per_partner_limit",
        )
    }  # fmt: skip
    return PromotionForm(
        **text,
        partner_levels=many(values, "partner_levels"),
        tiers=many(values, "tiers"),
        regions=many(values, "regions"),
        buyer_kinds=many(values, "buyer_kinds"),
        partners=[p.upper() for p in many(values, "partners")],
        first_order_only=bool(one(values, "first_order_only")),
        conditions=rows(values, "condition_kind", "condition_value", kept_by="value"),
        targets=rows(values, "target_kind", "target_value", kept_by="value"),
        # an unticked box sends nothing: "repeat" counts only when the kind's fields were shown
        repeat=bool(one(values, "repeat")) if one(values, "repeat_shown") else True,
        volume_tiers=rows(values, "tier_min_quantity", "tier_percent", kept_by="either"),
        components=rows(values, "component_sku", "component_quantity", kept_by="kind"),
        free_shipping=bool(one(values, "free_shipping")),
    )


# --- form -> promotion ----------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    return [
        part.strip().upper() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()
    ]


class _Reader(Reader):
    """The shared reader, and moments in the reader's time zone."""

    def moment(self, field: str, text: str, zone: tzinfo) -> datetime | None:
        if not text:
            return None
        try:
            local = datetime.fromisoformat(text)
        except ValueError:
            self.fail(field, "enter_date_time")
            return None
        if local.tzinfo is None:
            local = local.replace(tzinfo=zone)
        return local.astimezone(UTC)


def _target(reader: _Reader, rows: list[Row]) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {"skus": [], "categories": [], "brands": []}
    keys = {"sku": "skus", "category": "categories", "brand": "brands"}
    for row in rows:
        if row.kind not in keys:
            reader.fail("targets", "invalid_value")
            continue
        # brands are names as the catalogue spells them; codes are upper case
        chosen[keys[row.kind]].append(row.value if row.kind == "brand" else row.value.upper())
    return chosen


def _benefit(reader: _Reader, form: PromotionForm) -> dict[str, Any]:
    kind = form.kind
    benefit: dict[str, Any] = {"type": kind}
    if kind in TARGETED:
        benefit["target"] = _target(reader, form.targets)
    if kind == "percent_off":
        benefit["percent"] = reader.decimal("percent", form.percent)
    elif kind == "amount_off":
        benefit["amount"] = reader.decimal("amount", form.amount)
    elif kind == "fixed_price":
        benefit["unit_price"] = reader.decimal("unit_price", form.unit_price)
    elif kind == "buy_x_get_y":
        benefit["buy"] = reader.integer("buy", form.buy)
        benefit["get"] = reader.integer("get", form.get)
        benefit["free_sku"] = form.free_sku.upper() or None
        benefit["repeat"] = form.repeat
    elif kind == "threshold":
        benefit["every"] = reader.decimal("every", form.every)
        benefit["off"] = reader.decimal("off", form.off)
        benefit["repeat"] = form.repeat
    elif kind == "gift":
        if not form.gift_sku:
            reader.fail("gift_sku", "required")
        benefit["sku"] = form.gift_sku.upper()
        benefit["quantity"] = reader.integer("gift_quantity", form.gift_quantity)
    elif kind == "volume_tiers":
        benefit["tiers"] = [
            {
                "min_quantity": reader.integer(f"volume_tiers.{i}.kind", row.kind),
                "percent": reader.decimal(f"volume_tiers.{i}.value", row.value),
            }
            for i, row in enumerate(form.volume_tiers)
        ]
    elif kind == "bundle_price":
        benefit["components"] = [
            {"sku": row.kind.upper(), "quantity": reader.integer(f"components.{i}.value", row.value)}
            for i, row in enumerate(form.components)
        ]
        for i, row in enumerate(form.components):
            if not row.kind:
                reader.fail(f"components.{i}.kind", "required")
        benefit["price"] = reader.decimal("bundle_price", form.bundle_price)
    else:
        reader.fail("kind", "invalid_value")
    return benefit


def _condition(reader: _Reader, rows: list[Row]) -> dict[str, Any]:
    condition: dict[str, Any] = {}
    for i, row in enumerate(rows):
        if row.kind not in CONDITION_KINDS:
            reader.fail(f"conditions.{i}.kind", "invalid_value")
        elif row.kind in condition:
            reader.fail(f"conditions.{i}.kind", "condition_twice")
        elif row.kind == "min_quantity":
            condition[row.kind] = reader.integer(f"conditions.{i}.value", row.value)
        else:
            condition[row.kind] = reader.decimal(f"conditions.{i}.value", row.value)
    return condition


def command_of(form: PromotionForm, partner_ids: Mapping[str, UUID], zone: tzinfo) -> schemas.PromotionCreate:
    """The promotion the form describes; ``partner_ids`` holds the partner codes the actor may name.

    Raises ``PromotionFormError`` with every field that cannot be read (checks that span fields,
    such as a percentage in range, are ``validate_promotion``'s, reported by ``issue_errors``).
    """
    reader = _Reader()
    unknown = [code for code in form.partners if code not in partner_ids]
    if unknown:
        reader.fail("partners", "partners_not_yours", codes=", ".join(unknown))
    tiers = [reader.integer("tiers", t) for t in form.tiers]
    data: dict[str, Any] = {
        "code": form.code,
        "name": form.name,
        "currency": form.currency,
        "benefit": _benefit(reader, form),
        "eligibility": {
            "partner_levels": form.partner_levels,
            "tiers": tiers,
            "regions": form.regions,
            "partner_ids": [partner_ids[c] for c in form.partners if c in partner_ids],
            "buyer_kinds": form.buyer_kinds,
            "customer_groups": _split(form.customer_groups),
            "coupon_codes": _split(form.coupon_codes),
            "starts_at": reader.moment("starts_at", form.starts_at, zone),
            "ends_at": reader.moment("ends_at", form.ends_at, zone),
            "first_order_only": form.first_order_only,
        },
        "condition": _condition(reader, form.conditions),
        "priority": reader.integer("priority", form.priority or "0"),
        "stacking": form.stacking,
        "exclusivity_group": form.exclusivity_group or None,
        "free_shipping": form.free_shipping,
        "budget_amount": reader.decimal("budget_amount", form.budget_amount, required=False),
        "budget_units": reader.integer("budget_units", form.budget_units, required=False),
        "per_partner_limit": reader.integer("per_partner_limit", form.per_partner_limit, required=False),
    }
    checks: dict[str, Callable[[str], object]] = {
        "code": lambda value: check_code(value, "code"),
        "name": lambda value: check_text(value, "name", max_length=200),
        "currency": lambda value: check_currency(value.upper()),
    }
    for field, check in checks.items():
        try:
            check(getattr(form, field)) if getattr(form, field) else reader.fail(field, "required")
        except FieldValueError as refused:
            reader.fail(field, refused.code, **refused.params)
    for field in ("priority", "budget_units", "per_partner_limit"):
        if field not in reader.errors and data[field] is not None:
            low, high = (-100, 100) if field == "priority" else (1, 1_000_000_000)
            if not low <= data[field] <= high:
                reader.fail(field, "between", low=low, high=high)
    if reader.errors:
        raise PromotionFormError({**_issues_beside(data, reader.errors), **reader.errors})
    try:
        return msgspec.convert(data, schemas.PromotionCreate)
    except msgspec.ValidationError as refused:
        raise PromotionFormError(_schema_errors(refused)) from None


def _issues_beside(data: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """The rules across fields that the readable part of a refused form already breaks, so that
    one round shows every mistake: unreadable names stand in as placeholders, and nothing is
    said when the benefit itself could not be read."""
    stand_ins = {"code": "X", "name": "X", "currency": "EUR"}
    candidate = {**data, **{f: v for f, v in stand_ins.items() if f in errors}}
    candidate["priority"] = 0 if "priority" in errors else candidate["priority"]
    for field in ("budget_amount", "budget_units", "per_partner_limit"):
        if field in errors:
            candidate[field] = None
    try:
        command = msgspec.convert(candidate, schemas.PromotionCreate)
    except msgspec.ValidationError:
        return {}
    fields = {f: getattr(command, f) for f in command.__struct_fields__}
    rule = Promotion(id=UUID(int=0), issuer_id=UUID(int=0), **fields)
    return {f: text for f, text in issue_errors(validate_promotion(rule)).items() if f not in errors}


def _schema_errors(refused: msgspec.ValidationError) -> dict[str, str]:
    """What the schema's own checks refused (a code's characters, a name's length...)."""
    problem = problem_from_validation(refused)
    if problem is not None:
        return {FIELD_OF.get(problem.field, problem.field): problem.message}
    text = str(refused)
    path = text.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in text else ""
    return {FIELD_OF.get(path, path.split(".")[-1] or "__all__"): message("invalid_value")}


# Fields of the promotion data (as validate_promotion and the schema name them) -> form fields.
FIELD_OF: dict[str, str] = {
    "eligibility.starts_at": "starts_at",
    "eligibility.ends_at": "ends_at",
    "eligibility.partner_ids": "partners",
    "eligibility.coupon_codes": "coupon_codes",
    "eligibility.customer_groups": "customer_groups",
    "condition": "conditions",
    "benefit.quantity": "gift_quantity",
    "benefit.sku": "gift_sku",
    "benefit.price": "bundle_price",
    "benefit.tiers": "volume_tiers",
    "benefit.target": "targets",
    "benefit.free_sku": "free_sku",
}


def form_field(field: str) -> str:
    return FIELD_OF.get(field) or field.removeprefix("benefit.")


def issue_errors(issues: list[PromotionIssue]) -> dict[str, str]:
    """``validate_promotion``'s findings as errors of the form's fields."""
    errors: dict[str, str] = {}
    for issue in issues:
        errors.setdefault(form_field(issue.field), message(issue.code, dict(issue.params)))
    return errors


# --- promotion -> form ----------------------------------------------------------------------------


def _local(moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")


def _target_rows(target: Target) -> list[Row]:
    return (
        [Row(kind="sku", value=s) for s in sorted(target.skus)]
        + [Row(kind="category", value=c) for c in sorted(target.categories)]
        + [Row(kind="brand", value=b) for b in sorted(target.brands)]
    )


def _benefit_fields(benefit: Benefit) -> dict[str, Any]:
    fields: dict[str, Any]
    match benefit:
        case PercentOff():
            fields = {"percent": number_text(benefit.percent)}
        case AmountOff():
            fields = {"amount": number_text(benefit.amount)}
        case FixedPrice():
            fields = {"unit_price": number_text(benefit.unit_price)}
        case BuyXGetY():
            fields = {
                "buy": number_text(benefit.buy),
                "get": number_text(benefit.get),
                "free_sku": benefit.free_sku or "",
                "repeat": benefit.repeat,
            }
        case ThresholdDiscount():
            fields = {
                "every": number_text(benefit.every),
                "off": number_text(benefit.off),
                "repeat": benefit.repeat,
            }
        case Gift():
            return {"gift_sku": benefit.sku, "gift_quantity": number_text(benefit.quantity)}
        case VolumeTiers():
            fields = {
                "volume_tiers": [
                    Row(kind=number_text(t.min_quantity), value=number_text(t.percent)) for t in benefit.tiers
                ]
            }
        case BundlePrice():
            return {
                "components": [Row(kind=c.sku, value=number_text(c.quantity)) for c in benefit.components],
                "bundle_price": number_text(benefit.price),
            }
    return {**fields, "targets": _target_rows(benefit.target)}


def form_of(
    command: schemas.PromotionCreate, partner_codes: Mapping[UUID, str], zone: tzinfo
) -> PromotionForm:
    """The form that shows ``command``; ``partner_codes`` names the partners it targets."""
    rules = command.eligibility
    condition = command.condition
    conditions = [
        Row(kind=kind, value=number_text(getattr(condition, kind)))
        for kind in CONDITION_KINDS
        if getattr(condition, kind)
    ]
    return PromotionForm(
        code=command.code,
        name=command.name,
        currency=command.currency,
        starts_at=_local(rules.starts_at, zone),
        ends_at=_local(rules.ends_at, zone),
        partner_levels=sorted(rules.partner_levels),
        tiers=[str(t) for t in sorted(rules.tiers)],
        regions=sorted(rules.regions),
        buyer_kinds=sorted(rules.buyer_kinds),
        partners=sorted(partner_codes.get(p, str(p)) for p in rules.partner_ids),
        customer_groups=", ".join(sorted(rules.customer_groups)),
        coupon_codes=", ".join(sorted(rules.coupon_codes)),
        first_order_only=rules.first_order_only,
        conditions=conditions,
        kind=kind_of(command.benefit),
        priority=str(command.priority),
        stacking=command.stacking,
        exclusivity_group=command.exclusivity_group or "",
        free_shipping=command.free_shipping,
        budget_amount=number_text(command.budget_amount),
        budget_units=number_text(command.budget_units),
        per_partner_limit=number_text(command.per_partner_limit),
        **_benefit_fields(command.benefit),
    )


def kind_of(benefit: Benefit) -> str:
    kind = msgspec.inspect.type_info(type(benefit))
    assert isinstance(kind, msgspec.inspect.StructType)
    return str(kind.tag)


def command_from_record(record: schemas.PromotionRecord) -> schemas.PromotionCreate:
    """A saved promotion as the input that would save it again."""
    rule = record.rule
    return schemas.PromotionCreate(
        code=rule.code,
        name=rule.name or record.name,
        currency=rule.currency,
        benefit=rule.benefit,
        eligibility=rule.eligibility,
        condition=rule.condition,
        priority=rule.priority,
        stacking=rule.stacking,
        exclusivity_group=rule.exclusivity_group,
        free_shipping=rule.free_shipping,
        budget_amount=rule.budget_amount,
        budget_units=rule.budget_units,
        per_partner_limit=rule.per_partner_limit,
    )


# What a new promotion's form starts from, per kind: the kind's fields with a typical value.
STARTING_VALUES: dict[str, Callable[[], dict[str, Any]]] = {
    "percent_off": lambda: {"percent": "10"},
    "amount_off": lambda: {"amount": "50"},
    "fixed_price": lambda: {"unit_price": ""},
    "buy_x_get_y": lambda: {"buy": "5", "get": "1"},
    "threshold": lambda: {"every": "1000", "off": "100"},
    "gift": lambda: {"gift_quantity": "1", "conditions": [Row(kind="min_order_total", value="")]},
    "volume_tiers": lambda: {"volume_tiers": [Row(kind="5", value="3"), Row(kind="10", value="5")]},
    "bundle_price": lambda: {"components": [Row(value="1"), Row(value="1")]},
}


def starting_form(kind: str, currency: str) -> PromotionForm:
    kind = kind if kind in KINDS else "percent_off"
    return PromotionForm(kind=kind, currency=currency, **STARTING_VALUES[kind]())
