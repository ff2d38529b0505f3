"""Quotes for end customers: priced by the engine, revised in versions, approved past a discount.

A distributor (or the manufacturer) quotes an end customer at its own selling prices: the list
price unless its own price book says otherwise, plus its own promotions meant for end customers,
plus an optional manual discount. A manual discount above the approval threshold sends the quote
to a channel manager before it can be sent. Revising keeps every earlier version. The customer
answers through a signed link (the portal makes and checks it); an answer is only taken for the
version that was sent and before the quote expires.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import msgspec

from channel import repository as channel_repository
from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.services.notifications import notify
from channel.transactions import hold_lock, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, NotFoundError, PermissionDeniedError
from pricing import repository, schemas
from pricing.engine import PromotionIndex, price
from pricing.model import (
    Cart,
    CartLine,
    DealDiscount,
    ManualDiscount,
    PricedCart,
    PricingContext,
    ProductFacts,
)
from pricing.price_books import BookIndex

DEFAULT_APPROVAL_PERCENT = Decimal("10")
OPEN = ("draft", "pending_approval", "approved", "sent")


async def _price_for_customer(
    seller_id: UUID,
    customer: schemas.QuoteCustomer,
    lines: list[schemas.CartLineRequest],
    manual: Decimal | None,
    clock: Clock,
    deal: DealDiscount | None = None,
) -> PricedCart:
    seller = await channel_repository.find_organisation(seller_id)
    place = await channel_repository.find_org_place(seller_id)
    assert seller is not None and place is not None
    chain: set[UUID] = {seller.id}
    for code in place.path.strip("/").split("/")[:-1]:
        found = await channel_repository.find_organisation_id_by_code(code)
        if found is not None:
            chain.add(found)
    context = PricingContext(
        # The customer is nobody's partner: an id derived from its name keeps pricing deterministic.
        buyer_id=uuid5(NAMESPACE_URL, f"customer:{customer.company.casefold()}"),
        buyer_kind="end_customer",
        buyer_tier=seller.depth + 1,
        seller_id=seller.id,
        at=clock.now(),
        upstream_ids=frozenset(chain),
        manual=ManualDiscount(percent=manual) if manual else None,
        deal=deal,
    )
    skus = [line.sku for line in lines]
    products = {
        sku: ProductFacts(sku=p.sku, category_path=p.category_path, brand=p.brand)
        for sku, p in (await repository.products_by_sku(skus)).items()
    }
    # A customer pays the list price or the seller's own selling price; the channel's tier and level
    # books are what partners pay each other, never shown to a customer.
    books = [
        b
        for b in await repository.engine_books(seller.currency, skus)
        if b.kind == "list" or (b.seller_id == seller.id and not b.buyer_ids)
    ]
    # Channel promotions are for partners; a quote carries only the seller's own end-customer offers.
    own = [
        r.rule
        for r in await repository.list_promotions(None, statuses=["active"])
        if r.issuer_id == seller.id and "end_customer" in r.rule.eligibility.buyer_kinds
    ]
    cart = Cart(
        currency=seller.currency, lines=tuple(CartLine(sku=x.sku, quantity=x.quantity) for x in lines)
    )
    return price(cart, context, products, BookIndex(books, context, seller.currency), PromotionIndex(own))


async def _next_number(year: int) -> str:
    # Quotes made at once wait for each other here, so no two read the same last number.
    await hold_lock("quote-number")
    return await repository.next_quote_number(year)


def _needs_approval(manual: Decimal | None, threshold: Decimal) -> bool:
    return manual is not None and manual > threshold


async def _audit(actor: Actor, clock: Clock, action: str, quote: dict[str, Any], **after: Any) -> None:
    await record_change(
        actor,
        clock,
        action=action,
        object_type="quote",
        object_id=quote["id"],
        object_label=f"{quote['number']} {quote['customer'].get('company', '')}",
        organisation_id=quote["seller_id"],
        organisation_path=quote["seller_path"],
        after=after or None,
    )


async def create_quote(
    actor: Actor,
    command: schemas.QuoteCreate,
    clock: Clock,
    approval_percent: Decimal = DEFAULT_APPROVAL_PERCENT,
    deal: DealDiscount | None = None,
) -> schemas.Quote:
    """``deal``: the discount the seller's protected registration of this customer earns (the
    caller asks deal registration; pricing does not know it)."""
    if not actor.can(Permission.CREATE_QUOTES) or actor.organisation_kind is OrgKind.STORE:
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        priced = await _price_for_customer(
            actor.organisation_id,
            command.customer,
            command.lines,
            command.manual_discount_percent,
            clock,
            deal,
        )
        quote_id = uuid4()
        status = (
            "pending_approval"
            if _needs_approval(command.manual_discount_percent, approval_percent)
            else "draft"
        )
        values = {
            "id": quote_id,
            "number": await _next_number(now.year),
            "seller_id": actor.organisation_id,
            "seller_path": actor.organisation_path,
            "status": status,
            "version": 1,
            "currency": priced.currency,
            "customer": {f: getattr(command.customer, f) for f in command.customer.__struct_fields__},
            "valid_until": now + timedelta(days=command.valid_days),
            "terms": command.terms,
            "created_by": actor.label,
            "created_at": now,
            "updated_at": now,
        }
        await repository.insert_quote(values)
        await repository.insert_quote_version(
            quote_id,
            schemas.QuoteVersionInfo(
                version=1,
                lines=command.lines,
                manual_discount_percent=command.manual_discount_percent,
                priced=priced,
                created_at=now,
                created_by=actor.label,
            ),
        )
        await _audit(actor, clock, "quote.created", values, total=priced.total, status=status)
        if status == "pending_approval":
            await _ask_for_approval(clock, values, actor.organisation_name)
        row = await repository.quote_row(quote_id)
        assert row is not None
        return _with_flag(await repository.load_quote(row), approval_percent)


async def _ask_for_approval(clock: Clock, row: dict[str, Any], seller_name: str) -> None:
    manufacturer = await channel_repository.find_manufacturer()
    if manufacturer is None:
        return
    await notify(
        manufacturer.id,
        "quote.awaits_approval",
        clock,
        params={
            "number": row["number"],
            "partner": seller_name,
            "customer": row["customer"].get("company", ""),
        },
        link=f"/quotes/{row['id']}",
        permission=Permission.APPROVE_QUOTES,
        about_path=row["seller_path"],
    )


def _with_flag(quote: schemas.Quote, approval_percent: Decimal) -> schemas.Quote:
    latest = quote.versions[-1] if quote.versions else None
    needs = latest is not None and _needs_approval(latest.manual_discount_percent, approval_percent)
    return schemas.Quote(
        **{f: getattr(quote, f) for f in quote.__struct_fields__ if f != "needs_approval"},
        needs_approval=needs,
    )


async def _visible_row(actor: Actor, quote_id: UUID) -> dict[str, Any]:
    if not (actor.can(Permission.CREATE_QUOTES) or actor.can(Permission.APPROVE_QUOTES)):
        raise PermissionDeniedError()
    row = await repository.quote_row(quote_id)
    if row is None or not actor.sees(row["seller_path"]):
        raise NotFoundError("quote_not_found")
    return row


async def list_quotes(actor: Actor) -> list[schemas.Quote]:
    if not (actor.can(Permission.CREATE_QUOTES) or actor.can(Permission.APPROVE_QUOTES)):
        raise PermissionDeniedError()
    async with read_transaction():
        return await repository.list_quotes(actor.scope)


async def get_quote(
    actor: Actor, quote_id: UUID, approval_percent: Decimal = DEFAULT_APPROVAL_PERCENT
) -> schemas.Quote:
    async with read_transaction():
        row = await _visible_row(actor, quote_id)
        return _with_flag(await repository.load_quote(row), approval_percent)


async def revise_quote(
    actor: Actor,
    quote_id: UUID,
    revision: schemas.QuoteRevision,
    clock: Clock,
    approval_percent: Decimal = DEFAULT_APPROVAL_PERCENT,
    deal: DealDiscount | None = None,
) -> schemas.Quote:
    """A new version with new lines or discount; the earlier versions stay as they were sent."""
    if not actor.can(Permission.CREATE_QUOTES):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, quote_id)
        if row["seller_id"] != actor.organisation_id or not actor.can(Permission.CREATE_QUOTES):
            raise PermissionDeniedError("only_seller_revises_quote")
        if row["status"] not in OPEN:
            raise ConflictError("quote_closed", status=row["status"])
        customer = schemas.QuoteCustomer(**row["customer"])
        priced = await _price_for_customer(
            row["seller_id"], customer, revision.lines, revision.manual_discount_percent, clock, deal
        )
        version = row["version"] + 1
        status = (
            "pending_approval"
            if _needs_approval(revision.manual_discount_percent, approval_percent)
            else "draft"
        )
        if not await repository.update_quote(
            quote_id, {"version": version, "status": status}, now, expect_status=OPEN
        ):
            raise ConflictError("quote_changed_meanwhile")
        await repository.insert_quote_version(
            quote_id,
            schemas.QuoteVersionInfo(
                version=version,
                lines=revision.lines,
                manual_discount_percent=revision.manual_discount_percent,
                priced=priced,
                created_at=now,
                created_by=actor.label,
                note=revision.note,
            ),
        )
        await _audit(actor, clock, "quote.revised", row, version=version, total=priced.total, status=status)
        if status == "pending_approval":
            await _ask_for_approval(clock, row, actor.organisation_name)
        updated = await repository.quote_row(quote_id)
        assert updated is not None
        return _with_flag(await repository.load_quote(updated), approval_percent)


async def approve_quote(actor: Actor, quote_id: UUID, clock: Clock) -> schemas.Quote:
    """A channel manager lets a quote with a large manual discount go out."""
    if not actor.can(Permission.APPROVE_QUOTES):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, quote_id)
        if row["seller_id"] == actor.organisation_id and actor.organisation_kind is not OrgKind.MANUFACTURER:
            raise PermissionDeniedError("cannot_approve_own_quote")
        if not await repository.update_quote(
            quote_id,
            {"status": "approved", "decided_by": actor.label},
            now,
            expect_status=("pending_approval",),
        ):
            raise ConflictError("quote_not_pending_approval")
        await _audit(actor, clock, "quote.approved", row, version=row["version"])
        await notify(
            row["seller_id"],
            "quote.approved",
            clock,
            params={"number": row["number"], "customer": row["customer"].get("company", "")},
            link=f"/quotes/{quote_id}",
            permission=Permission.CREATE_QUOTES,
        )
        updated = await repository.quote_row(quote_id)
        assert updated is not None
        return await repository.load_quote(updated)


async def send_quote(actor: Actor, quote_id: UUID, clock: Clock) -> schemas.Quote:
    """Mark the current version as sent; the portal hands out the customer's signed link."""
    if not actor.can(Permission.CREATE_QUOTES):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        row = await _visible_row(actor, quote_id)
        if row["seller_id"] != actor.organisation_id or not actor.can(Permission.CREATE_QUOTES):
            raise PermissionDeniedError("only_seller_revises_quote")
        if row["status"] == "pending_approval":
            raise ConflictError("quote_needs_approval")
        if row["valid_until"] <= now:
            raise ConflictError("quote_expired")
        if not await repository.update_quote(
            quote_id, {"status": "sent"}, now, expect_status=("draft", "approved", "sent")
        ):
            raise ConflictError("quote_closed", status=row["status"])
        await _audit(actor, clock, "quote.sent", row, version=row["version"])
        updated = await repository.quote_row(quote_id)
        assert updated is not None
        return await repository.load_quote(updated)


