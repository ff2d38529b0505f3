"""The rebate fund's rules: the limit per order, and a ledger whose sum is the balance, never below zero."""

from __future__ import annotations

from datetime import date
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


# --- credit that lapses ----------------------------------------------------------------------------

K = fund.EntryKind
NOV_30, DEC_31, JAN_31 = date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 31)


def _line(kind: fund.EntryKind, amount: str, order: str = "", until: date | None = None) -> fund.LedgerLine:
    return fund.LedgerLine(kind.value, Decimal(amount), order, until)


def test_credit_is_usable_until_the_end_of_the_month_its_validity_ends_in() -> None:
    assert fund.usable_until(date(2026, 11, 24), 6) == date(2027, 5, 31)
    assert fund.usable_until(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert fund.usable_until(date(2026, 12, 1), 1) == date(2027, 1, 31)
    assert fund.usable_until(date(2026, 1, 15), 0) == date(2026, 1, 31)


def test_an_order_spends_the_credit_that_lapses_first_and_only_the_rest_lapses() -> None:
    lots = fund.lots_of(
        [
            _line(K.CREDIT, "300.00", until=DEC_31),
            _line(K.CREDIT, "200.00", until=NOV_30),
            _line(K.USE, "-250.00", "SO-1"),
        ]
    )
    # The 200.00 lapsing in November went first, then 50.00 of December's.
    assert [(lot.usable_until, lot.left) for lot in lots] == [(DEC_31, Decimal("250.00"))]
    assert fund.lapsed(lots, date(2026, 12, 31)) == 0  # the last day is still usable
    assert fund.lapsed(lots, date(2027, 1, 1)) == Decimal("250.00")
    assert fund.lapsed_until(lots, date(2027, 1, 1)) == DEC_31
    assert fund.lapsing(lots) == [(DEC_31, Decimal("250.00"))]


def test_an_expiry_takes_the_lapsed_credit_and_leaves_the_rest() -> None:
    ledger = [
        _line(K.CREDIT, "100.00", until=NOV_30),
        _line(K.CREDIT, "80.00", until=JAN_31),
        _line(K.ADJUSTMENT, "20.00"),
    ]
    today = date(2026, 12, 1)
    lapsed = fund.lapsed(fund.lots_of(ledger), today)
    assert lapsed == Decimal("100.00")
    after = fund.lots_of([*ledger, _line(K.EXPIRY, "-100.00")])
    assert fund.lapsed(after, today) == 0
    assert [(lot.usable_until, lot.left) for lot in after] == [
        (JAN_31, Decimal("80.00")),
        (None, Decimal("20.00")),
    ]


def test_a_cancelled_order_gives_back_credit_with_the_dates_it_had() -> None:
    """Cancelling does not make old credit young: what an order took from November's credit lapses
    with November's credit, even when the order is cancelled in December."""
    lots = fund.lots_of(
        [
            _line(K.CREDIT, "100.00", until=NOV_30),
            _line(K.CREDIT, "100.00", until=JAN_31),
            _line(K.USE, "-150.00", "SO-1"),
            _line(K.RETURN, "150.00", "SO-1"),
        ]
    )
    assert fund.lapsing(lots) == [(NOV_30, Decimal("100.00")), (JAN_31, Decimal("100.00"))]
    assert fund.lapsed(lots, date(2026, 12, 5)) == Decimal("100.00")


def test_goods_sent_back_give_back_the_credit_that_lapses_last_first() -> None:
    lots = fund.lots_of(
        [
            _line(K.CREDIT, "100.00", until=NOV_30),
            _line(K.CREDIT, "100.00", until=JAN_31),
            _line(K.USE, "-150.00", "SO-1"),  # 100.00 of November's, 50.00 of January's
            _line(K.RETURN, "60.00", "SO-1"),  # January's 50.00 back, then 10.00 of November's
            _line(K.RETURN, "90.00", "SO-1"),  # the rest of November's
        ]
    )
    assert fund.lapsing(lots) == [(NOV_30, Decimal("100.00")), (JAN_31, Decimal("100.00"))]
    partly = fund.lots_of(
        [
            _line(K.CREDIT, "100.00", until=NOV_30),
            _line(K.CREDIT, "100.00", until=JAN_31),
            _line(K.USE, "-150.00", "SO-1"),
            _line(K.RETURN, "60.00", "SO-1"),
        ]
    )
    assert fund.lapsing(partly) == [(NOV_30, Decimal("10.00")), (JAN_31, Decimal("100.00"))]


def test_credit_from_a_programme_without_validity_never_lapses() -> None:
    lots = fund.lots_of([_line(K.CREDIT, "100.00"), _line(K.USE, "-30.00", "SO-1")])
    assert fund.lapsed(lots, date(2099, 1, 1)) == 0
    assert fund.lapsing(lots) == []


_DAYS = st.sampled_from([NOV_30, DEC_31, JAN_31, None])


@st.composite
def _ledgers(draw: st.DrawFn) -> list[fund.LedgerLine]:
    """Ledgers the service could write: credits with or without a last day, corrections, orders
    using the fund and giving back part or all of what they still hold, never below zero."""
    ledger: list[fund.LedgerLine] = []
    balance = Decimal(0)
    held: dict[str, Decimal] = {}
    for number in range(draw(st.integers(1, 25))):
        action = draw(st.sampled_from(["credit", "adjust", "use", "return", "take"]))
        cents = Decimal(draw(st.integers(1, 50_000))) / 100
        if action == "credit":
            ledger.append(fund.LedgerLine(K.CREDIT.value, cents, "", draw(_DAYS)))
            balance += cents
        elif action == "adjust":
            ledger.append(fund.LedgerLine(K.ADJUSTMENT.value, cents))
            balance += cents
        elif action == "use" and balance > 0:
            amount = min(cents, balance)
            order = f"SO-{number}"
            ledger.append(fund.LedgerLine(K.USE.value, -amount, order))
            held[order] = amount
            balance -= amount
        elif action == "return" and held:
            order = draw(st.sampled_from(sorted(held)))
            amount = min(cents, held[order])
            if amount > 0:
                ledger.append(fund.LedgerLine(K.RETURN.value, amount, order))
                held[order] -= amount
                balance += amount
        elif action == "take" and balance > 0:
            amount = min(cents, balance)
            ledger.append(fund.LedgerLine(draw(st.sampled_from([K.ADJUSTMENT, K.EXPIRY])).value, -amount))
            balance -= amount
    return ledger


@given(_ledgers(), st.sampled_from([date(2026, 11, 1), date(2026, 12, 15), date(2027, 6, 1)]))
def test_the_lots_always_hold_the_balance_and_an_expiry_takes_exactly_what_lapsed(
    ledger: list[fund.LedgerLine], today: date
) -> None:
    lots = fund.lots_of(ledger)
    balance = fund.balance_of([line.amount for line in ledger])
    assert sum((lot.left for lot in lots), Decimal(0)) == balance
    assert all(lot.left > 0 for lot in lots)
    lapsed = fund.lapsed(lots, today)
    assert 0 <= lapsed <= balance
    if lapsed:
        after = fund.lots_of([*ledger, fund.LedgerLine(K.EXPIRY.value, -lapsed)])
        assert fund.lapsed(after, today) == 0
        # Only lapsed credit went: what was still usable is all there.
        still = [
            (lot.usable_until, lot.left)
            for lot in lots
            if lot.usable_until is None or lot.usable_until >= today
        ]
        assert [(lot.usable_until, lot.left) for lot in after] == still
