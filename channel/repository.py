"""The only module that touches the partner network's tables: rows to Structs and back.

Queries take a ``Scope`` where visibility matters, so "what may this actor see" is decided in the
database (one indexed range per visible subtree) instead of by loading and filtering.
"""

from __future__ import annotations

import base64
import operator
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import reduce
from typing import Any, cast
from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.query import WhereRaw

from channel import schemas
from channel.network import PATH_END
from channel.roles import OrgKind, PartnerStatus, Role, UserStatus
from channel.tables import (
    ApiToken,
    AuditEntry,
    ChannelManagerAssignment,
    IdempotencyRecord,
    Invitation,
    Notification,
    NotificationRead,
    Organisation,
    PartnerLevel,
    Region,
    User,
)
from channel.visibility import Scope

# Money columns are NUMERIC(16, 2); SQLite hands them back without their scale ("10000" for
# 10000.00), so amounts are re-scaled on the way out and both engines answer identically.
CENTS = Decimal("0.01")

# --- scoping and paging -------------------------------------------------------------------------


def within(path_column: Column, scope: Scope) -> Any:
    """A WHERE clause keeping rows whose organisation path lies in ``scope``; ``None`` for everything."""
    if scope.everything:
        return None
    clauses: list[Any] = [(path_column >= root) & (path_column < root + PATH_END) for root in scope.roots]
    clauses += [path_column == single for single in scope.singles]
    if not clauses:
        return path_column == "\x00"  # sees nothing
    return reduce(operator.or_, clauses)


def where_all(*clauses: Any) -> Any:
    present = [c for c in clauses if c is not None]
    return reduce(operator.and_, present) if present else None


def column_values(values: Mapping[str, Any]) -> dict[Column | str, Any]:
    """Piccolo's ``update`` takes column names too; its signature just does not say so for ``str`` keys."""
    return cast("dict[Column | str, Any]", dict(values))


def encode_cursor(*key: object) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """The key a cursor holds; ``None`` for no cursor or a cursor that is not ours (treated as page 1)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = msgspec.json.decode(raw)
    except (ValueError, msgspec.DecodeError):
        return None
    return key if isinstance(key, list) else None


def like_pattern(text: str) -> str:
    """A LIKE pattern for "contains ``text``", case-folded, with LIKE's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- reference data -----------------------------------------------------------------------------


def _level(row: dict[str, Any] | None) -> schemas.PartnerLevel | None:
    if not row or row.get("id") is None:
        return None
    return schemas.PartnerLevel(id=row["id"], code=row["code"], name=row["name"], rank=row["rank"])


def _region(row: dict[str, Any] | None) -> schemas.Region | None:
    if not row or row.get("id") is None:
        return None
    return schemas.Region(id=row["id"], code=row["code"], name=row["name"])


async def list_partner_levels() -> list[schemas.PartnerLevel]:
    rows = await PartnerLevel.select().order_by(PartnerLevel.rank).order_by(PartnerLevel.code)
    return [level for row in rows if (level := _level(row))]


async def find_partner_level(code: str) -> schemas.PartnerLevel | None:
    return _level(await PartnerLevel.select().where(PartnerLevel.code == code).first())


async def insert_partner_level(level: schemas.PartnerLevel) -> None:
    await PartnerLevel.insert(PartnerLevel(**msgspec.structs.asdict(level)))


async def list_regions() -> list[schemas.Region]:
    rows = await Region.select().order_by(Region.name)
    return [region for row in rows if (region := _region(row))]


async def find_region(code: str) -> schemas.Region | None:
    return _region(await Region.select().where(Region.code == code).first())


async def insert_region(region: schemas.Region) -> None:
    await Region.insert(Region(**msgspec.structs.asdict(region)))


# --- organisations ------------------------------------------------------------------------------

_SUMMARY_COLUMNS = (
    Organisation.id,
    Organisation.code,
    Organisation.name,
    Organisation.kind,
    Organisation.depth,
    Organisation.status,
    Organisation.supplier,
    Organisation.city,
    Organisation.path,
    Organisation.partner_level.code.as_alias("level_code"),
    Organisation.partner_level.name.as_alias("level_name"),
    Organisation.region.code.as_alias("region_code"),
    Organisation.region.name.as_alias("region_name"),
)