# --- the end customer, through the signed link ----------------------------------------------------


async def quote_for_customer(quote_id: UUID, version: int) -> schemas.Quote:
    """The quote as its customer may see it: only the version that was sent to them."""
    row = await repository.quote_row(quote_id)
    if row is None or row["status"] not in ("sent", "accepted", "declined") or row["version"] != version:
        raise NotFoundError("quote_not_found")
    return await repository.load_quote(row)


async def answer_quote(
    quote_id: UUID, version: int, decision: schemas.QuoteDecision, clock: Clock
) -> schemas.Quote:
    now = clock.now()
    async with write_transaction():
        row = await repository.quote_row(quote_id)
        if row is None or row["version"] != version:
            raise NotFoundError("quote_not_found")
        if row["valid_until"] <= now:
            raise ConflictError("quote_expired")
        status = "accepted" if decision.accept else "declined"
        changes = {"status": status, "decided_by": decision.name, "decision_note": decision.note}
        if not await repository.update_quote(quote_id, changes, now, expect_status=("sent",)):
            raise ConflictError("quote_already_answered")
        seller = await channel_repository.find_org_place(row["seller_id"])
        assert seller is not None
        customer = Actor(
            organisation_id=seller.id,
            organisation_kind=seller.kind,
            organisation_path=seller.path,
            roles=frozenset(),
            label=f"{decision.name} ({row['customer'].get('company', '')})",
        )
        await _audit(customer, clock, f"quote.{status}", row, version=version, note=decision.note)
        await notify(
            seller.id,
            f"quote.{status}",
            clock,
            params={
                "number": row["number"],
                "customer": row["customer"].get("company", ""),
                "name": decision.name,
            },
            link=f"/quotes/{quote_id}",
            permission=Permission.CREATE_QUOTES,
        )
        updated = await repository.quote_row(quote_id)
        assert updated is not None
        return await repository.load_quote(updated)


async def product_names(skus: list[str]) -> dict[str, dict[str, str]]:
    """Names of a quote's products for its customer's page (what the quote shows, nothing more)."""
    return {sku: p.names for sku, p in (await repository.products_by_sku(skus)).items()}


class SellerFacts(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    lines: list[str]


async def seller_facts(seller_id: UUID) -> SellerFacts:
    """What a quote's letterhead says about its seller."""
    seller = await channel_repository.find_organisation(seller_id)
    assert seller is not None
    place = ", ".join(part for part in (seller.city, seller.country) if part)
    return SellerFacts(name=seller.name, lines=[x for x in (place, seller.phone, seller.contact_email) if x])
