"""Channel inventory figures: which on-hand figure counts, days of supply, ageing, alerts (pure).

Definitions (docs/reports.md says the same in words):

- *on hand* is the partner's last reported stock when it reports, else the stock ledger's on hand;
  the *discrepancy* is reported minus ledger, when both exist.
- *daily sell-out rate* is the units sold in the last ``RATE_WINDOW_DAYS`` days (reported sell-out;
  for a partner that reports none, what it shipped to its buyers through the portal) divided by the
  window's days.
- *days of supply* is on hand divided by the daily rate; none when nothing was sold.
- *age* comes from the ledger's receipts taken first-in, first-out: the units on hand are the most
  recent ones received, and their age is the days since each arrived (weighted average, and the
  oldest); units beyond what the ledger shows arriving count as older than the look-back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import msgspec

RATE_WINDOW_DAYS = 28
AGEING_LOOKBACK_DAYS = 365


class StockHealth(StrEnum):
    OUT = "out"  # nothing on hand while it sells
    LOW = "low"  # fewer days of supply than the product's low threshold
    OK = "ok"
    OVER = "over"  # more days than the overstock threshold (or stock that does not sell)
    UNKNOWN = "unknown"  # no rate and no stock: nothing to say


class Thresholds(msgspec.Struct, frozen=True):
    """Days of supply below which stock is low and above which it is overstock (``None``: no alert)."""

    low_days: int | None = None
    high_days: int | None = None


class Receipt(msgspec.Struct, frozen=True):
    at: datetime
    quantity: int


class Age(msgspec.Struct, frozen=True):
    average_days: int | None
    oldest_days: int | None
    unexplained: int = 0  # units on hand the ledger does not show arriving within the look-back


def effective_on_hand(ledger: int | None, reported: int | None) -> int:
    if reported is not None:
        return reported
    return ledger or 0


def discrepancy(ledger: int | None, reported: int | None) -> int | None:
    if ledger is None or reported is None:
        return None
    return reported - ledger


def daily_rate(units_sold: int, window_days: int = RATE_WINDOW_DAYS) -> Decimal:
    return (Decimal(units_sold) / Decimal(window_days)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def days_of_supply(on_hand: int, units_sold: int, window_days: int = RATE_WINDOW_DAYS) -> Decimal | None:
    """On hand over the average daily sell-out; ``None`` when nothing sold in the window."""
    if units_sold <= 0:
        return None
    return (Decimal(on_hand) * Decimal(window_days) / Decimal(units_sold)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def health(on_hand: int, supply: Decimal | None, thresholds: Thresholds) -> StockHealth:
    if supply is None:
        if on_hand > 0 and thresholds.high_days is not None:
            return StockHealth.OVER  # stock that does not sell at all
        return StockHealth.UNKNOWN
    if on_hand <= 0:
        return StockHealth.OUT
    if thresholds.low_days is not None and supply < thresholds.low_days:
        return StockHealth.LOW
    if thresholds.high_days is not None and supply > thresholds.high_days:
        return StockHealth.OVER
    return StockHealth.OK


def age_of(on_hand: int, receipts: Iterable[Receipt], today: date) -> Age:
    """FIFO: the ``on_hand`` units are the newest received; their weighted average and oldest age."""
    if on_hand <= 0:
        return Age(average_days=None, oldest_days=None)
    remaining = on_hand
    weighted = 0
    counted = 0
    oldest: int | None = None
    for receipt in sorted(receipts, key=lambda r: r.at, reverse=True):
        if remaining <= 0:
            break
        if receipt.quantity <= 0:
            continue
        take = min(remaining, receipt.quantity)
        days = max(0, (today - receipt.at.date()).days)
        weighted += take * days
        counted += take
        oldest = days
        remaining -= take
    if counted == 0:
        return Age(average_days=None, oldest_days=None, unexplained=on_hand)
    return Age(
        average_days=round(weighted / counted),
        oldest_days=oldest,
        unexplained=remaining,
    )
