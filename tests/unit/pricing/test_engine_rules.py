"""Each promotion rule and each stacking mode, with the amounts a buyer would check by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from pricing.engine import price
from pricing.model import DealDiscount, ManualDiscount
from pricing.price_books import PriceBook, PriceBookEntry, PriceControl
from pricing.promotions import (
    AmountOff,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Condition,
    Eligibility,
    FixedPrice,
    Gift,
    PercentOff,
    Target,
    ThresholdDiscount,
    VolumeTier,
    VolumeTiers,
)
from tests.unit.pricing.engine_helpers import (
    AT,
    DISTRIBUTOR,
    LIST,
    PRODUCTS,
    STORE,
    cart,
    context,
    d,
    priced,
    promo,
)

HOBS = Target(categories=frozenset({"HOBS"}))
KITCHEN = Target(categories=frozenset({"KITCHEN"}))


def test_without_promotions_a_line_costs_its_list_price() -> None:
    result = priced([("HOB", 2)], [])

    assert (result.total, result.discount_total) == (d("2000.00"), d("0"))
    assert [s.code for s in result.lines[0].steps] == ["list_price"]  # no book of its own: the list price


def test_percent_off_a_category() -> None:
    result = priced([("HOB", 2), ("KETTLE", 1)], [promo(1, PercentOff(percent=d("15"), target=HOBS))])

    assert result.lines[0].net_total == d("1700.00")
    assert result.lines[1].net_total == d("199.00")
    assert result.lines[0].steps[-1].code == "percent_off"


def test_amount_off_each_unit_and_fixed_price() -> None:
    off = priced([("HOB", 3)], [promo(1, AmountOff(amount=d("50"), target=HOBS))])
    fixed = priced(
        [("HOOD", 2)], [promo(2, FixedPrice(unit_price=d("1799"), target=Target(skus=frozenset({"HOOD"}))))]
    )

    assert off.total == d("2850.00")
    assert fixed.total == d("3598.00")


def test_buy_two_get_one_free_gives_the_cheapest_units_across_the_set() -> None:
    two_for_one = promo(1, BuyXGetY(buy=2, get=1, target=KITCHEN))

    result = priced([("HOOD", 2), ("FILTER", 1)], [two_for_one])

    assert result.lines[1].free_quantity == 1 and result.lines[1].net_total == d("0.00")
    assert result.total == d("4000.00")


def test_buy_x_get_another_product_free_adds_a_gift_line() -> None:
    rule = promo(1, BuyXGetY(buy=2, get=1, target=HOBS, free_sku="FILTER"))

    result = priced([("HOB", 5)], [rule])

    gift = result.lines[-1]
    assert (gift.sku, gift.quantity, gift.is_gift, gift.net_total) == ("FILTER", 2, True, d("0"))
    assert result.total == d("5000.00")
    assert result.consumption[0].amount == d("60.00") and result.consumption[0].units == 2


def test_threshold_discount_100_off_every_1000_spread_over_the_lines_cent_for_cent() -> None:
    rule = promo(1, ThresholdDiscount(every=d("1000"), off=d("100")))

    result = priced([("HOB", 1), ("HOOD", 1), ("KETTLE", 1)], [rule])  # 3,199.00: three times

    assert result.total == d("2899.00")
    promo_steps = [s.amount for line in result.lines for s in line.steps if s.promotion_id]
    assert sum(promo_steps) == d("-300.00")
    assert promo_steps == [d("-93.78"), d("-187.56"), d("-18.66")]


def test_a_threshold_given_once_only() -> None:
    rule = promo(1, ThresholdDiscount(every=d("1000"), off=d("100"), repeat=False))

    assert priced([("HOOD", 3)], [rule]).total == d("5900.00")


def test_a_gift_once_the_order_reaches_an_amount() -> None:
    rule = promo(1, Gift(sku="KETTLE"), condition=Condition(min_order_total=d("3000")))

    too_small = priced([("HOOD", 1)], [rule])
    enough = priced([("HOOD", 2)], [rule])

    assert [line.sku for line in enough.lines] == ["HOOD", "KETTLE"] and enough.total == d("4000.00")
    assert too_small.hints[0].code == "add_order_amount" and too_small.hints[0].params["missing"] == d(
        "1000.00"
    )


def test_volume_tiers_take_the_highest_tier_reached_and_hint_at_the_next() -> None:
    tiers = promo(
        1,
        VolumeTiers(
            tiers=(VolumeTier(min_quantity=5, percent=d("3")), VolumeTier(min_quantity=10, percent=d("5"))),
            target=HOBS,
        ),
    )

    six = priced([("HOB", 6)], [tiers])
    twelve = priced([("HOB", 12)], [tiers])

    assert six.total == d("5820.00") and twelve.total == d("11400.00")
    assert [(h.code, h.params["missing"]) for h in six.hints] == [("add_units_for_tier", 4)]


def test_a_bundle_price_for_each_complete_set() -> None:
    bundle = promo(
        1, BundlePrice(components=(BundleComponent(sku="HOB"), BundleComponent(sku="HOOD")), price=d("2700"))
    )

    two_sets = priced([("HOB", 2), ("HOOD", 3)], [bundle])
    half = priced([("HOB", 1)], [bundle])

    assert two_sets.total == d("2000.00") + d("6000.00") - d("600.00")
    assert half.hints[0].code == "complete_bundle" and half.hints[0].params["skus"] == "HOOD"


def test_near_misses_say_what_is_missing() -> None:
    three_for_two = promo(1, BuyXGetY(buy=2, get=1, target=HOBS), name="Hob weeks")
    threshold = promo(2, ThresholdDiscount(every=d("5000"), off=d("300")))

    result = priced([("HOB", 2)], [three_for_two, threshold])

    assert sorted((h.code, h.params["missing"]) for h in result.hints) == [
        ("add_amount_for_discount", d("3000.00")),
        ("add_units_for_free", 1),
    ]


def test_combinable_promotions_add_up_on_the_book_price() -> None:
    a = promo(1, PercentOff(percent=d("10"), target=HOBS))
    b = promo(2, AmountOff(amount=d("20"), target=HOBS))

    assert priced([("HOB", 1)], [a, b]).total == d("880.00")


def test_an_exclusive_promotion_wins_only_when_it_beats_the_combined_ones() -> None:
    a = promo(1, PercentOff(percent=d("10"), target=HOBS))
    b = promo(2, AmountOff(amount=d("20"), target=HOBS))
    small_exclusive = promo(3, PercentOff(percent=d("11"), target=HOBS), stacking="exclusive")
    big_exclusive = promo(4, PercentOff(percent=d("25"), target=HOBS), stacking="exclusive")

    assert priced([("HOB", 1)], [a, b, small_exclusive]).applied == (a.id, b.id)
    assert priced([("HOB", 1)], [a, b, small_exclusive, big_exclusive]).applied == (big_exclusive.id,)


def test_in_an_exclusivity_group_only_the_best_for_the_buyer_applies() -> None:
    a = promo(1, PercentOff(percent=d("5"), target=HOBS), exclusivity_group="hob-campaign")
    b = promo(2, PercentOff(percent=d("8"), target=HOBS), exclusivity_group="hob-campaign")
    c = promo(3, AmountOff(amount=d("10"), target=HOBS))

    result = priced([("HOB", 1)], [a, b, c])

    assert result.applied == tuple(sorted((b.id, c.id), key=str))
    assert result.total == d("910.00")


def test_a_line_never_goes_below_zero() -> None:
    a = promo(1, PercentOff(percent=d("80"), target=HOBS))
    b = promo(2, AmountOff(amount=d("500"), target=HOBS))

    result = priced([("HOB", 1)], [a, b])

    assert result.total == d("0.00")


def test_eligibility_levels_regions_coupons_windows_and_first_orders() -> None:
    gold_east = promo(
        1,
        PercentOff(percent=d("10")),
        eligibility=Eligibility(partner_levels=frozenset({"GOLD"}), regions=frozenset({"EAST"})),
    )
    coupon = promo(
        2, PercentOff(percent=d("5")), eligibility=Eligibility(coupon_codes=frozenset({"WELCOME"}))
    )
    later = promo(3, PercentOff(percent=d("7")), eligibility=Eligibility(starts_at=AT + timedelta(days=1)))
    first = promo(4, AmountOff(amount=d("1")), eligibility=Eligibility(first_order_only=True))
    rules = [gold_east, coupon, later, first]

    assert priced([("HOB", 1)], rules).applied == (gold_east.id,)
    assert priced([("HOB", 1)], rules, partner_level="SILVER").applied == ()
    assert set(
        priced([("HOB", 1)], rules, coupon_codes=frozenset({"WELCOME"}), first_order=True).applied
    ) == {gold_east.id, coupon.id, first.id}


def test_a_distributors_promotion_reaches_only_its_own_downstream() -> None:
    own = promo(1, PercentOff(percent=d("10")), issuer_id=DISTRIBUTOR)

    assert priced([("HOB", 1)], [own]).total == d("900.00")
    assert priced(
        [("HOB", 1)], [own], seller_id=UUID(int=99), upstream_ids=frozenset({UUID(int=1)})
    ).total == d("1000.00")


def test_a_budget_is_never_overspent_and_its_consumption_reported() -> None:
    rule = promo(1, PercentOff(percent=d("10"), target=HOBS), budget_amount=d("1000"))

    full = priced([("HOB", 5)], [rule])
    partly = priced([("HOB", 5)], [rule], budget_left={rule.id: d("120")})
    spent = priced([("HOB", 5)], [rule], budget_left={rule.id: d("0")})

    assert (full.total, full.consumption[0].amount) == (d("4500.00"), d("500.00"))
    assert (partly.total, partly.consumption[0].amount) == (d("4880.00"), d("120.00"))
    assert (spent.total, spent.consumption) == (d("5000.00"), ())


def test_a_unit_budget_limits_free_units_and_a_partner_limit_stops_reuse() -> None:
    rule = promo(1, BuyXGetY(buy=1, get=1, target=HOBS), budget_units=10, per_partner_limit=2)

    limited = priced([("HOB", 8)], [rule], units_left={rule.id: 3})
    used_up = priced([("HOB", 8)], [rule], usage={rule.id: 2})

    assert limited.lines[0].free_quantity == 3 and limited.total == d("5000.00")
    assert used_up.total == d("8000.00")


def test_price_book_then_deal_registration_then_manual_discount_in_the_waterfall() -> None:
    gold = PriceBook(
        code="GOLD-T2", currency="CNY", partner_levels=frozenset({"GOLD"}), percent_off_list=d("25")
    )
    rule = promo(1, PercentOff(percent=d("10"), target=HOBS))
    deal = DealDiscount(registration_id=UUID(int=77), percent=d("5"))

    result = priced(
        [("HOB", 1)], [rule], books=[LIST, gold], deal=deal, manual=ManualDiscount(amount=d("10"))
    )

    assert [(s.kind, s.amount) for s in result.lines[0].steps] == [
        ("list_price", d("1000.00")),
        ("price_book", d("-250.00")),
        ("promotion", d("-75.00")),
        ("deal_registration", d("-33.75")),
        ("manual", d("-10.00")),
    ]
    assert result.total == d("631.25")


def test_yen_has_no_cents() -> None:
    yen = PriceBook(
        code="JPY", currency="JPY", kind="list", entries=(PriceBookEntry(sku="KETTLE", unit_price=d("2990")),)
    )
    rule = promo(1, PercentOff(percent=d("15")), currency="JPY")

    result = price(cart(("KETTLE", 1), currency="JPY"), context(), PRODUCTS, [yen], [rule])

    assert result.total == d("2541")  # 2,990 - 448.5 rounded half up to 449


def test_a_line_without_a_price_is_reported_not_guessed() -> None:
    result = priced([("UNKNOWN", 1), ("HOB", 1)], [])

    assert result.total == d("1000.00") and result.problems[0].params == {"sku": "UNKNOWN"}


def test_price_control_holds_a_distributors_price_at_the_floor() -> None:
    cheap = PriceBook(
        code="D-OWN",
        currency="CNY",
        seller_id=DISTRIBUTOR,
        entries=(PriceBookEntry(sku="HOB", unit_price=d("600")),),
    )
    floor = PriceControl(sku="HOB", currency="CNY", floor=d("700"))

    result = price(cart(("HOB", 1)), context(), PRODUCTS, [LIST, cheap], [], controls=[floor])

    assert result.total == d("700.00") and result.lines[0].steps[1].code == "price_control"
    assert Decimal(result.lines[0].steps[1].amount) == d("-300.00") and STORE
