"""Rebate programmes as data, and the rules that turn a partner's volume into a rebate.

A programme is a msgspec Struct; its basis is a tagged union (``{"type": "sell_in", ...}``), so a
programme read from JSON is checked field by field when decoded, and ``validate_programme`` checks
what spans fields. Everything here is a pure function over Decimals and dates: the services load
the volumes and call these.
"""

from __future__ import annotations

import calendar
import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Literal
from uuid import UUID

import msgspec

from core.errors import FieldProblem

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class TierMode(StrEnum):
    """``whole``: the rate of the highest tier reached applies to the whole volume; ``slab``: each
    tier's rate applies only to the part of the volume between its threshold and the next one."""

    WHOLE = "whole"
    SLAB = "slab"


class ProductScope(msgspec.Struct, frozen=True, kw_only=True):
    """The products whose volume counts: any of these SKUs or categories (with everything below).

    All empty means every product.
    """

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not (self.skus or self.categories)

    def matches(self, sku: str, category_path: str) -> bool:
        if self.everything or sku in self.skus:
            return True
        return any(code in self.categories for code in category_path.split("/"))


class SellIn(msgspec.Struct, frozen=True, kw_only=True, tag="sell_in"):
    """What the partner bought: received orders, net of approved returns, free goods excluded."""

    scope: ProductScope = ProductScope()


class SellOut(msgspec.Struct, frozen=True, kw_only=True, tag="sell_out"):
    """What the partner reported selling to end customers (current reports only)."""

    scope: ProductScope = ProductScope()


class Growth(msgspec.Struct, frozen=True, kw_only=True, tag="growth"):
    """The increase over the same period last year; tiers and rates apply to the increase."""

    source: Literal["sell_in", "sell_out"] = "sell_in"
    scope: ProductScope = ProductScope()


class ProductFamily(msgspec.Struct, frozen=True, kw_only=True, tag="product_family"):
    """Sell-in of one product family (categories) only."""

    categories: frozenset[str]


Basis = SellIn | SellOut | Growth | ProductFamily


class Tier(msgspec.Struct, frozen=True, kw_only=True):
    threshold: Decimal  # volume from which the tier applies
    percent: Decimal


class Enrolment(msgspec.Struct, frozen=True, kw_only=True):
    """Who takes part: every criterion set must hold; a named partner is enrolled whatever else.

    All empty means every partner under the programme's owner.
    """

    partner_levels: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    partner_kinds: frozenset[str] = frozenset()
    partner_ids: frozenset[UUID] = frozenset()


class Definition(msgspec.Struct, frozen=True, kw_only=True):
    """What a programme pays, for whom, how often."""

    period: PeriodKind
    basis: Basis
    tiers: tuple[Tier, ...]
    mode: TierMode = TierMode.WHOLE
    cap: Decimal | None = None  # at most this much per partner and period
    enrolment: Enrolment = Enrolment()
    exclude_free_goods: bool = True
    fund_use_percent: Decimal = Decimal(10)  # at most this share of an order may be paid from the fund
    # Credit it pays into the fund is usable until the end of the month this many months after the
    # one it was credited in, then lapses (incentives.fund.usable_until); None: it never lapses.
    credit_valid_months: int | None = None


