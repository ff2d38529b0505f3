"""The rebate fund's rules: what a ledger entry does to the balance, and how much of an order the
fund may pay (pure, no persistence)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class EntryKind(StrEnum):
    CREDIT = "credit"  # an approved settlement (negative when a settlement corrects an earlier one)
    USE = "use"  # part of an order paid from the fund
    RETURN = "return"  # a cancelled order gives back what it used; a return of goods, their share
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


def due_for_return(
    amounts_for_order: list[Decimal], order_total: Decimal, returned_value: Decimal
) -> Decimal:
    """What the fund gives back now for goods sent back from an order that it paid part of.

    The goods returned so far (``returned_value`` of ``order_total``, all approved returns of the
    order together) carried the same share of the fund payment as of the order, to the cent; less
    what was given back already. Computed on the running total, so the returns of a whole order give
    back exactly what it used (a third, a third, a third of 100.00: 33.33, 33.34, 33.33)."""
    used = -sum((a for a in amounts_for_order if a < 0), Decimal(0))
    given_back = sum((a for a in amounts_for_order if a > 0), Decimal(0))
    if used <= 0 or order_total <= 0 or returned_value <= 0:
        return Decimal(0)
    share = min(used, (used * returned_value / order_total).quantize(CENT, rounding=ROUND_HALF_UP))
    return max(share - given_back, Decimal(0))
