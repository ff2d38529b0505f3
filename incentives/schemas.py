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
from incentives.commissions import CategoryCommission, CommissionPlan, Split
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
    usable_until: date | None = None  # a credit's last day; an expiry's: that of the credit it wrote off


class FundLapse(msgspec.Struct, frozen=True, kw_only=True):
    """Credit in the fund that lapses after ``usable_until`` unless an order spends it first."""

    usable_until: date
    amount: Decimal


class Fund(msgspec.Struct, frozen=True, kw_only=True):
    partner_id: UUID
    partner_name: str
    currency: str
    balance: Decimal
    use_percent: Decimal  # the most of an order the fund may pay
    entries: list[FundEntry]
    lapsing: list[FundLapse] = []  # soonest first


class FundUseResult(msgspec.Struct, frozen=True, kw_only=True):
    order_reference: str
    amount: Decimal
    balance: Decimal


class FundAvailable(msgspec.Struct, frozen=True, kw_only=True):
    """What a buyer's fund may pay of an order: the balance, the programme's limit, the lesser."""

    currency: str
    balance: Decimal
    use_percent: Decimal
    limit: Decimal  # use_percent of the order's total, down to the cent
    usable: Decimal  # the most the order may take now: within the limit and the balance


# --- market development funds ---------------------------------------------------------------------


class MdfBudgetCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Annotated[str, Meta(min_length=1, max_length=32)]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    currency: Annotated[str, Meta(min_length=3, max_length=3)]
    amount: Decimal
    period_start: date
    period_end: date  # exclusive

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.name = check_text(self.name, "name", max_length=200)
        self.currency = check_currency(self.currency.upper())
        _positive_amount(self.amount, "amount")
        if self.period_end <= self.period_start:
            raise FieldValueError("period_end", "before_start", "period_end must come after period_start")


