"""Persistence of lead distribution: leads, their history, dispatch rules and the lead policy."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import JSON, UUID, BigSerial, Boolean, Integer, Numeric, Text, Timestamptz, Varchar
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
    registration_id = UUID(null=True, default=None)  # the deal registered from this lead
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


class Programme(Table, tablename="dealreg_programme"):
    """The rules of a deal-registration programme: protection, extensions, discount, conflict policy."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=32, unique=True)
    name = Varchar(length=200)
    protection_days = Integer(default=90)
    extension_days = Integer(default=30)
    max_extensions = Integer(default=2)
    deal_discount_percent = Numeric(digits=(5, 2), default=Decimal(0))
    review_at = Integer(default=85)
    block_exact_duplicates = Boolean(default=True)
    protect_when_clear = Boolean(default=True)  # no conflict: protected at once, first come first served
    active = Boolean(default=True)


class Registration(Table, tablename="dealreg_registration"):
    """A partner's claim on an end customer's opportunity."""

    id = UUID(primary_key=True, default=UUID4())
    number = Varchar(length=20, unique=True)
    programme_id = UUID(index=True)
    partner_id = UUID(index=True)
    partner_path = Varchar(length=400, index_method=IndexMethod.btree)
    status = Varchar(length=16, index=True)
    customer = JSON()
    product_lines = JSON(default=[])
    estimated_value = Varchar(length=32, default="0")  # a decimal as text: never a float on SQLite
    currency = Varchar(length=3)
    expected_close = Timestamptz(null=True, default=None)
    notes = Text(default="")
    registered_by = Varchar(length=254, default="")
    decided_by = Varchar(length=254, default="")
    decision_reason = Text(default="")
    protected_until = Timestamptz(null=True, default=None)
    extensions_used = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class RegistrationKey(Table, tablename="dealreg_registration_key"):
    """The keys a registration is found by (tax number, domain, phone, name): looked up by equality."""

    id = BigSerial(primary_key=True)
    registration_id = UUID(index=True)
    kind = Varchar(length=16)
    value = Varchar(length=200)


class RegistrationConflict(Table, tablename="dealreg_registration_conflict"):
    id = BigSerial(primary_key=True)
    registration_id = UUID(index=True)
    other_id = UUID()
    score = Integer()
    verdict = Varchar(length=12)
    evidence = JSON(default=[])