class PartnerFacts(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    kind: str
    path: str
    partner_level: str | None
    region: str | None


def is_enrolled(enrolment: Enrolment, owner_path: str, partner: PartnerFacts) -> bool:
    """A partner strictly under the owner that matches the enrolment."""
    if partner.path == owner_path or not partner.path.startswith(owner_path):
        return False
    if partner.id in enrolment.partner_ids:
        return True
    criteria = (enrolment.partner_levels, enrolment.regions, enrolment.partner_kinds)
    if enrolment.partner_ids and not any(criteria):
        return False  # only the named partners
    if enrolment.partner_levels and partner.partner_level not in enrolment.partner_levels:
        return False
    if enrolment.regions and partner.region not in enrolment.regions:
        return False
    return not (enrolment.partner_kinds and partner.kind not in enrolment.partner_kinds)


def _finite(value: Decimal) -> bool:
    return value.is_finite()


def validate_definition(definition: Definition) -> list[FieldProblem]:
    """What spans fields: tiers ascending from a non-negative threshold, rates and caps in range."""
    problems: list[FieldProblem] = []
    if not definition.tiers:
        problems.append(FieldProblem("tiers", "required"))
    if len(definition.tiers) > 20:
        problems.append(FieldProblem("tiers", "too_many", {"maximum": 20}))
    previous: Decimal | None = None
    for index, tier in enumerate(definition.tiers):
        if not _finite(tier.threshold) or tier.threshold < 0 or tier.threshold >= Decimal("1e12"):
            problems.append(FieldProblem(f"tiers[{index}].threshold", "out_of_range"))
        elif previous is not None and tier.threshold <= previous:
            problems.append(FieldProblem(f"tiers[{index}].threshold", "not_ascending"))
        else:
            previous = tier.threshold
        if not _finite(tier.percent) or not Decimal(0) < tier.percent <= HUNDRED:
            problems.append(FieldProblem(f"tiers[{index}].percent", "out_of_range"))
    if definition.cap is not None and (not _finite(definition.cap) or definition.cap <= 0):
        problems.append(FieldProblem("cap", "out_of_range"))
    percent = definition.fund_use_percent
    if not _finite(percent) or not Decimal(0) <= percent <= HUNDRED:
        problems.append(FieldProblem("fund_use_percent", "out_of_range"))
    months = definition.credit_valid_months
    if months is not None and not 1 <= months <= 120:
        problems.append(FieldProblem("credit_valid_months", "out_of_range"))
    if isinstance(definition.basis, ProductFamily) and not definition.basis.categories:
        problems.append(FieldProblem("basis.categories", "required"))
    return problems


# --- periods --------------------------------------------------------------------------------------


class Period(msgspec.Struct, frozen=True):
    """A half-open range of days ``[start, end)``."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def period_of(kind: PeriodKind, day: date) -> Period:
    """The month, quarter or year ``day`` falls in."""
    if kind is PeriodKind.MONTH:
        start = date(day.year, day.month, 1)
        return Period(start, _add_months(start, 1))
    if kind is PeriodKind.QUARTER:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(start, _add_months(start, 3))
    return Period(date(day.year, 1, 1), date(day.year + 1, 1, 1))


def same_period_last_year(period: Period) -> Period:
    return Period(date(period.start.year - 1, period.start.month, 1), _last_year(period.end))


def _last_year(day: date) -> date:
    last_day = calendar.monthrange(day.year - 1, day.month)[1]
    return date(day.year - 1, day.month, min(day.day, last_day))


def is_period_start(kind: PeriodKind, day: date) -> bool:
    return period_of(kind, day).start == day


# --- the rebate ----------------------------------------------------------------------------------


class Rebate(msgspec.Struct, frozen=True, kw_only=True):
    volume: Decimal
    uncapped: Decimal
    amount: Decimal  # after the cap, rounded to cents
    tier: int | None  # index of the highest tier reached, None below the first
    capped: bool


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def rebate_for(volume: Decimal, definition: Definition) -> Rebate:
    """The rebate a volume earns under the programme's tiers, mode and cap.

    Whole: 500,000 at "1% from 100k, 2% from 250k, 3.5% from 500k" earns 3.5% of 500,000 = 17,500.
    Slab: the same earns 1% of 150,000 + 2% of 250,000 + 3.5% of 0 = 6,500.
    """
    tiers = definition.tiers
    reached = [i for i, t in enumerate(tiers) if volume >= t.threshold]
    tier = reached[-1] if reached else None
    if tier is None or volume <= 0:
        uncapped = Decimal(0)
    elif definition.mode is TierMode.WHOLE:
        uncapped = volume * tiers[tier].percent / HUNDRED
    else:
        uncapped = Decimal(0)
        for i in range(tier + 1):
            upper = tiers[i + 1].threshold if i + 1 < len(tiers) else None
            top = volume if upper is None else min(volume, upper)
            uncapped += (top - tiers[i].threshold) * tiers[i].percent / HUNDRED
    amount = _round(uncapped)
    capped = definition.cap is not None and amount > definition.cap
    if capped and definition.cap is not None:
        amount = _round(definition.cap)
    return Rebate(volume=volume, uncapped=_round(uncapped), amount=amount, tier=tier, capped=capped)


class NextTier(msgspec.Struct, frozen=True, kw_only=True):
    index: int
    threshold: Decimal
    percent: Decimal
    remaining: Decimal  # volume still to go
    rebate_at_threshold: Decimal


def next_tier(volume: Decimal, definition: Definition) -> NextTier | None:
    """The first tier not reached yet, how far away it is and what reaching it would earn."""
    for index, tier in enumerate(definition.tiers):
        if volume < tier.threshold:
            return NextTier(
                index=index,
                threshold=tier.threshold,
                percent=tier.percent,
                remaining=tier.threshold - volume,
                rebate_at_threshold=rebate_for(tier.threshold, definition).amount,
            )
    return None


def projected_volume(volume: Decimal, period: Period, today: date) -> Decimal:
    """The volume at the period's end if the rest of it goes as it went so far (a linear run rate
    over the days elapsed, today included); the actual volume once the period is over."""
    if today >= period.end:
        return volume
    elapsed = max((today - period.start).days + 1, 1)
    return _round(volume * Decimal(period.days) / Decimal(elapsed))


class Accrual(msgspec.Struct, frozen=True, kw_only=True):
    """A partner's standing in one period: earned so far, what its orders on the way would add, the
    next tier, the projection."""

    period: Period
    volume: Decimal
    earned: Rebate
    next_tier: NextTier | None
    on_order: Decimal = Decimal(0)
    projected_volume: Decimal
    projected: Rebate


def accrue(
    volume: Decimal, definition: Definition, period: Period, today: date, on_order: Decimal = Decimal(0)
) -> Accrual:
    """``on_order``: the volume of orders placed and not yet received; it counts in the projection
    (the partner bought it in the days elapsed) but not in what is earned."""
    projection = projected_volume(volume + on_order, period, today)
    return Accrual(
        period=period,
        volume=volume,
        earned=rebate_for(volume, definition),
        next_tier=next_tier(volume, definition),
        on_order=on_order,
        projected_volume=projection,
        projected=rebate_for(projection, definition),
    )


# --- volumes --------------------------------------------------------------------------------------


class SaleLine(msgspec.Struct, frozen=True, kw_only=True):
    """One bought or sold line as the basis sees it: its product, day, units and net amount."""

    sku: str
    category_path: str
    day: date
    quantity: int
    free_quantity: int = 0
    amount: Decimal
    returned_quantity: int = 0


def line_volume(line: SaleLine, *, exclude_free_goods: bool) -> Decimal:
    """The line's net amount less what was returned (in proportion to the units paid for).

    Free goods are priced at zero in the line's net amount, so they add nothing to an amount basis
    when excluded; when a programme counts them, they are valued at the line's paid unit price. A
    line kept whole counts its amount exactly; a part of it (returns, counted free goods) is valued
    half-up to the cent, as a credit note is, with exact arithmetic (never a rounded unit price), so
    the set-based sum in ``incentives.repository.partner_volumes`` gives the same figure.
    """
    paid = line.quantity - line.free_quantity
    if paid <= 0:
        return Decimal(0)
    counted = paid if exclude_free_goods else line.quantity
    kept = counted - min(line.returned_quantity, counted)
    if kept == paid:
        return line.amount
    share = Fraction(line.amount) * kept / paid * 100
    cents = math.floor(abs(share) + Fraction(1, 2))
    return (Decimal(-cents if share < 0 else cents) / 100).quantize(CENT)


def scope_of(basis: Basis) -> ProductScope:
    if isinstance(basis, ProductFamily):
        return ProductScope(categories=basis.categories)
    return basis.scope


def volume_of(lines: list[SaleLine], definition: Definition, period: Period) -> Decimal:
    """The volume of the lines in the period and the basis's products."""
    scope = scope_of(definition.basis)
    return sum(
        (
            line_volume(line, exclude_free_goods=definition.exclude_free_goods)
            for line in lines
            if period.contains(line.day) and scope.matches(line.sku, line.category_path)
        ),
        Decimal(0),
    )


