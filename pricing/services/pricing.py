"""Pricing a cart for a buyer, previewing a promotion, and committing what a priced order consumes.

The engine is pure; this module loads what it needs (the buyer's place in the channel, the cart's
products, the price books' entries for those SKUs, the active promotions that can reach the buyer,
the buyer's usage and the budgets left) and hands it over. No query runs inside the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID

import msgspec

from channel import repository as channel_repository
from channel.roles import OrgKind, Permission
from channel.services.partners import visible_place
from channel.transactions import is_postgres, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, FieldProblem, InvalidInputError, PermissionDeniedError
from pricing import configuration, repository, schemas
from pricing.configuration import BundleDefinition
from pricing.engine import PromotionIndex, price
from pricing.model import (
    Cart,
    CartLine,
    CartOption,
    DealDiscount,
    ManualDiscount,
    PricedCart,
    PricingContext,
    ProductFacts,
)
from pricing.price_books import BookIndex
from pricing.promotions import Promotion, validate_promotion
from pricing.services import pricing_data
from pricing.services.pricing_data import PricingData


async def context_for(
    buyer_id: UUID,
    clock: Clock,
    *,
    coupon_codes: Sequence[str] = (),
    deal: DealDiscount | None = None,
    manual: ManualDiscount | None = None,
) -> tuple[PricingContext, str]:
    """The buyer's pricing context and currency, read from the partner network."""
    buyer = await channel_repository.find_organisation(buyer_id)
    place = await channel_repository.find_org_place(buyer_id)
    if buyer is None or place is None or buyer.supplier is None:
        raise InvalidInputError.single("buyer_id", "buyer_has_no_supplier")
    upstream: set[UUID] = set()
    for code in place.path.strip("/").split("/")[:-1]:
        found = await channel_repository.find_organisation_id_by_code(code)
        if found is not None:
            upstream.add(found)
    return (
        PricingContext(
            buyer_id=buyer.id,
            buyer_kind=buyer.kind.value,
            buyer_tier=buyer.depth,
            seller_id=buyer.supplier.id,
            at=clock.now(),
            partner_level=buyer.partner_level.code if buyer.partner_level else None,
            region=buyer.region.code if buyer.region else None,
            coupon_codes=frozenset(coupon_codes),
            upstream_ids=frozenset(upstream),
            usage=await repository.usage_of(buyer.id),
            deal=deal,
            manual=manual,
        ),
        buyer.currency,
    )


async def _inputs(
    context: PricingContext, currency: str, skus: Sequence[str], extra: Sequence[Promotion] = ()
) -> tuple[dict[str, ProductFacts], BookIndex, PromotionIndex, PricingContext]:
    products = {
        sku: ProductFacts(
            sku=p.sku, category_path=p.category_path, brand=p.brand, set_percent_off=p.set_percent_off
        )
        for sku, p in (await repository.products_by_sku(skus)).items()
    }
    active = await repository.list_promotions(None, statuses=["active"])
    promotions = [r.rule for r in active if r.currency == currency] + list(extra)
    gift_skus = [
        sku
        for p in promotions
        for sku in [getattr(p.benefit, "free_sku", None), getattr(p.benefit, "sku", None)]
        if isinstance(sku, str)
    ]
    books = await repository.engine_books(currency, [*skus, *gift_skus])
    controls = await repository.engine_controls(currency, skus)
    budget_left = {r.id: r.budget_amount - r.spent_amount for r in active if r.budget_amount is not None}
    units_left = {r.id: r.budget_units - r.spent_units for r in active if r.budget_units is not None}
    context = PricingContext(
        **{
            f: getattr(context, f)
            for f in context.__struct_fields__
            if f not in ("budget_left", "units_left")
        },
        budget_left=budget_left,
        units_left=units_left,
    )
    return products, BookIndex(books, context, currency, controls), PromotionIndex(promotions), context


async def _buyer_for(actor: Actor, requested: UUID | None) -> UUID:
    """Whom the cart is priced for: the actor's own organisation, or a buyer below it it sells to."""
    if requested is None or requested == actor.organisation_id:
        if actor.organisation_kind is OrgKind.MANUFACTURER:
            raise InvalidInputError.single("buyer_id", "buyer_required")
        return actor.organisation_id
    place = await visible_place(actor, requested)
    if place.kind is OrgKind.MANUFACTURER:
        raise InvalidInputError.single("buyer_id", "buyer_has_no_supplier")
    return place.id


