"""Promotions as data: who they are for, what triggers them, what they give, how they stack.

A promotion is a msgspec Struct; its benefit is a tagged union (``{"type": "percent_off", ...}``),
so a promotion read from JSON is checked field by field when decoded, and ``validate_promotion``
checks what spans fields. Nothing here runs code from the data.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from pricing.model import PricingContext, ProductFacts


class Target(msgspec.Struct, frozen=True, kw_only=True):
    """The products a rule looks at: any of these SKUs, categories (with everything below) or brands.

    All empty means every product.
    """

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not (self.skus or self.categories or self.brands)

    def matches(self, product: ProductFacts) -> bool:
        if self.everything:
            return True
        if product.sku in self.skus or (product.brand and product.brand in self.brands):
            return True
        return bool(self.categories) and any(
            code in self.categories for code in product.category_path.split("/")
        )


class Eligibility(msgspec.Struct, frozen=True, kw_only=True):
    """Who may get it, and when; every criterion set must hold, empty ones hold for anyone."""

    partner_levels: frozenset[str] = frozenset()
    tiers: frozenset[int] = frozenset()
    regions: frozenset[str] = frozenset()
    partner_ids: frozenset[UUID] = frozenset()
    buyer_kinds: frozenset[str] = frozenset()
    customer_groups: frozenset[str] = frozenset()
    coupon_codes: frozenset[str] = frozenset()
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # exclusive
    first_order_only: bool = False


class Condition(msgspec.Struct, frozen=True, kw_only=True):
    """What the cart must hold: units or amount of the target, or an order total."""

    min_quantity: int = 0
    min_amount: Decimal = Decimal(0)
    min_order_total: Decimal = Decimal(0)


class PercentOff(msgspec.Struct, frozen=True, kw_only=True, tag="percent_off"):
    percent: Decimal
    target: Target = Target()


class AmountOff(msgspec.Struct, frozen=True, kw_only=True, tag="amount_off"):
    """An amount off each unit of the target."""

    amount: Decimal
    target: Target = Target()


class FixedPrice(msgspec.Struct, frozen=True, kw_only=True, tag="fixed_price"):
    unit_price: Decimal
    target: Target = Target()


class BuyXGetY(msgspec.Struct, frozen=True, kw_only=True, tag="buy_x_get_y"):
    """Buy ``buy`` units of the target, get ``get`` free.

    Without ``free_sku`` the free units come out of the target itself, the cheapest ones first
    (mix and match across the target's products); with it, ``get`` units of that product are added
    as a free line for every ``buy`` units.
    """

    buy: int
    get: int
    target: Target = Target()
    free_sku: str | None = None
    repeat: bool = True


class ThresholdDiscount(msgspec.Struct, frozen=True, kw_only=True, tag="threshold"):
    """``off`` for every ``every`` spent on the target ("100 off every 1,000"), or once."""

    every: Decimal
    off: Decimal
    repeat: bool = True
    target: Target = Target()


class Gift(msgspec.Struct, frozen=True, kw_only=True, tag="gift"):
    """A free line of ``sku`` once the condition holds."""

    sku: str
    quantity: int = 1


class VolumeTier(msgspec.Struct, frozen=True, kw_only=True):
    min_quantity: int
    percent: Decimal


class VolumeTiers(msgspec.Struct, frozen=True, kw_only=True, tag="volume_tiers"):
    """A percent off the target that grows with the number of units bought."""

    tiers: tuple[VolumeTier, ...]
    target: Target = Target()


class BundleComponent(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int = 1


class BundlePrice(msgspec.Struct, frozen=True, kw_only=True, tag="bundle_price"):
    """Every complete set of the components costs ``price`` together."""

    components: tuple[BundleComponent, ...]
    price: Decimal


Benefit = (
    PercentOff | AmountOff | FixedPrice | BuyXGetY | ThresholdDiscount | Gift | VolumeTiers | BundlePrice
)


class Promotion(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    issuer_id: UUID  # the manufacturer, or a distributor for its own downstream (and at its cost)
    currency: str
    benefit: Benefit
    name: str = ""
    eligibility: Eligibility = Eligibility()
    condition: Condition = Condition()
    priority: int = 0  # higher first
    stacking: Literal["combinable", "exclusive"] = "combinable"
    exclusivity_group: str | None = None
    free_shipping: bool = False
    budget_amount: Decimal | None = None
    budget_units: int | None = None
    per_partner_limit: int | None = None

    @property
    def target(self) -> Target:
        benefit = self.benefit
        if isinstance(benefit, BundlePrice):
            return Target(skus=frozenset(c.sku for c in benefit.components))
        if isinstance(benefit, Gift):
            return Target()
        return benefit.target

    @property
    def order_level(self) -> bool:
        """Benefits computed on the order and spread over its lines, rather than per line."""
        return isinstance(self.benefit, ThresholdDiscount)


def eligible(promotion: Promotion, context: PricingContext) -> bool:
    """Whether the buyer may get the promotion at all, whatever the cart holds."""
    rules = promotion.eligibility
    if promotion.issuer_id != context.seller_id and promotion.issuer_id not in context.upstream_ids:
        return False  # a distributor's promotion reaches its own downstream only
    if rules.starts_at is not None and context.at < rules.starts_at:
        return False
    if rules.ends_at is not None and context.at >= rules.ends_at:
        return False
    if rules.partner_levels and context.partner_level not in rules.partner_levels:
        return False
    if rules.tiers and context.buyer_tier not in rules.tiers:
        return False
    if rules.regions and context.region not in rules.regions:
        return False
    if rules.partner_ids and context.buyer_id not in rules.partner_ids:
        return False
    if rules.buyer_kinds and context.buyer_kind not in rules.buyer_kinds:
        return False
    if rules.customer_groups and not rules.customer_groups & context.customer_groups:
        return False
    if rules.coupon_codes and not rules.coupon_codes & context.coupon_codes:
        return False
    if rules.first_order_only and not context.first_order:
        return False
    if (
        promotion.per_partner_limit is not None
        and context.usage.get(promotion.id, 0) >= promotion.per_partner_limit
    ):
        return False
    if (
        promotion.budget_amount is not None
        and context.budget_left.get(promotion.id, promotion.budget_amount) <= 0
    ):
        return False
    return not (
        promotion.budget_units is not None
        and context.units_left.get(promotion.id, promotion.budget_units) <= 0
    )


# --- checks across fields ------------------------------------------------------------------------


class PromotionIssue(msgspec.Struct, frozen=True):
    field: str
    code: str
    params: dict[str, object] = {}


def validate_promotion(promotion: Promotion) -> list[PromotionIssue]:
    """Every reason the promotion cannot be saved as it is; empty when it can."""
    issues: list[PromotionIssue] = []
    benefit = promotion.benefit
    positive = Decimal(0)

    def need(ok: bool, field: str, code: str, **params: object) -> None:
        if not ok:
            issues.append(PromotionIssue(field, code, params))

    rules = promotion.eligibility
    if rules.starts_at is not None and rules.ends_at is not None:
        need(rules.ends_at > rules.starts_at, "eligibility.ends_at", "ends_before_start")
    if isinstance(benefit, PercentOff):
        need(positive < benefit.percent <= 100, "benefit.percent", "percent_out_of_range")
    elif isinstance(benefit, AmountOff):
        need(benefit.amount > 0, "benefit.amount", "must_be_positive")
    elif isinstance(benefit, FixedPrice):
        need(benefit.unit_price >= 0, "benefit.unit_price", "must_not_be_negative")
    elif isinstance(benefit, BuyXGetY):
        need(benefit.buy >= 1, "benefit.buy", "must_be_positive")
        need(benefit.get >= 1, "benefit.get", "must_be_positive")
    elif isinstance(benefit, ThresholdDiscount):
        need(benefit.every > 0, "benefit.every", "must_be_positive")
        need(positive < benefit.off < benefit.every, "benefit.off", "off_must_be_below_threshold")
    elif isinstance(benefit, Gift):
        need(benefit.quantity >= 1, "benefit.quantity", "must_be_positive")
        need(
            promotion.condition.min_quantity > 0
            or promotion.condition.min_amount > 0
            or promotion.condition.min_order_total > 0,
            "condition",
            "gift_needs_condition",
        )
    elif isinstance(benefit, VolumeTiers):
        need(bool(benefit.tiers), "benefit.tiers", "required")
        quantities = [t.min_quantity for t in benefit.tiers]
        need(quantities == sorted(set(quantities)), "benefit.tiers", "tiers_not_ascending")
        need(all(positive < t.percent <= 100 for t in benefit.tiers), "benefit.tiers", "percent_out_of_range")
    elif isinstance(benefit, BundlePrice):
        need(len(benefit.components) >= 2, "benefit.components", "bundle_needs_two_products")
        need(benefit.price >= 0, "benefit.price", "must_not_be_negative")
    need(promotion.budget_amount is None or promotion.budget_amount > 0, "budget_amount", "must_be_positive")
    need(promotion.budget_units is None or promotion.budget_units > 0, "budget_units", "must_be_positive")
    need(
        promotion.per_partner_limit is None or promotion.per_partner_limit > 0,
        "per_partner_limit",
        "must_be_positive",
    )
    return issues
