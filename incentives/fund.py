"""The rebate fund's rules: what a ledger entry does to the balance, and how much of an order the
fund may pay (pure, no persistence)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

import msgspec

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


# --- credit that lapses ----------------------------------------------------------------------------


def usable_until(credited_on: date, months: int) -> date:
    """The last day a credit may be used: the end of the month ``months`` after the one it was
    credited in (credited on 24 November 2026 for 6 months: usable until 31 May 2027). Whole months
    are what a programme's terms name, and what a partner remembers."""
    index = credited_on.year * 12 + credited_on.month + months  # the month after the last one
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


class LedgerLine(NamedTuple):
    """What replaying the ledger needs of an entry."""

    kind: str
    amount: Decimal
    order_reference: str = ""
    usable_until: date | None = None  # a credit's last day; None: it never lapses


class Lot(msgspec.Struct, kw_only=True):
    """Credit that came in together and lapses together, and what is left of it."""

    usable_until: date | None
    left: Decimal
    number: int  # in the order the lots came in


def _lapses_first(lot: Lot) -> tuple[bool, date, int]:
    return (lot.usable_until is None, lot.usable_until or date.max, lot.number)


def lots_of(ledger: Iterable[LedgerLine]) -> list[Lot]:
    """Replay the ledger, oldest entry first: the credit still in the fund, by lot, soonest to lapse
    first. Their sum is the balance.

    Whatever takes from the fund (an order's use, an expiry, a negative correction) takes the credit
    that lapses first, so a partner never loses credit it could have spent. Money an order gives
    back returns to the lots its use took from, keeping their dates: cancelling an order does not
    make old credit young again. A positive correction by the owner never lapses.
    """
    lots: list[Lot] = []
    taken_by_order: dict[str, list[tuple[Lot, Decimal]]] = {}
    for line in ledger:
        if line.amount > 0 and line.kind == EntryKind.RETURN:
            due = line.amount
            records = taken_by_order.get(line.order_reference, [])
            # The credit that lapses last goes back first: what a partial return gives back is the
            # part most worth having.
            for index in range(len(records) - 1, -1, -1):
                lot, taken = records[index]
                back = min(due, taken)
                lot.left += back
                records[index] = (lot, taken - back)
                due -= back
            if due > 0:  # what no use's record places (never for a ledger the service wrote)
                lots.append(Lot(usable_until=None, left=due, number=len(lots)))
        elif line.amount > 0:
            until = line.usable_until if line.kind == EntryKind.CREDIT else None
            lots.append(Lot(usable_until=until, left=line.amount, number=len(lots)))
        elif line.amount < 0:
            due = -line.amount
            took: list[tuple[Lot, Decimal]] = []
            for lot in sorted((lot for lot in lots if lot.left > 0), key=_lapses_first):
                part = min(due, lot.left)
                lot.left -= part
                took.append((lot, part))
                due -= part
                if due == 0:
                    break
            if line.kind == EntryKind.USE and line.order_reference:
                taken_by_order.setdefault(line.order_reference, []).extend(took)
    return sorted((lot for lot in lots if lot.left > 0), key=_lapses_first)


def lapsed(lots: Iterable[Lot], today: date) -> Decimal:
    """Credit left whose last day has passed."""
    return sum(
        (lot.left for lot in lots if lot.usable_until is not None and lot.usable_until < today), Decimal(0)
    )


def lapsed_until(lots: Iterable[Lot], today: date) -> date | None:
    """The last day of the newest credit that has lapsed: what an expiry names."""
    days = [lot.usable_until for lot in lots if lot.usable_until is not None and lot.usable_until < today]
    return max(days, default=None)


def lapsing(lots: Iterable[Lot]) -> list[tuple[date, Decimal]]:
    """The credit that will lapse, by last day, soonest first."""
    by_day: dict[date, Decimal] = {}
    for lot in lots:
        if lot.usable_until is not None:
            by_day[lot.usable_until] = by_day.get(lot.usable_until, Decimal(0)) + lot.left
    return sorted(by_day.items())
