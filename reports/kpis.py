"""Partner KPIs, scores and level suggestions (pure): period totals in, figures and reason codes out.

The definitions are written out in ``docs/reports-kpis.md``; the portal shows the same words beside
each figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import msgspec

from reports.measures import Measure

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Period(msgspec.Struct, frozen=True):
    kind: PeriodKind
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: PeriodKind, day: date) -> Period:
    """The month, quarter or year that contains ``day``."""
    if kind is PeriodKind.YEAR:
        start = date(day.year, 1, 1)
        months = 12
    elif kind is PeriodKind.QUARTER:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        months = 3
    else:
        start = date(day.year, day.month, 1)
        months = 1
    return Period(kind, start, _add_months(start, months) - timedelta(days=1))


def parse_period(kind: PeriodKind, text: str) -> Period:
    """'2026', '2026-Q3' or '2026-07' (ValueError otherwise)."""
    if kind is PeriodKind.YEAR:
        return period_of(kind, date(int(text), 1, 1))
    if kind is PeriodKind.QUARTER:
        year, quarter = text.split("-Q")
        if not 1 <= int(quarter) <= 4:
            raise ValueError(text)
        return period_of(kind, date(int(year), int(quarter) * 3 - 2, 1))
    year, month = text.split("-")
    return period_of(kind, date(int(year), int(month), 1))


def shifted(period: Period, steps: int) -> Period:
    """The period ``steps`` periods later (earlier when negative)."""
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[period.kind]
    return period_of(period.kind, _add_months(period.start, months * steps))


def same_period_last_year(period: Period) -> Period:
    return period_of(period.kind, date(period.start.year - 1, period.start.month, 1))


class TargetMeasure(StrEnum):
    PURCHASES = "purchases"  # amount, in the partner's currency
    SELL_OUT = "sell_out"  # units
    NEW_STORES = "new_stores"
    REGISTERED_DEALS = "registered_deals"


# Which rollup measure a target is compared with.
TARGET_ACTUAL: dict[TargetMeasure, Measure] = {
    TargetMeasure.PURCHASES: Measure.PURCHASES_AMOUNT,
    TargetMeasure.SELL_OUT: Measure.SELL_OUT_UNITS,
    TargetMeasure.NEW_STORES: Measure.NEW_STORES,
    TargetMeasure.REGISTERED_DEALS: Measure.REGISTRATIONS_SUBMITTED,
}


class Kpi(StrEnum):
    PURCHASES_ACHIEVEMENT = "purchases_achievement"
    PURCHASES_GROWTH = "purchases_growth"
    SELL_OUT_ACHIEVEMENT = "sell_out_achievement"
    NEW_STORES_ACHIEVEMENT = "new_stores_achievement"
    DEALS_ACHIEVEMENT = "deals_achievement"
    SELL_THROUGH = "sell_through"
    FILL_RATE = "fill_rate"
    ON_TIME_SHIPMENT = "on_time_shipment"
    ORDER_CYCLE_DAYS = "order_cycle_days"
    REGISTRATIONS_SUBMITTED = "registrations_submitted"
    REGISTRATIONS_APPROVED = "registrations_approved"
    REGISTRATIONS_WON = "registrations_won"
    REGISTRATION_WIN_RATE = "registration_win_rate"
    QUOTE_CONVERSION = "quote_conversion"
    LEAD_ACCEPTANCE = "lead_acceptance"
    FOLLOW_UP_COMPLIANCE = "follow_up_compliance"
    PROMOTION_PARTICIPATION = "promotion_participation"
    DAYS_OF_SUPPLY = "days_of_supply"


class Unit(StrEnum):
    PERCENT = "percent"
    DAYS = "days"
    COUNT = "count"


UNITS: dict[Kpi, Unit] = {
    Kpi.ORDER_CYCLE_DAYS: Unit.DAYS,
    Kpi.DAYS_OF_SUPPLY: Unit.DAYS,
    Kpi.REGISTRATIONS_SUBMITTED: Unit.COUNT,
    Kpi.REGISTRATIONS_APPROVED: Unit.COUNT,
    Kpi.REGISTRATIONS_WON: Unit.COUNT,
}

# KPIs that can weigh in a score; counts and days of supply inform but are not scored.
SCORED = (
    Kpi.PURCHASES_ACHIEVEMENT,
    Kpi.PURCHASES_GROWTH,
    Kpi.SELL_OUT_ACHIEVEMENT,
    Kpi.NEW_STORES_ACHIEVEMENT,
    Kpi.DEALS_ACHIEVEMENT,
    Kpi.SELL_THROUGH,
    Kpi.FILL_RATE,
    Kpi.ON_TIME_SHIPMENT,
    Kpi.ORDER_CYCLE_DAYS,
    Kpi.REGISTRATION_WIN_RATE,
    Kpi.QUOTE_CONVERSION,
    Kpi.LEAD_ACCEPTANCE,
    Kpi.FOLLOW_UP_COMPLIANCE,
    Kpi.PROMOTION_PARTICIPATION,
)

# KPIs made of product-based measures: under a product-category filter they are the category's.
# The others are not filtered by category: targets and weights are set for all products, and deals,
# leads, quotes, promotion participation, on-time shipment and cycle time are about whole orders.
CATEGORY_KPIS = (Kpi.PURCHASES_GROWTH, Kpi.SELL_THROUGH, Kpi.FILL_RATE, Kpi.DAYS_OF_SUPPLY)

DEFAULT_WEIGHTS: dict[Kpi, int] = {
    Kpi.PURCHASES_ACHIEVEMENT: 30,
    Kpi.PURCHASES_GROWTH: 15,
    Kpi.SELL_OUT_ACHIEVEMENT: 10,
    Kpi.SELL_THROUGH: 10,
    Kpi.FILL_RATE: 10,
    Kpi.ON_TIME_SHIPMENT: 5,
    Kpi.REGISTRATION_WIN_RATE: 5,
    Kpi.QUOTE_CONVERSION: 5,
    Kpi.LEAD_ACCEPTANCE: 5,
    Kpi.FOLLOW_UP_COMPLIANCE: 5,
}


class Totals(msgspec.Struct, frozen=True):
    """One partner's rollup sums over one period, and its stock at the last report in it."""

    sums: dict[str, Decimal]
    stock: Decimal | None = None

    def __getitem__(self, measure: Measure) -> Decimal:
        return self.sums.get(measure, ZERO)  # a StrEnum member hashes and compares as its value


