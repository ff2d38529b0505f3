"""A configured set priced from its chosen options: each option's price, the set's own discount."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from pricing.engine import price, pricer
from pricing.model import Cart, CartLine, CartOption, ProductFacts
from pricing.price_books import PriceBook, PriceBookEntry
from pricing.promotions import PercentOff, Target
from tests.unit.pricing.engine_helpers import LIST, PRODUCTS, context, d, promo

SET = ProductFacts(sku="KITCHEN-SET", category_path="KITCHEN/SETS/", brand="AURORA", set_percent_off=d("5"))
PLAIN_SET = ProductFacts(sku="KITCHEN-SET", category_path="KITCHEN/SETS/", brand="AURORA")
GOLD = PriceBook(
    code="GOLD",
    currency="CNY",
    partner_levels=frozenset({"GOLD"}),
    entries=(
        PriceBookEntry(sku="HOB", unit_price=d("900.00")),
        PriceBookEntry(sku="FILTER", unit_price=d("27.50"), min_quantity=4),
    ),
)


def _set(quantity: int, **options: int) -> Cart:
    chosen = tuple(CartOption(sku=sku, quantity=units) for sku, units in options.items())
    return Cart(currency="CNY", lines=(CartLine(sku="KITCHEN-SET", quantity=quantity, options=chosen),))


def _price(cart: Cart, product: ProductFacts, books: list[PriceBook], rules: list = [], **ctx: object):  # type: ignore[no-untyped-def,type-arg]  # noqa: B006
    return price(cart, context(**ctx), {**PRODUCTS, product.sku: product}, books, rules)


def test_a_set_without_books_costs_its_options_at_list_price() -> None:
    result = _price(_set(2, HOB=1, HOOD=1), PLAIN_SET, [LIST])

    (line,) = result.lines
    assert line.list_unit_price == d("3000.00") and line.list_total == d("6000.00")
    assert line.net_total == d("6000.00") and result.total == d("6000.00")
    (step,) = line.steps
    assert step.code == "options_list_price" and step.params["options"] == "1 × HOB, 1 × HOOD"
    assert [p["sku"] for p in step.params["parts"]] == ["HOB", "HOOD"]


def test_each_option_at_the_buyers_price_for_the_units_the_line_holds_then_the_sets_discount() -> None:
    # Two sets of 1 hob, 1 hood and 2 filters: 4 filters in all reach the filter's volume break.
    result = _price(_set(2, HOB=1, HOOD=1, FILTER=2), SET, [LIST, GOLD])

    (line,) = result.lines
    options_unit = d("900.00") + d("2000.00") + 2 * d("27.50")  # 2955.00 a set
    assert [(s.code, s.amount) for s in line.steps] == [
        ("options_list_price", d("6120.00")),  # (1000 + 2000 + 2 × 30) × 2
        ("options_price_book", options_unit * 2 - d("6120.00")),
        ("set_discount", -(options_unit * 2 * d("0.05"))),
    ]
    assert line.unit_price == options_unit * d("0.95")
    assert line.net_total == d("5614.50")
    assert sum(s.amount for s in line.steps) == line.net_total


def test_promotions_on_the_set_apply_after_its_price_from_options() -> None:
    rule = promo(1, PercentOff(percent=d("10"), target=Target(skus=frozenset({"KITCHEN-SET"}))))

    result = _price(_set(1, HOB=1, HOOD=1), SET, [LIST], [rule])

    (line,) = result.lines
    assert line.steps[-1].code == "percent_off" and line.steps[-1].amount == d("-285.00")
    assert line.net_total == d("2565.00")  # 3000 less 5% for the set, less 10%


def test_an_option_without_a_price_makes_the_set_unpriceable_and_says_which() -> None:
    result = _price(_set(1, HOB=1, GRILL=1), SET, [LIST])

    assert result.lines == ()
    assert [(p.code, p.params["sku"]) for p in result.problems] == [("no_price", "GRILL")]


def test_changing_an_option_re_prices_the_set_as_a_fresh_price_would() -> None:
    products = {**PRODUCTS, "KITCHEN-SET": SET}
    session = pricer("CNY", context(), products, [LIST, GOLD], [])
    session.price(_set(1, HOB=1, HOOD=1, FILTER=2))

    again = session.price(_set(1, HOB=1, HOOD=1, FILTER=4))

    fresh = price(_set(1, HOB=1, HOOD=1, FILTER=4), context(), products, [LIST, GOLD], [])
    assert msgspec.json.encode(again) == msgspec.json.encode(fresh)
    assert again.lines[0].steps[0].params["parts"][2]["unit_price"] == Decimal("27.50")
