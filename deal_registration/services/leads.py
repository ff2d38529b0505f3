"""Lead distribution: the manufacturer's pool, dispatch by rules or by hand, deadlines, the funnel.

Who sees what: the manufacturer's lead managers see the pool and the leads held by partners in
their scope (a channel manager: the partners assigned to them); a partner sees the leads offered to
or held by its own organisation and its downstream. A lead nobody may see answers "not found".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from channel import repository as channel_repository
from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.services.notifications import notify
from channel.services.partners import visible_place
from channel.transactions import hold_lock, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from deal_registration import leads, repository, schemas
from deal_registration.leads import LeadStage, LeadStatus
from deal_registration.services import registrations

# Without configured rules, a lead goes to the distributors of its region, in turn.
_REGION_RULE = leads.DispatchRule(id=UUID(int=0), position=0)


def _domain_policy(policy: schemas.LeadPolicy) -> leads.LeadPolicy:
    return leads.LeadPolicy(
        accept_within=timedelta(hours=policy.accept_within_hours),
        private_pool_cap=policy.private_pool_cap,
        follow_up_within=timedelta(days=policy.follow_up_within_days),
    )


async def _policy() -> leads.LeadPolicy:
    return _domain_policy(await repository.policy())


def _may_see_leads(actor: Actor) -> bool:
    return actor.can(Permission.MANAGE_LEADS) or actor.can(Permission.WORK_LEADS)


def _visible(actor: Actor, row: dict[str, Any]) -> bool:
    if row["owner_id"] is None:
        return actor.can(Permission.MANAGE_LEADS)
    return _may_see_leads(actor) and actor.sees(row["owner_path"])


async def _visible_row(actor: Actor, lead_id: UUID) -> dict[str, Any]:
    row = await repository.lead_row(lead_id)
    if row is None or not _visible(actor, row):
        raise NotFoundError("lead_not_found")
    return row


async def _audit(actor: Actor, clock: Clock, action: str, row: dict[str, Any], **after: Any) -> None:
    owner_id = row["owner_id"]
    await record_change(
        actor,
        clock,
        action=action,
        object_type="lead",
        object_id=row["id"],
        object_label=f"{row['number']} {row['company_name']}",
        organisation_id=owner_id or actor.organisation_id,
        organisation_path=row["owner_path"] or actor.organisation_path,
        after=after or None,
    )


# --- reading --------------------------------------------------------------------------------------


async def list_leads(actor: Actor, filters: schemas.LeadFilter) -> list[schemas.Lead]:
    if not _may_see_leads(actor):
        raise PermissionDeniedError()
    async with read_transaction():
        return await repository.list_leads(
            filters, pool=actor.can(Permission.MANAGE_LEADS), scope=actor.scope, policy=await _policy()
        )


async def get_lead(actor: Actor, lead_id: UUID) -> schemas.Lead:
    if not _may_see_leads(actor):
        raise PermissionDeniedError()
    async with read_transaction():
        row = await _visible_row(actor, lead_id)
        return await repository.to_lead(row, await _policy(), with_events=True)


async def funnel(actor: Actor, by: str) -> schemas.Funnel:
    if not _may_see_leads(actor):
        raise PermissionDeniedError()
    if by not in ("source", "owner"):
        raise InvalidInputError.single("by", "invalid_value")
    async with read_transaction():
        found = await repository.funnel_leads(actor.scope, pool=actor.can(Permission.MANAGE_LEADS))
    return schemas.Funnel(by=by, rows=leads.funnel(found, by))


# --- the pool -------------------------------------------------------------------------------------


async def create_lead(actor: Actor, command: schemas.LeadCreate, clock: Clock) -> schemas.Lead:
    """Put an inquiry into the pool and dispatch it by the rules.

    An inquiry from a customer whose lead is back in the pool does not make a second lead: that lead
    is flagged as a returning inquiry, its last owner is told (in their activity), and it is
    dispatched again.
    """
    if not actor.can(Permission.MANAGE_LEADS):
        raise PermissionDeniedError()
    now = clock.now()
    policy = await _policy()
    async with write_transaction():
        await hold_lock("leads")
        returning = await repository.find_returning_lead(
            command.company_name, command.contact_email, command.phone
        )
        if returning is not None:
            await repository.update_lead(returning["id"], {"reinquiry": True}, now)
            await repository.add_event(returning["id"], now, "reinquiry", None, actor.label, command.notes)
            row = await repository.lead_row(returning["id"])
            assert row is not None
            if row["last_owner_id"]:
                last_owner = await channel_repository.find_org_place(row["last_owner_id"])
                assert last_owner is not None
                await record_change(
                    actor,
                    clock,
                    action="lead.returned_inquiry",
                    object_type="lead",
                    object_id=row["id"],
                    object_label=f"{row['number']} {row['company_name']}",
                    organisation_id=last_owner.id,
                    organisation_path=last_owner.path,
                    after={"source": command.source, "notes": command.notes},
                )
                await notify(
                    last_owner.id,
                    "lead.reinquiry",
                    clock,
                    params={"number": row["number"], "customer": row["company_name"]},
                    permission=Permission.WORK_LEADS,
                )
        else:
            lead_id = uuid4()
            await repository.insert_lead(
                {
                    "id": lead_id,
                    "number": await repository.next_lead_number(),
                    **{f: getattr(command, f) for f in command.__struct_fields__},
                    "stage": LeadStage.UQL.value,
                    "highest_open_stage": LeadStage.UQL.value,
                    "status": LeadStatus.POOLED.value,
                    "passed_by": [],
                    "created_at": now,
                    "updated_at": now,
                }
            )
            await repository.add_event(lead_id, now, "created", None, actor.label)
            row = await repository.lead_row(lead_id)
            assert row is not None
            await _audit(
                actor, clock, "lead.created", row, source=command.source, company_name=command.company_name
            )
        row = await _dispatch_by_rules(actor, row, now, policy, clock) or row
        return await repository.to_lead(row, policy)


async def _dispatch_by_rules(
    actor: Actor, row: dict[str, Any], now: datetime, policy: leads.LeadPolicy, clock: Clock
) -> dict[str, Any] | None:
    """Offer a pooled lead to the partner the rules choose; None when no partner has room."""
    candidates = await repository.dispatch_candidates()
    rules = [
        leads.DispatchRule(
            id=r.id,
            position=r.position,
            regions=tuple(r.regions),
            industries=tuple(r.industries),
            sources=tuple(r.sources),
            partner_levels=tuple(r.partner_levels),
            partner_ids=tuple(r.partner_ids),
        )
        for r in await repository.list_rules()
        if r.active
    ] or [_REGION_RULE]
    facts = leads.LeadFacts(
        region=row["region"],
        industry=row["industry"],
        source=row["source"],
        excluded=frozenset(UUID(str(p)) for p in row["passed_by"] or []),
    )
    chosen, rule_id = leads.choose_partner(facts, [c for c, _ in candidates], rules, policy)
    if chosen is None:
        await repository.add_event(row["id"], now, "no_partner_available", None, actor.label)
        return None
    path = next(p for c, p in candidates if c.organisation_id == chosen)
    return await _offer(actor, row, chosen, path, now, policy, clock, note=f"rule {rule_id}")


async def _offer(
    actor: Actor,
    row: dict[str, Any],
    partner_id: UUID,
    partner_path: str,
    now: datetime,
    policy: leads.LeadPolicy,
    clock: Clock,
    note: str = "",
) -> dict[str, Any]:
    changed = await repository.update_lead(
        row["id"],
        {
            "status": LeadStatus.OFFERED.value,
            "owner_id": partner_id,
            "owner_path": partner_path,
            "offer_expires_at": leads.offer_expires_at(now, policy),
        },
        now,
        expect_status=LeadStatus.POOLED.value,
    )
    if not changed:
        raise ConflictError("lead_not_in_pool")
    await repository.add_event(row["id"], now, "offered", partner_id, actor.label, note)
    offered = await repository.lead_row(row["id"])
    assert offered is not None
    await _audit(actor, clock, "lead.offered", offered, offer_expires_at=offered["offer_expires_at"])
    await notify(
        partner_id,
        "lead.offered",
        clock,
        params={"number": offered["number"], "customer": offered["company_name"]},
        link=f"/leads/{offered['id']}",
        permission=Permission.WORK_LEADS,
    )
    return offered


async def dispatch_lead(
    actor: Actor, lead_id: UUID, command: schemas.LeadDispatch, clock: Clock
) -> schemas.Lead:
    """Offer a pooled lead to a chosen partner (or to whoever the rules choose)."""
    if not actor.can(Permission.MANAGE_LEADS):
        raise PermissionDeniedError()
    now = clock.now()
    policy = await _policy()
    async with write_transaction():
        await hold_lock("leads")
        row = await _visible_row(actor, lead_id)
        if row["status"] != LeadStatus.POOLED.value:
            raise ConflictError("lead_not_in_pool")
        if command.partner_id is None:
            offered = await _dispatch_by_rules(actor, row, now, policy, clock)
            if offered is None:
                raise ConflictError("no_partner_available")
        else:
            partner = await visible_place(actor, command.partner_id)
            if partner.kind is not OrgKind.DISTRIBUTOR:
                raise InvalidInputError.single("partner_id", "lead_needs_distributor")
            candidates = {c.organisation_id: c for c, _ in await repository.dispatch_candidates()}
            candidate = candidates.get(partner.id)
            if candidate is None:
                raise InvalidInputError.single("partner_id", "partner_not_active")
            if candidate.holding >= policy.private_pool_cap:
                raise ConflictError("private_pool_full", cap=policy.private_pool_cap)
            offered = await _offer(actor, row, partner.id, partner.path, now, policy, clock, note="by hand")
        return await repository.to_lead(offered, policy)


# --- the partner's inbox --------------------------------------------------------------------------


def _require_worker(actor: Actor) -> None:
    if not actor.can(Permission.WORK_LEADS):
        raise PermissionDeniedError()


async def accept_lead(actor: Actor, lead_id: UUID, clock: Clock) -> schemas.Lead:
    _require_worker(actor)
    now = clock.now()
    policy = await _policy()
    async with write_transaction():
        row = await _visible_row(actor, lead_id)
        if row["owner_id"] != actor.organisation_id:
            raise NotFoundError("lead_not_found")  # a dealer does not accept its supplier's offer
        if row["status"] != LeadStatus.OFFERED.value:
            raise ConflictError("lead_not_offered")
        if row["offer_expires_at"] is not None and now >= row["offer_expires_at"]:
            raise ConflictError("lead_offer_lapsed")
        changed = await repository.update_lead(
            lead_id,
            {"status": LeadStatus.ACCEPTED.value, "offer_expires_at": None, "last_activity_at": now},
            now,
            expect_status=LeadStatus.OFFERED.value,
            expect_owner=actor.organisation_id,
        )
        if not changed:
            raise ConflictError("lead_not_offered")
        await repository.add_event(lead_id, now, "accepted", actor.organisation_id, actor.label)
        accepted = await repository.lead_row(lead_id)
        assert accepted is not None
        await _audit(actor, clock, "lead.accepted", accepted)
        return await repository.to_lead(accepted, policy)


async def decline_lead(
    actor: Actor, lead_id: UUID, command: schemas.LeadDecline, clock: Clock
) -> schemas.Lead:
    """Give an offered or held lead back: it goes to the next partner and never returns to this one."""
    _require_worker(actor)
    now = clock.now()
    policy = await _policy()
    async with write_transaction():
        await hold_lock("leads")
        row = await _visible_row(actor, lead_id)
        if row["owner_id"] != actor.organisation_id:
            raise NotFoundError("lead_not_found")
        if row["status"] not in repository.HELD:
            raise ConflictError("lead_not_offered")
        returned = await _return_to_pool(actor, row, now, "declined", command.reason, clock)
        returned = await _dispatch_by_rules(actor, returned, now, policy, clock) or returned
        return await repository.to_lead(returned, policy)


async def _return_to_pool(
    actor: Actor, row: dict[str, Any], now: datetime, why: str, note: str, clock: Clock
) -> dict[str, Any]:
    owner = row["owner_id"]
    passed_by = sorted({*(str(p) for p in row["passed_by"] or []), str(owner)})
    changed = await repository.update_lead(
        row["id"],
        {
            "status": LeadStatus.POOLED.value,
            "owner_id": None,
            "owner_path": "",
            "offer_expires_at": None,
            "last_owner_id": owner,
            "returned_count": row["returned_count"] + 1,
            "passed_by": passed_by,
        },
        now,
        expect_status=row["status"],
        expect_owner=owner,
    )
    if not changed:
        raise ConflictError("lead_changed_meanwhile")
    await repository.add_event(row["id"], now, why, owner, actor.label, note)
    await _audit(actor, clock, f"lead.{why}", row, reason=note or why)
    returned = await repository.lead_row(row["id"])
    assert returned is not None
    return returned


async def follow_up(actor: Actor, lead_id: UUID, command: schemas.LeadFollowUp, clock: Clock) -> schemas.Lead:
    """Record contact with the customer; optionally move the lead forward (won and lost close it)."""
    _require_worker(actor)
    now = clock.now()
    policy = await _policy()
    async with write_transaction():
        row = await _visible_row(actor, lead_id)
        if row["owner_id"] != actor.organisation_id or row["status"] != LeadStatus.ACCEPTED.value:
            raise ConflictError("lead_not_held")
        changes: dict[str, Any] = {"last_activity_at": now}
        current = LeadStage(row["stage"])
        if command.stage is not None and command.stage is not current:
            if not leads.may_move_to(current, command.stage):
                raise InvalidInputError.single("stage", "stage_cannot_go_back")
            changes["stage"] = command.stage.value
            if command.stage in leads.OPEN_STAGES:
                changes["highest_open_stage"] = command.stage.value
            else:
                changes["status"] = LeadStatus.CLOSED.value
        await repository.update_lead(lead_id, changes, now)
        await repository.add_event(
            lead_id, now, "follow_up", actor.organisation_id, actor.label, command.note
        )
        updated = await repository.lead_row(lead_id)
        assert updated is not None
        await _audit(actor, clock, "lead.followed_up", updated, stage=updated["stage"], note=command.note)
        return await repository.to_lead(updated, policy)


async def register_deal(
    actor: Actor, lead_id: UUID, command: schemas.LeadRegistration, clock: Clock
) -> schemas.Registration:
    """Turn a qualified lead the partner holds into a deal registration, in one step.

    The registration goes through the same conflict check as any other; if it is refused (the
    customer is already protected for someone else) the lead stays as it was.
    """
    if not actor.can(Permission.REGISTER_DEALS):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, lead_id)
        if row["owner_id"] != actor.organisation_id or row["status"] != LeadStatus.ACCEPTED.value:
            raise ConflictError("lead_not_held")
        if row["stage"] not in (LeadStage.MQL.value, LeadStage.SQL.value):
            raise ConflictError("lead_not_qualified")
        if row["registration_id"] is not None:
            raise ConflictError("lead_already_registered")
        customer = schemas.EndCustomer(
            company_name=row["company_name"],
            tax_id=command.tax_id,
            website=command.website or row["contact_email"],
            phone=row["phone"],
            address=command.address,
            city=row["city"],
            country=row["country"],
            contact=row["contact_name"],
        )
        fields = {f: getattr(command, f) for f in schemas.DealTerms.__struct_fields__}
        registration = await registrations.register(
            actor, schemas.RegistrationCreate(customer=customer, **fields), clock
        )
        await repository.update_lead(
            lead_id, {"registration_id": registration.id, "last_activity_at": now}, now
        )
        await repository.add_event(
            lead_id, now, "registered", actor.organisation_id, actor.label, registration.number
        )
        updated = await repository.lead_row(lead_id)
        assert updated is not None
        await _audit(actor, clock, "lead.registered", updated, registration=registration.number)
        return registration


# --- deadlines ------------------------------------------------------------------------------------


async def sweep(actor: Actor, clock: Clock) -> schemas.SweepResult:
    """Return lapsed offers and neglected leads to the pool, and offer them to the next partner.

    Run by the scheduler every few minutes; safe to run twice or concurrently, because every change
    is conditional on the lead still being as it was read.
    """
    if not actor.can(Permission.MANAGE_LEADS):
        raise PermissionDeniedError()
    now = clock.now()
    policy = await _policy()
    lapsed = idle = dispatched = 0
    async with write_transaction():
        await hold_lock("leads")
        for row in await repository.due_for_sweep(now, policy):
            verdict = leads.sweep_verdict(
                leads.LeadClock(
                    status=LeadStatus(row["status"]),
                    offer_expires_at=row["offer_expires_at"],
                    last_activity_at=row["last_activity_at"],
                ),
                now,
                policy,
            )
            if verdict is leads.SweepVerdict.KEEP:
                continue
            why = "offer_lapsed" if verdict is leads.SweepVerdict.OFFER_LAPSED else "no_follow_up"
            returned = await _return_to_pool(actor, row, now, why, "", clock)
            if verdict is leads.SweepVerdict.OFFER_LAPSED:
                lapsed += 1
            else:
                idle += 1
            if await _dispatch_by_rules(actor, returned, now, policy, clock) is not None:
                dispatched += 1
    return schemas.SweepResult(lapsed_offers=lapsed, returned_for_no_follow_up=idle, dispatched=dispatched)


# --- rules and policy -----------------------------------------------------------------------------


async def list_rules(actor: Actor) -> list[schemas.DispatchRule]:
    if not actor.can(Permission.MANAGE_LEADS):
        raise PermissionDeniedError()
    return await repository.list_rules()


async def create_rule(
    actor: Actor, command: schemas.DispatchRuleCreate, clock: Clock
) -> schemas.DispatchRule:
    if not actor.can(Permission.MANAGE_LEADS):
        raise PermissionDeniedError()
    async with write_transaction():
        for partner_id in command.partner_ids:
            await visible_place(actor, partner_id)
        rule = schemas.DispatchRule(id=uuid4(), **{f: getattr(command, f) for f in command.__struct_fields__})
        await repository.insert_rule(rule)
        await record_change(
            actor,
            clock,
            action="lead_rule.created",
            object_type="lead_rule",
            object_id=rule.id,
            object_label=rule.name,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=rule,
        )
    return rule


async def delete_rule(actor: Actor, rule_id: UUID, clock: Clock) -> None:
    if not actor.can(Permission.MANAGE_LEADS):
        raise PermissionDeniedError()
    async with write_transaction():
        if not await repository.delete_rule(rule_id):
            raise NotFoundError("lead_rule_not_found")
        await record_change(
            actor,
            clock,
            action="lead_rule.deleted",
            object_type="lead_rule",
            object_id=rule_id,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
        )


async def get_policy(actor: Actor) -> schemas.LeadPolicy:
    if not _may_see_leads(actor):
        raise PermissionDeniedError()
    return await repository.policy()


async def set_policy(actor: Actor, policy: schemas.LeadPolicy, clock: Clock) -> schemas.LeadPolicy:
    if not actor.can(Permission.MANAGE_LEADS) or actor.organisation_kind is not OrgKind.MANUFACTURER:
        raise PermissionDeniedError()
    async with write_transaction():
        before = await repository.policy()
        await repository.save_policy(policy)
        await record_change(
            actor,
            clock,
            action="lead_policy.changed",
            object_type="lead_policy",
            object_id="1",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            before=before,
            after=policy,
        )
    return policy
