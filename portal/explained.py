"""A priced cart with every reason in words: the engine's codes turned into the reader's language.

The same Structs answer ``POST /api/pricing/price`` and fill the cart page, so a partner's ERP and a
store clerk read the same explanation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from portal.i18n import format_money, format_number, gettext
from pricing import messages as pricing_messages
from pricing.configuration import Violation
from pricing.model import Consumption, PricedCart, Step

# Parameters that are amounts of money (formatted in the cart's currency); the rest are numbers.
_MONEY = frozenset({"unit_price", "amount", "off", "every", "price"})


class ExplainedStep(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    amount: Decimal
    code: str
    text: str
    params: dict[str, Any] = {}
    promotion_id: UUID | None = None


class ExplainedLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int
    free_quantity: int
    unit_price: Decimal
    list_total: Decimal
    net_total: Decimal
    is_gift: bool
    steps: list[ExplainedStep]


class ExplainedHint(msgspec.Struct, frozen=True, kw_only=True):
    promotion_id: UUID
    code: str
    text: str
    params: dict[str, Any] = {}


class ExplainedCart(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    lines: list[ExplainedLine]
    list_total: Decimal
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    free_shipping: bool
    applied: list[UUID]
    hints: list[ExplainedHint]
    consumption: list[Consumption]
    problems: list[ExplainedStep]


def _shown(params: dict[str, Any], currency: str, code: str) -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            money = key in _MONEY or (
                key == "missing" and isinstance(value, Decimal) and code.startswith("add_amount")
            )
            money = money or (key == "missing" and code == "add_order_amount")
            shown[key] = format_money(value, currency) if money else format_number(value)
        elif key == "controlled":
            shown[key] = gettext("floor") if value == "floor" else gettext("ceiling")
        else:
            shown[key] = str(value)
    return shown


def sentence(table: dict[str, str], code: str, params: dict[str, Any], currency: str) -> str:
    template = gettext(table.get(code, code))
    try:
        return template.format(**_shown(params, currency, code))
    except (KeyError, IndexError, ValueError):
        return template


def _step(step: Step, currency: str) -> ExplainedStep:
    return ExplainedStep(
        kind=step.kind,
        amount=step.amount,
        code=step.code,
        text=sentence(pricing_messages.STEPS, step.code, step.params, currency),
        params=step.params,
        promotion_id=step.promotion_id,
    )


def explain(priced: PricedCart) -> ExplainedCart:
    currency = priced.currency
    return ExplainedCart(
        currency=currency,
        lines=[
            ExplainedLine(
                sku=line.sku,
                quantity=line.quantity,
                free_quantity=line.free_quantity,
                unit_price=line.unit_price,
                list_total=line.list_total,
                net_total=line.net_total,
                is_gift=line.is_gift,
                steps=[_step(s, currency) for s in line.steps],
            )
            for line in priced.lines
        ],
        list_total=priced.list_total,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        total=priced.total,
        free_shipping=priced.free_shipping,
        applied=list(priced.applied),
        hints=[
            ExplainedHint(
                promotion_id=h.promotion_id,
                code=h.code,
                text=sentence(pricing_messages.HINTS, h.code, h.params, currency),
                params=h.params,
            )
            for h in priced.hints
        ],
        consumption=list(priced.consumption),
        problems=[_step(p, currency) for p in priced.problems],
    )


class WordedViolation(msgspec.Struct, frozen=True):
    code: str
    params: dict[str, str | int]
    text: str


class CheckedConfiguration(msgspec.Struct, frozen=True):
    valid: bool
    violations: list[WordedViolation]


def configuration_text(violation: Violation, names: dict[str, str] | None = None) -> str:
    """A broken rule in the reader's language; option SKUs shown with their names when known."""

    def shown(value: str | int) -> str | int:
        if not names or not isinstance(value, str):
            return value
        return ", ".join(f"{names[s]} ({s})" if s in names else s for s in value.split(", "))

    params = {key: shown(value) for key, value in violation.params.items()}
    template = gettext(pricing_messages.CONFIGURATION.get(violation.code, violation.code))
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