async def price_cart(actor: Actor, request: schemas.CartRequest, clock: Clock) -> PricedCart:
    if not actor.can(Permission.VIEW_CATALOGUE):
        raise PermissionDeniedError()
    async with read_transaction():
        buyer_id = await _buyer_for(actor, request.buyer_id)
        context, currency = await context_for(buyer_id, clock, coupon_codes=request.coupon_codes)
        await _check_configurations(request.lines)
        skus = [line.sku for line in request.lines] + [o.sku for line in request.lines for o in line.options]
        products, books, promotions, context = await _inputs(context, currency, skus)
    cart = Cart(
        currency=currency,
        lines=tuple(
            CartLine(
                sku=line.sku,
                quantity=line.quantity,
                options=tuple(CartOption(sku=o.sku, quantity=o.quantity) for o in line.options),
            )
            for line in request.lines
        ),
    )
    return price(cart, context, products, books, promotions)


class BuyerFacts(msgspec.Struct, frozen=True, kw_only=True):
    """A buyer's place in the channel as its caller has already read it (order submission reads it
    with the buyer's lock): what ``context_for`` would read again."""

    id: UUID
    kind: str
    tier: int
    seller_id: UUID
    currency: str
    partner_level: str | None = None
    region: str | None = None
    upstream_ids: frozenset[UUID] = frozenset()


async def data_at(state: repository.BuyerPricingState, seen_at: float) -> PricingData:
    """The pricing data as current as ``state``'s stamp (read by the caller's statement that
    finished at ``seen_at``, ``time.monotonic()``): from memory unless it changed since."""
    return await pricing_data.at(state.stamp, seen_at)


def price_for_buyer(
    actor: Actor,
    data: PricingData,
    buyer: BuyerFacts,
    state: repository.BuyerPricingState,
    request: schemas.CartRequest,
    clock: Clock,
) -> PricedCart:
    """``price_cart`` for a caller that has read the buyer, its promotion uses and the budgets
    itself (``repository.buyer_pricing_columns``) and the pricing data (``data_at``): no query.
    Lines only, no configured sets."""
    if not actor.can(Permission.VIEW_CATALOGUE):
        raise PermissionDeniedError()
    context = PricingContext(
        buyer_id=buyer.id,
        buyer_kind=buyer.kind,
        buyer_tier=buyer.tier,
        seller_id=buyer.seller_id,
        at=clock.now(),
        partner_level=buyer.partner_level,
        region=buyer.region,
        coupon_codes=frozenset(request.coupon_codes),
        upstream_ids=buyer.upstream_ids,
        usage=state.usage,
        budget_left=state.budget_left,
        units_left=state.units_left,
    )
    currency = buyer.currency
    skus = [line.sku for line in request.lines]
    promotions = data.promotion_index(currency)
    gift_skus = [
        sku
        for p in promotions.ordered
        for sku in [getattr(p.benefit, "free_sku", None), getattr(p.benefit, "sku", None)]
        if isinstance(sku, str)
    ]
    products = {sku: data.facts[sku] for sku in skus if sku in data.facts}
    books = BookIndex(
        data.books(currency, [*skus, *gift_skus]), context, currency, data.controls(currency, skus)
    )
    cart = Cart(
        currency=currency,
        lines=tuple(CartLine(sku=line.sku, quantity=line.quantity) for line in request.lines),
    )
    return price(cart, context, products, books, promotions)


async def price_each(actor: Actor, skus: Sequence[str], clock: Clock) -> dict[str, PricedCart]:
    """What one unit of each product costs the actor's organisation bought on its own, with what
    it would take to get the promotions it nearly reaches: a catalogue's prices. Each is its own
    cart, so an order-level promotion or a volume tier never counts other products in."""
    if not actor.can(Permission.VIEW_CATALOGUE):
        raise PermissionDeniedError()
    async with read_transaction():
        buyer_id = await _buyer_for(actor, None)
        context, currency = await context_for(buyer_id, clock)
        products, books, promotions, context = await _inputs(context, currency, skus)
    return {
        sku: price(
            Cart(currency=currency, lines=(CartLine(sku=sku, quantity=1),)),
            context,
            products,
            books,
            promotions,
        )
        for sku in dict.fromkeys(skus)
    }


