"""Rebate rules with exact figures: tiers on the whole volume and by slab, caps, exclusions,
growth, projections and the netting of settlements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incentives import rebates
from incentives.rebates import (
    Definition,
    Enrolment,
    Growth,
    PartnerFacts,
    Period,
    PeriodKind,
    ProductFamily,
    SaleLine,
    SellIn,
    Tier,
    TierMode,
)

D = Decimal
TIERS = (
    Tier(threshold=D(100_000), percent=D(1)),
    Tier(threshold=D(250_000), percent=D(2)),
    Tier(threshold=D(500_000), percent=D("3.5")),
)
Q4 = Period(date(2026, 10, 1), date(2027, 1, 1))


def programme(mode: TierMode = TierMode.WHOLE, cap: Decimal | None = None, **kw: object) -> Definition:
    return Definition(
        period=PeriodKind.QUARTER, basis=kw.pop("basis", SellIn()), tiers=TIERS, mode=mode, cap=cap, **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("volume", "whole", "slab"),
    [
        (D("99999.99"), D("0.00"), D("0.00")),
        (D(100_000), D("1000.00"), D("0.00")),
        (D(180_000), D("1800.00"), D("800.00")),
        (D(300_000), D("6000.00"), D("2500.00")),
        (D(500_000), D("17500.00"), D("6500.00")),
        (D(620_000), D("21700.00"), D("10700.00")),
        (D("123456.78"), D("1234.57"), D("234.57")),
    ],
    ids=["below-first", "at-first", "inside-first", "second", "at-third", "above-third", "rounded-half-up"],
)
def test_tiers_apply_to_the_whole_volume_or_only_to_each_slab(
    volume: Decimal, whole: Decimal, slab: Decimal
) -> None:
    assert rebates.rebate_for(volume, programme(TierMode.WHOLE)).amount == whole
    assert rebates.rebate_for(volume, programme(TierMode.SLAB)).amount == slab


def test_a_cap_limits_the_rebate_and_says_so() -> None:
    figure = rebates.rebate_for(D(620_000), programme(cap=D(15_000)))

    assert (figure.uncapped, figure.amount, figure.capped, figure.tier) == (
        D("21700.00"),
        D("15000.00"),
        True,
        2,
    )
    assert rebates.rebate_for(D(300_000), programme(cap=D(15_000))).capped is False


def test_the_next_tier_says_how_far_away_it_is_and_what_it_would_earn() -> None:
    upcoming = rebates.next_tier(D(180_000), programme())

    assert upcoming is not None
    assert (upcoming.index, upcoming.threshold, upcoming.remaining, upcoming.rebate_at_threshold) == (
        1,
        D(250_000),
        D(70_000),
        D("5000.00"),
    )
    assert rebates.next_tier(D(500_000), programme()) is None


def test_the_projection_runs_the_volume_so_far_to_the_end_of_the_period() -> None:
    # 15 November is day 46 of the 92 days of the fourth quarter: the volume doubles.
    accrual = rebates.accrue(D(230_000), programme(), Q4, date(2026, 11, 15))

    assert accrual.earned.amount == D("2300.00")
    assert accrual.projected_volume == D("460000.00")
    assert accrual.projected.amount == D("9200.00")
    assert rebates.projected_volume(D(230_000), Q4, date(2027, 1, 5)) == D(230_000)


def test_orders_on_their_way_move_the_projection_but_earn_nothing_yet() -> None:
    # 200,000 received and 30,000 on order on day 46 of 92: the projection runs 230,000 to 460,000.
    accrual = rebates.accrue(D(200_000), programme(), Q4, date(2026, 11, 15), on_order=D(30_000))

    assert (accrual.volume, accrual.on_order) == (D(200_000), D(30_000))
    assert accrual.earned.amount == D("2000.00")
    assert accrual.projected_volume == D("460000.00")
    assert accrual.projected.amount == D("9200.00")


def test_free_goods_are_excluded_and_returns_net_off_in_proportion() -> None:
    # 12 units, 2 of them free: 10 paid at 100.00; 3 units came back.
    line = SaleLine(
        sku="A",
        category_path="TOOLS",
        day=date(2026, 10, 5),
        quantity=12,
        free_quantity=2,
        amount=D(1000),
        returned_quantity=3,
    )

    assert rebates.line_volume(line, exclude_free_goods=True) == D(700)
    assert rebates.line_volume(line, exclude_free_goods=False) == D(900)
    gift = SaleLine(
        sku="G", category_path="", day=date(2026, 10, 5), quantity=1, free_quantity=1, amount=D(0)
    )
    assert rebates.line_volume(gift, exclude_free_goods=True) == D(0)


def test_a_line_bought_in_units_that_do_not_divide_its_amount_counts_its_whole_amount() -> None:
    # 100,000.00 for 3 units: dividing first left 99,999.99999..., just below the 1% tier.
    line = SaleLine(sku="A", category_path="", day=date(2026, 10, 5), quantity=3, amount=D("100000.00"))
    definition = Definition(
        period=PeriodKind.QUARTER, basis=SellIn(), tiers=(Tier(threshold=D(100_000), percent=D(1)),)
    )

    assert rebates.line_volume(line, exclude_free_goods=True) == D("100000.00")
    assert rebates.rebate_for(rebates.line_volume(line, exclude_free_goods=True), definition).amount == D(
        "1000.00"
    )


def test_a_return_is_valued_to_the_cent_like_a_credit_note() -> None:
    # 100.00 for 3 units, 1 back: 33.333... is credited as 33.33, so 66.67 counts; 2 back leave 33.33.
    line = SaleLine(
        sku="A", category_path="", day=date(2026, 10, 5), quantity=3, amount=D("100.00"), returned_quantity=1
    )

    assert rebates.line_volume(line, exclude_free_goods=True) == D("66.67")
    assert rebates.line_volume(
        msgspec.structs.replace(line, returned_quantity=2), exclude_free_goods=True
    ) == D("33.33")
    assert (
        rebates.line_volume(msgspec.structs.replace(line, returned_quantity=5), exclude_free_goods=True) == 0
    )


def test_a_product_family_counts_only_its_categories_and_days_of_the_period() -> None:
    lines = [
        SaleLine(sku="DRILL", category_path="TOOLS/POWER", day=date(2026, 10, 1), quantity=1, amount=D(400)),
        SaleLine(sku="SAW", category_path="TOOLS/HAND", day=date(2026, 12, 31), quantity=1, amount=D(50)),
        SaleLine(sku="GLUE", category_path="SUPPLIES", day=date(2026, 11, 1), quantity=1, amount=D(999)),
        SaleLine(sku="DRILL", category_path="TOOLS/POWER", day=date(2027, 1, 1), quantity=1, amount=D(400)),
    ]
    family = programme(basis=ProductFamily(categories=frozenset({"POWER"})))

    assert rebates.volume_of(lines, family, Q4) == D(400)
    assert rebates.volume_of(lines, programme(), Q4) == D(1449)


def test_growth_counts_the_increase_over_the_same_period_last_year() -> None:
    growth = Definition(
        period=PeriodKind.QUARTER, basis=Growth(), tiers=(Tier(threshold=D(50_000), percent=D(5)),)
    )
    now = [SaleLine(sku="A", category_path="", day=date(2026, 11, 2), quantity=1, amount=D(380_000))]
    before = [SaleLine(sku="A", category_path="", day=date(2025, 11, 2), quantity=1, amount=D(200_000))]

    increase = rebates.basis_volume(growth, Q4, now, before)

    assert increase == D(180_000)
    assert rebates.rebate_for(increase, growth).amount == D("9000.00")
    assert rebates.basis_volume(growth, Q4, before, now) == D(0)  # a decline earns nothing, never less


def test_periods_are_months_quarters_and_years() -> None:
    assert rebates.period_of(PeriodKind.MONTH, date(2026, 12, 31)) == Period(
        date(2026, 12, 1), date(2027, 1, 1)
    )
    assert rebates.period_of(PeriodKind.QUARTER, date(2026, 5, 20)) == Period(
        date(2026, 4, 1), date(2026, 7, 1)
    )
    assert rebates.period_of(PeriodKind.YEAR, date(2026, 5, 20)) == Period(date(2026, 1, 1), date(2027, 1, 1))
    assert rebates.same_period_last_year(Q4) == Period(date(2025, 10, 1), date(2026, 1, 1))
    assert [p.start.month for p in rebates.periods_between(PeriodKind.QUARTER, date(2026, 1, 1), Q4)] == [
        1,
        4,
        7,
        10,
    ]


def test_enrolment_by_level_region_kind_or_name_and_only_below_the_owner() -> None:
    named = uuid4()
    gold_east = PartnerFacts(
        id=uuid4(), kind="distributor", path="M/D1/", partner_level="GOLD", region="EAST"
    )
    silver = PartnerFacts(id=named, kind="distributor", path="M/D2/", partner_level="SILVER", region="WEST")

    assert rebates.is_enrolled(Enrolment(), "M/", gold_east)
    assert not rebates.is_enrolled(Enrolment(), "M/D1/", gold_east)  # the owner itself
    assert not rebates.is_enrolled(Enrolment(), "X/", gold_east)
    by_level = Enrolment(partner_levels=frozenset({"GOLD"}), regions=frozenset({"EAST"}))
    assert rebates.is_enrolled(by_level, "M/", gold_east)
    assert not rebates.is_enrolled(by_level, "M/", silver)
    assert rebates.is_enrolled(
        Enrolment(partner_levels=frozenset({"GOLD"}), partner_ids=frozenset({named})), "M/", silver
    )
    assert not rebates.is_enrolled(Enrolment(partner_ids=frozenset({named})), "M/", gold_east)
    assert not rebates.is_enrolled(Enrolment(partner_kinds=frozenset({"store"})), "M/", gold_east)


def test_a_settlement_corrects_earlier_periods_by_what_they_earn_now_less_what_was_paid() -> None:
    q1, q2 = Period(date(2026, 1, 1), date(2026, 4, 1)), Period(date(2026, 4, 1), date(2026, 7, 1))
    # Q1 was paid 5,500.00; a late return brought it down to 5,000.00; Q2 earns 3,000.00.
    lines = rebates.settlement_lines({q1: D("5000.00"), q2: D("3000.00")}, {q1: D("5500.00")})

    assert [(ln.period_start, ln.earned, ln.paid_before, ln.amount) for ln in lines] == [
        (q1.start, D("5000.00"), D("5500.00"), D("-500.00")),
        (q2.start, D("3000.00"), D(0), D("3000.00")),
    ]
    assert sum(ln.amount for ln in lines) == D("2500.00")


@given(
    st.dictionaries(
        st.sampled_from([Period(date(2026, m, 1), date(2026, m + 1, 1)) for m in range(1, 12)]),
        st.decimals(min_value=0, max_value=10**7, places=2),
        max_size=11,
    ),
    st.dictionaries(
        st.sampled_from([Period(date(2026, m, 1), date(2026, m + 1, 1)) for m in range(1, 12)]),
        st.decimals(min_value=-(10**6), max_value=10**7, places=2),
        max_size=11,
    ),
)
def test_settling_twice_changes_nothing(earned: dict[Period, Decimal], paid: dict[Period, Decimal]) -> None:
    first = rebates.settlement_lines(earned, paid)
    after = dict(paid)
    for line in first:
        period = Period(line.period_start, line.period_end)
        after[period] = after.get(period, D(0)) + line.amount

    assert rebates.settlement_lines(earned, after) == []
    assert all(after.get(p, D(0)) == amount for p, amount in earned.items())


@given(st.decimals(min_value=0, max_value=10**8, places=2))
def test_slabs_never_pay_more_than_the_whole_volume_rate_and_both_grow_with_volume(volume: Decimal) -> None:
    whole = rebates.rebate_for(volume, programme(TierMode.WHOLE)).amount
    slab = rebates.rebate_for(volume, programme(TierMode.SLAB)).amount

    assert D(0) <= slab <= whole
    assert rebates.rebate_for(volume + 1, programme(TierMode.SLAB)).amount >= slab


def test_a_definition_decodes_as_a_tagged_union_and_is_checked_across_fields() -> None:
    decoded = msgspec.json.decode(
        b'{"period":"quarter","basis":{"type":"product_family","categories":["POWER"]},'
        b'"tiers":[{"threshold":"100","percent":"1"},{"threshold":"50","percent":"120"}]}',
        type=Definition,
    )

    assert isinstance(decoded.basis, ProductFamily)
    assert [(p.field, p.code) for p in rebates.validate_definition(decoded)] == [
        ("tiers[1].threshold", "not_ascending"),
        ("tiers[1].percent", "out_of_range"),
    ]
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"period":"quarter","basis":{"type":"lottery"},"tiers":[]}', type=Definition)


def test_what_the_fund_could_not_take_back_stays_owed_on_the_corrections_earliest_first() -> None:
    q1, q2, q3 = (Period(date(2026, m, 1), date(2026, m + 3, 1)) for m in (1, 4, 7))
    lines = rebates.settlement_lines(
        {q1: D("10.00"), q2: D("14.00"), q3: D("3.00")}, {q1: D("20.00"), q2: D("20.00")}
    )  # -10.00, -6.00, +3.00: -13.00 in all, of which the fund held only 5.00

    paid = rebates.paid_by_period(lines, shortfall=D("8.00"))

    assert paid == [(q1, D("-2.00")), (q2, D("-6.00")), (q3, D("3.00"))]
    assert sum(amount for _, amount in paid) == D("-5.00")
    assert rebates.paid_by_period(lines, shortfall=D(0)) == [
        (q1, D("-10.00")),
        (q2, D("-6.00")),
        (q3, D("3.00")),
    ]
