"""Checks for input values that msgspec's own constraints cannot express.

msgspec accepts ``"NaN"``, ``"Infinity"`` and ``"1e400"`` as a ``Decimal`` and refuses ``Meta(gt=...)``
on ``Decimal``, so money and quantity fields are checked here, from an input Struct's
``__post_init__``. The ``FieldValueError`` raised there becomes msgspec's ``ValidationError`` (a 400
naming the field) and stays reachable as its ``__cause__``, with a reason code the portal translates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Large enough for any real credit limit or order total, small enough for NUMERIC(16, 2).
MAX_AMOUNT = Decimal("99999999999999")


class FieldValueError(ValueError):
    """One input field's value was refused: ``code`` and ``params`` say why, the message in English."""

    def __init__(self, field: str, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.params = params


def check_decimal(
    value: Decimal,
    field: str,
    *,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal = MAX_AMOUNT,
    places: int = 2,
) -> Decimal:
    """Return ``value`` if it is finite, within range and has at most ``places`` decimals."""
    if not value.is_finite():
        raise FieldValueError(field, "not_finite", f"{field} must be a finite number")
    if minimum is not None and value < minimum:
        raise FieldValueError(field, "below_minimum", f"{field} must be at least {minimum}", minimum=minimum)
    if value > maximum:
        raise FieldValueError(field, "above_maximum", f"{field} must be at most {maximum}", maximum=maximum)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise FieldValueError(
            field, "too_many_decimals", f"{field} has more than {places} decimal places", places=places
        )
    return value


def check_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    """Return ``value`` stripped, refusing control characters, blanks (when required) and overlong text."""
    stripped = value.strip()
    if required and not stripped:
        raise FieldValueError(field, "required", f"{field} is required")
    if len(stripped) > max_length:
        raise FieldValueError(
            field, "too_long", f"{field} is longer than {max_length} characters", maximum=max_length
        )
    if any(ord(ch) < 32 and ch not in "\t\n" for ch in stripped) or "\x7f" in stripped:
        raise FieldValueError(field, "control_characters", f"{field} contains control characters")
    return stripped
