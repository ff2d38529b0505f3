"""Promotions: issued by the manufacturer for any part of the channel, or by a distributor for its
own downstream (at its own cost); validated when saved, activated, ended.

Who sees a promotion: the people of its issuer and of every organisation above it (the
manufacturer within its scope); only the issuer changes it. A buyer meets the promotions that reach it through the price of its
cart, never through this list.
"""

from __future__ import annotations

from uuid import UUID, uuid4

import msgspec

from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.services.partners import visible_place
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError, PermissionDeniedError
from pricing import repository, schemas
from pricing.promotions import Promotion, PromotionIssue, validate_promotion


def rule_of(actor: Actor, command: schemas.PromotionCreate, promotion_id: UUID | None = None) -> Promotion:
    return Promotion(
        id=promotion_id or uuid4(),
        code=command.code,
        name=command.name,
        issuer_id=actor.organisation_id,
        currency=command.currency,
        benefit=command.benefit,
        eligibility=command.eligibility,
        condition=command.condition,
        priority=command.priority,
        stacking=command.stacking,
        exclusivity_group=command.exclusivity_group,
        free_shipping=command.free_shipping,
        budget_amount=command.budget_amount,
        budget_units=command.budget_units,
        per_partner_limit=command.per_partner_limit,
    )


def may_issue(actor: Actor) -> None:
    """The manufacturer and distributors issue promotions (for their own downstream); stores do not."""
    if not actor.can(Permission.MANAGE_PROMOTIONS) or actor.organisation_kind is OrgKind.STORE:
        raise PermissionDeniedError()


def issues_of(actor: Actor, command: schemas.PromotionCreate) -> list[PromotionIssue]:
    """What is wrong with a draft across its fields, before it is saved or previewed."""
    may_issue(actor)
    return validate_promotion(rule_of(actor, command))


def _checked(actor: Actor, command: schemas.PromotionCreate, promotion_id: UUID | None = None) -> Promotion:
    may_issue(actor)
    rule = rule_of(actor, command, promotion_id)
    issues = validate_promotion(rule)
    if issues:
        raise InvalidInputError([FieldProblem(field=i.field, code=i.code, params=i.params) for i in issues])
    return rule


async def _named_partners_visible(actor: Actor, rule: Promotion) -> None:
    """A promotion names only partners the actor sees (a distributor: its own downstream); any
    other answers as missing, like every object the actor may not see."""
    for partner_id in sorted(rule.eligibility.partner_ids):
        await visible_place(actor, partner_id)


async def create_promotion(
    actor: Actor, command: schemas.PromotionCreate, clock: Clock
) -> schemas.PromotionRecord:
    """Save a promotion as a draft after checking every rule that spans fields."""
    rule = _checked(actor, command)
    record = schemas.PromotionRecord(
        id=rule.id,
        code=rule.code,
        name=rule.name,
        issuer_id=actor.organisation_id,
        status="draft",
        currency=rule.currency,
        rule=rule,
        budget_amount=rule.budget_amount,
        spent_amount=repository.minor_to_amount(0, rule.currency),
        budget_units=rule.budget_units,
        spent_units=0,
        created_at=clock.now(),
    )
    async with write_transaction():
        await _named_partners_visible(actor, rule)
        if await repository.promotion_code_taken(rule.code):
            raise ConflictError("promotion_code_taken", code=rule.code)
        await repository.insert_promotion(record, actor.organisation_path, clock.now())
        await _audit(actor, clock, "promotion.created", record, actor.organisation_path)
    return record


async def update_promotion(
    actor: Actor, promotion_id: UUID, command: schemas.PromotionCreate, clock: Clock
) -> schemas.PromotionRecord:
    """Change a draft (only a draft, and only its issuer): the same checks as saving it first."""
    rule = _checked(actor, command, promotion_id)
    async with write_transaction():
        before, path = await _visible(actor, promotion_id)
        if path != actor.organisation_path:
            raise PermissionDeniedError("only_issuer_changes_promotion")
        if before.status != "draft":
            raise ConflictError("promotion_not_draft", status=before.status)
        await _named_partners_visible(actor, rule)
        if await repository.promotion_code_taken_by_other(rule.code, promotion_id):
            raise ConflictError("promotion_code_taken", code=rule.code)
        record = msgspec.structs.replace(
            before,
            code=rule.code,
            name=rule.name,
            currency=rule.currency,
            rule=rule,
            budget_amount=rule.budget_amount,
            spent_amount=repository.minor_to_amount(0, rule.currency),
            budget_units=rule.budget_units,
        )
        if not await repository.update_draft_promotion(record, clock.now()):
            raise ConflictError("promotion_not_draft", status="active")
        await _audit(actor, clock, "promotion.changed", record, path)
    return record


async def _audit(actor: Actor, clock: Clock, action: str, record: schemas.PromotionRecord, path: str) -> None:
    await record_change(
        actor,
        clock,
        action=action,
        object_type="promotion",
        object_id=record.id,
        object_label=f"{record.name} ({record.code})",
        organisation_id=record.issuer_id,
        organisation_path=path,
        after={"status": record.status, "benefit": type(record.rule.benefit).__name__},
    )


async def _visible(actor: Actor, promotion_id: UUID) -> tuple[schemas.PromotionRecord, str]:
    found = await repository.find_promotion(promotion_id)
    if found is None or not actor.sees(found[1]):
        raise NotFoundError("promotion_not_found")
    return found


async def list_promotions(actor: Actor) -> list[schemas.PromotionRecord]:
    if not actor.can(Permission.MANAGE_PROMOTIONS):
        raise PermissionDeniedError()
    async with read_transaction():
        return [r for r, path in await repository.list_promotions_with_paths() if actor.sees(path)]


async def get_promotion(actor: Actor, promotion_id: UUID) -> schemas.PromotionRecord:
    if not actor.can(Permission.MANAGE_PROMOTIONS):
        raise PermissionDeniedError()
    return (await _visible(actor, promotion_id))[0]


async def set_status(
    actor: Actor, promotion_id: UUID, change: schemas.PromotionStatusChange, clock: Clock
) -> schemas.PromotionRecord:
    """Activate a draft, or end an active promotion; only its issuer does either."""
    may_issue(actor)
    async with write_transaction():
        record, path = await _visible(actor, promotion_id)
        if path != actor.organisation_path:
            raise PermissionDeniedError("only_issuer_changes_promotion")
        allowed = {"draft": {"active", "ended"}, "active": {"ended"}, "ended": set()}
        if change.status not in allowed[record.status]:
            raise ConflictError("promotion_status_cannot_change", status=record.status, to=change.status)
        await repository.set_promotion_status(promotion_id, change.status, clock.now())
        found = await repository.find_promotion(promotion_id)
        assert found is not None
        await _audit(actor, clock, f"promotion.{change.status}", found[0], path)
        return found[0]
