"""Paying part of an order from the buyer's rebate fund: the port ordering calls.

The fund belongs to ``incentives``, which sits above ordering, so ordering never imports it. It names
here what it needs (``BuyerFund``) and the application provides it at start-up
(``provide_buyer_fund``; the tests do the same). Submission takes from the fund inside its own
transaction once the order row exists, so a refusal leaves no order and no ledger entry; cancelling
or rejecting gives the amount back in the transaction that ends the order, and an approved return of
goods gives back their share in the transaction that approves it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol
from uuid import UUID

import msgspec

from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError


class FundPayment(msgspec.Struct, frozen=True, kw_only=True):
    """What an order pays (or paid) from its buyer's fund."""

    buyer_id: UUID
    order_number: str
    currency: str
    order_total: Decimal  # the goods' total, of which the programme lets the fund pay a share
    amount: Decimal


class BuyerFund(Protocol):
    async def take(self, actor: Actor, payment: FundPayment, clock: Clock) -> Decimal:
        """Take ``payment.amount`` from the buyer's fund for the order and return the balance after.

        Runs inside the caller's transaction. Refuses with a ``ConflictError`` (``fund_limit_exceeded``,
        ``fund_insufficient``, ...) having written nothing; the caller's transaction then rolls back."""
        ...

    async def give_back(self, actor: Actor, payment: FundPayment, clock: Clock) -> Decimal:
        """Give back what the order, now cancelled or rejected, still holds from the fund (once);
        returns what was given back."""
        ...

    async def give_back_for_return(
        self, actor: Actor, payment: FundPayment, returned_value: Decimal, clock: Clock
    ) -> Decimal:
        """Give back the share of the fund payment that goods sent back carried: ``returned_value``
        is what all the order's approved returns so far are worth of ``payment.order_total``; what
        earlier returns gave back is deducted. Returns what was given back now."""
        ...


_provided: dict[str, BuyerFund] = {}


def provide_buyer_fund(fund: BuyerFund | None) -> None:
    """Install (or, with ``None``, remove) what pays orders from the buyer's fund."""
    if fund is None:
        _provided.pop("fund", None)
    else:
        _provided["fund"] = fund


def buyer_fund() -> BuyerFund:
    """The installed fund; without one no order can be paid from a fund."""
    found = _provided.get("fund")
    if found is None:
        raise ConflictError("fund_not_available")
    return found