class KpiValue(msgspec.Struct, frozen=True):
    kpi: Kpi
    value: Decimal | None  # None: not applicable (nothing to measure, or no target)
    unit: Unit
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if denominator == 0:
        return None
    return (numerator * HUNDRED / denominator).quantize(TENTH, ROUND_HALF_UP)


def growth(current: Decimal, previous: Decimal) -> Decimal | None:
    """Growth against the same period a year earlier, in percent (None when that one had nothing)."""
    return _ratio(current - previous, previous)


def compute(
    current: Totals, last_year: Totals, targets: Mapping[TargetMeasure, Decimal], period: Period
) -> list[KpiValue]:
    """Every KPI of one partner for one period."""
    M = Measure
    values: list[KpiValue] = []

    def pct(kpi: Kpi, numerator: Decimal, denominator: Decimal) -> None:
        values.append(KpiValue(kpi, _ratio(numerator, denominator), Unit.PERCENT, numerator, denominator))

    for kpi, measure in (
        (Kpi.PURCHASES_ACHIEVEMENT, TargetMeasure.PURCHASES),
        (Kpi.SELL_OUT_ACHIEVEMENT, TargetMeasure.SELL_OUT),
        (Kpi.NEW_STORES_ACHIEVEMENT, TargetMeasure.NEW_STORES),
        (Kpi.DEALS_ACHIEVEMENT, TargetMeasure.REGISTERED_DEALS),
    ):
        pct(kpi, current[TARGET_ACTUAL[measure]], targets.get(measure, ZERO))
    previous = last_year[M.PURCHASES_AMOUNT]
    growth_value = growth(current[M.PURCHASES_AMOUNT], previous)
    values.append(
        KpiValue(Kpi.PURCHASES_GROWTH, growth_value, Unit.PERCENT, current[M.PURCHASES_AMOUNT], previous)
    )
    if current[M.SELL_OUT_UNITS]:  # a partner that reports no sell-out has no sell-through to show
        pct(Kpi.SELL_THROUGH, current[M.SELL_OUT_UNITS], current[M.PURCHASES_UNITS])
    else:
        values.append(KpiValue(Kpi.SELL_THROUGH, None, Unit.PERCENT, ZERO, current[M.PURCHASES_UNITS]))
    pct(Kpi.FILL_RATE, current[M.FILL_SHIPPED_UNITS], current[M.FILL_ORDERED_UNITS])
    pct(Kpi.ON_TIME_SHIPMENT, current[M.ON_TIME_ORDERS], current[M.SHIPPED_ORDERS])
    received = current[M.RECEIVED_ORDERS]
    cycle = (current[M.CYCLE_HOURS] / received / 24).quantize(TENTH, ROUND_HALF_UP) if received else None
    values.append(KpiValue(Kpi.ORDER_CYCLE_DAYS, cycle, Unit.DAYS, current[M.CYCLE_HOURS], received))
    for kpi, counted in (
        (Kpi.REGISTRATIONS_SUBMITTED, M.REGISTRATIONS_SUBMITTED),
        (Kpi.REGISTRATIONS_APPROVED, M.REGISTRATIONS_APPROVED),
        (Kpi.REGISTRATIONS_WON, M.REGISTRATIONS_WON),
    ):
        values.append(KpiValue(kpi, current[counted], Unit.COUNT))
    pct(Kpi.REGISTRATION_WIN_RATE, current[M.REGISTRATIONS_WON], current[M.REGISTRATIONS_APPROVED])
    pct(Kpi.QUOTE_CONVERSION, current[M.QUOTES_CONVERTED], current[M.QUOTES_SENT])
    pct(Kpi.LEAD_ACCEPTANCE, current[M.LEADS_ACCEPTED_IN_TIME], current[M.LEADS_OFFERED])
    pct(Kpi.FOLLOW_UP_COMPLIANCE, current[M.LEADS_FOLLOWED_IN_TIME], current[M.LEADS_ACCEPTED])
    pct(Kpi.PROMOTION_PARTICIPATION, current[M.PROMOTION_ORDERS], current[M.PURCHASES_ORDERS])
    sold = current[M.SELL_OUT_UNITS]
    supply = None
    if current.stock is not None and sold:
        supply = (current.stock * period.days / sold).quantize(TENTH, ROUND_HALF_UP)
    values.append(KpiValue(Kpi.DAYS_OF_SUPPLY, supply, Unit.DAYS, current.stock, sold))
    return values


