"""The words of the KPI pages: each KPI's name and definition, targets, level-suggestion reasons."""

from __future__ import annotations

from portal.i18n import N_, gettext

KPI_LABELS = {
    "purchases_achievement": N_("Purchases vs target"),
    "purchases_growth": N_("Growth vs last year"),
    "sell_out_achievement": N_("Sell-out vs target"),
    "new_stores_achievement": N_("New stores vs target"),
    "deals_achievement": N_("Registered deals vs target"),
    "sell_through": N_("Sell-through"),
    "fill_rate": N_("Fill rate"),
    "on_time_shipment": N_("On-time shipment"),
    "order_cycle_days": N_("Order cycle time"),
    "registrations_submitted": N_("Deal registrations submitted"),
    "registrations_approved": N_("Deal registrations approved"),
    "registrations_won": N_("Deal registrations won"),
    "registration_win_rate": N_("Registration win rate"),
    "quote_conversion": N_("Quote-to-order conversion"),
    "lead_acceptance": N_("Lead acceptance in time"),
    "follow_up_compliance": N_("Lead follow-up compliance"),
    "promotion_participation": N_("Promotion participation"),
    "days_of_supply": N_("Days of supply"),
}

KPI_DEFINITIONS = {
    "purchases_achievement": N_(
        "Value of the partner's orders submitted in the period (not rejected or cancelled) as a share of its purchases target."
    ),
    "purchases_growth": N_("Change of those purchases against the same period one year earlier."),
    "sell_out_achievement": N_(
        "Units the partner reported sold to end customers, as a share of its sell-out target."
    ),
    "new_stores_achievement": N_(
        "Stores created under the partner in the period, as a share of its new-stores target."
    ),
    "deals_achievement": N_(
        "Deal registrations submitted in the period, as a share of the registered-deals target."
    ),
    "sell_through": N_(
        "Units sold to end customers as a share of the units the partner ordered in the period."
    ),
    "fill_rate": N_(
        "As a supplier: units shipped as a share of units ordered, over the accepted orders submitted in the period."
    ),
    "on_time_shipment": N_(
        "As a supplier: share of fully shipped orders whose last unit left within 3 days of submission."
    ),
    "order_cycle_days": N_("As a supplier: average days from submission to the buyer's last goods receipt."),
    "registrations_submitted": N_("Deal registrations the partner submitted in the period."),
    "registrations_approved": N_("Of those, registrations approved (protected, later won, lost or expired)."),
    "registrations_won": N_("Of those, registrations reported won."),
    "registration_win_rate": N_("Registrations won as a share of registrations approved."),
    "quote_conversion": N_("Quotes sent to end customers in the period that became an order."),
    "lead_acceptance": N_(
        "Of the leads offered and settled (accepted, declined or lapsed), the share accepted within the deadline."
    ),
    "follow_up_compliance": N_(
        "Of the leads accepted and settled, the share followed up within the follow-up period."
    ),
    "promotion_participation": N_(
        "Share of the partner's orders with at least one line priced by a promotion."
    ),
    "days_of_supply": N_(
        "Units on hand at the last stock report of the period, divided by units sold per day."
    ),
}

TARGET_LABELS = {
    "purchases": N_("Purchases (amount)"),
    "sell_out": N_("Sell-out (units)"),
    "new_stores": N_("New stores"),
    "registered_deals": N_("Registered deals"),
}

PERIOD_LABELS = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}

DIRECTION_LABELS = {
    "up": N_("Suggested: move up to %(level)s"),
    "down": N_("Suggested: move down to %(level)s"),
    "stay": N_("Suggested: keep the current level"),
}

REASON_LABELS = {
    "score_high_twice": N_("Score of 85 or more in this period and the one before"),
    "score_low_twice": N_("Score below 50 in this period and the one before"),
    "within_thresholds": N_("Score between the thresholds (50 and 85)"),
    "not_enough_data": N_("Not enough data for two periods in a row"),
    "no_level": N_("The partner has no level"),
    "strong": N_("Strong: %(kpi)s"),
    "weak": N_("Weak: %(kpi)s"),
}


def kpi_label(code: str) -> str:
    return gettext(KPI_LABELS.get(code, code))


def reason_text(code: str) -> str:
    kind, _, kpi = code.partition(":")
    template = gettext(REASON_LABELS.get(kind, kind))
    return template % {"kpi": kpi_label(kpi)} if kpi else template


def direction_text(direction: str, level: str | None) -> str:
    return gettext(DIRECTION_LABELS[direction]) % {"level": level or ""}
