"""Reading an editor's form as typed: single and repeated fields, rows of two fields, and numbers
read field by field so that every unreadable field is named (not only the first).

Shared by the editors that turn a form into a command (promotions, rebate programmes).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import msgspec

from portal.messages import message

MAX_ROWS = 200


class FormValues(Protocol):
    """What a submitted form offers: Litestar's ``FormMultiDict`` or a dict of lists in tests."""

    def getall(self, key: str, default: list[Any] = ...) -> list[Any]: ...


class Row(msgspec.Struct, kw_only=True):
    """One repeated row: a kind (condition, product picker) or first value, and a second value."""

    kind: str = ""
    value: str = ""


class FormError(Exception):
    """The form cannot become what it stands for: ``errors`` maps form fields to sentences."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def one(values: FormValues, name: str, default: str = "") -> str:
    found = values.getall(name, [])
    return str(found[0]).strip() if found and isinstance(found[0], str) else default


def many(values: FormValues, name: str) -> list[str]:
    return [
        str(v).strip() for v in values.getall(name, [])[:MAX_ROWS] if isinstance(v, str) and str(v).strip()
    ]


def rows(values: FormValues, first: str, second: str, *, kept_by: str) -> list[Row]:
    """Rows of two repeated fields, in order; a row whose ``kept_by`` part ("kind", "value" or
    "either") is blank is an unused row and left out."""
    kinds = [str(v).strip() for v in values.getall(first, [])[:MAX_ROWS]]
    others = [str(v).strip() for v in values.getall(second, [])[:MAX_ROWS]]
    others += [""] * (len(kinds) - len(others))
    found = [Row(kind=k, value=v) for k, v in zip(kinds, others, strict=False)]
    if kept_by == "either":
        return [r for r in found if r.kind or r.value]
    return [r for r in found if getattr(r, kept_by)]


def number_text(value: Decimal | int | None) -> str:
    return "" if value is None else str(value)


class Reader:
    """Converts the form's text field by field, keeping every problem instead of stopping at one."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, code: str, **params: Any) -> None:
        self.errors.setdefault(field, message(code, params or None))

    def decimal(self, field: str, text: str, *, required: bool = True) -> Decimal | None:
        cleaned = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
        if not cleaned:
            if required:
                self.fail(field, "required")
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            self.fail(field, "not_finite")
            return None
        if not value.is_finite():
            self.fail(field, "not_finite")
            return None
        return value

    def integer(self, field: str, text: str, *, required: bool = True) -> int | None:
        cleaned = text.replace(",", "").replace(" ", "")
        if not cleaned:
            if required:
                self.fail(field, "required")
            return None
        if not cleaned.lstrip("-").isdigit() or len(cleaned) > 9:
            self.fail(field, "enter_whole_number")
            return None
        return int(cleaned)
