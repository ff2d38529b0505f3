"""Commissions for the partners who bring a deal: rates per product category as slabs of the deal's
volume, split between partners, clawed back when goods come back (pure, no persistence).

A plan reuses the rebate tiers in slab mode: "3% of the first 10,000 of hobs, 5% above" is
``CategoryRate(category="HOBS", tiers=(Tier(0, 3), Tier(10000, 5)))``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

import msgspec

from core.errors import FieldProblem
from core.money import Money
from incentives.rebates import (
    Definition,
    PeriodKind,
    SaleLine,
    SellIn,
    Tier,
    TierMode,
    line_volume,
    rebate_for,
)

HUNDRED = Decimal(100)


class CategoryRate(msgspec.Struct, frozen=True, kw_only=True):
    """Slab rates for one category (with everything below it); ``category=""`` is every other product."""

    category: str = ""
    tiers: tuple[Tier, ...]


class CommissionPlan(msgspec.Struct, frozen=True, kw_only=True):
    rates: tuple[CategoryRate, ...]


class Split(msgspec.Struct, frozen=True, kw_only=True):
    partner_id: UUID
    percent: Decimal


def validate_plan(plan: CommissionPlan) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not plan.rates:
        problems.append(FieldProblem("rates", "required"))
    seen: set[str] = set()
    for index, rate in enumerate(plan.rates):
        if rate.category in seen:
            problems.append(FieldProblem(f"rates[{index}].category", "duplicate"))
        seen.add(rate.category)
        if not rate.tiers:
            problems.append(FieldProblem(f"rates[{index}].tiers", "required"))
        for t_index, tier in enumerate(rate.tiers):
            if not tier.percent.is_finite() or not Decimal(0) < tier.percent <= HUNDRED:
                problems.append(FieldProblem(f"rates[{index}].tiers[{t_index}].percent", "out_of_range"))
            if t_index and tier.threshold <= rate.tiers[t_index - 1].threshold:
                problems.append(FieldProblem(f"rates[{index}].tiers[{t_index}].threshold", "not_ascending"))
    return problems


def validate_splits(splits: list[Split]) -> list[FieldProblem]:
    """Each partner once, each share above zero, together exactly 100%."""
    problems: list[FieldProblem] = []
    if not splits:
        problems.append(FieldProblem("splits", "required"))
    if len({s.partner_id for s in splits}) != len(splits):
        problems.append(FieldProblem("splits", "duplicate"))
    if any(not s.percent.is_finite() or s.percent <= 0 for s in splits):
        problems.append(FieldProblem("splits", "out_of_range"))
    elif splits and sum((s.percent for s in splits), Decimal(0)) != HUNDRED:
        problems.append(FieldProblem("splits", "not_one_hundred"))
    return problems


def rate_for(plan: CommissionPlan, category_path: str) -> CategoryRate | None:
    """The most specific rate: the deepest category of the product's path that has one, else the
    catch-all."""
    by_category = {r.category: r for r in plan.rates}
    for code in reversed([c for c in category_path.split("/") if c]):
        if code in by_category:
            return by_category[code]
    return by_category.get("")


class CategoryCommission(msgspec.Struct, frozen=True, kw_only=True):
    """What one rate of a plan earns on a deal: the volume in its products, the slabs, the amount
    (to the cent) and the effective rate (the amount over the volume, in percent)."""

    category: str
    tiers: tuple[Tier, ...]
    volume: Decimal
    amount: Decimal
    rate: Decimal


def commission_by_category(lines: list[SaleLine], plan: CommissionPlan) -> list[CategoryCommission]:
    """A deal's commission rate by rate: per rate, its slabs over the deal's volume in that rate's
    products, net of returns, free goods excluded; rounded per rate to the cent."""
    volumes: dict[str, Decimal] = defaultdict(Decimal)
    rates: dict[str, CategoryRate] = {}
    for line in lines:
        rate = rate_for(plan, line.category_path)
        if rate is None:
            continue
        rates[rate.category] = rate
        volumes[rate.category] += line_volume(line, exclude_free_goods=True)
    found = []
    for category in sorted(volumes):
        slabs = Definition(
            period=PeriodKind.MONTH, basis=SellIn(), tiers=rates[category].tiers, mode=TierMode.SLAB
        )
        amount = rebate_for(volumes[category], slabs).amount
        effective = (
            (amount / volumes[category] * HUNDRED).quantize(Decimal("0.01"))
            if volumes[category] > 0
            else Decimal(0)
        )
        found.append(
            CategoryCommission(
                category=category,
                tiers=rates[category].tiers,
                volume=volumes[category],
                amount=amount,
                rate=effective,
            )
        )
    return found


def commission_for(lines: list[SaleLine], plan: CommissionPlan) -> Decimal:
    """What a deal's order earns: the sum of its rates' commissions."""
    return sum((c.amount for c in commission_by_category(lines, plan)), Decimal(0))


def split(amount: Decimal, currency: str, splits: list[Split]) -> dict[UUID, Decimal]:
    """Share a commission by the split, to the cent, losing and inventing nothing."""
    parts = Money(amount, currency).allocate([s.percent for s in splits])
    return {s.partner_id: part.amount for s, part in zip(splits, parts, strict=True)}


def run_totals(changes: Iterable[tuple[str, Decimal]]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """What a run earned and clawed back, per currency, from its entries' (currency, change): amounts
    in two currencies never add up to one."""
    earned: dict[str, Decimal] = {}
    clawed_back: dict[str, Decimal] = {}
    for currency, change in changes:
        if change > 0:
            earned[currency] = earned.get(currency, Decimal(0)) + change
        elif change < 0:
            clawed_back[currency] = clawed_back.get(currency, Decimal(0)) - change
    return dict(sorted(earned.items())), dict(sorted(clawed_back.items()))


def deltas(earned: dict[UUID, Decimal], recorded: dict[UUID, Decimal]) -> dict[UUID, Decimal]:
    """What to record now so that each partner's entries add up to what the deal earns today: a
    positive difference is earned, a negative one clawed back."""
    partners = set(earned) | set(recorded)
    changes = {p: earned.get(p, Decimal(0)) - recorded.get(p, Decimal(0)) for p in partners}
    return {p: d for p, d in changes.items() if d}
