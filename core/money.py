"""Money: a ``Decimal`` amount with its currency, rounded per currency at defined points only.

The number of decimal places per currency is CLDR's, the same data Babel formats with (a unit test
checks this table against Babel), so an amount is never shown with more precision than it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache

import msgspec

# CLDR currency digits where they are not 2 (babel.numbers.get_currency_precision agrees).
_DIGITS_OTHER_THAN_TWO: dict[str, int] = {
    **dict.fromkeys(
        [
            "ADP",
            "AFN",
            "ALL",
            "BIF",
            "BYR",
            "CLP",
            "DJF",
            "ESP",
            "GNF",
            "IQD",
            "IRR",
            "ISK",
            "ITL",
            "JPY",
            "KMF",
            "KPW",
            "KRW",
            "LAK",
            "LBP",
            "LUF",
            "MGA",
            "MGF",
            "MMK",
            "MRO",
            "PYG",
            "RSD",
            "RWF",
            "SLL",
            "SOS",
            "STD",
            "SYP",
            "TMM",
            "TRL",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
            "YER",
            "ZMK",
            "ZWD",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}


def currency_digits(currency: str) -> int:
    """Decimal places an amount in ``currency`` is rounded to."""
    return _DIGITS_OTHER_THAN_TWO.get(currency.upper(), 2)


@cache
def quantum(currency: str) -> Decimal:
    """The smallest unit of ``currency`` (0.01 for EUR, 1 for JPY, 0.001 for KWD)."""
    return Decimal(1).scaleb(-currency_digits(currency))


# Rounding half up at the default precision; passed as a context, which the pricing loop's many
# roundings find cheaper than a keyword.
HALF_UP = Context(rounding=ROUND_HALF_UP)


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's smallest unit (the commercial convention on invoices)."""
    return amount.quantize(quantum(currency), None, HALF_UP)


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined."""


class Money(msgspec.Struct, frozen=True):
    """An amount in one currency. Arithmetic keeps full precision; ``rounded()`` rounds."""

    amount: Decimal
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * factor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def rounded(self) -> Money:
        return Money(round_amount(self.amount, self.currency), self.currency)

    def allocate(self, weights: Sequence[Decimal]) -> list[Money]:
        """Split this amount over ``weights`` in the currency's smallest unit, losing and inventing nothing.

        Largest remainder method: every share is rounded down, then the leftover units go to the
        shares with the largest remainders (ties to the earlier share), so the parts add up exactly
        to the rounded whole. All-zero weights split evenly.
        """
        if not weights:
            return []
        if any(w < 0 for w in weights):
            raise ValueError("allocation weights cannot be negative")
        unit = quantum(self.currency)
        whole = round_amount(self.amount, self.currency)
        sign = -1 if whole < 0 else 1
        units = int(abs(whole) / unit)
        total_weight = sum(weights, Decimal(0))
        effective = list(weights) if total_weight > 0 else [Decimal(1)] * len(weights)
        total = sum(effective, Decimal(0))
        exact = [Decimal(units) * w / total for w in effective]
        floors = [int(e) for e in exact]
        leftover = units - sum(floors)
        by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in by_remainder[:leftover]:
            floors[i] += 1
        return [Money(sign * unit * n, self.currency) for n in floors]
