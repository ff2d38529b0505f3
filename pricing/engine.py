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
from decimal import ROUND_FLOOR, Context, Decimal, localcontext
from operator import attrgetter
from types import MappingProxyType
from typing import Any, cast
from uuid import UUID

import msgspec

from core.money import HALF_UP, Money, quantum, round_amount
from pricing.model import (
    Cart,
    CartLine,
    CartOption,
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
ONE = Decimal(1)
HUNDRED = Decimal(100)
# Hints shown for a promotion already applied: a better step of the same promotion is within reach.
_UPGRADES = frozenset({"add_units_for_tier"})


class PromotionIndex:
    """Promotions by the SKUs, categories and brands they can touch, built once per rule set.

    A cart only looks at the promotions its own products can trigger, plus the few that target
    every product, instead of testing every promotion against every line. ``for_buyer`` narrows
    the index to what one buyer may get (eligibility depends on the buyer, never on the cart) and
    keeps that for the same buyer's next carts.
    """

    def __init__(self, promotions: Iterable[Promotion]) -> None:
        self.by_sku: dict[str, list[Promotion]] = {}
        self.by_category: dict[str, list[Promotion]] = {}
        self.by_brand: dict[str, list[Promotion]] = {}
        self.everywhere: list[Promotion] = []
        everything = sorted(promotions, key=_order)
        # Each promotion's place in the one deterministic order (priority, then id), computed once.
        self.rank: dict[UUID, int] = {p.id: n for n, p in enumerate(everything)}
        self.ordered = everything
        self.ids = [p.id for p in everything]
        # Where each promotion comes when sorted by id, the order results list them in.
        by_id = sorted(range(len(everything)), key=lambda n: str(everything[n].id))
        self.id_order = [0] * len(everything)
        for place, n in enumerate(by_id):
            self.id_order[n] = place
        # Those with a condition on the order total, evaluated again whenever the total changes.
        self.total_bound = [n for n, p in enumerate(everything) if p.condition.min_order_total > 0]
        # What does not depend on the cart, worked out once rather than at every evaluation.
        self.order_level = [p.order_level for p in everything]
        self.fixed_params = [_fixed_params(p) for p in everything]
        # Promotions with the same target touch the same lines of any cart: each target's number.
        numbers: dict[Target, int] = {}
        self.target_number = [numbers.setdefault(p.target, len(numbers)) for p in everything]
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
        self._buyers: dict[bytes, BuyerPromotions] = {}

    def for_buyer(self, context: PricingContext, currency: str) -> BuyerPromotions:
        """The promotions this buyer may get in this currency, kept for the buyer's next carts."""
        key = msgspec.json.encode(context) + currency.encode()
        found = self._buyers.get(key)
        if found is None:
            if len(self._buyers) >= _BUYERS_KEPT:
                del self._buyers[next(iter(self._buyers))]
            found = self._buyers[key] = BuyerPromotions(self, context, currency)
        return found

    def candidates(self, product: ProductFacts) -> list[Promotion]:
        """Every promotion that can touch the product, whoever buys it, in rank order."""
        found: dict[UUID, Promotion] = {p.id: p for p in self.everywhere}
        for promotion in self.by_sku.get(product.sku, ()):
            found[promotion.id] = promotion
        if product.brand:
            for promotion in self.by_brand.get(product.brand, ()):
                found[promotion.id] = promotion
        for code in product.category_path.split("/"):
            if code:
                for promotion in self.by_category.get(code, ()):
                    found[promotion.id] = promotion
        rank = self.rank
        return sorted(found.values(), key=lambda p: rank[p.id])


_BUYERS_KEPT = 16


class BuyerPromotions:
    """What one buyer may get of an index, in one currency, per product: worked out once."""

    def __init__(self, index: PromotionIndex, context: PricingContext, currency: str) -> None:
        self.index = index
        self.context = context
        self.currency = currency
        self.rank = index.rank
        self._eligible: dict[UUID, bool] = {}
        self._by_product: dict[ProductFacts, _Reach] = {}
        # A gift looks at the whole cart but touches none of its lines.
        self.gifts = tuple(
            index.rank[p.id] for p in index.everywhere if isinstance(p.benefit, Gift) and self.eligible(p)
        )
        self.gift_ranks = frozenset(self.gifts)
        # Those looking at the order total, which a change to any line can move.
        self.total_bound = tuple(
            rank
            for rank in index.total_bound
            if rank not in self.gift_ranks and self.eligible(index.ordered[rank])
        )

    def eligible(self, promotion: Promotion) -> bool:
        known = self._eligible.get(promotion.id)
        if known is None:
            known = self._eligible[promotion.id] = promotion.currency == self.currency and eligible(
                promotion, self.context
            )
        return known

    def for_product(self, product: ProductFacts) -> _Reach:
        """The promotions that can touch a line of this product, gifts aside, in rank order."""
        found = self._by_product.get(product)
        if found is None:
            reach = [
                p
                for p in self.index.candidates(product)
                if not isinstance(p.benefit, Gift) and self.eligible(p)
            ]
            keys = tuple(self.rank[p.id] for p in reach)
            number = self.index.target_number
            found = self._by_product[product] = _Reach(
                keys=keys,
                spread=tuple(self.rank[p.id] for p in reach if p.order_level),
                targets=tuple(dict.fromkeys(number[rank] for rank in keys)),
            )
        return found


class _Reach(msgspec.Struct, frozen=True, gc=False):
    """The promotions (by rank) that can touch a product's lines, those spread over the order, and
    the distinct targets (by number) of them."""

    keys: tuple[int, ...]
    spread: tuple[int, ...]
    targets: tuple[int, ...]


def _order(promotion: Promotion) -> tuple[int, str]:
    return (-promotion.priority, str(promotion.id))


def _fixed_params(promotion: Promotion) -> dict[str, Any] | None:
    """The explanation's parameters of a benefit whose sentence does not depend on the cart."""
    benefit, label = promotion.benefit, promotion.name or promotion.code
    if isinstance(benefit, PercentOff):
        return {"promotion": label, "percent": benefit.percent}
    if isinstance(benefit, AmountOff):
        return {"promotion": label, "amount": benefit.amount}
    if isinstance(benefit, FixedPrice):
        return {"promotion": label, "unit_price": benefit.unit_price}
    if isinstance(benefit, Gift):
        return {"promotion": label, "sku": benefit.sku, "quantity": benefit.quantity}
    if isinstance(benefit, BuyXGetY):
        if benefit.free_sku is not None:
            return {"promotion": label, "buy": benefit.buy, "get": benefit.get, "sku": benefit.free_sku}
        return {"promotion": label, "buy": benefit.buy, "get": benefit.get}
    return None


class _Line(msgspec.Struct, kw_only=True, gc=False):
    index: int
    product: ProductFacts
    quantity: int
    list_unit: Decimal
    unit: Decimal
    base: Decimal  # price-book amount of the line, exact
    book_total: Decimal  # the same, rounded to the currency
    book: str | None
    from_list: bool
    controlled: str | None
    candidates: tuple[int, ...]  # the promotions that can touch it, by rank
    targets: tuple[int, ...]  # their targets, by number
    spread_by: tuple[int, ...]  # those of them computed on the order and spread over their lines
    remaining: Decimal = ZERO  # rounded amount left to discount
    steps: list[Step] = []
    free_units: int = 0
    # A configured set: its options as priced, the options' price per set before the set's own
    # discount, and that discount.
    parts: tuple[dict[str, Any], ...] = ()
    options_unit: Decimal = ZERO
    set_percent_off: Decimal = ZERO
    # What each promotion (by rank) took from this line: (money, units), for its budget; in the
    # order the promotions were applied, which is the order the priced line names them in.
    spent: dict[int, tuple[Decimal, int]] = {}
    priced: PricedLine | None = None

    def restart(self) -> None:
        self.remaining = self.book_total
        self.steps = []
        self.free_units = 0
        self.spent = {}


class _Gift(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sku: str
    quantity: int
    unit: Decimal
    book: str | None


_NOTHING_FREE: Mapping[int, int] = MappingProxyType({})


class _Effect(msgspec.Struct, kw_only=True, gc=False):
    promotion: Promotion
    discounts: dict[int, Decimal]  # line index -> exact discount
    # Shared empty values by default: most effects give neither free units nor gifts, and an empty
    # dict or list default would be a new object for each.
    free_units: Mapping[int, int] = _NOTHING_FREE
    gifts: tuple[_Gift, ...] = ()
    units: int = 0
    code: str = ""
    params: dict[str, Any] = {}

    value: Decimal = ZERO  # discounts plus gifts, for comparing options; set once evaluated
    factor: Decimal = ONE  # the share of it the promotion's budget still pays for
    key: int = -1  # the promotion's rank

    def valued(self) -> Decimal:
        """Work out and keep ``value``; returns it."""
        value = sum(self.discounts.values(), ZERO)
        if self.gifts:  # otherwise adding zero would change nothing: the sum starts from ZERO
            value += sum((g.unit * g.quantity for g in self.gifts), ZERO)
        self.value = value
        return value

    def same_as(self, other: _Effect) -> bool:
        return (
            self.value == other.value
            and self.factor == other.factor
            and self.units == other.units
            and self.code == other.code
            and self.discounts == other.discounts
            and self.free_units == other.free_units
            and self.gifts == other.gifts
            and self.params == other.params
        )


# The combined value of the combinable promotions is kept exact, so adding and taking away one
# promotion as the cart changes gives the very sum that adding them all afresh gives.
_EXACT = Context(prec=400)


def _put(mapping: dict[Any, Any], key: Any, value: Any) -> None:
    """Set a key, or remove it when the value is None."""
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


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
    return pricer(cart.currency, context, products, books, promotions, controls).price(cart)


def pricer(
    currency: str,
    context: PricingContext,
    products: Mapping[str, ProductFacts],
    books: BookIndex | Sequence[PriceBook],
    promotions: PromotionIndex | Sequence[Promotion],
    controls: Sequence[PriceControl] = (),
) -> CartPricer:
    """A pricer for one buyer's cart in one currency, to price it again each time it changes."""
    book_index = books if isinstance(books, BookIndex) else BookIndex(books, context, currency, controls)
    promotion_index = promotions if isinstance(promotions, PromotionIndex) else PromotionIndex(promotions)
    return CartPricer(context, products, book_index, promotion_index.for_buyer(context, currency))


class CartPricer:
    """Prices one buyer's cart, and prices it again after a change by redoing only what it touches.

    Between calls it keeps each line's resolved price and the promotions that can touch it, each
    promotion's effect, the stacking decision and each line's waterfall. A change re-evaluates only
    the promotions that can touch the changed lines (and those that look at the whole cart: gifts,
    order totals), re-stacks what those changed, and recomputes only the lines whose promotions
    changed, together with every line sharing an order-level promotion with them. The result is
    the one pricing the new cart afresh gives (``price`` is a fresh pricer's first call); a property
    test holds the two to the same bytes. Promotions are known by their rank inside.
    """

    def __init__(
        self,
        context: PricingContext,
        products: Mapping[str, ProductFacts],
        books: BookIndex,
        promotions: BuyerPromotions,
    ) -> None:
        self.context = context
        self.products = products
        self.books = books
        self.promotions = promotions
        self.currency = promotions.currency
        self.ordered = promotions.index.ordered
        self._keys: list[tuple[str, int, tuple[CartOption, ...]]] = []
        self._lines: list[_Line | None] = []
        self._problems: list[Step | None] = []
        self._targets: dict[int, dict[int, _Line]] = {}  # target (by number) -> the lines it holds
        self._effects: dict[int, _Effect] = {}
        self._hints: dict[int, Hint] = {}
        self._upgrades: dict[int, Hint] = {}  # "add 4 more for the next tier", if that one is applied
        self._groups: dict[str, dict[int, _Effect]] = {}
        self._group_best: dict[str, _Effect] = {}
        self._combinable: dict[int, _Effect] = {}
        self._combinable_total = ZERO
        self._combinable_first: int | None = None  # the best rank among them; None: to be found
        self._exclusive: dict[int, _Effect] = {}
        self._kept_changed: set[int] = set()
        self._combined = True  # whether the combinable promotions were the option chosen last
        self._previous: dict[int, _Effect] = {}  # the promotions applied last time
        self._free_shipping: set[int] = set()
        self._gift_lines: dict[int, tuple[list[PricedLine], Decimal, int]] = {}
        self._spent: dict[int, list[Any]] = {}  # promotion -> [money, units] taken from lines
        self._touched: set[int] = set()  # promotions whose consumption is to be worked out again
        self._consumption: dict[int, Consumption] = {}
        self._applied: dict[int, int] = {}  # promotion -> priced lines naming it
        self._applied_order: tuple[UUID, ...] | None = ()
        self._consumption_order: tuple[Consumption, ...] | None = ()
        self._applied_before: set[int] = set()  # the promotions applied when last listed, and their ids
        self._applied_ids: tuple[UUID, ...] = ()
        # The promotions consuming, in the order results list them; None when one came or went.
        self._consumption_ranks: list[int] | None = []
        self._amount = ZERO
        self._hints_order: tuple[Hint, ...] | None = ()  # None: to be listed again
        self._result: PricedCart | None = None

    def price(self, cart: Cart) -> PricedCart:
        if cart.currency != self.currency:
            raise ValueError(f"this pricer prices carts in {self.currency}, not {cart.currency}")
        first = self._result is None
        changed, dirty = self._take_lines(cart.lines)
        if not changed and self._result is not None:
            return self._result
        lines = [line for line in self._lines if line is not None]
        units = sum(map(_QUANTITY, lines))
        amount = sum(map(_BASE, lines), ZERO)
        # A gift looks at the cart's units and amount; one already given stays the same while its
        # condition still holds, so only the others are evaluated again.
        ordered, effects = self.ordered, self._effects
        for rank in self.promotions.gifts:
            condition = ordered[rank].condition
            if (
                first
                or rank not in effects
                or units < condition.min_quantity
                or amount < condition.min_amount
                or amount < condition.min_order_total
            ):
                dirty.add(rank)
        if first or amount != self._amount:
            targets, number = self._targets, self.promotions.index.target_number
            dirty.update(rank for rank in self.promotions.total_bound if number[rank] in targets)
        self._amount = amount
        if first:
            changed_effects = self._evaluate_all(dirty, units, amount)
        else:
            changed_effects = self._evaluate_dirty(dirty, units, amount, changed)
        chosen, diff = self._choose(changed_effects)
        self._reapply(chosen, diff, changed, first)
        self._result = self._assemble(chosen, lines)
        return self._result

    # --- lines ------------------------------------------------------------------------------------

    def _take_lines(self, cart_lines: Sequence[CartLine]) -> tuple[list[int], set[int]]:
        """Take the cart's lines in: the positions that changed, and the promotions they touch."""
        keys = [(line.sku, line.quantity, line.options) for line in cart_lines]
        old = self._keys
        changed: list[int] = []
        dirty: set[int] = set()
        targets = self._targets
        for index in range(max(len(old), len(keys))):
            key = keys[index] if index < len(keys) else None
            if index < len(old):
                if old[index] == key:
                    continue
                gone = self._lines[index]
                if gone is not None:
                    self._forget(gone)
                    for number in gone.targets:
                        held = targets[number]
                        del held[index]
                        if not held:
                            del targets[number]
                    dirty.update(gone.candidates)
            changed.append(index)
            if key is None:
                continue
            line, problem = self._line(index, cart_lines[index])
            if index < len(self._lines):
                self._lines[index], self._problems[index] = line, problem
            else:
                self._lines.append(line)
                self._problems.append(problem)
            if line is not None:
                for number in line.targets:
                    holding = targets.get(number)
                    if holding is None:
                        targets[number] = {index: line}
                    else:
                        holding[index] = line
                dirty.update(line.candidates)
        del self._lines[len(keys) :]
        del self._problems[len(keys) :]
        self._keys = keys
        return changed, dirty

    def _line(self, index: int, cart_line: CartLine) -> tuple[_Line | None, Step | None]:
        product = self.products.get(cart_line.sku) or ProductFacts(sku=cart_line.sku)
        if cart_line.options:
            return self._configured(index, cart_line, product)
        resolved = self.books.resolve(cart_line.sku, cart_line.quantity)
        if resolved.unit_price is None or resolved.list_unit_price is None or cart_line.quantity <= 0:
            return None, Step(kind="problem", amount=ZERO, code="no_price", params={"sku": cart_line.sku})
        base = resolved.unit_price * cart_line.quantity
        reach = self.promotions.for_product(product)
        book_total = round_amount(base, self.currency)
        line = _Line(
            index=index,
            product=product,
            quantity=cart_line.quantity,
            list_unit=resolved.list_unit_price,
            unit=resolved.unit_price,
            base=base,
            book_total=book_total,
            book=resolved.book,
            from_list=resolved.from_list,
            controlled=resolved.controlled,
            candidates=reach.keys,
            targets=reach.targets,
            spread_by=reach.spread,
            remaining=book_total,
        )
        return line, None

    def _configured(
        self, index: int, cart_line: CartLine, product: ProductFacts
    ) -> tuple[_Line | None, Step | None]:
        """A configured set, priced from its chosen options: each option at the buyer's price for
        the units the line holds of it, then the set's own discount, if its definition gives one."""
        if cart_line.quantity <= 0:
            return None, Step(kind="problem", amount=ZERO, code="no_price", params={"sku": cart_line.sku})
        parts: list[dict[str, Any]] = []
        list_unit = unit = ZERO
        from_list = True
        for option in cart_line.options:
            resolved = self.books.resolve(option.sku, option.quantity * cart_line.quantity)
            if resolved.unit_price is None or resolved.list_unit_price is None or option.quantity <= 0:
                return None, Step(kind="problem", amount=ZERO, code="no_price", params={"sku": option.sku})
            list_unit += resolved.list_unit_price * option.quantity
            unit += resolved.unit_price * option.quantity
            from_list = from_list and resolved.from_list
            parts.append(
                {
                    "sku": option.sku,
                    "quantity": option.quantity,
                    "list_unit_price": resolved.list_unit_price,
                    "unit_price": resolved.unit_price,
                    "book": resolved.book or "",
                }
            )
        options_unit = unit
        if product.set_percent_off:
            unit = unit * (HUNDRED - product.set_percent_off) / HUNDRED
        base = unit * cart_line.quantity
        reach = self.promotions.for_product(product)
        line = _Line(
            index=index,
            product=product,
            quantity=cart_line.quantity,
            list_unit=list_unit,
            unit=unit,
            base=base,
            book_total=round_amount(base, self.currency),
            book=None,
            from_list=from_list,
            controlled=None,
            candidates=reach.keys,
            targets=reach.targets,
            spread_by=reach.spread,
            parts=tuple(parts),
            options_unit=options_unit,
            set_percent_off=product.set_percent_off,
        )
        line.restart()
        return line, None

    # --- evaluating and stacking ------------------------------------------------------------------

    def _evaluate_all(self, ranks: set[int], units: int, amount: Decimal) -> list[int]:
        """The first evaluation: every promotion the cart can trigger, with no earlier effect to
        compare with, then the stacking built once from all of them (``_restack`` keeps it up to
        date after a change). Returns the promotions that have an effect."""
        ordered, books = self.ordered, self.books
        hints, upgrades, effects = self._hints, self._upgrades, self._effects
        targets, gifts = self._targets, self.promotions.gift_ranks
        index = self.promotions.index
        fixed_params, target_number = index.fixed_params, index.target_number
        shared = _Shared()
        effect: _Effect | None
        for rank in ranks:
            promotion = ordered[rank]
            if rank in gifts:
                effect, hint = _evaluate(promotion, (), units, amount, amount, books, fixed_params[rank])
            else:
                number = target_number[rank]
                # The lines came in cart order, so each target holds them in order already.
                found = shared.lines.get(number) or shared.lines_of(number, targets[number], in_order=True)
                effect, hint = _evaluate(
                    promotion,
                    found[0],
                    found[1],
                    found[2],
                    amount,
                    books,
                    fixed_params[rank],
                    None,
                    shared,
                    number,
                )
            if effect is not None and ((effect.value or effect.valued()) > ZERO or effect.free_units):
                if promotion.budget_amount is not None or promotion.budget_units is not None:
                    effect.factor = self._factor(effect)
                effect.key = rank
                effects[rank] = effect
                if hint is not None and hint.code in _UPGRADES:
                    upgrades[rank] = hint
            elif hint is not None:
                hints[rank] = hint
        groups = self._groups
        kept = []
        for rank, effect in effects.items():
            group = effect.promotion.exclusivity_group
            if group is None:
                kept.append(effect)
            else:
                groups.setdefault(group, {})[rank] = effect
        for group, members in groups.items():
            best = self._group_best[group] = max(members.values(), key=_key)
            kept.append(best)
        # What ``_keep`` does one at a time.
        combinable, exclusive = self._combinable, self._exclusive
        for effect in kept:
            if effect.promotion.stacking == "combinable":
                combinable[effect.key] = effect
            else:
                exclusive[effect.key] = effect
        with localcontext(_EXACT):
            self._combinable_total = sum(map(_VALUE, combinable.values()), ZERO)
        self._hints_order = None
        return list(effects)

    def _evaluate_dirty(
        self, dirty: set[int], units: int, amount: Decimal, changed_lines: list[int]
    ) -> list[int]:
        """Evaluate again the promotions whose inputs changed; returns those whose effect changed."""
        changed: list[int] = []
        ordered = self.ordered
        hints, upgrades, effects = self._hints, self._upgrades, self._effects
        targets, gifts = self._targets, self.promotions.gift_ranks
        index = self.promotions.index
        fixed_params, target_number = index.fixed_params, index.target_number
        shared = _Shared()
        for rank in dirty:
            promotion = ordered[rank]
            effect: _Effect | None
            if rank in gifts:
                effect, hint = _evaluate(promotion, (), units, amount, amount, self.books, fixed_params[rank])
            else:
                number = target_number[rank]
                held = targets.get(number)
                if held:
                    found = shared.lines.get(number) or shared.lines_of(number, held, in_order=False)
                    reuse = None
                    before = effects.get(rank)
                    if (
                        before is not None
                        and isinstance(promotion.benefit, PercentOff | VolumeTiers)
                        and before.discounts.keys() == held.keys()
                    ):
                        # The same lines: only the changed ones can have another discount.
                        reuse = _Reuse(
                            discounts=before.discounts,
                            percent=before.params["percent"],
                            changed=[held[i] for i in changed_lines if i in held],
                        )
                    effect, hint = _evaluate(
                        promotion,
                        found[0],
                        found[1],
                        found[2],
                        amount,
                        self.books,
                        fixed_params[rank],
                        reuse,
                        shared,
                        number,
                    )
                else:
                    effect, hint = None, None
            if effect is not None and ((effect.value or effect.valued()) > ZERO or effect.free_units):
                if promotion.budget_amount is not None or promotion.budget_units is not None:
                    effect.factor = self._factor(effect)
                effect.key = rank
                if hints and hints.pop(rank, None) is not None:
                    self._hints_order = None
                if hint is not None and hint.code in _UPGRADES:
                    if upgrades.get(rank) != hint:
                        upgrades[rank] = hint
                        self._hints_order = None
                elif upgrades and upgrades.pop(rank, None) is not None:
                    self._hints_order = None
            else:
                effect = None
                if hint is not None:
                    if hints.get(rank) != hint:
                        hints[rank] = hint
                        self._hints_order = None
                elif hints and hints.pop(rank, None) is not None:
                    self._hints_order = None
                if upgrades and upgrades.pop(rank, None) is not None:
                    self._hints_order = None
            before = effects.get(rank)
            if effect is None and before is None:
                continue
            if effect is not None and before is not None and effect.same_as(before):
                continue
            _put(effects, rank, effect)
            self._restack(promotion, rank, before, effect)
            changed.append(rank)
        return changed

    def _factor(self, effect: _Effect) -> Decimal:
        """The share of an effect the promotion's budget (money, units) still pays for."""
        promotion, context = effect.promotion, self.context
        factor = ONE
        if promotion.budget_amount is not None:
            left = context.budget_left.get(promotion.id, promotion.budget_amount)
            if effect.value > left:
                factor = max(ZERO, left / effect.value) if effect.value else ZERO
        if promotion.budget_units is not None and effect.units:
            left_units = context.units_left.get(promotion.id, promotion.budget_units)
            if effect.units > left_units:
                factor = min(factor, Decimal(left_units) / Decimal(effect.units))
        return factor

    def _restack(
        self, promotion: Promotion, rank: int, before: _Effect | None, after: _Effect | None
    ) -> None:
        """Keep the best of each exclusivity group, and the promotions outside groups, up to date."""
        group = promotion.exclusivity_group
        if group is None:
            if before is not None:
                self._unkeep(before)
            if after is not None:
                self._keep(after)
            return
        members = self._groups.setdefault(group, {})
        _put(members, rank, after)
        best = self._group_best.get(group)
        if best is not None and best is before:
            self._unkeep(before)
            if after is not None and _key(after) >= _key(before):
                successor: _Effect | None = after
            else:
                successor = max(members.values(), key=_key) if members else None
            _put(self._group_best, group, successor)
            if successor is not None:
                self._keep(successor)
        elif after is not None and (best is None or _key(after) > _key(best)):
            if best is not None:
                self._unkeep(best)
            self._group_best[group] = after
            self._keep(after)

    def _keep(self, effect: _Effect) -> None:
        rank = effect.key
        self._kept_changed.add(rank)
        if effect.promotion.stacking != "combinable":
            self._exclusive[rank] = effect
            return
        self._combinable[rank] = effect
        self._combinable_total = _EXACT.add(self._combinable_total, effect.value)
        if self._combinable_first is not None:
            self._combinable_first = min(self._combinable_first, rank)

    def _unkeep(self, effect: _Effect) -> None:
        rank = effect.key
        self._kept_changed.add(rank)
        if effect.promotion.stacking != "combinable":
            del self._exclusive[rank]
            return
        del self._combinable[rank]
        self._combinable_total = _EXACT.subtract(self._combinable_total, effect.value)
        if self._combinable_first == rank:
            self._combinable_first = None

    def _choose(self, changed_effects: list[int]) -> tuple[dict[int, _Effect], set[int]]:
        """Each exclusive promotion alone against the combinable ones together: the buyer's best.

        Ties go to the option holding the higher-ranked promotion, never to the order of creation.
        Returns the promotions to apply and those whose place in that choice may have changed.
        """
        best_exclusive = max(self._exclusive.values(), key=_key) if self._exclusive else None
        combined = False
        if self._combinable:
            if self._combinable_first is None:
                self._combinable_first = min(self._combinable)
            combined = best_exclusive is None or (
                self._combinable_total,
                -self._combinable_first,
            ) > _key(best_exclusive)
        chosen: dict[int, _Effect]
        if combined and self._combined:
            chosen, diff = self._combinable, self._kept_changed
            diff.update(changed_effects)
        elif combined:
            chosen, diff = self._combinable, set(self._previous) | set(self._combinable)
        else:
            chosen = {best_exclusive.key: best_exclusive} if best_exclusive is not None else {}
            diff = set(self._previous) | set(chosen) | set(changed_effects)
        self._kept_changed = set()
        self._combined = combined
        return chosen, diff

    # --- applying ---------------------------------------------------------------------------------

    def _reapply(self, chosen: dict[int, _Effect], diff: set[int], changed: list[int], first: bool) -> None:
        """Recompute the lines whose applied promotions changed, and only those."""
        lines = self._lines
        count = len(lines)
        manual = self.context.manual
        dirty: set[int] = set(changed)
        if first or (manual is not None and manual.amount):
            dirty = set(range(count))
        previous = self._previous
        order_level = self.promotions.index.order_level
        for rank in diff:
            before, after = previous.get(rank), chosen.get(rank)
            if before is after:
                continue
            _put(previous, rank, after)
            self._touched.add(rank)
            if (before is None) != (after is None):  # a hint shows only for what is not applied
                self._hints_order = None
            if (before is not None and before.gifts) or (after is not None and after.gifts):
                self._regift(rank, after)
            if after is not None and after.promotion.free_shipping:
                self._free_shipping.add(rank)
            else:
                self._free_shipping.discard(rank)
            if first:
                continue
            if (
                before is None
                or after is None
                or order_level[rank]
                or before.factor != after.factor
                or before.params != after.params
                or before.code != after.code
            ):
                for effect in (before, after):
                    if effect is not None:
                        dirty.update(effect.discounts)
            elif isinstance(after.promotion.benefit, _SEPARABLE):
                # Each line's discount depends on that line alone: only changed lines can differ.
                old, new = before.discounts, after.discounts
                dirty.update(old.keys() ^ new.keys())
            else:
                old, new = before.discounts, after.discounts
                old_free, new_free = before.free_units, after.free_units
                for index in old.keys() | new.keys():
                    if old.get(index) != new.get(index) or old_free.get(index) != new_free.get(index):
                        dirty.add(index)
        dirty = {i for i in dirty if i < count and lines[i] is not None}
        if not first:
            # Lines sharing an order-level promotion go together: it spreads over what is left of them.
            pending = list(dirty)
            spreads: set[int] = set()
            while pending:
                line = cast("_Line", lines[pending.pop()])
                for rank in line.spread_by:
                    effect = chosen.get(rank)
                    if effect is None or rank in spreads:
                        continue
                    spreads.add(rank)
                    for index in effect.discounts:
                        if index not in dirty:
                            dirty.add(index)
                            pending.append(index)
        if dirty:
            self._recompute(sorted(dirty), chosen)
        self._settle(chosen)

    def _recompute(self, order: list[int], chosen: dict[int, _Effect]) -> None:
        lines = self._lines
        # The lines to recompute, and those an order-level promotion spreads over, are in the cart.
        present = cast("list[_Line]", lines)
        work = [present[i] for i in order]
        dirty = set(order)
        whole = len(dirty) == len(lines)
        effects: set[int] = set()
        for line in work:
            if line.priced is not None:  # a new line starts clean
                self._forget(line)
                line.restart()
            if not whole:
                effects.update(line.candidates)
        # Every line again: every chosen promotion (a gift's, touching no line, applies nothing).
        ranks = sorted(chosen) if whole else sorted(effects.intersection(chosen))
        currency = self.currency
        order_level = self.promotions.index.order_level
        spent, applied, touched = self._spent, self._applied, self._touched
        for rank in ranks:
            effect = chosen[rank]
            if order_level[rank]:
                total = round_amount(effect.value * effect.factor, currency)
                targeted = [present[i] for i in sorted(effect.discounts)]
                money, count = _spread(
                    targeted,
                    total,
                    currency,
                    "promotion",
                    effect.code,
                    effect.params,
                    effect.promotion.id,
                    rank,
                )
                units = 0
            else:
                money, units, count = _apply_to_lines(effect, lines, None if whole else dirty, currency)
            if not count:
                continue
            # What the lines took, counted once per promotion (``_forget`` takes it back per line).
            touched.add(rank)
            total_spent = spent.get(rank)
            if total_spent is None:
                spent[rank] = [money, units]
            else:
                total_spent[0] += money
                total_spent[1] += units
            named = applied.get(rank)
            if named is None:
                applied[rank] = count
                self._applied_order = None
            else:
                applied[rank] = named + count
        context = self.context
        if context.deal is not None and context.deal.percent > 0:
            percent = context.deal.percent
            params = {"percent": percent, "registration_id": str(context.deal.registration_id)}
            for line in work:
                _take(
                    line,
                    line.remaining * percent / HUNDRED,
                    currency,
                    "deal_registration",
                    "deal_registration_discount",
                    params,
                )
        manual = context.manual
        if manual is not None and manual.percent:
            params = {"percent": manual.percent}
            for line in work:
                _take(
                    line,
                    line.remaining * manual.percent / HUNDRED,
                    currency,
                    "manual",
                    "manual_percent",
                    params,
                )
        if manual is not None and manual.amount:
            _spread(work, manual.amount, currency, "manual", "manual_amount", {"amount": manual.amount}, None)
        ids, step_quantum = self.promotions.index.ids, quantum(currency)
        for line in work:
            line.priced = _priced(line, step_quantum, ids)

    def _forget(self, line: _Line) -> None:
        spent = self._spent
        for rank, (amount, units) in line.spent.items():
            total = spent[rank]
            total[0] -= amount
            total[1] -= units
            if not total[0] and not total[1]:
                del spent[rank]
        self._touched.update(line.spent)
        if line.priced is not None:
            for rank in line.spent:
                self._count_applied(rank, -1)
        line.spent = {}
        line.priced = None

    def _count_applied(self, rank: int, change: int) -> None:
        count = self._applied.get(rank, 0) + change
        if count:
            self._applied[rank] = count
        else:
            del self._applied[rank]
        if count == 0 or count == change:
            self._applied_order = None

    def _regift(self, rank: int, effect: _Effect | None) -> None:
        """The free lines a chosen promotion adds, within its budget."""
        old = self._gift_lines.pop(rank, None)
        if old is not None:
            self._count_applied(rank, -len(old[0]))
        if effect is None or not effect.gifts:
            return
        promotion = effect.promotion
        made: list[PricedLine] = []
        spent, units = ZERO, 0
        for gift in effect.gifts:
            quantity = int((Decimal(gift.quantity) * effect.factor).to_integral_value(rounding=ROUND_FLOOR))
            if quantity == 0:
                continue
            value = round_amount(gift.unit * quantity, self.currency)
            made.append(
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
                            kind="price_book",
                            amount=value,
                            code="gift_value",
                            params={"unit_price": gift.unit},
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
            units += quantity
        if made:
            self._gift_lines[rank] = (made, spent, units)
            self._count_applied(rank, len(made))

    def _settle(self, chosen: dict[int, _Effect]) -> None:
        """What each touched promotion now consumes of its budget."""
        order_level = self.promotions.index.order_level
        for rank in self._touched:
            effect = chosen.get(rank)
            found: Consumption | None = None
            if effect is not None:
                taken = self._spent.get(rank)
                spent, units = (taken[0], taken[1]) if taken is not None else (ZERO, 0)
                promotion = effect.promotion
                if order_level[rank]:
                    units = effect.units if spent else 0
                elif promotion.budget_units is not None and isinstance(promotion.benefit, BundlePrice):
                    units = min(units, effect.units)
                gift = self._gift_lines.get(rank)
                if gift is not None:
                    spent += gift[1]
                    units += gift[2]
                if spent or units:
                    found = Consumption(promotion_id=promotion.id, amount=spent, units=units)
            before = self._consumption.get(rank)
            if found is None:
                if before is not None:
                    del self._consumption[rank]
                    self._consumption_order = self._consumption_ranks = None
            elif before != found:
                self._consumption[rank] = found
                self._consumption_order = None
                if before is None:
                    self._consumption_ranks = None
        self._touched = set()

    def _assemble(self, chosen: dict[int, _Effect], lines: list[_Line]) -> PricedCart:
        gifts = [g for rank in sorted(self._gift_lines) for g in self._gift_lines[rank][0]]
        priced = tuple(cast("list[PricedLine]", [line.priced for line in lines]) + gifts)
        list_total = sum(map(_LIST_TOTAL, priced), ZERO)
        subtotal = sum(map(_BOOK_TOTAL, lines), ZERO) + sum(map(_LIST_TOTAL, gifts), ZERO)
        total = sum(map(_NET_TOTAL, priced), ZERO)
        index = self.promotions.index
        by_id = index.id_order.__getitem__
        if self._applied_order is None:
            # A changed line forgets and names its promotions again: often the very same set.
            applied = self._applied.keys()
            if applied != self._applied_before:
                self._applied_before = set(applied)
                self._applied_ids = tuple(map(index.ids.__getitem__, sorted(applied, key=by_id)))
            self._applied_order = self._applied_ids
        if self._consumption_order is None:
            consumption = self._consumption
            if self._consumption_ranks is None:
                self._consumption_ranks = sorted(consumption, key=by_id)
            self._consumption_order = tuple(map(consumption.__getitem__, self._consumption_ranks))
        if self._hints_order is None:
            hints = [self._hints[rank] for rank in sorted(self._hints) if rank not in chosen]
            hints += [self._upgrades[rank] for rank in sorted(self._upgrades) if rank in chosen]
            self._hints_order = tuple(hints)
        return PricedCart(
            currency=self.currency,
            lines=priced,
            list_total=list_total,
            subtotal=subtotal,
            discount_total=subtotal - total,
            total=total,
            free_shipping=bool(self._free_shipping),
            applied=self._applied_order,
            hints=self._hints_order,
            consumption=self._consumption_order,
            problems=tuple(p for p in self._problems if p is not None),
        )


_LIST_TOTAL = attrgetter("list_total")
_NET_TOTAL = attrgetter("net_total")
_BOOK_TOTAL = attrgetter("book_total")
_QUANTITY = attrgetter("quantity")
_BASE = attrgetter("base")
_VALUE = attrgetter("value")

# Benefits whose discount on a line depends on that line and the promotion's parameters alone.
_SEPARABLE = (PercentOff, AmountOff, FixedPrice, VolumeTiers)


def _key(effect: _Effect) -> tuple[Decimal, int]:
    """How options compare: what they give the buyer, then the higher-ranked promotion."""
    return (effect.value, -effect.key)


def _apply_to_lines(
    effect: _Effect, lines: Sequence[_Line | None], dirty: set[int] | None, currency: str
) -> tuple[Decimal, int, int]:
    """A line-level promotion on the lines being recomputed (all when ``dirty`` is None), within its
    budget; returns the money and units it took and from how many lines.

    The hot loop of pricing a large cart: ``_take`` written out in place, with the same rounding.
    """
    promotion_id = effect.promotion.id
    rank = effect.key
    factor = effect.factor
    whole = factor == ONE
    discounts, free_units = effect.discounts, effect.free_units
    # Lines in any order: each line's waterfall is its own, and takes the promotions in rank order.
    indices: Iterable[int]
    if dirty is None:
        indices = discounts
    elif len(dirty) < len(discounts):
        indices = [i for i in dirty if i in discounts]
    else:
        indices = [i for i in discounts if i in dirty]
    step_quantum = quantum(currency)
    code = effect.code
    base_params = effect.params
    present: Sequence[_Line] = lines  # type: ignore[assignment]  # its discounts name only lines in the cart
    money, units, count = ZERO, 0, 0
    for index in indices:
        line = present[index]
        free = free_units.get(index, 0) if free_units else 0
        if free:
            granted = free if whole else int((free * factor).to_integral_value(rounding=ROUND_FLOOR))
            if granted == 0:
                continue
            amount = line.unit * granted
            params = {**base_params, "free": granted}
        else:
            amount = discounts[index] if whole else discounts[index] * factor
            params = base_params
        taken = amount.quantize(step_quantum, None, HALF_UP)
        remaining = line.remaining
        if remaining < taken:
            taken = remaining
        if taken <= ZERO:
            continue
        line.remaining = remaining - taken
        line.steps.append(
            Step(kind="promotion", amount=-taken, code=code, params=params, promotion_id=promotion_id)
        )
        took = granted if free else line.quantity
        line.spent[rank] = (taken, took)  # each promotion comes once per line
        if free:
            line.free_units += granted
        money += taken
        units += took
        count += 1
    return money, units, count


# --- evaluating one promotion ---------------------------------------------------------------------


def _evaluate(
    promotion: Promotion,
    targeted: Sequence[_Line],
    units: int | None,
    amount: Decimal | None,
    order_total: Decimal,
    books: BookIndex,
    fixed: dict[str, Any] | None,
    reuse: _Reuse | None = None,
    shared: _Shared | None = None,
    target: int = -1,
) -> tuple[_Effect | None, Hint | None]:
    """One promotion on its own, on the price-book amounts of the lines it targets.

    A gift looks at the whole cart (``units`` and ``amount``); the others at ``targeted``, whose
    units and amount are ``units`` and ``amount`` when given. ``fixed``: the promotion's
    ``_fixed_params``. ``reuse``: the discounts of the promotion's last evaluation on the same
    lines, of which only ``changed`` are new. ``shared``: what promotions evaluated with it share,
    ``target`` the number of the promotion's target there.
    """
    benefit = promotion.benefit
    fixed = fixed or {}
    if units is None or amount is None:
        if not targeted:
            return None, None
        if len(targeted) == 1:
            units, amount = targeted[0].quantity, ZERO + targeted[0].base
        else:
            units = sum(map(_QUANTITY, targeted))
            amount = sum(map(_BASE, targeted), ZERO)
    condition = promotion.condition
    if units < condition.min_quantity:
        return None, _hint(promotion, "add_units", missing=condition.min_quantity - units) if units else None
    if amount < condition.min_amount:
        return None, _hint(promotion, "add_amount", missing=condition.min_amount - amount) if amount else None
    if order_total < condition.min_order_total:
        return None, _hint(promotion, "add_order_amount", missing=condition.min_order_total - order_total)

    if isinstance(benefit, PercentOff):
        discounts, value = _percent_of(targeted, benefit.percent, reuse, shared, target)
        return _Effect(
            promotion=promotion,
            discounts=discounts,
            value=value,
            units=units,
            code="percent_off",
            params=fixed,
        ), None
    if isinstance(benefit, AmountOff):
        off = benefit.amount
        return _Effect(
            promotion=promotion,
            discounts={line.index: min(line.base, off * line.quantity) for line in targeted},
            units=units,
            code="amount_off",
            params=fixed,
        ), None
    if isinstance(benefit, FixedPrice):
        cheaper = [line for line in targeted if line.unit > benefit.unit_price]
        return _Effect(
            promotion=promotion,
            discounts={line.index: (line.unit - benefit.unit_price) * line.quantity for line in cheaper},
            units=sum(line.quantity for line in cheaper),
            code="fixed_price",
            params=fixed,
        ), None
    if isinstance(benefit, VolumeTiers):
        # The highest tier reached applies (the first of equals); the first not reached is the hint.
        tier = following = None
        for candidate in benefit.tiers:
            if candidate.min_quantity <= units:
                if tier is None or candidate.min_quantity > tier.min_quantity:
                    tier = candidate
            elif following is None:
                following = candidate
        hint = (
            _hint(
                promotion,
                "add_units_for_tier",
                missing=following.min_quantity - units,
                percent=following.percent,
            )
            if following is not None
            else None
        )
        if tier is None:
            return None, hint
        discounts, value = _percent_of(targeted, tier.percent, reuse, shared, target)
        found = _Effect(
            promotion=promotion,
            discounts=discounts,
            value=value,
            units=units,
            code="volume_tier",
            params={
                "promotion": promotion.name or promotion.code,
                "percent": tier.percent,
                "min_quantity": tier.min_quantity,
            },
        )
        return found, hint
    if isinstance(benefit, BuyXGetY):
        return _buy_x_get_y(promotion, benefit, targeted, units, books, fixed)
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
        return _Effect(
            promotion=promotion,
            discounts=share,
            units=units,
            code="threshold",
            params={
                "promotion": promotion.name or promotion.code,
                "every": benefit.every,
                "off": benefit.off,
                "times": times,
            },
        ), None
    if isinstance(benefit, Gift):
        resolved = books.resolve(benefit.sku, benefit.quantity)
        if resolved.unit_price is None:
            return None, None
        gift = _Gift(sku=benefit.sku, quantity=benefit.quantity, unit=resolved.unit_price, book=resolved.book)
        return _Effect(
            promotion=promotion,
            discounts={},
            gifts=(gift,),
            units=benefit.quantity,
            code="gift",
            params=fixed,
        ), None
    if isinstance(benefit, BundlePrice):
        return _bundle(promotion, benefit, targeted)
    return None, None  # pragma: no cover - every benefit type is handled above


class _Reuse(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    discounts: dict[int, Decimal]
    percent: Decimal
    changed: list[_Line]


class _Shared:
    """What the promotions evaluated together share: the lines of each target with their units and
    amount, and a percent's discounts on a target's lines with their sum (promotions on one brand
    or category often give the same percent). Valid while the cart's lines stay the same."""

    __slots__ = ("lines", "percents")

    def __init__(self) -> None:
        self.lines: dict[int, tuple[list[_Line], int, Decimal]] = {}
        self.percents: dict[tuple[int, Decimal], tuple[dict[int, Decimal], Decimal]] = {}

    def lines_of(
        self, target: int, held: dict[int, _Line], in_order: bool
    ) -> tuple[list[_Line], int, Decimal]:
        """A target's lines in cart order, their units and their amount; kept for the others."""
        if len(held) == 1:  # most often: a promotion on a few SKUs
            [only] = held.values()
            found = ([only], only.quantity, ZERO + only.base)
        else:
            targeted = list(held.values()) if in_order else [held[i] for i in sorted(held)]
            found = (targeted, sum(map(_QUANTITY, targeted)), sum(map(_BASE, targeted), ZERO))
        self.lines[target] = found
        return found


def _percent_of(
    targeted: Sequence[_Line], percent: Decimal, reuse: _Reuse | None, shared: _Shared | None, target: int
) -> tuple[dict[int, Decimal], Decimal]:
    """Each line's share of a percent off, and their sum. From the last evaluation where the lines
    and the percent are the same, only changed lines are computed (the same formula, the same dict
    order). An effect never changes its discounts, so promotions may share them."""
    key = (target, percent)
    if shared is not None:
        found = shared.percents.get(key)
        if found is not None:
            return found
    rate = percent / HUNDRED  # exact: a percent has few digits
    if reuse is not None and reuse.percent == percent:
        discounts = dict(reuse.discounts)
        for line in reuse.changed:
            discounts[line.index] = line.base * rate
    else:
        discounts = {line.index: line.base * rate for line in targeted}
    found = (discounts, sum(discounts.values(), ZERO))
    if shared is not None:
        shared.percents[key] = found
    return found


def _buy_x_get_y(
    promotion: Promotion,
    benefit: BuyXGetY,
    targeted: Sequence[_Line],
    units: int,
    books: BookIndex,
    params: dict[str, Any],
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
            gifts=(gift,),
            units=quantity,
            code="buy_x_get_other_free",
            params=params,
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
        params=params,
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
        params={"promotion": promotion.name or promotion.code, "price": benefit.price, "sets": sets},
    ), None


def _hint(promotion: Promotion, code: str, **params: Any) -> Hint:
    return Hint(
        promotion_id=promotion.id, code=code, params={"promotion": promotion.name or promotion.code, **params}
    )


def _take(
    line: _Line,
    amount: Decimal,
    currency: str,
    kind: str,
    code: str,
    params: dict[str, Any],
    promotion_id: UUID | None = None,
    rank: int = -1,
) -> Decimal:
    """Take a discount off a line, rounded to the currency and never below zero; returns what was taken."""
    taken = amount.quantize(quantum(currency), None, HALF_UP)
    if line.remaining < taken:
        taken = line.remaining
    if taken <= ZERO:
        return ZERO
    line.remaining -= taken
    line.steps.append(Step(kind=kind, amount=-taken, code=code, params=params, promotion_id=promotion_id))
    if promotion_id is not None:
        line.spent[rank] = (taken, 0)  # each promotion comes once per line
    return taken


def _spread(
    lines: Sequence[_Line],
    total: Decimal,
    currency: str,
    kind: str,
    code: str,
    params: dict[str, Any],
    promotion_id: UUID | None,
    rank: int = -1,
) -> tuple[Decimal, int]:
    """An order-level amount over lines in proportion to what is left of them, cent for cent;
    returns what was taken and from how many lines."""
    room = sum((line.remaining for line in lines), ZERO)
    total = min(round_amount(total, currency), room)
    if total <= 0:
        return ZERO, 0
    shares = Money(total, currency).allocate([line.remaining for line in lines])
    spent, count = ZERO, 0
    for line, share in zip(lines, shares, strict=True):
        taken = _take(line, share.amount, currency, kind, code, params, promotion_id, rank)
        if taken:
            spent += taken
            count += 1
    return spent, count


def _priced(line: _Line, step_quantum: Decimal, ids: Sequence[UUID]) -> PricedLine:
    list_total = (line.list_unit * line.quantity).quantize(step_quantum, None, HALF_UP)
    book_total = line.book_total
    if line.parts:
        head = _configured_head(line, list_total)
    else:
        head = [
            Step(
                kind="list_price", amount=list_total, code="list_price", params={"unit_price": line.list_unit}
            )
        ]
    if not line.parts and (line.base != list_total or not line.from_list):
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
        promotion_ids=tuple([ids[rank] for rank in line.spent]),
    )


def _configured_head(line: _Line, list_total: Decimal) -> list[Step]:
    """A configured set's first steps: its options at list price, at the buyer's prices, and the
    set's own discount; ``parts`` lists every option with its prices."""
    described = ", ".join(f"{part['quantity']} × {part['sku']}" for part in line.parts)
    head = [
        Step(
            kind="list_price",
            amount=list_total,
            code="options_list_price",
            params={"unit_price": line.list_unit, "options": described, "parts": list(line.parts)},
        )
    ]
    options_total = line.options_unit * line.quantity
    if options_total != list_total or not line.from_list:
        head.append(
            Step(
                kind="price_book",
                amount=options_total - list_total,
                code="options_price_book",
                params={"unit_price": line.options_unit},
            )
        )
    if line.set_percent_off:
        head.append(
            Step(
                kind="price_book",
                amount=line.base - options_total,
                code="set_discount",
                params={"percent": line.set_percent_off, "unit_price": line.unit},
            )
        )
    return head
