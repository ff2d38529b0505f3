"""The pricing engine: ``price(cart, context, ...) -> PricedCart``, pure and deterministic.

For each line: the list price, the price book's price, then every promotion that applies, the
deal-registration discount and the seller's manual discount, each a step of the line's waterfall
with the rule that made it and why; and for promotions the cart nearly qualifies for, what is
missing.

How promotions combine (docs/pricing.md):

- Each promotion is evaluated on the price-book amounts of the lines it targets, independently of
  the others, so no promotion's result depends on which was created first.
- Within an exclusivity group only the best for the buyer is kept.
- Exclusive promotions never combine: the engine compares each exclusive promotion alone with all
  combinable promotions together and keeps whichever gives the buyer more.
- The kept promotions are applied by priority (higher first, then id); a line never goes below
  zero, a promotion never grants more than its remaining budget (money or units).
- Amounts are rounded to the currency per line and step; an order-level discount ("100 off every
  1,000", a manual amount) is rounded once and spread over its lines by the largest remainder, so
  line discounts add up to it exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from uuid import UUID

import msgspec

from core.money import Money, round_amount
from pricing.model import (
    Cart,
    Consumption,
    Hint,
    PricedCart,
    PricedLine,
    PricingContext,
    ProductFacts,
    Step,
)
from pricing.price_books import BookIndex, PriceBook, PriceControl
from pricing.promotions import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    FixedPrice,
    Gift,
    PercentOff,
    Promotion,
    Target,
    ThresholdDiscount,
    VolumeTiers,
    eligible,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Hints shown for a promotion already applied: a better step of the same promotion is within reach.
_UPGRADES = frozenset({"add_units_for_tier"})


class PromotionIndex:
    """Promotions by the SKUs, categories and brands they can touch, built once per rule set.

    A cart only looks at the promotions its own products can trigger, plus the few that target
    every product, instead of testing every promotion against every line.
    """

    def __init__(self, promotions: Iterable[Promotion]) -> None:
        self.by_sku: dict[str, list[Promotion]] = {}
        self.by_category: dict[str, list[Promotion]] = {}
        self.by_brand: dict[str, list[Promotion]] = {}
        self.everywhere: list[Promotion] = []
        everything = sorted(promotions, key=_order)
        # Each promotion's place in the one deterministic order (priority, then id), computed once.
        self.rank: dict[UUID, int] = {p.id: n for n, p in enumerate(everything)}
        for promotion in everything:
            target = promotion.target
            if target.everything:
                self.everywhere.append(promotion)
                continue
            for sku in target.skus:
                self.by_sku.setdefault(sku, []).append(promotion)
            for code in target.categories:
                self.by_category.setdefault(code, []).append(promotion)
            for brand in target.brands:
                self.by_brand.setdefault(brand, []).append(promotion)

    def candidates(self, products: Iterable[ProductFacts]) -> list[Promotion]:
        found: dict[UUID, Promotion] = {p.id: p for p in self.everywhere}
        seen_categories: set[str] = set()
        for product in products:
            for promotion in self.by_sku.get(product.sku, ()):
                found[promotion.id] = promotion
            if product.brand:
                for promotion in self.by_brand.get(product.brand, ()):
                    found[promotion.id] = promotion
            for code in product.category_path.split("/"):
                if code and code not in seen_categories:
                    seen_categories.add(code)
                    for promotion in self.by_category.get(code, ()):
                        found[promotion.id] = promotion
        rank = self.rank
        return sorted(found.values(), key=lambda p: rank[p.id])


def _order(promotion: Promotion) -> tuple[int, str]:
    return (-promotion.priority, str(promotion.id))


class _Line(msgspec.Struct, kw_only=True):
    index: int
    product: ProductFacts
    quantity: int
    list_unit: Decimal
    unit: Decimal
    base: Decimal  # price-book amount of the line, exact
    book: str | None
    from_list: bool
    controlled: str | None
    remaining: Decimal = ZERO  # rounded amount left to discount
    steps: list[Step] = []
    free_units: int = 0
    promotion_ids: list[UUID] = []
    promotion_seen: set[UUID] = set()


class _Gift(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int
    unit: Decimal
    book: str | None


class _Effect(msgspec.Struct, kw_only=True):
    promotion: Promotion
    discounts: dict[int, Decimal]  # line index -> exact discount
    free_units: dict[int, int] = {}
    gifts: list[_Gift] = []
    units: int = 0
    code: str = ""
    params: dict[str, Any] = {}

    value: Decimal = ZERO  # discounts plus gifts, for comparing options; set once evaluated

    def valued(self) -> _Effect:
        self.value = sum(self.discounts.values(), ZERO) + sum((g.unit * g.quantity for g in self.gifts), ZERO)
        return self


# --- the entry point ------------------------------------------------------------------------------


def price(
    cart: Cart,
    context: PricingContext,
    products: Mapping[str, ProductFacts],
    books: BookIndex | Sequence[PriceBook],
    promotions: PromotionIndex | Sequence[Promotion],
    controls: Sequence[PriceControl] = (),
) -> PricedCart:
    """Price a cart for a buyer; the same inputs always give the same result."""
    book_index = books if isinstance(books, BookIndex) else BookIndex(books, context, cart.currency, controls)
    promotion_index = promotions if isinstance(promotions, PromotionIndex) else PromotionIndex(promotions)
    currency = cart.currency

    lines: list[_Line] = []
    problems: list[Step] = []
    for index, cart_line in enumerate(cart.lines):
        product = products.get(cart_line.sku) or ProductFacts(sku=cart_line.sku)
        resolved = book_index.resolve(cart_line.sku, cart_line.quantity)
        if resolved.unit_price is None or resolved.list_unit_price is None or cart_line.quantity <= 0:
            problems.append(Step(kind="problem", amount=ZERO, code="no_price", params={"sku": cart_line.sku}))
            continue
        base = resolved.unit_price * cart_line.quantity
        lines.append(
            _Line(
                index=index,
                product=product,
                quantity=cart_line.quantity,
                list_unit=resolved.list_unit_price,
                unit=resolved.unit_price,
                base=base,
                book=resolved.book,
                from_list=resolved.from_list,
                controlled=resolved.controlled,
                remaining=round_amount(base, currency),
                steps=[],
                free_units=0,
                promotion_ids=[],
                promotion_seen=set(),
            )
        )

    candidates = [
        p for p in promotion_index.candidates(line.product for line in lines) if eligible(p, context)
    ]
    view = _CartView(lines)
    order_total = view.amount
    effects: list[_Effect] = []
    hints: list[Hint] = []
    upgrades: list[Hint] = []  # "add 4 more for the next tier", shown only if that promotion is kept
    for promotion in candidates:
        if promotion.currency != currency:
            continue
        effect, hint = _evaluate(promotion, view, order_total, book_index)
        if effect is not None:
            effect.valued()
        if effect is not None and (effect.value > 0 or effect.free_units):
            effects.append(effect)
            if hint is not None and hint.code in _UPGRADES:
                upgrades.append(hint)
        elif hint is not None:
            hints.append(hint)

    chosen = _stack(effects, promotion_index.rank)
    gifts: list[PricedLine] = []
    consumption: list[Consumption] = []
    by_index = {line.index: line for line in lines}
    for effect in sorted(chosen, key=lambda e: promotion_index.rank.get(e.promotion.id, -1)):
        spent, units, gift_lines = _apply(effect, by_index, context, currency)
        gifts.extend(gift_lines)
        if spent or units:
            consumption.append(Consumption(promotion_id=effect.promotion.id, amount=spent, units=units))

    if context.deal is not None and context.deal.percent > 0:
        for line in lines:
            _take(
                line,
                line.remaining * context.deal.percent / HUNDRED,
                currency,
                kind="deal_registration",
                code="deal_registration_discount",
                params={
                    "percent": context.deal.percent,
                    "registration_id": str(context.deal.registration_id),
                },
            )
    manual = context.manual
    if manual is not None and manual.percent:
        for line in lines:
            _take(
                line,
                line.remaining * manual.percent / HUNDRED,
                currency,
                "manual",
                "manual_percent",
                {"percent": manual.percent},
            )
    if manual is not None and manual.amount:
        _spread(lines, manual.amount, currency, "manual", "manual_amount", {"amount": manual.amount}, None)

    priced = [_priced(line, currency) for line in lines] + gifts
    priced_sorted = tuple(priced)
    list_total = sum((p.list_total for p in priced_sorted), ZERO)
    subtotal = sum(
        (round_amount(line.base, currency) for line in lines),
        ZERO,
    ) + sum((g.list_total for g in gifts), ZERO)
    total = sum((p.net_total for p in priced_sorted), ZERO)
    applied = tuple(sorted({pid for p in priced_sorted for pid in p.promotion_ids}, key=str))
    chosen_ids = {e.promotion.id for e in chosen}
    return PricedCart(
        currency=currency,
        lines=priced_sorted,
        list_total=list_total,
        subtotal=subtotal,
        discount_total=subtotal - total,
        total=total,
        free_shipping=any(e.promotion.free_shipping for e in chosen),
        applied=applied,
        hints=tuple(
            [h for h in hints if h.promotion_id not in chosen_ids]
            + [h for h in upgrades if h.promotion_id in chosen_ids]
        ),
        consumption=tuple(sorted(consumption, key=lambda c: str(c.promotion_id))),
        problems=tuple(problems),
    )


# --- evaluating one promotion ---------------------------------------------------------------------


class _CartView:
    """The cart's lines by SKU, category and brand, so a rule finds its lines without scanning all."""

    def __init__(self, lines: Sequence[_Line]) -> None:
        self.lines = list(lines)
        self.by_sku: dict[str, list[_Line]] = {}
        self.by_category: dict[str, list[_Line]] = {}
        self.by_brand: dict[str, list[_Line]] = {}
        for line in lines:
            self.by_sku.setdefault(line.product.sku, []).append(line)
            if line.product.brand:
                self.by_brand.setdefault(line.product.brand, []).append(line)
            for code in line.product.category_path.split("/"):
                if code:
                    self.by_category.setdefault(code, []).append(line)
        self.units = sum(line.quantity for line in lines)
        self.amount = sum((line.base for line in lines), ZERO)

    def targeted(self, target: Target) -> list[_Line]:
        if target.everything:
            return self.lines
        found: dict[int, _Line] = {}
        for sku in target.skus:
            for line in self.by_sku.get(sku, ()):
                found[line.index] = line
        for code in target.categories:
            for line in self.by_category.get(code, ()):
                found[line.index] = line
        for brand in target.brands:
            for line in self.by_brand.get(brand, ()):
                found[line.index] = line
        return [found[i] for i in sorted(found)]


