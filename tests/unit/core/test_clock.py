from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FixedClock, SystemClock


def test_a_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))

    clock.advance(hours=3)

    assert clock.now() == datetime(2026, 1, 1, 3, tzinfo=UTC)
    assert clock.advance(timedelta(days=1)) == datetime(2026, 1, 2, 3, tzinfo=UTC)


def test_a_fixed_clock_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 1, 1))


def test_the_system_clock_tells_utc() -> None:
    assert SystemClock().now().tzinfo is UTC
