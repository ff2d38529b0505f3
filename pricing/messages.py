"""The pricing engine's reason codes in words (English message ids; the portal translates them).

Kept next to the engine so a new rule and its sentence are added together; ``N_`` only marks the
text for extraction (babel.cfg reads this module too).
"""

from __future__ import annotations


def N_(text: str) -> str:
    return text


# Steps of a line's waterfall.
STEPS: dict[str, str] = {
    "list_price": N_("List price {unit_price} a unit"),
    "options_list_price": N_("Options at list price ({options}): {unit_price} a set"),
    "options_price_book": N_("Your prices for the options: {unit_price} a set"),
    "set_discount": N_("Set price, {percent}% off its options: {unit_price} a set"),
    "price_book": N_("Your price book {book}: {unit_price} a unit"),
    "price_control": N_("Price book {book}, held at the manufacturer's {controlled}: {unit_price} a unit"),
    "rounding": N_("Rounded to the currency"),
    "percent_off": N_("{promotion}: {percent}% off"),
    "amount_off": N_("{promotion}: {amount} off each unit"),
    "fixed_price": N_("{promotion}: special price {unit_price} a unit"),
    "volume_tier": N_("{promotion}: {percent}% off from {min_quantity} units"),
    "buy_x_get_y": N_("{promotion}: buy {buy}, get {get} free ({free} free here)"),
    "buy_x_get_other_free": N_("{promotion}: buy {buy}, get {get} × {sku} free"),
    "threshold": N_("{promotion}: {off} off every {every} ({times}×)"),
    "gift": N_("{promotion}: free gift"),
    "gift_value": N_("Gift worth {unit_price} a unit"),
    "bundle_price": N_("{promotion}: bundle price {price} ({sets} sets)"),
    "deal_registration_discount": N_("Registered deal: {percent}% off"),
    "manual_percent": N_("Seller's discount: {percent}%"),
    "manual_amount": N_("Seller's discount of {amount} on the order"),
    "no_price": N_("{sku} has no price for you yet"),
}

# What a cart lacks to get a promotion.
HINTS: dict[str, str] = {
    "add_units": N_("{promotion}: add {missing} more units"),
    "add_amount": N_("{promotion}: add {missing} more"),
    "add_order_amount": N_("{promotion}: order {missing} more in total"),
    "add_units_for_tier": N_("{promotion}: add {missing} more units to get {percent}% off"),
    "add_units_for_free": N_("{promotion}: add {missing} more to get {free} free"),
    "add_units_for_gift": N_("{promotion}: add {missing} more to get {sku} free"),
    "add_amount_for_discount": N_("{promotion}: add {missing} more to get {off} off"),
    "complete_bundle": N_("{promotion}: add {skus} to complete the bundle"),
}

# Why a promotion cannot be saved.
ISSUES: dict[str, str] = {
    "ends_before_start": N_("The end must come after the start."),
    "percent_out_of_range": N_("A percentage above 0 and at most 100."),
    "must_be_positive": N_("Must be more than zero."),
    "must_not_be_negative": N_("Cannot be negative."),
    "off_must_be_below_threshold": N_("The discount must be smaller than the amount that earns it."),
    "gift_needs_condition": N_("Say what the buyer must order to get the gift."),
    "tiers_not_ascending": N_("Tiers must go up in quantity, each quantity once."),
    "bundle_needs_two_products": N_("A bundle needs at least two products."),
}

# A configuration's broken rules, and what makes a bundle's definition unusable.
CONFIGURATION: dict[str, str] = {
    "not_an_option": N_("{sku} is not an option of this product."),
    "choose_one": N_("Choose one {group}."),
    "choose_at_least": N_("Choose at least {count} {group} options."),
    "only_one": N_("Choose only one {group} ({chosen} chosen)."),
    "choose_at_most": N_("Choose at most {count} {group} options ({chosen} chosen)."),
    "too_few_units": N_("{sku}: at least {count} units."),
    "too_many_units": N_("{sku}: at most {count} units."),
    "requires": N_("{sku} needs {needs}."),
    "requires_one_of": N_("{sku} needs one of: {needs}."),
    "excludes": N_("{sku} cannot be combined with {other}."),
    "ratio": N_("{of} needs {quantity} × {sku} for every {per}: {needed} needed, {have} chosen."),
    "group_twice": N_("The group {group} is defined twice."),
    "group_min_above_max": N_("{group}: the minimum number of choices is above the maximum."),
    "group_needs_more_options": N_("{group} asks for more choices than it has options."),
    "quantity_min_above_max": N_("{group}: the minimum quantity is above the maximum."),
    "option_twice": N_("{sku} is an option in more than one place."),
    "rule_names_unknown_option": N_("A rule names {sku}, which is not an option."),
    "rule_on_itself": N_("A rule relates {sku} to itself."),
    "option_not_in_catalogue": N_("{sku} is not an active product of the catalogue."),
    "not_a_bundle": N_("This product has no options to configure."),
    "set_discount_out_of_range": N_("The set's discount on its options is a percentage from 0 to below 100."),
}
