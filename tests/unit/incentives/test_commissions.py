"""Commissions with exact figures: slab rates per category, splits to the cent, clawbacks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from incentives import commissions
from incentives.commissions import CategoryRate, CommissionPlan, Split
from incentives.rebates import SaleLine, Tier

D = Decimal
PLAN = CommissionPlan(
    rates=(
        CategoryRate(
            category="HOBS",
            tiers=(Tier(threshold=D(0), percent=D(3)), Tier(threshold=D(10_000), percent=D(5))),
        ),
        CategoryRate(category="", tiers=(Tier(threshold=D(0), percent=D(2)),)),
    )
)


def _line(sku: str, category: str, amount: str, quantity: int = 10, returned: int = 0) -> SaleLine:
    return SaleLine(
        sku=sku,
        category_path=category,
        day=date(2026, 11, 2),
        quantity=quantity,
        amount=D(amount),
        returned_quantity=returned,
    )


def test_each_category_earns_its_own_slabs_and_the_rest_the_catch_all_rate() -> None:
    lines = [
        _line("HOB-60", "KITCHEN/HOBS", "8000"),
        _line("HOB-90", "KITCHEN/HOBS", "6000"),
        _line("HOOD", "KITCHEN/HOODS", "5000"),
    ]

    # Hobs: 3% of 10,000 + 5% of 4,000 = 500.00; hoods at 2% of 5,000 = 100.00.
    assert commissions.commission_for(lines, PLAN) == D("600.00")


def test_a_return_claws_back_what_the_returned_units_earned() -> None:
    before = commissions.commission_for([_line("HOB-60", "HOBS", "14000", quantity=14)], PLAN)
    after = commissions.commission_for([_line("HOB-60", "HOBS", "14000", quantity=14, returned=6)], PLAN)
    agent, referrer = uuid4(), uuid4()
    splits = [Split(partner_id=agent, percent=D(70)), Split(partner_id=referrer, percent=D(30))]

    paid = commissions.split(before, "EUR", splits)
    changes = commissions.deltas(commissions.split(after, "EUR", splits), paid)

    assert (before, after) == (D("500.00"), D("240.00"))  # 8,000 left: 3% of it
    assert paid == {agent: D("350.00"), referrer: D("150.00")}
    assert changes == {agent: D("-182.00"), referrer: D("-78.00")}
    assert commissions.deltas(paid, paid) == {}


def test_a_split_loses_and_invents_no_cent() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    thirds = [
        Split(partner_id=a, percent=D("33.34")),
        Split(partner_id=b, percent=D("33.33")),
        Split(partner_id=c, percent=D("33.33")),
    ]

    shares = commissions.split(D("100.00"), "EUR", thirds)

    assert shares == {a: D("33.34"), b: D("33.33"), c: D("33.33")}
    assert [p.code for p in commissions.validate_splits(thirds[:2])] == ["not_one_hundred"]
    assert [p.code for p in commissions.validate_splits([thirds[0], thirds[0]])] == [
        "duplicate",
        "not_one_hundred",
    ]


@given(st.decimals(min_value=0, max_value=10**7, places=2), st.integers(min_value=1, max_value=99))
def test_every_split_adds_up_to_the_commission(amount: Decimal, first: int) -> None:
    splits = [Split(partner_id=uuid4(), percent=D(first)), Split(partner_id=uuid4(), percent=D(100 - first))]

    assert sum(commissions.split(amount, "EUR", splits).values()) == amount


def test_a_run_adds_up_what_it_earned_and_clawed_back_per_currency_never_across() -> None:
    earned, clawed_back = commissions.run_totals(
        [("EUR", D("60.00")), ("CNY", D("480.00")), ("EUR", D("20.00")), ("EUR", D("-30.00"))]
    )

    assert earned == {"CNY": D("480.00"), "EUR": D("80.00")}
    assert clawed_back == {"EUR": D("30.00")}
    assert commissions.run_totals([]) == ({}, {})
