"""The order's rules and the stock ledger's arithmetic, without a database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ordering import orders
from ordering.orders import OrderStatus, Party, line_issues, may_cancel, order_number, status_after_shipping
from ordering.stock import Levels, MovementKind, delta, fill_in_turn, is_sound, levels_of


def test_a_line_asks_for_the_minimum_and_for_whole_cases_naming_the_nearest_quantities() -> None:
    assert [i.code for i in line_issues("FILTER", 7, minimum=12, case=6)] == [
        "below_minimum",
        "not_a_case_multiple",
    ]
    assert line_issues("FILTER", 7, minimum=1, case=6)[0].params == {"case": 6, "lower": 6, "upper": 12}
    assert line_issues("FILTER", 12, minimum=12, case=6) == []


def test_the_buyer_cancels_until_the_supplier_answers_and_the_supplier_until_something_ships() -> None:
    assert may_cancel(OrderStatus.SUBMITTED, Party.BUYER)
    assert not may_cancel(OrderStatus.APPROVED, Party.BUYER)
    assert may_cancel(OrderStatus.APPROVED, Party.SUPPLIER)
    assert not may_cancel(OrderStatus.PARTIALLY_SHIPPED, Party.SUPPLIER)


def test_numbers_and_shipping_status_read_as_a_person_expects() -> None:
    assert order_number("D-EAST", 2026, 42) == "D-EAST-2026-000042"
    assert status_after_shipping([5, 2], [5, 1]) is OrderStatus.PARTIALLY_SHIPPED
    assert status_after_shipping([5, 2], [5, 2]) is OrderStatus.SHIPPED


def test_a_shipment_and_its_receipt_move_units_from_one_books_to_the_others() -> None:
    supplier = levels_of(
        [
            delta(MovementKind.ADJUSTMENT, 10),
            delta(MovementKind.ALLOCATION, 4),
            delta(MovementKind.SHIPMENT_OUT, 4),
        ]
    )
    buyer = levels_of(
        [
            delta(MovementKind.SHIPMENT_IN_TRANSIT, 4),
            delta(MovementKind.RECEIPT, 3),
            delta(MovementKind.RECEIPT_SHORTFALL, 1),
        ]
    )

    assert supplier == Levels(on_hand=6) and supplier.available == 6
    assert buyer == Levels(on_hand=3)
    assert not is_sound(Levels(on_hand=1, reserved=2))


@given(st.integers(-5, 100), st.lists(st.integers(0, 30), max_size=20))
def test_waiting_lines_are_filled_in_turn_never_beyond_stock_or_what_they_wait_for(
    available: int, wanted: list[int]
) -> None:
    given_out = fill_in_turn(available, wanted)

    assert sum(given_out) <= max(0, available)
    assert all(0 <= g <= w for g, w in zip(given_out, wanted, strict=True))
    # Nobody later in the queue gets units while someone earlier still waits.
    for n, (g, w) in enumerate(zip(given_out, wanted, strict=True)):
        if g < w:
            assert all(x == 0 for x, y in zip(given_out[n + 1 :], wanted[n + 1 :], strict=True) if y)


def test_returned_units_are_worth_their_share_of_the_line_net_total() -> None:
    lines = {"hob": (3, Decimal("2700.00")), "filter": (4, Decimal("90.00"))}  # one filter was free
    assert orders.returned_value(lines, [("hob", 1)]) == Decimal("900.00")
    assert orders.returned_value(lines, [("hob", 1), ("filter", 2), ("hob", 1)]) == Decimal("1845.00")
    assert orders.returned_value(lines, []) == Decimal(0)
