from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reports import kpis
from reports.kpis import Direction, Kpi, KpiValue, PeriodKind, Score, ScorePart, Unit


@pytest.mark.parametrize(
    ("kind", "label", "start", "end"),
    [
        (PeriodKind.MONTH, "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (PeriodKind.QUARTER, "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (PeriodKind.YEAR, "2024", date(2024, 1, 1), date(2024, 12, 31)),
    ],
    ids=["month", "quarter", "year"],
)
def test_periods_parse_and_span_whole_months(kind: PeriodKind, label: str, start: date, end: date) -> None:
    period = kpis.parse_period(kind, label)

    assert (period.start, period.end, period.label) == (start, end, label)
    assert kpis.shifted(kpis.shifted(period, -1), 1) == period
    assert kpis.same_period_last_year(period).start == date(start.year - 1, start.month, 1)


@pytest.mark.parametrize("label", ["2026-Q5", "2026-13", "x", ""])
def test_a_bad_period_label_is_refused(label: str) -> None:
    with pytest.raises(ValueError):
        kpis.parse_period(PeriodKind.QUARTER if "Q" in label else PeriodKind.MONTH, label)


@pytest.mark.parametrize(
    ("kpi", "value", "points"),
    [
        (Kpi.PURCHASES_ACHIEVEMENT, "140", "100.0"),
        (Kpi.FILL_RATE, "57.1", "57.1"),
        (Kpi.PURCHASES_GROWTH, "-20", "0.0"),
        (Kpi.PURCHASES_GROWTH, "0", "50.0"),
        (Kpi.PURCHASES_GROWTH, "10", "75.0"),
        (Kpi.ORDER_CYCLE_DAYS, "2", "100.0"),
        (Kpi.ORDER_CYCLE_DAYS, "8", "50.0"),
        (Kpi.ORDER_CYCLE_DAYS, "20", "0.0"),
    ],
)
def test_points_put_every_kpi_on_a_0_to_100_scale(kpi: Kpi, value: str, points: str) -> None:
    assert kpis.points(KpiValue(kpi, Decimal(value), Unit.PERCENT)) == Decimal(points)


def test_a_kpi_without_data_drops_out_of_the_score_and_the_others_carry_it() -> None:
    values = [
        KpiValue(Kpi.PURCHASES_ACHIEVEMENT, Decimal("80"), Unit.PERCENT),
        KpiValue(Kpi.FILL_RATE, None, Unit.PERCENT),
        KpiValue(Kpi.QUOTE_CONVERSION, Decimal("20"), Unit.PERCENT),
    ]

    found = kpis.score(values, {Kpi.PURCHASES_ACHIEVEMENT: 3, Kpi.FILL_RATE: 5, Kpi.QUOTE_CONVERSION: 1})

    assert found.score == Decimal("65.0")  # (80x3 + 20x1) / 4
    assert [p.kpi for p in found.parts] == [Kpi.PURCHASES_ACHIEVEMENT, Kpi.QUOTE_CONVERSION]
    assert kpis.score([], {Kpi.FILL_RATE: 1}).score is None


def _score(value: str, *parts: tuple[Kpi, str]) -> Score:
    return Score(Decimal(value), [ScorePart(k, 1, Decimal(p)) for k, p in parts])


LEVELS = ["SILVER", "GOLD", "PLATINUM"]  # lowest first


def test_two_high_periods_suggest_the_next_level_up_with_the_strong_kpis() -> None:
    current = _score("90", (Kpi.FILL_RATE, "100"), (Kpi.QUOTE_CONVERSION, "80"))

    found = kpis.suggest(current, _score("86"), "GOLD", LEVELS)

    assert (found.direction, found.level) == (Direction.UP, "PLATINUM")
    assert found.reasons == ["score_high_twice", "strong:fill_rate"]


def test_two_low_periods_suggest_the_next_level_down_and_the_top_and_bottom_stay() -> None:
    low = _score("40", (Kpi.LEAD_ACCEPTANCE, "10"), (Kpi.FILL_RATE, "70"))

    down = kpis.suggest(low, _score("45"), "GOLD", LEVELS)

    assert (down.direction, down.level, down.reasons) == (
        Direction.DOWN,
        "SILVER",
        ["score_low_twice", "weak:lead_acceptance"],
    )
    assert kpis.suggest(low, _score("45"), "SILVER", LEVELS).direction is Direction.STAY
    assert kpis.suggest(_score("95"), _score("95"), "PLATINUM", LEVELS).direction is Direction.STAY
    assert kpis.suggest(_score("95"), _score("60"), "GOLD", LEVELS).reasons == ["within_thresholds"]
    assert kpis.suggest(_score("95"), Score(None, []), "GOLD", LEVELS).reasons == ["not_enough_data"]
    assert kpis.suggest(_score("95"), _score("95"), None, LEVELS).reasons == ["no_level"]