async def _check_configurations(lines: Sequence[schemas.CartLineRequest]) -> None:
    """A set priced from options must be a configurable product, and the options must keep its rules."""
    configured = [(n, line) for n, line in enumerate(lines) if line.options]
    if not configured:
        return
    products = await repository.products_by_sku([line.sku for _, line in configured])
    problems: list[FieldProblem] = []
    for n, line in configured:
        product = products.get(line.sku)
        stored = await repository.product_configuration(product.id) if product is not None else None
        if stored is None:
            problems.append(FieldProblem(field=f"lines[{n}].options", code="not_a_bundle"))
            continue
        definition = msgspec.convert(stored, BundleDefinition, strict=False)
        chosen: dict[str, int] = {}
        for option in line.options:
            chosen[option.sku] = chosen.get(option.sku, 0) + option.quantity
        problems += [
            FieldProblem(field=f"lines[{n}].options", code=v.code, params=dict(v.params))
            for v in configuration.check(definition, chosen)
        ]
    if problems:
        raise InvalidInputError(problems)


async def commit_consumption(priced: PricedCart, buyer_id: UUID) -> None:
    """Take what a priced order uses from each promotion's budget, inside the order's transaction.

    Refuses (ConflictError ``promotion_budget_spent``) when a budget no longer covers it: another
    order got there first, and the buyer must see the new price before committing.
    """
    if is_postgres():  # one statement, however many promotions the order used
        spend: dict[UUID, tuple[int, int]] = {}
        for used in priced.consumption:
            minor, units = spend.get(used.promotion_id, (0, 0))
            spend[used.promotion_id] = (
                minor + repository.amount_to_minor(used.amount, priced.currency),
                units + used.units,
            )
        if not spend and not priced.applied:
            return
        took = await repository.consume_and_count(
            [(p, minor, units) for p, (minor, units) in spend.items()],
            sorted(set(priced.applied), key=str),
            buyer_id,
        )
        for promotion_id in spend:
            if promotion_id not in took:
                raise ConflictError("promotion_budget_spent", promotion=str(promotion_id))
        return
    for used in priced.consumption:
        minor = repository.amount_to_minor(used.amount, priced.currency)
        if not await repository.consume_budget(used.promotion_id, minor, used.units):
            raise ConflictError("promotion_budget_spent", promotion=str(used.promotion_id))
    for promotion_id in priced.applied:
        await repository.count_use(promotion_id, buyer_id)


async def commit_cart(actor: Actor, request: schemas.CartRequest, clock: Clock) -> PricedCart:
    """Price and commit in one transaction: what order submission does with the priced cart."""
    async with write_transaction():
        priced = await price_cart(actor, request, clock)
        await commit_consumption(priced, await _buyer_for(actor, request.buyer_id))
    return priced


async def what_if(actor: Actor, request: schemas.WhatIfRequest, clock: Clock) -> schemas.WhatIfResult:
    """What a promotion would have done to the given carts, before it is published."""
    if not actor.can(Permission.MANAGE_PROMOTIONS):
        raise PermissionDeniedError()
    from pricing.services.promotions import rule_of  # the editor's translation of a draft

    rule = rule_of(actor, request.promotion)
    issues = validate_promotion(rule)
    if issues:
        raise InvalidInputError.single(issues[0].field, issues[0].code, **issues[0].params)
    touched = 0
    partners: set[UUID] = set()
    cost = Decimal(0)
    units = 0
    async with read_transaction():
        for entry in request.carts:
            buyer_id = (await visible_place(actor, entry.buyer_id)).id
            context, currency = await context_for(buyer_id, clock)
            if currency != rule.currency:
                continue
            skus = [line.sku for line in entry.lines]
            products, books, _, context = await _inputs(context, currency, skus)
            cart = Cart(
                currency=currency, lines=tuple(CartLine(sku=x.sku, quantity=x.quantity) for x in entry.lines)
            )
            budget_context = PricingContext(
                **{
                    f: getattr(context, f)
                    for f in context.__struct_fields__
                    if f not in ("budget_left", "units_left")
                },
                budget_left={rule.id: rule.budget_amount - cost} if rule.budget_amount is not None else {},
                units_left={rule.id: rule.budget_units - units} if rule.budget_units is not None else {},
            )
            result = price(cart, budget_context, products, books, PromotionIndex([rule]))
            used = next((c for c in result.consumption if c.promotion_id == rule.id), None)
            if used is None:
                continue
            touched += 1
            partners.add(buyer_id)
            cost += used.amount
            units += used.units
    consumed = None
    exhausted = False
    if rule.budget_amount is not None:
        consumed = (cost / rule.budget_amount).quantize(Decimal("0.0001"))
        exhausted = cost >= rule.budget_amount
    if rule.budget_units is not None:
        exhausted = exhausted or units >= rule.budget_units
    return schemas.WhatIfResult(
        carts=len(request.carts),
        carts_touched=touched,
        partners_touched=len(partners),
        cost=cost,
        units=units,
        budget_consumed=consumed,
        budget_exhausted=exhausted,
    )
