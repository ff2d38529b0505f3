"""Deal registration: a partner claims an end customer's opportunity; the first claim is protected.

At submission (and again at approval) the customer is compared with every active registration of
other partners and with the manufacturer's house accounts (registrations of the manufacturer
itself): identity keys first, then fuzzy names, through the key index. A registration with no
conflict is protected at once when the programme says so (first come, first served); one with
conflicts waits for a channel manager, who sees the evidence; an exact duplicate of a protected
registration is refused. The registering partner learns only that the customer is already
registered, never by whom. Concurrent registrations of one customer are serialised on its keys, so
exactly one of them is protected on both databases.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from channel import repository as channel_repository
from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.services.notifications import notify
from channel.transactions import hold_lock, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from deal_registration import matching, repository, schemas
from pricing.model import DealDiscount

DEFAULT_PROGRAMME = schemas.ProgrammeSettings(code="STANDARD", name="Standard programme")


def _customer(data: dict[str, Any] | schemas.EndCustomer) -> matching.Customer:
    source = data if isinstance(data, dict) else msgspec.to_builtins(data)
    return matching.Customer(
        company_name=source.get("company_name", ""),
        tax_id=source.get("tax_id", ""),
        website=source.get("website", ""),
        phone=source.get("phone", ""),
        city=source.get("city", ""),
        country=source.get("country", ""),
    )


def _keys(customer: matching.Customer) -> list[tuple[str, str]]:
    return [(k.kind, k.value) for k in matching.candidate_keys(customer)]


def _check_identifiers(customer: schemas.EndCustomer) -> None:
    tax = matching.normalise_tax_id(customer.tax_id)
    if customer.country == "CN" and len(tax) == 18 and not matching.credit_code_valid(tax):
        raise InvalidInputError.single("customer.tax_id", "bad_credit_code")
    if customer.phone.strip() and not matching.phone_of(customer.phone, customer.country or "CN"):
        raise InvalidInputError.single("customer.phone", "bad_phone")


async def _programme(code: str) -> tuple[UUID, schemas.ProgrammeSettings]:
    found = await repository.find_programme(code)
    if found is None:
        if code != DEFAULT_PROGRAMME.code:
            raise InvalidInputError.single("programme", "unknown_programme", code=code)
        await repository.save_programme(DEFAULT_PROGRAMME)
        found = await repository.find_programme(code)
        assert found is not None
    return found


def _policy(programme: schemas.ProgrammeSettings) -> matching.Policy:
    return matching.Policy(
        review_at=programme.review_at, block_exact_duplicates=programme.block_exact_duplicates
    )


async def find_conflicts(
    registration_id: UUID | None,
    partner_id: UUID,
    customer: matching.Customer,
    lines: frozenset[str],
    policy: matching.Policy,
) -> list[tuple[dict[str, Any], matching.MatchResult, matching.Verdict]]:
    """The conflict check: other partners' active registrations that may be this customer.

    Candidates come from the key index by equality (identity keys, the normalised name and its
    prefix); only those are scored, so the check costs the same at a thousand registrations or a
    million (bench.conflict_check measures it).
    """
    found: list[tuple[dict[str, Any], matching.MatchResult, matching.Verdict]] = []
    for other in await repository.candidates(_keys(customer), registration_id):
        if other["partner_id"] == partner_id:
            continue
        if not matching.products_overlap(lines, frozenset(other["product_lines"] or [])):
            continue
        result = matching.score(customer, _customer(other["customer"]))
        verdict = matching.classify(result, policy, other_protected=other["status"] == "protected")
        if verdict is not matching.Verdict.DISTINCT:
            found.append((other, result, verdict))
    return found


async def register(actor: Actor, command: schemas.RegistrationCreate, clock: Clock) -> schemas.Registration:
    house = actor.organisation_kind is OrgKind.MANUFACTURER and actor.can(Permission.REVIEW_DEALS)
    if not (actor.can(Permission.REGISTER_DEALS) or house):
        raise PermissionDeniedError()
    _check_identifiers(command.customer)
    customer = _customer(command.customer)
    keys = _keys(customer)
    now = clock.now()
    async with write_transaction():
        # One customer, one queue: registrations sharing a key wait for each other here.
        for kind, value in sorted(keys):
            await hold_lock(f"dealreg:{kind}:{value}")
        programme_id, programme = await _programme(command.programme)
        conflicts = await find_conflicts(
            None, actor.organisation_id, customer, frozenset(command.product_lines), _policy(programme)
        )
        if any(verdict is matching.Verdict.BLOCK for _, _, verdict in conflicts):
            raise ConflictError("customer_already_registered")
        if house:
            status, until = "protected", None  # the manufacturer's own account: no expiry
        elif conflicts:
            status, until = "under_review", None
        elif programme.protect_when_clear:
            status, until = "protected", now + timedelta(days=programme.protection_days)
        else:
            status, until = "submitted", None
        registration_id = uuid4()
        values = {
            "id": registration_id,
            "number": await _next_number(),
            "programme_id": programme_id,
            "partner_id": actor.organisation_id,
            "partner_path": actor.organisation_path,
            "status": status,
            "customer": msgspec.to_builtins(command.customer),
            "product_lines": command.product_lines,
            "estimated_value": str(command.estimated_value),
            "currency": command.currency.upper(),
            "expected_close": command.expected_close,
            "notes": command.notes,
            "registered_by": actor.label,
            "protected_until": until,
            "created_at": now,
            "updated_at": now,
        }
        await repository.insert_registration(values, keys)
        await repository.replace_conflicts(registration_id, _conflict_rows(conflicts))
        await _audit(actor, clock, "registration.submitted", values, status=status)
        if status in ("under_review", "submitted"):
            await _tell_reviewers(clock, values, actor.organisation_name)
        row = await repository.registration_row(registration_id)
        assert row is not None
        return await _view(row, actor)


async def _next_number() -> str:
    # Taken after the customer's key locks, by every registration alike: no two read the same
    # last number, and the order of the locks is the same everywhere.
    await hold_lock("registration-number")
    return await repository.next_registration_number()


def _conflict_rows(
    conflicts: list[tuple[dict[str, Any], matching.MatchResult, matching.Verdict]],
) -> list[dict[str, Any]]:
    return [
        {
            "other_id": other["id"],
            "score": result.score,
            "verdict": verdict.value,
            "evidence": msgspec.to_builtins(result.evidence),
        }
        for other, result, verdict in conflicts
    ]


async def _audit(actor: Actor, clock: Clock, action: str, row: dict[str, Any], **after: Any) -> None:
    await record_change(
        actor,
        clock,
        action=action,
        object_type="registration",
        object_id=row["id"],
        object_label=f"{row['number']} {row['customer'].get('company_name', '')}",
        organisation_id=row["partner_id"],
        organisation_path=row["partner_path"],
        after=after or None,
    )


def _about(row: dict[str, Any]) -> dict[str, str]:
    return {"number": row["number"], "customer": row["customer"].get("company_name", "")}


async def _tell_reviewers(clock: Clock, row: dict[str, Any], partner_name: str) -> None:
    """The channel managers who see the partner learn that a registration waits for them."""
    manufacturer = await channel_repository.find_manufacturer()
    if manufacturer is None:
        return
    await notify(
        manufacturer.id,
        "registration.awaits_review",
        clock,
        params=_about(row) | {"partner": partner_name},
        link=f"/registrations/{row['id']}",
        permission=Permission.REVIEW_DEALS,
        about_path=row["partner_path"],
    )


async def _tell_partner(clock: Clock, row: dict[str, Any], kind: str, **params: str) -> None:
    await notify(
        row["partner_id"],
        kind,
        clock,
        params=_about(row) | params,
        link=f"/registrations/{row['id']}",
        permission=Permission.REGISTER_DEALS,
    )


async def _view(row: dict[str, Any], actor: Actor) -> schemas.Registration:
    """A registration as the actor may see it: reviewers see the conflicts, partners only that one exists."""
    partner = await channel_repository.find_organisation(row["partner_id"])
    conflicts = await repository.conflicts_of(row["id"])
    reviewer = actor.can(Permission.REVIEW_DEALS)
    views: list[schemas.ConflictView] = []
    if reviewer:
        for conflict in conflicts:
            other = await repository.registration_row(conflict["other_id"])
            if other is None or not actor.sees(other["partner_path"]):
                continue
            other_partner = await channel_repository.find_organisation(other["partner_id"])
            views.append(
                schemas.ConflictView(
                    other_id=other["id"],
                    other_number=other["number"],
                    other_partner=other_partner.name if other_partner else "",
                    other_status=other["status"],
                    other_customer=other["customer"].get("company_name", ""),
                    score=conflict["score"],
                    verdict=conflict["verdict"],
                    evidence=conflict["evidence"],
                )
            )
    return schemas.Registration(
        id=row["id"],
        number=row["number"],
        programme=(await repository.programme_by_id(row["programme_id"])).code,
        partner_id=row["partner_id"],
        partner_name=partner.name if partner else "",
        status=row["status"],
        customer=msgspec.convert(row["customer"], schemas.EndCustomer),
        product_lines=row["product_lines"] or [],
        estimated_value=Decimal(row["estimated_value"]),
        currency=row["currency"],
        expected_close=row["expected_close"],
        notes=row["notes"],
        registered_by=row["registered_by"],
        decided_by=row["decided_by"],
        decision_reason=row["decision_reason"],
        protected_until=row["protected_until"],
        extensions_used=row["extensions_used"],
        created_at=row["created_at"],
        already_registered=bool(conflicts),
        conflicts=views,
    )


def _may_read(actor: Actor) -> bool:
    return actor.can(Permission.REGISTER_DEALS) or actor.can(Permission.REVIEW_DEALS)


async def _visible_row(actor: Actor, registration_id: UUID) -> dict[str, Any]:
    if not _may_read(actor):
        raise PermissionDeniedError()
    row = await repository.registration_row(registration_id)
    if row is None or not actor.sees(row["partner_path"]):
        raise NotFoundError("registration_not_found")
    return row


async def get_registration(actor: Actor, registration_id: UUID) -> schemas.Registration:
    async with read_transaction():
        return await _view(await _visible_row(actor, registration_id), actor)


async def list_registrations(actor: Actor, status: str | None = None) -> list[schemas.Registration]:
    if not _may_read(actor):
        raise PermissionDeniedError()
    async with read_transaction():
        rows = await repository.list_registrations(actor.scope, [status] if status else None)
        return [await _view(row, actor) for row in rows]


async def decide(
    actor: Actor, registration_id: UUID, decision: schemas.RegistrationDecision, clock: Clock
) -> schemas.Registration:
    """Approve (the protection period starts), reject with a reason, or ask for information."""
    if not actor.can(Permission.REVIEW_DEALS):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, registration_id)
        customer = _customer(row["customer"])
        for kind, value in sorted(_keys(customer)):
            await hold_lock(f"dealreg:{kind}:{value}")
        programme = await repository.programme_by_id(row["programme_id"])
        changes: dict[str, Any] = {"decided_by": actor.label, "decision_reason": decision.reason}
        if decision.decision == "approve":
            conflicts = await find_conflicts(
                row["id"],
                row["partner_id"],
                customer,
                frozenset(row["product_lines"] or []),
                _policy(programme),
            )
            await repository.replace_conflicts(row["id"], _conflict_rows(conflicts))
            if any(other["status"] == "protected" for other, _, _ in conflicts):
                raise ConflictError("customer_protected_for_another_partner")
            changes |= {
                "status": "protected",
                "protected_until": now + timedelta(days=programme.protection_days),
            }
        elif decision.decision == "reject":
            if not decision.reason.strip():
                raise InvalidInputError.single("reason", "required")
            changes["status"] = "rejected"
        else:
            changes["status"] = "info_requested"
        if not await repository.update_registration(
            registration_id,
            changes,
            now,
            expect_status=("submitted", "under_review", "info_requested", "protected"),
        ):
            raise ConflictError("registration_closed")
        await _audit(actor, clock, f"registration.{changes['status']}", row, reason=decision.reason)
        await _tell_partner(clock, row, f"registration.{changes['status']}", reason=decision.reason)
        updated = await repository.registration_row(registration_id)
        assert updated is not None
        return await _view(updated, actor)


async def extend(actor: Actor, registration_id: UUID, clock: Clock) -> schemas.Registration:
    """The protected partner asks for more time; the programme allows a limited number."""
    if not actor.can(Permission.REGISTER_DEALS):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, registration_id)
        if row["partner_id"] != actor.organisation_id:
            raise PermissionDeniedError("only_registrant_changes_registration")
        programme = await repository.programme_by_id(row["programme_id"])
        if row["status"] != "protected" or row["protected_until"] is None:
            raise ConflictError("registration_not_protected")
        if row["extensions_used"] >= programme.max_extensions:
            raise ConflictError("no_extensions_left", maximum=programme.max_extensions)
        until = max(row["protected_until"], now) + timedelta(days=programme.extension_days)
        await repository.update_registration(
            registration_id,
            {"protected_until": until, "extensions_used": row["extensions_used"] + 1},
            now,
            expect_status=("protected",),
        )
        await _audit(actor, clock, "registration.extended", row, protected_until=until)
        updated = await repository.registration_row(registration_id)
        assert updated is not None
        return await _view(updated, actor)


async def report_outcome(
    actor: Actor, registration_id: UUID, outcome: schemas.RegistrationOutcome, clock: Clock
) -> schemas.Registration:
    if not actor.can(Permission.REGISTER_DEALS):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, registration_id)
        if row["partner_id"] != actor.organisation_id:
            raise PermissionDeniedError("only_registrant_changes_registration")
        if not await repository.update_registration(
            registration_id,
            {"status": outcome.outcome, "decision_reason": outcome.note},
            now,
            expect_status=("protected",),
        ):
            raise ConflictError("registration_not_protected")
        await _audit(actor, clock, f"registration.{outcome.outcome}", row, note=outcome.note)
        updated = await repository.registration_row(registration_id)
        assert updated is not None
        return await _view(updated, actor)


async def expire(actor: Actor, clock: Clock) -> int:
    """Protection ends by itself: the scheduler runs this with the application's clock."""
    if not actor.can(Permission.REVIEW_DEALS):
        raise PermissionDeniedError()
    now = clock.now()
    expired = 0
    async with write_transaction():
        for row in await repository.protected_expired(now):
            if await repository.update_registration(
                row["id"], {"status": "expired"}, now, expect_status=("protected",)
            ):
                await _audit(actor, clock, "registration.expired", row)
                await _tell_partner(clock, row, "registration.expired")
                expired += 1
    return expired


