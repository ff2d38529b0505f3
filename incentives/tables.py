"""Persistence of rebate programmes, their settlements and the partners' rebate funds."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
    JSON,
    UUID,
    BigSerial,
    Boolean,
    Bytea,
    Date,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Programme(Table, tablename="incentives_programme"):
    """A rebate programme of the manufacturer, or of a distributor for its own downstream."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=40, unique=True)
    name = Varchar(length=200)
    owner_id = UUID(index=True)
    owner_path = Varchar(length=400, index_method=IndexMethod.btree)  # who sees it: the owner's upstream
    currency = Varchar(length=3)
    status = Varchar(length=12, default="active")  # draft | active | closed
    starts_on = Date()
    ends_on = Date(null=True, default=None)  # exclusive
    definition = JSON(default={})  # rebates.Definition as JSON
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Settlement(Table, tablename="incentives_settlement"):
    """What one partner is paid at the end of one period of a programme, once the owner approves."""

    id = UUID(primary_key=True, default=UUID4())
    programme_id = UUID(index=True)
    partner_id = UUID(index=True)
    partner_path = Varchar(length=400, index_method=IndexMethod.btree)
    period_start = Date()
    period_end = Date()
    amount = Numeric(digits=(14, 2))
    currency = Varchar(length=3)
    status = Varchar(length=12, default="proposed")  # proposed | approved | rejected
    lines = JSON(default=[])  # rebates.SettledPeriod per period it pays or corrects
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    decided_by = Varchar(length=254, default="")
    decided_at = Timestamptz(null=True, default=None)
    reason = Text(default="")


class SettledAmount(Table, tablename="incentives_settled_amount"):
    """What an approved settlement paid for one period (the next settlement nets against it)."""

    id = BigSerial(primary_key=True)
    settlement_id = UUID(index=True)
    programme_id = UUID(index=True)
    partner_id = UUID(index=True)
    period_start = Date()
    period_end = Date()
    amount = Numeric(digits=(14, 2))


class FundAccount(Table, tablename="incentives_fund_account"):
    """A partner's rebate fund; ``balance`` is always the sum of its entries."""

    id = UUID(primary_key=True, default=UUID4())
    partner_id = UUID(unique=True)
    partner_path = Varchar(length=400, index_method=IndexMethod.btree)
    currency = Varchar(length=3)
    balance = Numeric(digits=(14, 2), default=Decimal(0))
    # Whether any credit of it has a last day: only then does a use replay the ledger to let
    # lapsed credit go first (incentives.fund.lots_of).
    credits_lapse = Boolean(default=False)
    next_lapse_on = Date(null=True, default=None)  # the day after the soonest last day of credit left
    updated_at = Timestamptz(default=TimestamptzNow())


class FundEntry(Table, tablename="incentives_fund_entry"):
    """The fund's ledger: rows are only ever inserted."""

    id = BigSerial(primary_key=True)
    account_id = UUID(index=True)
    partner_id = UUID(index=True)
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
    kind = Varchar(length=12)
    amount = Numeric(digits=(14, 2))  # signed: credits and returns add, uses and expiries take
    balance_after = Numeric(digits=(14, 2))
    settlement_id = UUID(null=True, default=None)
    order_reference = Varchar(length=64, default="", index=True)
    reason = Text(default="")
    actor_label = Varchar(length=254, default="")
    # A credit's last usable day (None: it never lapses); on an expiry, that of the newest credit it took.
    usable_until = Date(null=True, default=None)


class MdfBudget(Table, tablename="incentives_mdf_budget"):
    """Market development funds an owner sets aside for one period, to allocate to its partners."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=40, unique=True)
    name = Varchar(length=200)
    owner_id = UUID(index=True)
    owner_path = Varchar(length=400, index_method=IndexMethod.btree)
    currency = Varchar(length=3)
    amount = Numeric(digits=(14, 2))
    period_start = Date()
    period_end = Date()  # exclusive
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class MdfAllocation(Table, tablename="incentives_mdf_allocation"):
    """How much of a budget one partner may request."""

    id = UUID(primary_key=True, default=UUID4())
    budget_id = UUID(index=True)
    partner_id = UUID(index=True)
    partner_path = Varchar(length=400, index_method=IndexMethod.btree)
    amount = Numeric(digits=(14, 2))
    updated_at = Timestamptz(default=TimestamptzNow())


class MdfRequest(Table, tablename="incentives_mdf_request"):
    """A partner's request for funds for one activity, then its claim with proof, then payment."""

    id = UUID(primary_key=True, default=UUID4())
    allocation_id = UUID(index=True)
    budget_id = UUID(index=True)
    partner_id = UUID(index=True)
    partner_path = Varchar(length=400, index_method=IndexMethod.btree)
    activity = Varchar(length=20)
    title = Varchar(length=200)
    plan = Text(default="")
    starts_on = Date()
    ends_on = Date()
    requested_amount = Numeric(digits=(14, 2))
    approved_amount = Numeric(digits=(14, 2), null=True, default=None)
    claimed_amount = Numeric(digits=(14, 2), null=True, default=None)
    status = Varchar(length=20, default="requested", index=True)
    answer = Text(default="")  # why it was rejected, or a condition of approval
    claim_note = Text(default="")
    requested_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    decided_by = Varchar(length=254, default="")
    decided_at = Timestamptz(null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    claim_decided_by = Varchar(length=254, default="")
    claim_decided_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)


class MdfProof(Table, tablename="incentives_mdf_proof"):
    """A proof file of a claim (invoice, photo): PDF, PNG or JPEG, checked by its content."""

    id = UUID(primary_key=True, default=UUID4())
    request_id = UUID(index=True)
    file_name = Varchar(length=200)
    content_type = Varchar(length=40)
    size = Integer()
    content = Bytea()
    uploaded_by = Varchar(length=254, default="")
    uploaded_at = Timestamptz(default=TimestamptzNow())


class CommissionPlanRow(Table, tablename="incentives_commission_plan"):
    """How an owner pays the agents and referral partners who bring deals."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=40, unique=True)
    name = Varchar(length=200)
    owner_id = UUID(index=True)
    owner_path = Varchar(length=400, index_method=IndexMethod.btree)
    currency = Varchar(length=3)
    definition = JSON(default={})  # commissions.CommissionPlan as JSON
    created_at = Timestamptz(default=TimestamptzNow())


class CommissionDeal(Table, tablename="incentives_commission_deal"):
    """An order that came from a registered deal or a lead, and who shares its commission."""

    id = UUID(primary_key=True, default=UUID4())
    plan_id = UUID(index=True)
    order_id = UUID(unique=True)
    order_number = Varchar(length=40)
    registration_id = UUID(null=True, default=None)
    lead_id = UUID(null=True, default=None)
    splits = JSON(default=[])  # commissions.Split per partner
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class CommissionEntry(Table, tablename="incentives_commission_entry"):
    """The commission ledger: earned when the order is received, clawed back on returns; rows are
    only ever inserted."""

    id = BigSerial(primary_key=True)
    deal_id = UUID(index=True)
    partner_id = UUID(index=True)
    partner_path = Varchar(length=400, index_method=IndexMethod.btree)
    order_number = Varchar(length=40)
    kind = Varchar(length=12)  # earned | clawback
    amount = Numeric(digits=(14, 2))
    currency = Varchar(length=3)
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
