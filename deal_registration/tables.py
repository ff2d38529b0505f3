"""Persistence of lead distribution: leads, their history, dispatch rules and the lead policy."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigSerial, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from deal_registration.leads import LeadStage, LeadStatus


class Lead(Table, tablename="dealreg_lead"):
    """An end customer's inquiry the manufacturer hands to a partner to work."""

    id = UUID(primary_key=True, default=UUID4())
    number = Varchar(length=20, unique=True)
    source = Varchar(length=40)  # website, trade fair, hotline ...
    region = Varchar(length=32, default="")
    industry = Varchar(length=60, default="")
    company_name = Varchar(length=200)
    contact_name = Varchar(length=120, default="")
    contact_email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    city = Varchar(length=100, default="")
    country = Varchar(length=2, default="")
    notes = Text(default="")
    stage = Varchar(length=8, choices=LeadStage, default=LeadStage.UQL.value)
    highest_open_stage = Varchar(length=8, choices=LeadStage, default=LeadStage.UQL.value)
    status = Varchar(length=12, choices=LeadStatus, default=LeadStatus.POOLED.value, index=True)
    # The partner it is offered to or that holds it; null in the pool.
    owner_id = UUID(null=True, index=True)
    owner_path = Varchar(length=400, default="", index_method=IndexMethod.btree)
    offer_expires_at = Timestamptz(null=True, default=None)
    last_activity_at = Timestamptz(null=True, default=None)
    last_owner_id = UUID(null=True, default=None)  # who had it last, told when it comes back
    returned_count = Integer(default=0)
    reinquiry = Boolean(default=False)  # came back with a new inquiry while pooled
    # Partners that let this lead go (declined or lapsed); it is not offered to them again.
    passed_by = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class LeadEvent(Table, tablename="dealreg_lead_event"):
    """What happened to a lead, in order: offered, accepted, declined, lapsed, followed up, returned ..."""

    id = BigSerial(primary_key=True)
    lead_id = UUID(index=True)
    occurred_at = Timestamptz()
    kind = Varchar(length=32)
    organisation_id = UUID(null=True, default=None)
    actor_label = Varchar(length=254, default="")
    note = Text(default="")


class DispatchRule(Table, tablename="dealreg_dispatch_rule"):
    id = UUID(primary_key=True, default=UUID4())
    position = Integer(default=0)
    name = Varchar(length=100)
    regions = JSON(default=[])
    industries = JSON(default=[])
    sources = JSON(default=[])
    partner_levels = JSON(default=[])
    partner_ids = JSON(default=[])
    active = Boolean(default=True)


class LeadPolicySetting(Table, tablename="dealreg_lead_policy"):
    """The channel's lead policy (one row): acceptance deadline, private-pool cap, follow-up period."""

    id = Integer(primary_key=True)
    accept_within_hours = Integer(default=24)
    private_pool_cap = Integer(default=50)
    follow_up_within_days = Integer(default=15)
