"""Persistence of the partner network: organisations, people, their access, and the audit trail."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
    JSON,
    UUID,
    Array,
    BigInt,
    BigSerial,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from channel.roles import OrgKind, PartnerStatus, UserStatus


class PartnerLevel(Table, tablename="channel_partner_level"):
    """A configurable partner level (Platinum, Gold, Silver...); ``rank`` 1 is the highest."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    rank = Integer()


class Region(Table, tablename="channel_region"):
    """A sales region or territory partners are assigned to."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)


class Organisation(Table, tablename="channel_organisation"):
    """The manufacturer, a distributor at any tier, or a store; ``supplier`` is the one it buys from."""

    id = UUID(primary_key=True, default=UUID4())
    kind = Varchar(length=16, choices=OrgKind)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=200)
    supplier: ForeignKey[Organisation] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    path = Varchar(length=400, unique=True, index_method=IndexMethod.btree)
    depth = Integer()
    partner_level = ForeignKey(PartnerLevel, null=True, on_delete=OnDelete.restrict)
    region = ForeignKey(Region, null=True, on_delete=OnDelete.restrict)
    currency = Varchar(length=3)
    locale = Varchar(length=16)
    credit_limit = Numeric(digits=(16, 2), default=Decimal(0))
    status = Varchar(length=16, choices=PartnerStatus, default=PartnerStatus.ONBOARDING.value)
    contact_email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    city = Varchar(length=100, default="")
    country = Varchar(length=2, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="channel_user"):
    """A person who signs in; belongs to exactly one organisation."""

    id = UUID(primary_key=True, default=UUID4())
    organisation = ForeignKey(Organisation, index=True, on_delete=OnDelete.restrict)
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=120)
    password_hash = Varchar(length=255, null=True, default=None)
    roles = Array(base_column=Varchar(length=32))
    status = Varchar(length=16, choices=UserStatus, default=UserStatus.INVITED.value)
    locale = Varchar(length=16, null=True, default=None)
    # Sessions signed in before this instant are void: set on sign-out-everywhere, password change,
    # suspension and role changes.
    sessions_valid_after = Timestamptz(default=TimestamptzNow())
    last_sign_in_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ChannelManagerAssignment(Table, tablename="channel_manager_assignment"):
    """A manufacturer channel manager is responsible for a partner and everything under it.

    (manager, partner) is unique through an index made in a raw migration: SQLite cannot add a
    table constraint after the table exists, which is how Piccolo's auto migrations add them.
    """

    id = UUID(primary_key=True, default=UUID4())
    manager = ForeignKey(User, index=True, on_delete=OnDelete.restrict)
    partner = ForeignKey(Organisation, index=True, on_delete=OnDelete.restrict)
    assigned_at = Timestamptz(default=TimestamptzNow())


class Invitation(Table, tablename="channel_invitation"):
    """An invitation to join an organisation; the link carries a secret stored only as its hash."""

    id = UUID(primary_key=True, default=UUID4())
    organisation = ForeignKey(Organisation, index=True, on_delete=OnDelete.restrict)
    user = ForeignKey(User, on_delete=OnDelete.restrict)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="channel_api_token"):
    """A machine client's credential (a partner's ERP), scoped to one organisation; stored as a hash."""

    id = UUID(primary_key=True, default=UUID4())
    organisation = ForeignKey(Organisation, index=True, on_delete=OnDelete.restrict)
    name = Varchar(length=100)
    prefix = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    roles = Array(base_column=Varchar(length=32))
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AuditEntry(Table, tablename="channel_audit_entry"):
    """One state change: who, when, what, before and after. Rows are only ever inserted.

    ``organisation_path`` is the path of the organisation the changed object belongs to, so the
    activity list is scoped by the same rule as everything else. Database triggers refuse UPDATE
    and DELETE (see the migration that creates them).
    """

    id = BigSerial(primary_key=True)
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_user_id = UUID(null=True, default=None)
    actor_token_id = UUID(null=True, default=None)
    actor_label = Varchar(length=254, default="")
    organisation_id = UUID(null=True, default=None)
    organisation_path = Varchar(length=400, index=True, default="")
    action = Varchar(length=64)
    object_type = Varchar(length=32)
    object_id = Varchar(length=64)
    object_label = Varchar(length=254, default="")
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)


class IdempotencyRecord(Table, tablename="channel_idempotency_record"):
    """The stored answer to a creating request sent with an ``Idempotency-Key``.

    Unique per (organisation, route, key) through an index made in a raw migration; written in the
    same transaction as what the request created, so a retry finds either both or neither.
    """

    id = BigSerial(primary_key=True)
    organisation_id = UUID()
    route = Varchar(length=200)
    key = Varchar(length=200)
    request_hash = Varchar(length=64)
    status_code = Integer()
    response_body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class Notification(Table, tablename="channel_notification"):
    """Something an organisation's people should know: a decision, an offer, a customer's answer.

    It is addressed to an organisation, narrowed to the people holding ``permission`` (empty: all)
    and, for the manufacturer's channel managers, to those who see the partner at ``about_path``.
    Written in the same transaction as the change it reports.
    """

    id = BigSerial(primary_key=True)
    created_at = Timestamptz(default=TimestamptzNow())
    recipient_id = UUID(index=True)
    permission = Varchar(length=40, default="")
    about_path = Varchar(length=400, default="")
    kind = Varchar(length=48)
    params = JSON(default={})
    link = Varchar(length=200, default="")  # inside the recipient's portal, e.g. /registrations/<id>
    emailed_at = Timestamptz(null=True, default=None, index=True)  # when its e-mails went out


class NotificationRead(Table, tablename="channel_notification_read"):
    """One person has seen one notification."""

    id = BigSerial(primary_key=True)
    notification_id = BigInt(index=True)
    user_id = UUID(index=True)
    read_at = Timestamptz()
