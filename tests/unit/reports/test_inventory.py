"""Channel inventory figures: days of supply, FIFO age, alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from reports.inventory import (
    Receipt,
    StockHealth,
    Thresholds,
    age_of,
    days_of_supply,
    discrepancy,
    effective_on_hand,
    health,
)

TODAY = date(2026, 11, 23)


def _at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


def test_reported_stock_wins_over_the_ledger_and_the_gap_is_reported_less_ledger() -> None:
    assert effective_on_hand(ledger=10, reported=7) == 7
    assert effective_on_hand(ledger=10, reported=None) == 10
    assert effective_on_hand(ledger=None, reported=None) == 0
    assert discrepancy(ledger=10, reported=7) == -3
    assert discrepancy(ledger=None, reported=7) is None


def test_days_of_supply_divide_on_hand_by_the_average_daily_sell_out() -> None:
    assert days_of_supply(on_hand=20, units_sold=56) == Decimal("10.0")  # 2 a day
    assert days_of_supply(on_hand=10, units_sold=3) == Decimal("93.3")
    assert days_of_supply(on_hand=10, units_sold=0) is None


def test_age_takes_the_newest_receipts_first() -> None:
    receipts = [Receipt(_at(3), 10), Receipt(_at(13), 5), Receipt(_at(21), 4)]

    age = age_of(on_hand=12, receipts=receipts, today=TODAY)

    # 4 units 2 days old, 5 units 10 days old, 3 of the first 10 at 20 days: (8 + 50 + 60) / 12
    assert (age.average_days, age.oldest_days, age.unexplained) == (10, 20, 0)


def test_units_the_ledger_never_saw_arrive_are_counted_apart() -> None:
    age = age_of(on_hand=8, receipts=[Receipt(_at(20), 5)], today=TODAY)

    assert (age.average_days, age.oldest_days, age.unexplained) == (3, 3, 3)


def test_alerts_follow_the_thresholds() -> None:
    limits = Thresholds(low_days=7, high_days=60)

    assert health(0, Decimal(0), limits) is StockHealth.OUT
    assert health(5, Decimal("6.9"), limits) is StockHealth.LOW
    assert health(5, Decimal("7"), limits) is StockHealth.OK
    assert health(5, Decimal("60.1"), limits) is StockHealth.OVER
    assert health(5, None, limits) is StockHealth.OVER  # stock that does not sell
    assert health(5, None, Thresholds()) is StockHealth.UNKNOWN
    assert health(5, Decimal("1"), Thresholds()) is StockHealth.OK
