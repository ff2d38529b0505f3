"""The rebate fund's rules: the limit per order, and a ledger whose sum is the balance, never below zero."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from incentives import fund

D = Decimal


def test_the_fund_pays_at_most_the_programmes_share_of_an_order_down_to_the_cent() -> None:
    assert fund.use_limit(D("1234.56"), D(10)) == D("123.45")
    assert fund.use_limit(D("1234.56"), D(0)) == D(0)
    assert fund.usable(D("50.00"), D("1234.56"), D(10)) == D("50.00")
    assert fund.usable(D("500.00"), D("1234.56"), D(10)) == D("123.45")


def test_an_order_gives_back_only_what_it_still_holds() -> None:
    assert fund.still_used([D("-40.00")]) == D("40.00")
    assert fund.still_used([D("-40.00"), D("40.00")]) == D(0)
    assert fund.still_used([]) == D(0)


@given(st.lists(st.decimals(min_value=-500, max_value=500, places=2), max_size=60))
def test_the_balance_is_always_the_sum_of_the_ledger_and_never_negative(amounts: list[Decimal]) -> None:
    balance = D(0)
    ledger: list[Decimal] = []
    for amount in amounts:
        after = fund.apply_entry(balance, amount)
        if after is None:
            assert balance + amount < 0  # refused, nothing written
            continue
        ledger.append(amount)
        balance = after
        assert balance >= 0
        assert balance == fund.balance_of(ledger)


def test_returned_goods_give_back_their_share_of_the_fund_payment_on_the_running_total() -> None:
    used = [D("-100.00")]
    assert fund.due_for_return(used, D("3000.00"), D("1000.00")) == D("33.33")
    assert fund.due_for_return([*used, D("33.33")], D("3000.00"), D("2000.00")) == D("33.34")
    assert fund.due_for_return([*used, D("33.33"), D("33.34")], D("3000.00"), D("3000.00")) == D("33.33")
    # Given back already by hand (or by cancelling): nothing more.
    assert fund.due_for_return([*used, D("100.00")], D("3000.00"), D("1000.00")) == D(0)
    assert fund.due_for_return([], D("3000.00"), D("1000.00")) == D(0)


@given(
    st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=6),
    st.decimals(min_value="0.01", max_value="900.00", places=2),
)
def test_returning_a_whole_order_bit_by_bit_gives_back_exactly_what_it_used(
    units_per_return: list[int], used: Decimal
) -> None:
    total, units = D("1234.56"), sum(units_per_return)
    ledger, returned = [-used], 0
    for count in units_per_return:
        returned += count
        due = fund.due_for_return(ledger, total, total * returned / units)
        assert due >= 0
        ledger.append(due)
    assert sum(ledger[1:]) == used