def basis_volume(
    definition: Definition, period: Period, lines: list[SaleLine], last_year: list[SaleLine]
) -> Decimal:
    """What the tiers are measured on: the period's volume, or for growth the increase over the
    same period last year (never below zero)."""
    current = volume_of(lines, definition, period)
    if not isinstance(definition.basis, Growth):
        return current
    before = volume_of(last_year, definition, same_period_last_year(period))
    return max(current - before, Decimal(0))


def source_of(basis: Basis) -> Literal["sell_in", "sell_out"]:
    if isinstance(basis, SellOut):
        return "sell_out"
    if isinstance(basis, Growth):
        return basis.source
    return "sell_in"


# --- settlement -----------------------------------------------------------------------------------


class SettledPeriod(msgspec.Struct, frozen=True, kw_only=True):
    """One period in a settlement: what it earns now, what was paid for it before, the difference."""

    period_start: date
    period_end: date
    earned: Decimal
    paid_before: Decimal
    amount: Decimal


def settlement_lines(earned: dict[Period, Decimal], paid: dict[Period, Decimal]) -> list[SettledPeriod]:
    """The period being settled and every earlier one whose figure moved (a late return, a restated
    report): each pays what it earns now less what earlier settlements paid for it."""
    lines = []
    for period in sorted(earned, key=lambda p: p.start):
        before = paid.get(period, Decimal(0))
        difference = earned[period] - before
        if difference:
            lines.append(
                SettledPeriod(
                    period_start=period.start,
                    period_end=period.end,
                    earned=earned[period],
                    paid_before=before,
                    amount=difference,
                )
            )
    return lines


def paid_by_period(lines: list[SettledPeriod], shortfall: Decimal) -> list[tuple[Period, Decimal]]:
    """What an approved settlement really paid for each period, when the fund could take back only
    part of a negative settlement: the ``shortfall`` (what was not taken back) comes off the
    corrections, earliest first, so the next settlement asks for it again."""
    paid = []
    left = max(shortfall, Decimal(0))
    for line in lines:
        amount = line.amount
        if amount < 0 and left:
            relief = min(-amount, left)
            amount, left = amount + relief, left - relief
        paid.append((Period(line.period_start, line.period_end), amount))
    return paid


def periods_between(kind: PeriodKind, first: date, last: Period) -> list[Period]:
    """Every period of ``kind`` from the one holding ``first`` up to and including ``last``."""
    periods = []
    current = period_of(kind, first)
    while current.start <= last.start:
        periods.append(current)
        current = period_of(kind, current.end)
    return periods
