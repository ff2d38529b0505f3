"""The Structs that are the incentives API's bodies: programmes, accruals, settlements, the fund."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from channel.schemas import check_code, check_currency
from core.validation import FieldValueError, check_decimal, check_text
from incentives.rebates import Accrual, Definition, SettledPeriod


class ProgrammeCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A programme as the editor or an API client sends it; the owner is whoever sends it."""

    code: Annotated[str, Meta(min_length=1, max_length=32)]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    currency: Annotated[str, Meta(min_length=3, max_length=3)]
    starts_on: date
    ends_on: date | None = None
    definition: Definition

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.name = check_text(self.name, "name", max_length=200)
        self.currency = check_currency(self.currency.upper())
        if self.definition.cap is not None:
            check_decimal(self.definition.cap, "definition.cap")
        for index, tier in enumerate(self.definition.tiers):
            check_decimal(tier.threshold, f"definition.tiers[{index}].threshold")
            check_decimal(tier.percent, f"definition.tiers[{index}].percent", maximum=Decimal(100), places=4)
        check_decimal(
            self.definition.fund_use_percent, "definition.fund_use_percent", maximum=Decimal(100), places=4
        )


class ProgrammeStatusChange(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["active", "closed"]


class Programme(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    name: str
    owner_id: UUID
    owner_name: str
    currency: str
    status: str
    starts_on: date
    ends_on: date | None
    definition: Definition
    created_at: datetime


class PartnerAccrual(msgspec.Struct, frozen=True, kw_only=True):
    """One partner's standing in a programme's period."""

    programme_id: UUID
    programme_code: str
    programme_name: str
    partner_id: UUID
    partner_name: str
    currency: str
    accrual: Accrual
    settled: Decimal  # what approved settlements already paid for this period


class SettleCommand(msgspec.Struct, forbid_unknown_fields=True):
    """Settle the period holding ``period_day`` (any day of it)."""

    period_day: date


class SettlementDecision(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, Meta(max_length=500)] = ""


class Settlement(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    programme_id: UUID
    programme_code: str
    partner_id: UUID
    partner_name: str
    period_start: date
    period_end: date
    amount: Decimal
    currency: str
    status: str
    lines: list[SettledPeriod]
    created_at: datetime
    decided_by: str
    decided_at: datetime | None
    reason: str


class SettlementRun(msgspec.Struct, frozen=True, kw_only=True):
    """What settling a period did: the proposals made, and partners left alone with a reason."""

    proposed: list[Settlement]
    unchanged: int  # partners whose figures already match what was paid
    pending: int  # partners with a proposal still waiting for a decision


# --- the fund -------------------------------------------------------------------------------------


def _positive_amount(value: Decimal, field: str) -> Decimal:
    check_decimal(value, field, minimum=Decimal("0.01"))
    return value


class FundUse(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Pay ``amount`` of the submitted order numbered ``order_reference`` from the fund."""

    amount: Decimal
    order_reference: Annotated[str, Meta(min_length=1, max_length=64)]

    def __post_init__(self) -> None:
        _positive_amount(self.amount, "amount")
        self.order_reference = check_text(self.order_reference, "order_reference", max_length=64)


class FundReturn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Give back what the cancelled (or rejected) order numbered ``order_reference`` took."""

    order_reference: Annotated[str, Meta(min_length=1, max_length=64)]

    def __post_init__(self) -> None:
        self.order_reference = check_text(self.order_reference, "order_reference", max_length=64)


class FundAdjustment(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A correction by the owner: positive adds, negative takes (never below zero); or an expiry."""

    amount: Decimal
    kind: Literal["adjustment", "expiry"] = "adjustment"
    reason: Annotated[str, Meta(min_length=1, max_length=500)]

    def __post_init__(self) -> None:
        check_decimal(self.amount, "amount", minimum=Decimal("-99999999999999"))
        if self.amount == 0:
            raise FieldValueError("amount", "zero", "amount must not be zero")
        self.reason = check_text(self.reason, "reason", max_length=500)


class FundEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    occurred_at: datetime
    kind: str
    amount: Decimal
    balance_after: Decimal
    order_reference: str
    settlement_id: UUID | None
    reason: str
    actor_label: str


class Fund(msgspec.Struct, frozen=True, kw_only=True):
    partner_id: UUID
    partner_name: str
    currency: str
    balance: Decimal
    use_percent: Decimal  # the most of an order the fund may pay
    entries: list[FundEntry]


class FundUseResult(msgspec.Struct, frozen=True, kw_only=True):
    order_reference: str
    amount: Decimal
    balance: Decimal
