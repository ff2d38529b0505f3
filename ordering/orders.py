"""The order's rules: its statuses and who may move it, and what a line must respect.

Pure functions over plain values; the services apply them and the portal words the reason codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

import msgspec


class OrderStatus(StrEnum):
    SUBMITTED = "submitted"  # placed by the buyer, waiting for the supplier
    APPROVED = "approved"  # accepted; stock reserved for what could be, the rest backordered
    REJECTED = "rejected"  # refused by the supplier, with a reason
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"  # every line shipped in full, some not yet received
    RECEIVED = "received"  # every shipment confirmed by the buyer
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN = frozenset(
    {OrderStatus.SUBMITTED, OrderStatus.APPROVED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED}
)
# Orders whose value still counts against the buyer's credit limit (nothing is invoiced yet, so
# every order not cancelled, rejected or closed is an open receivable of the buyer).
COUNTS_AGAINST_CREDIT = OPEN | {OrderStatus.RECEIVED}


class Party(StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"


# Who may cancel at which stage: the buyer while the supplier has not answered; the supplier until
# something has shipped (what was reserved is released). Nothing that has shipped is cancelled:
# it is returned.
CANCELLABLE_BY: dict[OrderStatus, frozenset[Party]] = {
    OrderStatus.SUBMITTED: frozenset({Party.BUYER, Party.SUPPLIER}),
    OrderStatus.APPROVED: frozenset({Party.SUPPLIER}),
}


# A received order closes by itself this long after its last shipment was received, once no return
# waits for an answer: the buyer can no longer ask to return anything, and the order no longer
# counts against its credit limit.
RETURN_WINDOW = timedelta(days=30)


def may_cancel(status: OrderStatus, party: Party) -> bool:
    return party in CANCELLABLE_BY.get(status, frozenset())


class LineIssue(msgspec.Struct, frozen=True):
    sku: str
    code: str  # below_minimum, not_a_case_multiple, unknown_product
    params: dict[str, int | str] = {}


def line_issues(sku: str, quantity: int, *, minimum: int, case: int) -> list[LineIssue]:
    """What a line breaks: the minimum order quantity and whole cases."""
    issues = []
    if quantity < minimum:
        issues.append(LineIssue(sku, "below_minimum", {"minimum": minimum, "quantity": quantity}))
    if case > 1 and quantity % case:
        lower, upper = quantity // case * case, (quantity // case + 1) * case
        issues.append(LineIssue(sku, "not_a_case_multiple", {"case": case, "lower": lower, "upper": upper}))
    return issues


def status_after_shipping(ordered: list[int], shipped: list[int]) -> OrderStatus:
    return (
        OrderStatus.SHIPPED
        if all(s >= o for o, s in zip(ordered, shipped, strict=True))
        else (OrderStatus.PARTIALLY_SHIPPED)
    )


NUMBER_DIGITS = 6


def order_number(supplier_code: str, year: int, sequence: int) -> str:
    """Readable and unique per supplier: the supplier's code, the year, a running number."""
    return f"{number_prefix(supplier_code, year)}{sequence:0{NUMBER_DIGITS}d}"


def number_prefix(supplier_code: str, year: int) -> str:
    return f"{supplier_code}-{year}-"


def orderable(units: int, *, minimum: int, case: int) -> int:
    """The smallest quantity of at least ``units`` that an order line may carry (whole cases, at
    least the minimum): what a distributor orders upstream to cover its buyers' backorders."""
    quantity = max(units, minimum)
    return -(-quantity // case) * case if case > 1 else quantity


def returned_value(
    lines: Mapping[object, tuple[int, Decimal]], returned: Iterable[tuple[object, int]]
) -> Decimal:
    """What units sent back are worth at the prices the order paid: each line's net total (after
    its discounts and free units) spread evenly over its units. ``lines``: line -> (units, net
    total); ``returned``: (line, units) of the approved returns. Exact; whoever pays it rounds."""
    value = Decimal(0)
    for line, units in returned:
        quantity, net_total = lines[line]
        if quantity:
            value += net_total * units / quantity
    return value