def of_category(whole: list[KpiValue], category: list[KpiValue]) -> list[KpiValue]:
    """The KPIs under a category filter: the category's where they are product-based, else the whole."""
    filtered = {v.kpi: v for v in category}
    return [filtered[v.kpi] if v.kpi in CATEGORY_KPIS else v for v in whole]


def points(kpi: KpiValue) -> Decimal | None:
    """A KPI on a 0-100 scale: achievements and rates as they are (capped at 100); growth maps
    -20%..+20% onto 0..100; cycle time gives 100 at 2 days or less and 0 at 14 days or more."""
    if kpi.value is None or kpi.kpi not in SCORED:
        return None
    if kpi.kpi is Kpi.PURCHASES_GROWTH:
        raw = (kpi.value + 20) * Decimal("2.5")
    elif kpi.kpi is Kpi.ORDER_CYCLE_DAYS:
        raw = (Decimal(14) - kpi.value) * HUNDRED / 12
    else:
        raw = kpi.value
    return min(HUNDRED, max(ZERO, raw)).quantize(TENTH, ROUND_HALF_UP)


class ScorePart(msgspec.Struct, frozen=True):
    kpi: Kpi
    weight: int
    points: Decimal


class Score(msgspec.Struct, frozen=True):
    score: Decimal | None  # None when no weighted KPI applies
    parts: list[ScorePart]


def score(kpis: list[KpiValue], weights: Mapping[Kpi, int]) -> Score:
    """The weighted mean of the scored KPIs that apply; a KPI that does not apply (no target, no
    orders to fill) drops out and the others' weights carry the score."""
    parts = []
    for kpi in kpis:
        weight = weights.get(kpi.kpi, 0)
        earned = points(kpi)
        if weight > 0 and earned is not None:
            parts.append(ScorePart(kpi.kpi, weight, earned))
    total = sum(p.weight for p in parts)
    if not total:
        return Score(None, parts)
    value = sum((p.points * p.weight for p in parts), ZERO) / total
    return Score(value.quantize(TENTH, ROUND_HALF_UP), parts)


PROMOTE_AT = Decimal(85)  # this score or more in the period and the one before: suggest a level up
DEMOTE_BELOW = Decimal(50)  # below this in the period and the one before: suggest a level down


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    STAY = "stay"


class Suggestion(msgspec.Struct, frozen=True):
    direction: Direction
    level: str | None  # the suggested level's code
    reasons: list[str]  # reason codes: score_high_twice, score_low_twice, strong:<kpi>, weak:<kpi>


def suggest(current: Score, previous: Score, level: str | None, levels_by_rank: list[str]) -> Suggestion:
    """Suggest moving a partner one level up or down when two periods in a row say so."""
    if current.score is None or previous.score is None or level not in levels_by_rank:
        return Suggestion(
            Direction.STAY, level, ["not_enough_data" if level in levels_by_rank else "no_level"]
        )
    position = levels_by_rank.index(level)
    ranked = sorted(current.parts, key=lambda p: p.points)
    if current.score >= PROMOTE_AT and previous.score >= PROMOTE_AT and position + 1 < len(levels_by_rank):
        strong = [f"strong:{p.kpi.value}" for p in reversed(ranked) if p.points >= PROMOTE_AT][:3]
        return Suggestion(Direction.UP, levels_by_rank[position + 1], ["score_high_twice", *strong])
    if current.score < DEMOTE_BELOW and previous.score < DEMOTE_BELOW and position > 0:
        weak = [f"weak:{p.kpi.value}" for p in ranked if p.points < DEMOTE_BELOW][:3]
        return Suggestion(Direction.DOWN, levels_by_rank[position - 1], ["score_low_twice", *weak])
    return Suggestion(Direction.STAY, level, ["within_thresholds"])