def _summary(row: dict[str, Any]) -> schemas.OrganisationSummary:
    return schemas.OrganisationSummary(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=OrgKind(row["kind"]),
        depth=row["depth"],
        status=PartnerStatus(row["status"]),
        supplier_id=row["supplier"],
        partner_level=row["level_code"],
        partner_level_name=row["level_name"],
        region=row["region_code"],
        region_name=row["region_name"],
        city=row["city"],
    )


def org_ref(row: dict[str, Any]) -> schemas.OrganisationRef:
    return schemas.OrganisationRef(
        id=row["id"], code=row["code"], name=row["name"], kind=OrgKind(row["kind"])
    )


class OrgPlace(msgspec.Struct, frozen=True):
    """Where an organisation sits, for visibility and tree rules, without loading all of it."""

    id: UUID
    kind: OrgKind
    path: str
    status: PartnerStatus
    currency: str
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


async def find_org_place(org_id: UUID) -> OrgPlace | None:
    row = await (
        Organisation.select(
            Organisation.id,
            Organisation.kind,
            Organisation.path,
            Organisation.status,
            Organisation.currency,
            Organisation.code,
            Organisation.name,
        )
        .where(Organisation.id == org_id)
        .first()
    )
    if row is None:
        return None
    return OrgPlace(
        id=row["id"],
        kind=OrgKind(row["kind"]),
        path=row["path"],
        status=PartnerStatus(row["status"]),
        currency=row["currency"],
        code=row["code"],
        name=row["name"],
    )


