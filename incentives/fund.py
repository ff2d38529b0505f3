"""The rebate fund's rules: what a ledger entry does to the balance, and how much of an order the
fund may pay (pure, no persistence)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class EntryKind(StrEnum):
    CREDIT = "credit"  # an approved settlement (negative when a settlement corrects an earlier one)
    USE = "use"  # part of an order paid from the fund
    RETURN = "return"  # a cancelled order gives back what it used
    EXPIRY = "expiry"  # credit that lapsed unused
    ADJUSTMENT = "adjustment"  # a correction by the programme's owner, with a reason


def use_limit(order_total: Decimal, percent: Decimal) -> Decimal:
    """The most of an order the fund may pay: ``percent`` of its total, down to the cent
    (10% of 1,234.56 is 123.45)."""
    if order_total <= 0 or percent <= 0:
        return Decimal(0)
    return (order_total * percent / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)


def usable(balance: Decimal, order_total: Decimal, percent: Decimal) -> Decimal:
    """What an order may take from the fund: within the limit and the balance."""
    return max(min(balance, use_limit(order_total, percent)), Decimal(0))


def apply_entry(balance: Decimal, amount: Decimal) -> Decimal | None:
    """The balance after an entry, or ``None`` when it would go below zero (the entry is refused)."""
    after = balance + amount
    return after if after >= 0 else None


def balance_of(amounts: list[Decimal]) -> Decimal:
    """The balance is always the sum of the ledger."""
    return sum(amounts, Decimal(0))


def still_used(amounts_for_order: list[Decimal]) -> Decimal:
    """What an order has taken from the fund and not given back (uses are negative entries)."""
    return max(-sum(amounts_for_order, Decimal(0)), Decimal(0))
