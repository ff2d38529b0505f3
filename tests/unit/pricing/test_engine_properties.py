"""Properties that hold for every cart and every rule set the generators come up with."""

from __future__ import annotations

import random
from decimal import Decimal
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.engine import PromotionIndex, price
from pricing.model import ManualDiscount, ProductFacts
from pricing.promotions import (
    AmountOff,
    BuyXGetY,
    Eligibility,
    FixedPrice,
    Gift,
    PercentOff,
    Promotion,
    Target,
    ThresholdDiscount,
    VolumeTier,
    VolumeTiers,
)
from pricing.promotions import Condition as RuleCondition
from tests.unit.pricing.engine_helpers import LIST, PRODUCTS, cart, context, d, priced, promo

SKUS = sorted(PRODUCTS)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000"), places=2)
percent = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("100"), places=1)
targets = st.one_of(
    st.just(Target()),
    st.sampled_from(SKUS).map(lambda s: Target(skus=frozenset({s}))),
    st.sampled_from(["KITCHEN", "HOBS", "SMALL"]).map(lambda c: Target(categories=frozenset({c}))),
    st.sampled_from(["AURORA", "BREEZE"]).map(lambda b: Target(brands=frozenset({b}))),
)
benefits = st.one_of(
    st.builds(PercentOff, percent=percent, target=targets),
    st.builds(AmountOff, amount=money, target=targets),
    st.builds(FixedPrice, unit_price=money, target=targets),
    st.builds(BuyXGetY, buy=st.integers(1, 4), get=st.integers(1, 3), target=targets),
    st.builds(
        ThresholdDiscount, every=st.just(d("1000")), off=st.sampled_from([d("50"), d("100"), d("333.33")])
    ),
    st.builds(
        VolumeTiers,
        tiers=st.just(
            (VolumeTier(min_quantity=3, percent=d("2")), VolumeTier(min_quantity=6, percent=d("4.5")))
        ),
        target=targets,
    ),
)


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Promotion]:
    count = draw(st.integers(0, 6))
    return [
        promo(
            n,
            draw(benefits),
            priority=draw(st.integers(0, 3)),
            stacking=draw(st.sampled_from(["combinable", "combinable", "exclusive"])),
            exclusivity_group=draw(st.sampled_from([None, None, "g1"])),
            budget_amount=draw(st.one_of(st.none(), money)),
        )
        for n in range(count)
    ]


carts = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 12)), min_size=1, max_size=6)
manuals = st.one_of(
    st.none(),
    st.builds(ManualDiscount, percent=st.one_of(st.none(), percent), amount=st.one_of(st.none(), money)),
)


@settings(max_examples=150, deadline=None)
@given(carts, rule_sets(), manuals)
def test_a_total_is_never_negative_and_every_line_is_paid_or_free(lines, rules, manual) -> None:  # type: ignore[no-untyped-def]
    result = priced(lines, rules, manual=manual)

    assert result.total >= 0
    assert all(line.net_total >= 0 for line in result.lines)
    assert result.total == sum(line.net_total for line in result.lines)


@settings(max_examples=150, deadline=None)
@given(carts, rule_sets(), st.randoms(use_true_random=False))
def test_the_order_rules_were_created_in_never_changes_the_result(lines, rules, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(rules)
    rnd.shuffle(shuffled)

    assert priced(lines, rules) == priced(lines, shuffled)


@settings(max_examples=150, deadline=None)
@given(carts, rule_sets(), benefits)
def test_a_promotion_the_buyer_is_not_eligible_for_changes_nothing(lines, rules, benefit) -> None:  # type: ignore[no-untyped-def]
    someone_else = promo(
        99,
        benefit,
        eligibility=Eligibility(partner_ids=frozenset({UUID(int=4242)})),
        priority=9,
        stacking="exclusive",
    )

    assert priced(lines, [*rules, someone_else]) == priced(lines, rules)


@settings(max_examples=150, deadline=None)
@given(carts, rule_sets(), manuals)
def test_line_discounts_add_up_to_each_promotions_cost_and_to_the_order_discount(
    lines, rules, manual
) -> None:  # type: ignore[no-untyped-def]
    result = priced(lines, rules, manual=manual)

    for used in result.consumption:
        on_lines = sum(
            s.amount for line in result.lines for s in line.steps if s.promotion_id == used.promotion_id
        )
        assert -on_lines == used.amount
    discounts = sum(
        s.amount
        for line in result.lines
        for s in line.steps
        if s.kind in ("promotion", "deal_registration", "manual")
    )
    assert -discounts == result.discount_total


@settings(max_examples=150, deadline=None)
@given(carts, st.integers(1, 4), st.integers(1, 3), targets, st.one_of(st.none(), st.integers(0, 5)))
def test_free_units_never_exceed_what_the_rule_grants(lines, buy, get, target, units_left) -> None:  # type: ignore[no-untyped-def]
    rule = promo(1, BuyXGetY(buy=buy, get=get, target=target), budget_units=10)
    left = {} if units_left is None else {rule.id: units_left}

    result = priced(lines, [rule], units_left=left)

    eligible_units = sum(q for sku, q in lines if target.matches(PRODUCTS[sku]))
    free = sum(line.free_quantity for line in result.lines)
    assert free <= eligible_units // (buy + get) * get
    if units_left is not None:
        assert free <= units_left


@settings(max_examples=60, deadline=None)
@given(carts)
def test_a_gift_is_a_free_line_and_the_budget_pays_for_it(lines) -> None:  # type: ignore[no-untyped-def]
    rule = promo(1, Gift(sku="KETTLE"), condition=RuleCondition(min_quantity=1))

    result = priced(lines, [rule])

    gifts = [line for line in result.lines if line.is_gift]
    assert len(gifts) == 1 and gifts[0].net_total == 0
    assert result.consumption[0].amount == d("199.00")


class _EveryPromotion(PromotionIndex):
    """The naive reference: every promotion tested against every product, nothing looked up."""

    def candidates(self, product: ProductFacts) -> list[Promotion]:
        return [p for p in self.ordered if p.target.matches(product)]


@settings(max_examples=200, deadline=None)
@given(carts, rule_sets(), manuals)
def test_the_index_of_promotions_gives_what_testing_every_promotion_on_every_line_gives(  # type: ignore[no-untyped-def]
    lines, rules, manual
) -> None:
    naive = price(cart(*lines), context(manual=manual), PRODUCTS, [LIST], _EveryPromotion(rules))

    assert priced(lines, rules, manual=manual) == naive
