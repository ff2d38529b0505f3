"""The only module that touches the deal-registration tables: rows to Structs and back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.query import WhereRaw

from channel import repository as channel_repository
from channel import schemas as channel_schemas
from channel.network import PATH_END
from channel.repository import column_values, like_pattern, where_all
from channel.roles import OrgKind, PartnerStatus
from channel.visibility import Scope
from deal_registration import leads, schemas
from deal_registration.tables import (
    DispatchRule,
    Lead,
    LeadEvent,
    LeadPolicySetting,
    Programme,
    RegistrationConflict,
    RegistrationKey,
)
from deal_registration.tables import Registration as RegistrationTable

HELD = (leads.LeadStatus.OFFERED.value, leads.LeadStatus.ACCEPTED.value)


# --- leads ----------------------------------------------------------------------------------------


def _lead(row: dict[str, Any], owner_name: str | None, policy: leads.LeadPolicy) -> schemas.Lead:
    status = leads.LeadStatus(row["status"])
    last = row["last_activity_at"]
    return schemas.Lead(
        id=row["id"],
        number=row["number"],
        source=row["source"],
        region=row["region"],
        industry=row["industry"],
        company_name=row["company_name"],
        contact_name=row["contact_name"],
        contact_email=row["contact_email"],
        phone=row["phone"],
        city=row["city"],
        country=row["country"],
        notes=row["notes"],
        stage=leads.LeadStage(row["stage"]),
        status=status,
        owner_id=row["owner_id"],
        owner_name=owner_name,
        offer_expires_at=row["offer_expires_at"],
        last_activity_at=last,
        follow_up_due_at=leads.follow_up_due(last, policy)
        if status is leads.LeadStatus.ACCEPTED and last
        else None,
        returned_count=row["returned_count"],
        reinquiry=row["reinquiry"],
        created_at=row["created_at"],
        registration_id=row["registration_id"],
    )


async def lead_row(lead_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Lead.select().where(Lead.id == lead_id).output(load_json=True).first()
    return row


async def to_lead(
    row: dict[str, Any], policy: leads.LeadPolicy, *, with_events: bool = False
) -> schemas.Lead:
    names = await organisation_names([row["owner_id"]] if row["owner_id"] else [])
    lead = _lead(row, names.get(row["owner_id"]) if row["owner_id"] else None, policy)
    if with_events:
        events = (
            await LeadEvent.select()
            .where(LeadEvent.lead_id == row["id"])
            .order_by(LeadEvent.occurred_at)
            .order_by(LeadEvent.id)
        )
        lead = schemas.Lead(
            **{f: getattr(lead, f) for f in lead.__struct_fields__ if f != "events"},
            events=[
                schemas.LeadEvent(
                    occurred_at=e["occurred_at"],
                    kind=e["kind"],
                    organisation_id=e["organisation_id"],
                    actor_label=e["actor_label"],
                    note=e["note"],
                )
                for e in events
            ],
        )
    return lead


async def organisation_names(ids: Sequence[UUID]) -> dict[UUID, str]:
    found: dict[UUID, str] = {}
    for org_id in set(ids):
        place = await channel_repository.find_organisation(org_id)
        if place is not None:
            found[org_id] = place.name
    return found


async def list_leads(
    filters: schemas.LeadFilter, *, pool: bool, scope: Scope | None, policy: leads.LeadPolicy
) -> list[schemas.Lead]:
    """Leads the actor may see: the pool (``pool``) and those held within ``scope`` (None: none)."""
    visible: list[Any] = []
    if pool:
        visible.append(Lead.owner_id.is_null())
    if scope is not None:
        if scope.everything:
            visible.append(Lead.owner_id.is_not_null())
        else:
            for root in scope.roots:
                visible.append((Lead.owner_path >= root) & (Lead.owner_path < root + PATH_END))
    if not visible:
        return []
    either = visible[0]
    for clause in visible[1:]:
        either = either | clause
    query = Lead.select().where(either).order_by(Lead.created_at, ascending=False).limit(filters.limit)
    extra = where_all(
        Lead.status == filters.status.value if filters.status else None,
        Lead.stage == filters.stage.value if filters.stage else None,
    )
    if extra is not None:
        query = query.where(extra)
    if filters.q.strip():
        pattern = like_pattern(filters.q.strip())
        query = query.where(
            WhereRaw(
                "(lower(dealreg_lead.company_name) LIKE {} ESCAPE '\\' OR lower(dealreg_lead.number) LIKE {} ESCAPE '\\')",
                pattern,
                pattern,
            )
        )
    rows = await query.output(load_json=True)
    names = await organisation_names([r["owner_id"] for r in rows if r["owner_id"]])
    return [_lead(r, names.get(r["owner_id"]) if r["owner_id"] else None, policy) for r in rows]


async def next_lead_number() -> str:
    row = await Lead.select(Lead.number).order_by(Lead.number, ascending=False).first()
    last = int(row["number"].split("-")[1]) if row else 0
    return f"L-{last + 1:06d}"


async def insert_lead(values: dict[str, Any]) -> None:
    await Lead.insert(Lead(**values))


async def update_lead(
    lead_id: UUID,
    changes: Mapping[str, Any],
    now: datetime,
    *,
    expect_status: str | None = None,
    expect_owner: UUID | None = None,
) -> bool:
    """Change a lead if it is still as the caller saw it; False when someone else changed it first."""
    query = Lead.update(column_values({**changes, "updated_at": now})).where(Lead.id == lead_id)
    if expect_status is not None:
        query = query.where(Lead.status == expect_status)
    if expect_owner is not None:
        query = query.where(Lead.owner_id == expect_owner)
    changed = await query.returning(Lead.id)
    return bool(changed)


async def add_event(
    lead_id: UUID, at: datetime, kind: str, organisation_id: UUID | None, actor_label: str, note: str = ""
) -> None:
    await LeadEvent.insert(
        LeadEvent(
            lead_id=lead_id,
            occurred_at=at,
            kind=kind,
            organisation_id=organisation_id,
            actor_label=actor_label,
            note=note,
        )
    )


async def find_returning_lead(company_name: str, contact_email: str, phone: str) -> dict[str, Any] | None:
    """A pooled lead that a new inquiry is the same customer as: same e-mail, phone or company name."""
    clauses: list[Any] = [WhereRaw("lower(dealreg_lead.company_name) = {}", company_name.strip().lower())]
    if contact_email:
        clauses.append(Lead.contact_email == contact_email)
    if phone:
        clauses.append(Lead.phone == phone)
    either = clauses[0]
    for clause in clauses[1:]:
        either = either | clause
    row: dict[str, Any] | None = (
        await Lead.select()
        .where((Lead.status == leads.LeadStatus.POOLED.value) & either)
        .order_by(Lead.created_at)
        .output(load_json=True)
        .first()
    )
    return row


async def due_for_sweep(now: datetime, policy: leads.LeadPolicy) -> list[dict[str, Any]]:
    lapsed = (Lead.status == leads.LeadStatus.OFFERED.value) & (Lead.offer_expires_at <= now)
    idle = (Lead.status == leads.LeadStatus.ACCEPTED.value) & (
        Lead.last_activity_at <= now - policy.follow_up_within
    )
    rows: list[dict[str, Any]] = (
        await Lead.select().where(lapsed | idle).order_by(Lead.number).output(load_json=True)
    )
    return rows


async def funnel_leads(scope: Scope | None, pool: bool) -> list[leads.FunnelLead]:
    rows = await list_leads(schemas.LeadFilter(limit=500), pool=pool, scope=scope, policy=leads.LeadPolicy())
    if not rows:
        return []
    ids = [r.id for r in rows]
    raw = await Lead.select(Lead.id, Lead.highest_open_stage, Lead.owner_path).where(Lead.id.is_in(ids))
    highest = {r["id"]: (r["highest_open_stage"], r["owner_path"]) for r in raw}
    return [
        leads.FunnelLead(
            stage=r.stage,
            highest_open_stage=leads.LeadStage(highest[r.id][0]),
            source=r.source,
            owner_code=highest[r.id][1].rstrip("/").rsplit("/", 1)[-1] if highest[r.id][1] else "",
        )
        for r in rows
    ]


# --- candidates for dispatch ----------------------------------------------------------------------


async def dispatch_candidates() -> list[tuple[leads.Candidate, str]]:
    """Every active distributor with what it holds now and when it last received a lead; and its path."""
    found: list[channel_schemas.OrganisationSummary] = []
    cursor: str | None = None
    while True:
        page = await channel_repository.list_organisations(
            Scope(everything=True),
            channel_schemas.PartnerFilter(
                kind=OrgKind.DISTRIBUTOR, status=PartnerStatus.ACTIVE, cursor=cursor, limit=200
            ),
            under_path=None,
            level_id=None,
            region_id=None,
        )
        found.extend(page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    holding_rows = await Lead.raw(
        "SELECT owner_id, COUNT(*) AS n FROM dealreg_lead WHERE status IN ({}, {}) AND owner_id IS NOT NULL GROUP BY owner_id",
        *HELD,
    )
    holding = {UUID(str(r["owner_id"])): r["n"] for r in holding_rows}
    offered_rows = await LeadEvent.raw(
        "SELECT organisation_id, MAX(occurred_at) AS last FROM dealreg_lead_event WHERE kind = 'offered' GROUP BY organisation_id"
    )
    last = {UUID(str(r["organisation_id"])): r["last"] for r in offered_rows if r["organisation_id"]}
    candidates = []
    for org in found:
        place = await channel_repository.find_org_place(org.id)
        assert place is not None
        candidates.append(
            (
                leads.Candidate(
                    organisation_id=org.id,
                    code=org.code,
                    region=org.region or "",
                    partner_level=org.partner_level or "",
                    holding=holding.get(org.id, 0),
                    last_dispatched_at=_as_datetime(last.get(org.id)),
                ),
                place.path,
            )
        )
    return candidates


def _as_datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))  # SQLite's MAX() returns the stored text


# --- rules and policy -----------------------------------------------------------------------------


def _rule(row: dict[str, Any]) -> schemas.DispatchRule:
    return schemas.DispatchRule(
        id=row["id"],
        position=row["position"],
        name=row["name"],
        regions=row["regions"] or [],
        industries=row["industries"] or [],
        sources=row["sources"] or [],
        partner_levels=row["partner_levels"] or [],
        partner_ids=[UUID(str(p)) for p in row["partner_ids"] or []],
        active=row["active"],
    )


async def list_rules() -> list[schemas.DispatchRule]:
    rows = (
        await DispatchRule.select()
        .order_by(DispatchRule.position)
        .order_by(DispatchRule.name)
        .output(load_json=True)
    )
    return [_rule(r) for r in rows]


async def insert_rule(rule: schemas.DispatchRule) -> None:
    await DispatchRule.insert(
        DispatchRule(
            id=rule.id,
            position=rule.position,
            name=rule.name,
            regions=rule.regions,
            industries=rule.industries,
            sources=rule.sources,
            partner_levels=rule.partner_levels,
            partner_ids=[str(p) for p in rule.partner_ids],
            active=rule.active,
        )
    )


async def delete_rule(rule_id: UUID) -> bool:
    return bool(await DispatchRule.delete().where(DispatchRule.id == rule_id).returning(DispatchRule.id))


async def policy() -> schemas.LeadPolicy:
    row = await LeadPolicySetting.select().where(LeadPolicySetting.id == 1).first()
    if row is None:
        return schemas.LeadPolicy()
    return schemas.LeadPolicy(
        accept_within_hours=row["accept_within_hours"],
        private_pool_cap=row["private_pool_cap"],
        follow_up_within_days=row["follow_up_within_days"],
    )


async def save_policy(value: schemas.LeadPolicy) -> None:
    fields = {
        "accept_within_hours": value.accept_within_hours,
        "private_pool_cap": value.private_pool_cap,
        "follow_up_within_days": value.follow_up_within_days,
    }
    if await LeadPolicySetting.exists().where(LeadPolicySetting.id == 1):
        await LeadPolicySetting.update(column_values(fields)).where(LeadPolicySetting.id == 1)
    else:
        await LeadPolicySetting.insert(
            LeadPolicySetting(
                id=1,
                accept_within_hours=value.accept_within_hours,
                private_pool_cap=value.private_pool_cap,
                follow_up_within_days=value.follow_up_within_days,
            )
        )


# --- deal registration ----------------------------------------------------------------------------

ACTIVE = ("submitted", "under_review", "info_requested", "protected")


def _programme(row: dict[str, Any]) -> schemas.ProgrammeSettings:
    return schemas.ProgrammeSettings(
        code=row["code"],
        name=row["name"],
        protection_days=row["protection_days"],
        extension_days=row["extension_days"],
        max_extensions=row["max_extensions"],
        deal_discount_percent=Decimal(str(row["deal_discount_percent"])).quantize(Decimal("0.01")),
        review_at=row["review_at"],
        block_exact_duplicates=row["block_exact_duplicates"],
        protect_when_clear=row["protect_when_clear"],
    )


async def find_programme(code: str) -> tuple[UUID, schemas.ProgrammeSettings] | None:
    row = await Programme.select().where(Programme.code == code).first()
    return (row["id"], _programme(row)) if row else None


async def programme_by_id(programme_id: UUID) -> schemas.ProgrammeSettings:
    row = await Programme.select().where(Programme.id == programme_id).first()
    assert row is not None
    return _programme(row)


async def list_programmes() -> list[schemas.ProgrammeSettings]:
    return [_programme(r) for r in await Programme.select().order_by(Programme.code)]


async def save_programme(settings: schemas.ProgrammeSettings) -> None:
    values = {f: getattr(settings, f) for f in settings.__struct_fields__}
    if await Programme.exists().where(Programme.code == settings.code):
        await Programme.update(column_values(values)).where(Programme.code == settings.code)
    else:
        await Programme.insert(Programme(**values))


async def next_registration_number() -> str:
    row = (
        await RegistrationTable.select(RegistrationTable.number)
        .order_by(RegistrationTable.number, ascending=False)
        .first()
    )
    last = int(row["number"].split("-")[1]) if row else 0
    return f"DR-{last + 1:06d}"


async def insert_registration(values: dict[str, Any], keys: Sequence[tuple[str, str]]) -> None:
    await RegistrationTable.insert(RegistrationTable(**values))
    if keys:
        await RegistrationKey.insert(
            *(RegistrationKey(registration_id=values["id"], kind=k, value=v) for k, v in keys)
        )


async def registration_row(registration_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await RegistrationTable.select()
        .where(RegistrationTable.id == registration_id)
        .output(load_json=True)
        .first()
    )
    return row


async def candidates(keys: Sequence[tuple[str, str]], exclude: UUID | None) -> list[dict[str, Any]]:
    """Active registrations filed under any of the keys (an indexed lookup by equality)."""
    if not keys:
        return []
    clause: Any = None
    for kind, value in keys:
        one = (RegistrationKey.kind == kind) & (RegistrationKey.value == value)
        clause = one if clause is None else clause | one
    ids = {
        r["registration_id"]
        for r in await RegistrationKey.select(RegistrationKey.registration_id).where(clause)
    }
    ids.discard(exclude)
    if not ids:
        return []
    rows: list[dict[str, Any]] = (
        await RegistrationTable.select()
        .where(RegistrationTable.id.is_in(list(ids)) & RegistrationTable.status.is_in(list(ACTIVE)))
        .order_by(RegistrationTable.created_at)
        .output(load_json=True)
    )
    return rows


async def replace_conflicts(registration_id: UUID, found: Sequence[dict[str, Any]]) -> None:
    await RegistrationConflict.delete().where(RegistrationConflict.registration_id == registration_id)
    if found:
        await RegistrationConflict.insert(
            *(RegistrationConflict(registration_id=registration_id, **f) for f in found)
        )


async def conflicts_of(registration_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await RegistrationConflict.select()
        .where(RegistrationConflict.registration_id == registration_id)
        .order_by(RegistrationConflict.score, ascending=False)
        .output(load_json=True)
    )
    return rows


async def update_registration(
    registration_id: UUID, changes: Mapping[str, Any], now: datetime, *, expect_status: Sequence[str]
) -> bool:
    changed = (
        await RegistrationTable.update(column_values({**changes, "updated_at": now}))
        .where(
            (RegistrationTable.id == registration_id) & RegistrationTable.status.is_in(list(expect_status))
        )
        .returning(RegistrationTable.id)
    )
    return bool(changed)


async def list_registrations(
    scope: Scope, statuses: Sequence[str] | None, limit: int = 500
) -> list[dict[str, Any]]:
    query = (
        RegistrationTable.select()
        .output(load_json=True)
        .order_by(RegistrationTable.created_at, ascending=False)
    )
    if statuses:
        query = query.where(RegistrationTable.status.is_in(list(statuses)))
    rows = await query
    return [r for r in rows if scope.includes(r["partner_path"])][:limit]


async def protected_expired(now: datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await RegistrationTable.select()
        .where((RegistrationTable.status == "protected") & (RegistrationTable.protected_until <= now))
        .output(load_json=True)
    )
    return rows


async def protected_for(partner_id: UUID, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        r
        for r in await candidates(keys, None)
        if r["status"] == "protected" and r["partner_id"] == partner_id
    ]
