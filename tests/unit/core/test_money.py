from decimal import Decimal

import pytest
from babel.core import Locale
from babel.numbers import get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from core.money import CurrencyMismatchError, Money, currency_digits, round_amount


def test_currency_digits_agree_with_babel_for_every_currency_babel_knows() -> None:
    for currency in Locale("en").currencies:
        assert currency_digits(currency) == get_currency_precision(currency), currency


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("10.005", "EUR", "10.01"),
        ("10.004", "EUR", "10.00"),
        ("-10.005", "EUR", "-10.01"),
        ("1234.5", "JPY", "1235"),
        ("1.2345", "KWD", "1.235"),
    ],
    ids=["half-up", "down", "negative-half-away-from-zero", "yen-has-no-cents", "dinar-has-three"],
)
def test_amounts_round_half_up_to_the_currency_unit(amount: str, currency: str, expected: str) -> None:
    assert round_amount(Decimal(amount), currency) == Decimal(expected)


def test_money_in_different_currencies_cannot_be_added() -> None:
    with pytest.raises(CurrencyMismatchError):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "CNY")


def test_allocating_ten_euros_over_three_equal_lines_gives_the_extra_cent_to_the_first() -> None:
    parts = Money(Decimal("10.00"), "EUR").allocate([Decimal(1), Decimal(1), Decimal(1)])

    assert [p.amount for p in parts] == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]


def test_allocating_over_zero_weights_splits_evenly() -> None:
    parts = Money(Decimal("1.00"), "EUR").allocate([Decimal(0), Decimal(0)])

    assert [p.amount for p in parts] == [Decimal("0.50"), Decimal("0.50")]


def test_negative_amounts_allocate_with_their_sign() -> None:
    parts = Money(Decimal("-0.05"), "EUR").allocate([Decimal(1), Decimal(1)])

    assert [p.amount for p in parts] == [Decimal("-0.03"), Decimal("-0.02")]


@given(
    cents=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=40),
    currency=st.sampled_from(["EUR", "JPY", "KWD", "CNY"]),
)
def test_allocation_never_loses_or_invents_a_unit(cents: int, weights: list[Decimal], currency: str) -> None:
    whole = Money(Decimal(cents).scaleb(-currency_digits(currency)), currency)

    parts = whole.allocate(weights)

    assert sum((p.amount for p in parts), Decimal(0)) == round_amount(whole.amount, currency)
    assert all(p.amount == round_amount(p.amount, currency) for p in parts)
    assert len(parts) == len(weights)