async def find_organisation(org_id: UUID) -> schemas.Organisation | None:
    row = await (
        Organisation.select(
            *Organisation.all_columns(),
            *Organisation.partner_level.all_columns(),
            *Organisation.region.all_columns(),
            Organisation.supplier.id,
            Organisation.supplier.code,
            Organisation.supplier.name,
            Organisation.supplier.kind,
        )
        .where(Organisation.id == org_id)
        .output(nested=True)
        .first()
    )
    if row is None:
        return None
    managers = await (
        ChannelManagerAssignment.select(
            ChannelManagerAssignment.manager.id,
            ChannelManagerAssignment.manager.email,
            ChannelManagerAssignment.manager.display_name,
        )
        .where(ChannelManagerAssignment.partner == org_id)
        .order_by(ChannelManagerAssignment.manager.display_name)
        .output(nested=True)
    )
    supplier = row["supplier"]
    return schemas.Organisation(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=OrgKind(row["kind"]),
        depth=row["depth"],
        status=PartnerStatus(row["status"]),
        supplier=org_ref(supplier) if supplier and supplier.get("id") else None,
        partner_level=_level(row["partner_level"]),
        region=_region(row["region"]),
        currency=row["currency"],
        locale=row["locale"],
        credit_limit=Decimal(row["credit_limit"]).quantize(CENTS),
        contact_email=row["contact_email"],
        phone=row["phone"],
        city=row["city"],
        country=row["country"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        channel_managers=[
            schemas.UserRef(
                id=m["manager"]["id"], email=m["manager"]["email"], display_name=m["manager"]["display_name"]
            )
            for m in managers
        ],
    )


async def find_organisation_id_by_code(code: str) -> UUID | None:
    row = await Organisation.select(Organisation.id).where(Organisation.code == code).first()
    return row["id"] if row else None


async def organisation_code_taken(code: str) -> bool:
    return await Organisation.exists().where(Organisation.code == code)


async def insert_organisation(values: dict[str, Any]) -> None:
    await Organisation.insert(Organisation(**values))


async def update_organisation(org_id: UUID, values: Mapping[str, Any]) -> None:
    await Organisation.update(column_values(values)).where(Organisation.id == org_id)


async def list_organisations(
    scope: Scope,
    filters: schemas.PartnerFilter,
    *,
    under_path: str | None,
    level_id: UUID | None,
    region_id: UUID | None,
) -> schemas.Page[schemas.OrganisationSummary]:
    """Partners in tree order (a supplier before the partners under it), one page at a time."""
    after = decode_cursor(filters.cursor)
    where = where_all(
        within(Organisation.path, scope),
        (Organisation.path >= under_path) & (Organisation.path < under_path + PATH_END)
        if under_path
        else None,
        Organisation.kind == filters.kind.value if filters.kind else None,
        Organisation.status == filters.status.value if filters.status else None,
        Organisation.partner_level == level_id if filters.partner_level else None,
        Organisation.region == region_id if filters.region else None,
        Organisation.path > str(after[0]) if after else None,
    )
    query = Organisation.select(*_SUMMARY_COLUMNS).order_by(Organisation.path).limit(filters.limit + 1)
    if where is not None:
        query = query.where(where)
    if filters.q.strip():
        query = query.where(
            WhereRaw(
                "(lower(channel_organisation.name) LIKE {} ESCAPE '\\' "
                "OR lower(channel_organisation.code) LIKE {} ESCAPE '\\' "
                "OR lower(channel_organisation.city) LIKE {} ESCAPE '\\')",
                *([like_pattern(filters.q.strip())] * 3),
            )
        )
    rows = await query
    page = rows[: filters.limit]
    more = len(rows) > filters.limit
    return schemas.Page(
        items=[_summary(r) for r in page], next_cursor=encode_cursor(page[-1]["path"]) if more else None
    )


async def count_partners(scope: Scope, exclude_path: str) -> Counter[tuple[str, str]]:
    """(kind, status) -> number of visible organisations other than the actor's own."""
    where = where_all(within(Organisation.path, scope), Organisation.path != exclude_path)
    query = Organisation.select(Organisation.kind, Organisation.status)
    if where is not None:
        query = query.where(where)
    rows = await query
    return Counter((r["kind"], r["status"]) for r in rows)


async def find_manufacturer() -> OrgPlace | None:
    row = (
        await Organisation.select(Organisation.id)
        .where(Organisation.kind == OrgKind.MANUFACTURER.value)
        .first()
    )
    return await find_org_place(row["id"]) if row else None


# --- people -------------------------------------------------------------------------------------

_USER_COLUMNS = (
    User.id,
    User.email,
    User.display_name,
    User.roles,
    User.status,
    User.locale,
    User.last_sign_in_at,
    User.created_at,
    User.organisation.id,
    User.organisation.code,
    User.organisation.name,
    User.organisation.kind,
    User.organisation.path,
)


def _user(row: dict[str, Any]) -> schemas.User:
    return schemas.User(
        id=row["id"],
        organisation=org_ref(row["organisation"]),
        email=row["email"],
        display_name=row["display_name"],
        roles=[Role(r) for r in row["roles"]],
        status=UserStatus(row["status"]),
        locale=row["locale"],
        last_sign_in_at=row["last_sign_in_at"],
        created_at=row["created_at"],
    )


class UserPlace(msgspec.Struct, frozen=True):
    user: schemas.User
    organisation_path: str


async def find_user(user_id: UUID) -> UserPlace | None:
    row = await User.select(*_USER_COLUMNS).where(User.id == user_id).output(nested=True).first()
    if row is None:
        return None
    return UserPlace(user=_user(row), organisation_path=row["organisation"]["path"])


async def email_taken(email: str) -> bool:
    return await User.exists().where(User.email == email)


async def list_users(
    scope: Scope, organisation_id: UUID | None, cursor: str | None, limit: int
) -> schemas.Page[schemas.User]:
    after = decode_cursor(cursor)
    where = where_all(
        within(User.organisation.path, scope),
        User.organisation.id == organisation_id if organisation_id else None,
        User.email > str(after[0]) if after else None,
    )
    query = User.select(*_USER_COLUMNS).order_by(User.email).limit(limit + 1).output(nested=True)
    if where is not None:
        query = query.where(where)
    rows = await query
    items = [_user(r) for r in rows[:limit]]
    return schemas.Page(
        items=items, next_cursor=encode_cursor(items[-1].email) if len(rows) > limit else None
    )


async def count_users(scope: Scope) -> Counter[str]:
    query = User.select(User.status)
    where = within(User.organisation.path, scope)
    if where is not None:
        query = query.where(where)
    return Counter(r["status"] for r in await query)


async def insert_user(values: dict[str, Any]) -> None:
    await User.insert(User(**values))


async def update_user(user_id: UUID, values: Mapping[str, Any]) -> None:
    await User.update(column_values(values)).where(User.id == user_id)


async def end_sessions_of_organisation(org_id: UUID, at: datetime) -> None:
    await User.update({User.sessions_valid_after: at}).where(User.organisation == org_id)


class Credentials(msgspec.Struct, frozen=True):
    user_id: UUID
    password_hash: str | None
    status: UserStatus
    organisation_status: PartnerStatus


async def find_credentials(email: str) -> Credentials | None:
    row = await (
        User.select(User.id, User.password_hash, User.status, User.organisation.status.as_alias("org_status"))
        .where(User.email == email)
        .first()
    )
    if row is None:
        return None
    return Credentials(
        user_id=row["id"],
        password_hash=row["password_hash"],
        status=UserStatus(row["status"]),
        organisation_status=PartnerStatus(row["org_status"]),
    )


async def find_password_hash(user_id: UUID) -> str | None:
    row = await User.select(User.password_hash).where(User.id == user_id).first()
    return row["password_hash"] if row else None


class ActorRecord(msgspec.Struct, frozen=True):
    user_id: UUID
    email: str
    display_name: str
    roles: list[Role]
    status: UserStatus
    locale: str | None
    sessions_valid_after: datetime
    organisation_id: UUID
    organisation_kind: OrgKind
    organisation_path: str
    organisation_status: PartnerStatus
    organisation_locale: str
    organisation_name: str
    assigned_paths: tuple[str, ...]


async def find_actor_record(user_id: UUID) -> ActorRecord | None:
    row = await (
        User.select(
            User.id,
            User.email,
            User.display_name,
            User.roles,
            User.status,
            User.locale,
            User.sessions_valid_after,
            User.organisation.id.as_alias("org_id"),
            User.organisation.kind.as_alias("org_kind"),
            User.organisation.path.as_alias("org_path"),
            User.organisation.status.as_alias("org_status"),
            User.organisation.locale.as_alias("org_locale"),
            User.organisation.name.as_alias("org_name"),
        )
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        return None
    roles = [Role(r) for r in row["roles"]]
    assigned: tuple[str, ...] = ()
    if Role.CHANNEL_MANAGER in roles:
        paths = await ChannelManagerAssignment.select(
            ChannelManagerAssignment.partner.path.as_alias("path")
        ).where(ChannelManagerAssignment.manager == user_id)
        assigned = tuple(sorted(p["path"] for p in paths))
    return ActorRecord(
        user_id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        roles=roles,
        status=UserStatus(row["status"]),
        locale=row["locale"],
        sessions_valid_after=row["sessions_valid_after"],
        organisation_id=row["org_id"],
        organisation_kind=OrgKind(row["org_kind"]),
        organisation_path=row["org_path"],
        organisation_status=PartnerStatus(row["org_status"]),
        organisation_locale=row["org_locale"],
        organisation_name=row["org_name"],
        assigned_paths=assigned,
    )


async def assignment_exists(manager_id: UUID, partner_id: UUID) -> bool:
    return await ChannelManagerAssignment.exists().where(
        (ChannelManagerAssignment.manager == manager_id) & (ChannelManagerAssignment.partner == partner_id)
    )


async def insert_assignment(manager_id: UUID, partner_id: UUID, at: datetime) -> None:
    await ChannelManagerAssignment.insert(
        ChannelManagerAssignment(manager=manager_id, partner=partner_id, assigned_at=at)
    )


async def delete_assignment(manager_id: UUID, partner_id: UUID) -> int:
    rows = await (
        ChannelManagerAssignment.delete()
        .where(
            (ChannelManagerAssignment.manager == manager_id)
            & (ChannelManagerAssignment.partner == partner_id)
        )
        .returning(ChannelManagerAssignment.id)
    )
    return len(rows)


async def list_channel_managers() -> list[schemas.UserRef]:
    rows = await (
        User.select(User.id, User.email, User.display_name, User.roles)
        .where(
            (User.organisation.kind == OrgKind.MANUFACTURER.value) & (User.status == UserStatus.ACTIVE.value)
        )
        .order_by(User.display_name)
    )
    return [
        schemas.UserRef(id=r["id"], email=r["email"], display_name=r["display_name"])
        for r in rows
        if Role.CHANNEL_MANAGER.value in r["roles"]
    ]


# --- invitations --------------------------------------------------------------------------------

_INVITATION_COLUMNS = (
    Invitation.id,
    Invitation.created_at,
    Invitation.expires_at,
    Invitation.user.id,
    Invitation.user.email,
    Invitation.user.display_name,
    Invitation.user.roles,
    Invitation.organisation.id,
    Invitation.organisation.code,
    Invitation.organisation.name,
    Invitation.organisation.kind,
    Invitation.organisation.path,
    Invitation.invited_by.id,
    Invitation.invited_by.email,
    Invitation.invited_by.display_name,
)


def _invitation(row: dict[str, Any]) -> schemas.Invitation:
    by = row["invited_by"]
    return schemas.Invitation(
        id=row["id"],
        user=schemas.UserRef(
            id=row["user"]["id"], email=row["user"]["email"], display_name=row["user"]["display_name"]
        ),
        organisation=org_ref(row["organisation"]),
        roles=[Role(r) for r in row["user"]["roles"]],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        invited_by=schemas.UserRef(id=by["id"], email=by["email"], display_name=by["display_name"])
        if by["id"]
        else None,
    )


def _open_invitation(now: datetime) -> Any:
    return (
        (Invitation.accepted_at.is_null()) & (Invitation.revoked_at.is_null()) & (Invitation.expires_at > now)
    )


async def insert_invitation(values: dict[str, Any]) -> None:
    await Invitation.insert(Invitation(**values))


async def list_open_invitations(scope: Scope, now: datetime, limit: int = 200) -> list[schemas.Invitation]:
    where = where_all(_open_invitation(now), within(Invitation.organisation.path, scope))
    rows = await (
        Invitation.select(*_INVITATION_COLUMNS)
        .where(where)
        .order_by(Invitation.created_at, ascending=False)
        .limit(limit)
        .output(nested=True)
    )
    return [_invitation(r) for r in rows]


async def count_open_invitations(scope: Scope, now: datetime) -> int:
    return int(
        await Invitation.count().where(
            where_all(_open_invitation(now), within(Invitation.organisation.path, scope))
        )
    )


class InvitationPlace(msgspec.Struct, frozen=True):
    invitation: schemas.Invitation
    organisation_path: str
    accepted_at: datetime | None
    revoked_at: datetime | None


async def find_invitation(
    invitation_id: UUID | None = None, token_hash: str | None = None
) -> InvitationPlace | None:
    where = Invitation.id == invitation_id if invitation_id else Invitation.token_hash == token_hash
    row = await (
        Invitation.select(*_INVITATION_COLUMNS, Invitation.accepted_at, Invitation.revoked_at)
        .where(where)
        .output(nested=True)
        .first()
    )
    if row is None:
        return None
    return InvitationPlace(
        invitation=_invitation(row),
        organisation_path=row["organisation"]["path"],
        accepted_at=row["accepted_at"],
        revoked_at=row["revoked_at"],
    )


async def close_open_invitations(user_id: UUID, now: datetime) -> None:
    await Invitation.update({Invitation.revoked_at: now}).where(
        (Invitation.user == user_id) & Invitation.accepted_at.is_null() & Invitation.revoked_at.is_null()
    )


async def mark_invitation(invitation_id: UUID, values: Mapping[str, Any]) -> None:
    await Invitation.update(column_values(values)).where(Invitation.id == invitation_id)


# --- API tokens ---------------------------------------------------------------------------------

_TOKEN_COLUMNS = (
    ApiToken.id,
    ApiToken.name,
    ApiToken.prefix,
    ApiToken.roles,
    ApiToken.created_at,
    ApiToken.last_used_at,
    ApiToken.revoked_at,
    ApiToken.created_by.id,
    ApiToken.created_by.email,
    ApiToken.created_by.display_name,
)


def _token(row: dict[str, Any]) -> schemas.ApiToken:
    by = row["created_by"]
    return schemas.ApiToken(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        roles=[Role(r) for r in row["roles"]],
        created_by=schemas.UserRef(id=by["id"], email=by["email"], display_name=by["display_name"])
        if by["id"]
        else None,
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


async def insert_api_token(values: dict[str, Any]) -> None:
    await ApiToken.insert(ApiToken(**values))


async def list_api_tokens(organisation_id: UUID) -> list[schemas.ApiToken]:
    rows = await (
        ApiToken.select(*_TOKEN_COLUMNS)
        .where(ApiToken.organisation == organisation_id)
        .order_by(ApiToken.created_at, ascending=False)
        .output(nested=True)
    )
    return [_token(r) for r in rows]


async def find_api_token(token_id: UUID, organisation_id: UUID) -> schemas.ApiToken | None:
    row = await (
        ApiToken.select(*_TOKEN_COLUMNS)
        .where((ApiToken.id == token_id) & (ApiToken.organisation == organisation_id))
        .output(nested=True)
        .first()
    )
    return _token(row) if row else None


async def revoke_api_token(token_id: UUID, at: datetime) -> None:
    await ApiToken.update({ApiToken.revoked_at: at}).where(ApiToken.id == token_id)


class TokenRecord(msgspec.Struct, frozen=True):
    token_id: UUID
    name: str
    prefix: str
    roles: list[Role]
    revoked: bool
    last_used_at: datetime | None
    organisation_id: UUID
    organisation_kind: OrgKind
    organisation_path: str
    organisation_status: PartnerStatus
    organisation_locale: str
    organisation_name: str


async def find_token_record(token_hash: str) -> TokenRecord | None:
    """The token with its organisation; raw SQL, as every API request asks it first."""
    rows = await ApiToken.raw(
        "SELECT t.id, t.name, t.prefix, t.roles, t.revoked_at, t.last_used_at, o.id AS org_id, "
        "o.kind AS org_kind, o.path AS org_path, o.status AS org_status, o.locale AS org_locale, "
        "o.name AS org_name FROM channel_api_token t JOIN channel_organisation o ON o.id = t.organisation "
        "WHERE t.token_hash = {}",
        token_hash,
    )
    if not rows:
        return None
    row = rows[0]
    roles = row["roles"]
    if isinstance(roles, str | bytes):
        roles = msgspec.json.decode(roles)
    return TokenRecord(
        token_id=_uuid(row["id"]),
        name=row["name"],
        prefix=row["prefix"],
        roles=[Role(r) for r in roles],
        revoked=row["revoked_at"] is not None,
        last_used_at=_moment(row["last_used_at"]),
        organisation_id=_uuid(row["org_id"]),
        organisation_kind=OrgKind(row["org_kind"]),
        organisation_path=row["org_path"],
        organisation_status=PartnerStatus(row["org_status"]),
        organisation_locale=row["org_locale"],
        organisation_name=row["org_name"],
    )


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _moment(value: Any) -> datetime | None:
    """A timestamp as a raw query gives it: a datetime (PostgreSQL) or ISO text (SQLite)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


async def find_me(
    org_id: UUID, user_id: UUID | None
) -> tuple[schemas.OrganisationRef, schemas.UserRef | None] | None:
    """The organisation and (for a person) the user, as ``GET /api/me`` names them; one query."""
    rows = await Organisation.raw(
        "SELECT o.id, o.code, o.name, o.kind, u.id AS user_id, u.email, u.display_name "
        "FROM channel_organisation o LEFT JOIN channel_user u ON u.id = {} "
        "WHERE o.id = {}",
        user_id,
        org_id,
    )
    if not rows:
        return None
    row = rows[0]
    organisation = schemas.OrganisationRef(
        id=_uuid(row["id"]), code=row["code"], name=row["name"], kind=OrgKind(row["kind"])
    )
    if row["user_id"] is None:
        return organisation, None
    return organisation, schemas.UserRef(
        id=_uuid(row["user_id"]), email=row["email"], display_name=row["display_name"]
    )


async def touch_api_token(token_id: UUID, at: datetime) -> None:
    await ApiToken.update({ApiToken.last_used_at: at}).where(ApiToken.id == token_id)


# --- audit --------------------------------------------------------------------------------------


async def insert_audit_entry(values: dict[str, Any]) -> None:
    await AuditEntry.insert(AuditEntry(**values))


async def list_audit_entries(
    scope: Scope, organisation_path: str | None, object_type: str | None, cursor: str | None, limit: int
) -> schemas.Page[schemas.AuditEntry]:
    """Newest first; ``organisation_path`` narrows to one organisation's subtree."""
    after = decode_cursor(cursor)
    where = where_all(
        within(AuditEntry.organisation_path, scope),
        (AuditEntry.organisation_path >= organisation_path)
        & (AuditEntry.organisation_path < organisation_path + PATH_END)
        if organisation_path
        else None,
        AuditEntry.object_type == object_type if object_type else None,
        AuditEntry.id < int(after[0]) if after else None,
    )
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit + 1)
    if where is not None:
        query = query.where(where)
    rows = await query
    items = [
        schemas.AuditEntry(
            id=r["id"],
            occurred_at=r["occurred_at"],
            actor_label=r["actor_label"],
            organisation_id=r["organisation_id"],
            action=r["action"],
            object_type=r["object_type"],
            object_id=r["object_id"],
            object_label=r["object_label"],
            before=_json(r["before"]),
            after=_json(r["after"]),
        )
        for r in rows[:limit]
    ]
    return schemas.Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


def _json(value: Any) -> dict[str, object] | None:
    if value is None:
        return None
    decoded = msgspec.json.decode(value) if isinstance(value, str | bytes) else value
    return decoded if isinstance(decoded, dict) else {"value": decoded}


# --- idempotency --------------------------------------------------------------------------------


class IdempotencyAnswer(msgspec.Struct, frozen=True):
    organisation_id: UUID
    route: str
    key: str
    request_hash: str
    status_code: int
    response_body: str


async def find_idempotency_answer(organisation_id: UUID, route: str, key: str) -> IdempotencyAnswer | None:
    rows = await IdempotencyRecord.raw(
        "SELECT organisation_id, route, key, request_hash, status_code, response_body "
        "FROM channel_idempotency_record WHERE organisation_id = {} AND route = {} AND key = {}",
        organisation_id,
        route,
        key,
    )
    if not rows:
        return None
    row = rows[0]
    return IdempotencyAnswer(
        organisation_id=_uuid(row["organisation_id"]),
        route=row["route"],
        key=row["key"],
        request_hash=row["request_hash"],
        status_code=int(row["status_code"]),
        response_body=row["response_body"],
    )


async def insert_idempotency_answer(answer: IdempotencyAnswer, at: datetime) -> None:
    """Raw SQL: every creating API request with a key writes one."""
    await IdempotencyRecord.raw(
        "INSERT INTO channel_idempotency_record "
        "(organisation_id, route, key, request_hash, status_code, response_body, created_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        answer.organisation_id,
        answer.route,
        answer.key,
        answer.request_hash,
        answer.status_code,
        answer.response_body,
        at,
    )


# --- notifications --------------------------------------------------------------------------------


async def insert_notification(values: dict[str, Any]) -> None:
    await Notification.insert(Notification(**values))


async def insert_notifications(rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 1000):
        await Notification.insert(*(Notification(**values) for values in rows[start : start + 1000]))


async def recent_notifications(recipient_id: UUID, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await Notification.select()
        .where(Notification.recipient_id == recipient_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return rows


async def read_notification_ids(user_id: UUID, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    rows = await NotificationRead.select(NotificationRead.notification_id).where(
        (NotificationRead.user_id == user_id) & NotificationRead.notification_id.is_in(ids)
    )
    return {r["notification_id"] for r in rows}


async def mark_notifications_read(user_id: UUID, ids: list[int], at: datetime) -> None:
    unread = set(ids) - await read_notification_ids(user_id, ids)
    if unread:
        await NotificationRead.insert(
            *(NotificationRead(notification_id=n, user_id=user_id, read_at=at) for n in sorted(unread))
        )


async def unsent_notifications(limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await Notification.select()
        .where(Notification.emailed_at.is_null())
        .order_by(Notification.id)
        .limit(limit)
        .output(load_json=True)
    )
    return rows


async def mark_emailed(notification_id: int, at: datetime) -> None:
    await Notification.update({Notification.emailed_at: at}).where(Notification.id == notification_id)


async def active_user_ids(organisation_id: UUID) -> list[UUID]:
    rows = await User.select(User.id).where(
        (User.organisation == organisation_id) & (User.status == UserStatus.ACTIVE.value)
    )
    return [r["id"] for r in rows]