async def deal_discount(partner_id: UUID, customer: schemas.EndCustomer, at: datetime) -> DealDiscount | None:
    """The discount a partner's protected registration earns on quotes for that customer, if any."""
    found = await repository.protected_for(partner_id, _keys(_customer(customer)))
    for row in found:
        if row["protected_until"] is not None and row["protected_until"] <= at:
            continue
        result = matching.score(_customer(customer), _customer(row["customer"]))
        if result.exact or result.score >= matching.Policy().review_at:
            programme = await repository.programme_by_id(row["programme_id"])
            if programme.deal_discount_percent > 0:
                return DealDiscount(registration_id=row["id"], percent=programme.deal_discount_percent)
    return None


async def list_programmes(actor: Actor) -> list[schemas.ProgrammeSettings]:
    if not actor.can(Permission.REVIEW_DEALS) or actor.organisation_kind is not OrgKind.MANUFACTURER:
        raise PermissionDeniedError()
    async with read_transaction():
        return await repository.list_programmes()


async def save_programme(
    actor: Actor, settings: schemas.ProgrammeSettings, clock: Clock
) -> schemas.ProgrammeSettings:
    if not actor.can(Permission.REVIEW_DEALS) or actor.organisation_kind is not OrgKind.MANUFACTURER:
        raise PermissionDeniedError()
    async with write_transaction():
        await repository.save_programme(settings)
        await record_change(
            actor,
            clock,
            action="programme.saved",
            object_type="programme",
            object_id=settings.code,
            object_label=settings.name,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=settings,
        )
    return settings


def quote_customer(company: str, tax_id: str = "", email: str = "") -> schemas.EndCustomer:
    """A quote's customer as deal registration compares it."""
    return schemas.EndCustomer(company_name=company, tax_id=tax_id, website=email)


async def protected_by_another(partner_id: UUID, customer: schemas.EndCustomer) -> bool:
    """Whether another partner holds a protected registration of this customer (a quote warns)."""
    for row in await repository.candidates(_keys(_customer(customer)), None):
        if row["status"] != "protected" or row["partner_id"] == partner_id:
            continue
        result = matching.score(_customer(customer), _customer(row["customer"]))
        if result.exact or result.score >= matching.Policy().review_at:
            return True
    return False
