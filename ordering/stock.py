"""Stock: the ledger's movements and what each does to on hand, reserved and in transit.

Levels are never set, only moved: every change is a movement row, and a level is the sum of its
movements (``levels_of``), which the check command verifies. Available = on hand - reserved.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import msgspec


class MovementKind(StrEnum):
    ADJUSTMENT = "adjustment"  # counted, produced or written off, with a reason
    ALLOCATION = "allocation"  # reserved for an approved order
    RELEASE = "release"  # a reservation given back (a cancelled order)
    SHIPMENT_OUT = "shipment_out"  # leaves the supplier: on hand and reservation down
    SHIPMENT_IN_TRANSIT = "in_transit"  # on its way to the buyer
    RECEIPT = "receipt"  # arrives at the buyer: in transit down, on hand up (what was good)
    RECEIPT_SHORTFALL = "receipt_shortfall"  # shipped but missing or damaged: leaves transit only
    RETURN_OUT = "return_out"  # an approved return leaves the buyer
    RETURN_IN = "return_in"  # and comes back into the supplier's stock


class Levels(msgspec.Struct, frozen=True):
    on_hand: int = 0
    reserved: int = 0
    in_transit: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def __add__(self, other: Levels) -> Levels:
        return Levels(
            self.on_hand + other.on_hand, self.reserved + other.reserved, self.in_transit + other.in_transit
        )


def delta(kind: MovementKind, quantity: int) -> Levels:
    """What a movement of ``quantity`` units does to one organisation's levels of one product."""
    match kind:
        case MovementKind.ADJUSTMENT:
            return Levels(on_hand=quantity)
        case MovementKind.ALLOCATION:
            return Levels(reserved=quantity)
        case MovementKind.RELEASE:
            return Levels(reserved=-quantity)
        case MovementKind.SHIPMENT_OUT:
            return Levels(on_hand=-quantity, reserved=-quantity)
        case MovementKind.SHIPMENT_IN_TRANSIT:
            return Levels(in_transit=quantity)
        case MovementKind.RECEIPT:
            return Levels(on_hand=quantity, in_transit=-quantity)
        case MovementKind.RECEIPT_SHORTFALL:
            return Levels(in_transit=-quantity)
        case MovementKind.RETURN_OUT:
            return Levels(on_hand=-quantity)
        case MovementKind.RETURN_IN:
            return Levels(on_hand=quantity)
    raise ValueError(kind)


def levels_of(movements: Iterable[Levels]) -> Levels:
    total = Levels()
    for movement in movements:
        total = total + movement
    return total


def is_sound(levels: Levels) -> bool:
    """0 <= reserved <= on hand, nothing negative in transit."""
    return 0 <= levels.reserved <= levels.on_hand and levels.in_transit >= 0


def fill_in_turn(available: int, wanted: list[int]) -> list[int]:
    """Share ``available`` units among waiting lines first come, first served (the list's order)."""
    given = []
    for quantity in wanted:
        take = max(0, min(quantity, available))
        given.append(take)
        available -= take
    return given