class MdfBudget(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    name: str
    owner_id: UUID
    currency: str
    amount: Decimal
    allocated: Decimal
    period_start: date
    period_end: date


class MdfAllocate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Set how much of the budget a partner may request (0 withdraws what is not held yet)."""

    partner_id: UUID
    amount: Decimal

    def __post_init__(self) -> None:
        check_decimal(self.amount, "amount")


class MdfAllocation(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    budget_id: UUID
    partner_id: UUID
    partner_name: str
    amount: Decimal
    held: Decimal  # by requests not rejected
    available: Decimal


class MdfRequestCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    budget_id: UUID
    activity: Literal["event", "advertising", "in_store_display"]
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    plan: Annotated[str, Meta(max_length=5000)] = ""
    starts_on: date
    ends_on: date
    amount: Decimal  # the planned cost asked for

    def __post_init__(self) -> None:
        self.title = check_text(self.title, "title", max_length=200)
        self.plan = check_text(self.plan, "plan", max_length=5000, required=False)
        _positive_amount(self.amount, "amount")
        if self.ends_on < self.starts_on:
            raise FieldValueError("ends_on", "before_start", "ends_on must not come before starts_on")


class MdfDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Approve (optionally a lower amount) or reject a request or a claim."""

    decision: Literal["approve", "reject"]
    amount: Decimal | None = None
    answer: Annotated[str, Meta(max_length=1000)] = ""

    def __post_init__(self) -> None:
        if self.amount is not None:
            _positive_amount(self.amount, "amount")
        self.answer = check_text(self.answer, "answer", max_length=1000, required=False)


class MdfClaim(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    amount: Decimal  # what the activity cost, at most the approved amount
    note: Annotated[str, Meta(max_length=2000)] = ""

    def __post_init__(self) -> None:
        _positive_amount(self.amount, "amount")
        self.note = check_text(self.note, "note", max_length=2000, required=False)


class MdfProof(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    file_name: str
    content_type: str
    size: int
    uploaded_at: datetime


class MdfRequest(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    budget_id: UUID
    budget_code: str
    partner_id: UUID
    partner_name: str
    activity: str
    title: str
    plan: str
    starts_on: date
    ends_on: date
    currency: str
    requested_amount: Decimal
    approved_amount: Decimal | None
    claimed_amount: Decimal | None
    status: str
    answer: str
    claim_note: str
    created_at: datetime
    decided_at: datetime | None
    claimed_at: datetime | None
    paid_at: datetime | None
    proofs: list[MdfProof] = []


class MdfFunnelRow(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # partner id or region code
    label: str
    allocated: Decimal
    requested: Decimal
    approved: Decimal
    claimed: Decimal
    paid: Decimal


class MdfFunnel(msgspec.Struct, frozen=True, kw_only=True):
    budget: MdfBudget
    by: Literal["partner", "region"]
    rows: list[MdfFunnelRow]


# --- commissions ----------------------------------------------------------------------------------


class CommissionPlanCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Annotated[str, Meta(min_length=1, max_length=32)]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    currency: Annotated[str, Meta(min_length=3, max_length=3)]
    plan: CommissionPlan

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.name = check_text(self.name, "name", max_length=200)
        self.currency = check_currency(self.currency.upper())


class CommissionPlanView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    name: str
    owner_id: UUID
    currency: str
    plan: CommissionPlan
    deal_count: int = 0  # the orders attributed to it


class CommissionDealCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The order (by number) that came from a registration or a lead, and who shares its commission."""

    order_number: Annotated[str, Meta(min_length=1, max_length=40)]
    registration_id: UUID | None = None
    lead_id: UUID | None = None
    splits: Annotated[list[Split], Meta(min_length=1, max_length=10)]


class CommissionDeal(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    plan_id: UUID
    order_number: str
    registration_id: UUID | None
    lead_id: UUID | None
    splits: list[Split]


class DealShare(msgspec.Struct, frozen=True, kw_only=True):
    partner_id: UUID
    partner_name: str
    percent: Decimal


class PlanDeal(msgspec.Struct, frozen=True, kw_only=True):
    """A deal as the plan's owner reviews it: the order, the registration or lead it came from
    (with its number) and each partner's share by name."""

    id: UUID
    order_id: UUID
    order_number: str
    registration_id: UUID | None
    registration_number: str
    lead_id: UUID | None
    lead_number: str
    shares: list[DealShare]
    created_by: str
    created_at: datetime


class CommissionPlanDetail(msgspec.Struct, frozen=True, kw_only=True):
    plan: CommissionPlanView
    deals: list[PlanDeal]


class CommissionRun(msgspec.Struct, frozen=True, kw_only=True):
    """What a run recorded: earned and clawed back per currency of the plans, and the entries."""

    earned: dict[str, Decimal]
    clawed_back: dict[str, Decimal]
    entries: int


class CommissionEntry(msgspec.Struct, frozen=True, kw_only=True):
    occurred_at: datetime
    order_number: str
    kind: str
    amount: Decimal
    currency: str
    deal_id: UUID | None = None


class StatementDeal(msgspec.Struct, frozen=True, kw_only=True):
    """A deal the statement's entries pay on: the order, where it came from, the partner's share
    and what each rate of the plan earns on the order as it stands now (after returns)."""

    deal_id: UUID
    order_number: str
    plan_code: str
    registration_id: UUID | None
    lead_id: UUID | None
    share_percent: Decimal
    currency: str
    categories: list[CategoryCommission]
    earned: Decimal  # the partner's entries of the period on this deal
    clawed_back: Decimal  # positive: what returns took back in the period


class CommissionStatement(msgspec.Struct, frozen=True, kw_only=True):
    partner_id: UUID
    partner_name: str
    period_start: date
    period_end: date
    entries: list[CommissionEntry]
    totals: dict[str, Decimal]  # per currency
    deals: list[StatementDeal] = []


class CommissionStatementSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One partner's commissions of a period in one currency, for the list of statements."""

    partner_id: UUID
    partner_name: str
    currency: str
    earned: Decimal
    clawed_back: Decimal
    total: Decimal