def _evaluate(
    promotion: Promotion, view: _CartView, order_total: Decimal, books: BookIndex
) -> tuple[_Effect | None, Hint | None]:
    target = promotion.target
    benefit = promotion.benefit
    if isinstance(benefit, Gift):
        targeted: list[_Line] = []
        units, amount = view.units, view.amount
    else:
        targeted = view.targeted(target)
        if not targeted:
            return None, None
        if targeted is view.lines:
            units, amount = view.units, view.amount
        else:
            units = sum(line.quantity for line in targeted)
            amount = sum((line.base for line in targeted), ZERO)
    condition = promotion.condition
    if units < condition.min_quantity:
        return None, _hint(promotion, "add_units", missing=condition.min_quantity - units) if units else None
    if amount < condition.min_amount:
        return None, _hint(promotion, "add_amount", missing=condition.min_amount - amount) if amount else None
    if order_total < condition.min_order_total:
        return None, _hint(promotion, "add_order_amount", missing=condition.min_order_total - order_total)

    def effect(discounts: dict[int, Decimal], counted: int, code: str, **params: Any) -> _Effect:
        return _Effect(promotion=promotion, discounts=discounts, units=counted, code=code, params=params)

    if isinstance(benefit, PercentOff):
        return effect(
            {line.index: line.base * benefit.percent / HUNDRED for line in targeted},
            units,
            "percent_off",
            percent=benefit.percent,
        ), None
    if isinstance(benefit, AmountOff):
        return effect(
            {line.index: min(line.base, benefit.amount * line.quantity) for line in targeted},
            units,
            "amount_off",
            amount=benefit.amount,
        ), None
    if isinstance(benefit, FixedPrice):
        cheaper = [line for line in targeted if line.unit > benefit.unit_price]
        return effect(
            {line.index: (line.unit - benefit.unit_price) * line.quantity for line in cheaper},
            sum(line.quantity for line in cheaper),
            "fixed_price",
            unit_price=benefit.unit_price,
        ), None
    if isinstance(benefit, VolumeTiers):
        reached = [t for t in benefit.tiers if t.min_quantity <= units]
        following = [t for t in benefit.tiers if t.min_quantity > units]
        hint = (
            _hint(
                promotion,
                "add_units_for_tier",
                missing=following[0].min_quantity - units,
                percent=following[0].percent,
            )
            if following
            else None
        )
        if not reached:
            return None, hint
        tier = max(reached, key=lambda t: t.min_quantity)
        found = effect(
            {line.index: line.base * tier.percent / HUNDRED for line in targeted},
            units,
            "volume_tier",
            percent=tier.percent,
            min_quantity=tier.min_quantity,
        )
        return found, hint
    if isinstance(benefit, BuyXGetY):
        return _buy_x_get_y(promotion, benefit, targeted, units, books)
    if isinstance(benefit, ThresholdDiscount):
        times = int(amount // benefit.every)
        if not benefit.repeat:
            times = min(times, 1)
        if times == 0:
            return None, _hint(
                promotion, "add_amount_for_discount", missing=benefit.every - amount, off=benefit.off
            )
        total_off = min(benefit.off * times, amount)
        share = {line.index: line.base * total_off / amount for line in targeted} if amount else {}
        return effect(share, units, "threshold", every=benefit.every, off=benefit.off, times=times), None
    if isinstance(benefit, Gift):
        resolved = books.resolve(benefit.sku, benefit.quantity)
        if resolved.unit_price is None:
            return None, None
        gift = _Gift(sku=benefit.sku, quantity=benefit.quantity, unit=resolved.unit_price, book=resolved.book)
        return _Effect(
            promotion=promotion,
            discounts={},
            gifts=[gift],
            units=benefit.quantity,
            code="gift",
            params={"sku": benefit.sku, "quantity": benefit.quantity},
        ), None
    if isinstance(benefit, BundlePrice):
        return _bundle(promotion, benefit, targeted)
    return None, None  # pragma: no cover - every benefit type is handled above


def _buy_x_get_y(
    promotion: Promotion, benefit: BuyXGetY, targeted: Sequence[_Line], units: int, books: BookIndex
) -> tuple[_Effect | None, Hint | None]:
    if benefit.free_sku is not None:
        groups = units // benefit.buy
        if not benefit.repeat:
            groups = min(groups, 1)
        if groups == 0:
            return None, _hint(
                promotion, "add_units_for_gift", missing=benefit.buy - units, sku=benefit.free_sku
            )
        resolved = books.resolve(benefit.free_sku, groups * benefit.get)
        if resolved.unit_price is None:
            return None, None
        quantity = groups * benefit.get
        gift = _Gift(sku=benefit.free_sku, quantity=quantity, unit=resolved.unit_price, book=resolved.book)
        return _Effect(
            promotion=promotion,
            discounts={},
            gifts=[gift],
            units=quantity,
            code="buy_x_get_other_free",
            params={"buy": benefit.buy, "get": benefit.get, "sku": benefit.free_sku},
        ), None
    group = benefit.buy + benefit.get
    groups = units // group
    if not benefit.repeat:
        groups = min(groups, 1)
    if groups == 0:
        return None, _hint(promotion, "add_units_for_free", missing=group - units, free=benefit.get)
    free_left = groups * benefit.get
    discounts: dict[int, Decimal] = {}
    free_units: dict[int, int] = {}
    # The cheapest units are the free ones; ties by line position so the choice is reproducible.
    for line in sorted(targeted, key=lambda candidate: (candidate.unit, candidate.index)):
        if free_left == 0:
            break
        taken = min(line.quantity, free_left)
        free_units[line.index] = taken
        discounts[line.index] = line.unit * taken
        free_left -= taken
    return _Effect(
        promotion=promotion,
        discounts=discounts,
        free_units=free_units,
        units=groups * benefit.get,
        code="buy_x_get_y",
        params={"buy": benefit.buy, "get": benefit.get},
    ), None


def _bundle(
    promotion: Promotion, benefit: BundlePrice, targeted: Sequence[_Line]
) -> tuple[_Effect | None, Hint | None]:
    by_sku: dict[str, list[_Line]] = {}
    for line in targeted:
        by_sku.setdefault(line.product.sku, []).append(line)
    sets = min(
        (sum(line.quantity for line in by_sku.get(c.sku, ())) // c.quantity for c in benefit.components),
        default=0,
    )
    if sets == 0:
        missing = sorted(c.sku for c in benefit.components if c.sku not in by_sku)
        return None, _hint(promotion, "complete_bundle", skus=", ".join(missing)) if by_sku else None
    unit_of = {sku: min(line.unit for line in group) for sku, group in by_sku.items()}
    set_value = sum((unit_of[c.sku] * c.quantity for c in benefit.components), ZERO)
    saving = (set_value - benefit.price) * sets
    if saving <= 0:
        return None, None
    discounts: dict[int, Decimal] = {}
    for component in benefit.components:
        share = saving * unit_of[component.sku] * component.quantity / set_value
        line = by_sku[component.sku][0]  # the saving sits on the component's first line
        discounts[line.index] = discounts.get(line.index, ZERO) + share
    return _Effect(
        promotion=promotion,
        discounts=discounts,
        units=sets,
        code="bundle_price",
        params={"price": benefit.price, "sets": sets},
    ), None


def _hint(promotion: Promotion, code: str, **params: Any) -> Hint:
    return Hint(
        promotion_id=promotion.id, code=code, params={"promotion": promotion.name or promotion.code, **params}
    )


# --- stacking -------------------------------------------------------------------------------------


def _stack(effects: Sequence[_Effect], rank: dict[UUID, int]) -> list[_Effect]:
    """The promotions to apply: the best of each exclusivity group, then exclusive against combined.

    Ties go to the higher-ranked promotion (priority, then id), never to the order of creation.
    """
    best_in_group: dict[str, _Effect] = {}
    loose: list[_Effect] = []
    for effect in effects:
        group = effect.promotion.exclusivity_group
        if group is None:
            loose.append(effect)
            continue
        current = best_in_group.get(group)
        if current is None or (effect.value, -rank[effect.promotion.id]) > (
            current.value,
            -rank[current.promotion.id],
        ):
            best_in_group[group] = effect
    kept = loose + list(best_in_group.values())
    combinable = [e for e in kept if e.promotion.stacking == "combinable"]
    exclusive = [e for e in kept if e.promotion.stacking == "exclusive"]
    options: list[list[_Effect]] = [[e] for e in exclusive]
    if combinable:
        options.append(combinable)
    if not options:
        return []
    return max(
        options,
        key=lambda option: (sum((e.value for e in option), ZERO), -min(rank[e.promotion.id] for e in option)),
    )


# --- applying -------------------------------------------------------------------------------------


def _apply(
    effect: _Effect, lines: dict[int, _Line], context: PricingContext, currency: str
) -> tuple[Decimal, int, list[PricedLine]]:
    """Apply one promotion within its budget; returns (money spent, units used, gift lines)."""
    promotion = effect.promotion
    effect.params = {"promotion": promotion.name or promotion.code, **effect.params}
    factor = Decimal(1)
    if promotion.budget_amount is not None:
        left = context.budget_left.get(promotion.id, promotion.budget_amount)
        if effect.value > left:
            factor = max(ZERO, left / effect.value) if effect.value else ZERO
    if promotion.budget_units is not None and effect.units:
        left_units = context.units_left.get(promotion.id, promotion.budget_units)
        if effect.units > left_units:
            factor = min(factor, Decimal(left_units) / Decimal(effect.units))
    spent = ZERO
    units_used = 0
    if promotion.order_level:
        total = round_amount(effect.value * factor, currency)
        targeted = [lines[i] for i in sorted(effect.discounts)]
        spent += _spread(targeted, total, currency, "promotion", effect.code, effect.params, promotion.id)
        units_used = effect.units if spent else 0
    else:
        for index in sorted(effect.discounts):
            line = lines[index]
            free = effect.free_units.get(index, 0)
            if free:
                granted = int((Decimal(free) * factor).to_integral_value(rounding=ROUND_FLOOR))
                if granted == 0:
                    continue
                amount = line.unit * granted
                params = {**effect.params, "free": granted}
            else:
                amount = effect.discounts[index] * factor
                params = effect.params
            taken = _take(line, amount, currency, "promotion", effect.code, params, promotion.id)
            if taken:
                spent += taken
                if free:
                    line.free_units += granted
                    units_used += granted
                else:
                    units_used += line.quantity
        if promotion.budget_units is not None and isinstance(promotion.benefit, BundlePrice):
            units_used = min(units_used, effect.units)
    gift_lines: list[PricedLine] = []
    for gift in effect.gifts:
        quantity = int((Decimal(gift.quantity) * factor).to_integral_value(rounding=ROUND_FLOOR))
        if quantity == 0:
            continue
        value = round_amount(gift.unit * quantity, currency)
        gift_lines.append(
            PricedLine(
                sku=gift.sku,
                quantity=quantity,
                free_quantity=quantity,
                list_unit_price=gift.unit,
                unit_price=gift.unit,
                list_total=value,
                net_total=ZERO,
                steps=(
                    Step(
                        kind="price_book", amount=value, code="gift_value", params={"unit_price": gift.unit}
                    ),
                    Step(
                        kind="promotion",
                        amount=-value,
                        code=effect.code,
                        params={**effect.params, "quantity": quantity},
                        promotion_id=promotion.id,
                    ),
                ),
                price_book=gift.book,
                is_gift=True,
                promotion_ids=(promotion.id,),
            )
        )
        spent += value
        units_used += quantity
    return spent, units_used, gift_lines


def _take(
    line: _Line,
    amount: Decimal,
    currency: str,
    kind: str,
    code: str,
    params: dict[str, Any],
    promotion_id: UUID | None = None,
) -> Decimal:
    """Take a discount off a line, rounded to the currency and never below zero; returns what was taken."""
    taken = min(round_amount(amount, currency), line.remaining)
    if taken <= 0:
        return ZERO
    line.remaining -= taken
    line.steps.append(Step(kind=kind, amount=-taken, code=code, params=params, promotion_id=promotion_id))
    if promotion_id is not None and promotion_id not in line.promotion_seen:
        line.promotion_seen.add(promotion_id)
        line.promotion_ids.append(promotion_id)
    return taken


def _spread(
    lines: Sequence[_Line],
    total: Decimal,
    currency: str,
    kind: str,
    code: str,
    params: dict[str, Any],
    promotion_id: UUID | None,
) -> Decimal:
    """An order-level amount over lines in proportion to what is left of them, cent for cent."""
    room = sum((line.remaining for line in lines), ZERO)
    total = min(round_amount(total, currency), room)
    if total <= 0:
        return ZERO
    shares = Money(total, currency).allocate([line.remaining for line in lines])
    spent = ZERO
    for line, share in zip(lines, shares, strict=True):
        spent += _take(line, share.amount, currency, kind, code, params, promotion_id)
    return spent


def _priced(line: _Line, currency: str) -> PricedLine:
    list_total = round_amount(line.list_unit * line.quantity, currency)
    book_total = round_amount(line.base, currency)
    head = [
        Step(kind="list_price", amount=list_total, code="list_price", params={"unit_price": line.list_unit})
    ]
    if line.base != list_total or not line.from_list:
        params: dict[str, Any] = {"book": line.book or "", "unit_price": line.unit}
        if line.controlled:
            params["controlled"] = line.controlled
        head.append(
            Step(
                kind="price_book",
                amount=line.base - list_total,
                code="price_control" if line.controlled else "price_book",
                params=params,
            )
        )
    if book_total != line.base:  # a percent off list can leave fractions of a cent
        head.append(Step(kind="rounding", amount=book_total - line.base, code="rounding"))
    return PricedLine(
        sku=line.product.sku,
        quantity=line.quantity,
        free_quantity=line.free_units,
        list_unit_price=line.list_unit,
        unit_price=line.unit,
        list_total=list_total,
        net_total=line.remaining,
        steps=tuple(head + line.steps),
        price_book=line.book,
        promotion_ids=tuple(line.promotion_ids),
    )
