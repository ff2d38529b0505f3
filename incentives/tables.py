"""Persistence of rebate programmes, their settlements and the partners' rebate funds."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import JSON, UUID, BigSerial, Date, Numeric, Text, Timestamptz, Varchar
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
