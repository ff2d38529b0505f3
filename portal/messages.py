"""Reason codes from the domain, in words a user understands, in their language."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from portal.i18n import N_, format_date, format_list, format_money, format_number, gettext
from portal.kpi_texts import TARGET_LABELS
from pricing import messages as pricing_messages

if TYPE_CHECKING:
    from channel.schemas import AuditEntry

MESSAGES: dict[str, str] = {
    # not found and not allowed
    "not_found": N_("We could not find that."),
    "organisation_not_found": N_("We could not find that partner."),
    "order_not_found": N_("We could not find that order."),
    "shipment_not_found": N_("We could not find that shipment of this order."),
    "unknown_product": N_("{sku} is not a product you can order."),
    "not_a_case_multiple": N_("{sku} comes in cases of {case}: order {lower} or {upper}."),
    "no_price_for_products": N_("These products have no price for you yet: {skus}."),
    "credit_limit_exceeded": N_(
        "This order of {order} {currency} would take your open orders ({open}) past your credit limit of {limit}."
    ),
    "only_supplier_fulfils_order": N_("Only the order's supplier can answer, ship or cancel it."),
    "order_not_waiting": N_("The order has been answered already."),
    "order_cannot_be_cancelled": N_("The order can no longer be cancelled by you at this stage."),
    "order_changed_meanwhile": N_("The order changed meanwhile; look at it again."),
    "only_parties_cancel_order": N_("Only the buyer or the supplier can cancel an order."),
    "order_not_shippable": N_("Only an approved order can be shipped."),
    "more_than_reserved": N_("{sku}: only {reserved} units are reserved to ship."),
    "not_a_line_of_order": N_("A line to ship is not a line of this order."),
    "nothing_reserved_to_ship": N_("Nothing is reserved for this order yet: it waits for stock."),
    "only_buyer_receives": N_("Only the buyer confirms what arrived."),
    "only_buyer_returns": N_("Only the buyer asks to return what it received."),
    "more_than_received": N_("{sku}: at most {received} units can still be returned."),
    "return_not_found": N_("We could not find that return."),
    "return_already_decided": N_("That return has been answered already."),
    "returned_units_not_in_buyer_stock": N_("{sku}: the buyer no longer has these units in stock."),
    "only_seller_orders_quote": N_("Only the quote's seller orders it."),
    "quote_not_accepted": N_("Only a quote the customer accepted can be ordered."),
    "quote_already_ordered": N_("This quote has been ordered already."),
    "no_orders_in_period": N_("No orders were placed in that period within your part of the channel."),
    "nothing_to_forward": N_(
        "None of your buyers' orders waits for stock that is not already ordered upstream."
    ),
    "more_than_shipped": N_("{sku}: more received and damaged than the {shipped} shipped."),
    "shipment_already_received": N_("This shipment was received already."),
    "order_closed": N_("The order is closed: its return window has passed."),
    "drop_ship_received_by_buyer": N_(
        "This shipment went straight to your buyer: it is received when your buyer confirms it."
    ),
    "more_than_forwarded": N_("{sku}: only {units} units can go to that order: what it still waits for."),
    "nothing_to_drop_ship": N_("Nothing reserved for this order is still waited for by that order."),
    "stock_would_go_below_reserved": N_("{sku}: that would leave less on hand than is reserved for orders."),
    "user_not_found": N_("We could not find that person."),
    "invitation_not_found": N_("This invitation link is not valid any more. Ask for a new one."),
    "api_token_not_found": N_("We could not find that API token."),
    "assignment_not_found": N_("That channel manager is not assigned to this partner."),
    "manufacturer_exists": N_("The channel already has its manufacturer."),
    "idempotency_key_reused": N_("This Idempotency-Key was already used for a different request."),
    "idempotency_key_in_use": N_("A request with this Idempotency-Key is still being processed."),
    "bad_idempotency_key": N_("The Idempotency-Key must be 1 to {maximum} printable characters."),
    "no_manufacturer": N_("The channel has no manufacturer yet. Run 'portal init' first."),
    "permission_denied": N_("Your role does not allow this."),
    "own_terms_set_by_supplier": N_(
        "Your own level, region, status and credit limit are set by your supplier."
    ),
    "manufacturer_cannot_be_suspended": N_("The manufacturer cannot be suspended."),
    "only_admin_manages_own_organisation": N_(
        "Only your organisation's administrator can manage its people."
    ),
    "session_only": N_("This is only available to a signed-in person, not to an API token."),
    "wrong_portal": N_("This portal is for another kind of organisation."),
    # conflicts
    "conflict": N_("This clashes with the current state; reload and try again."),
    "supplier_suspended": N_("The supplier is suspended; partners cannot be added under it."),
    "partner_code_taken": N_("The partner code {code} is already in use."),
    "email_taken": N_("This e-mail address cannot be invited: it already has an account."),
    "already_accepted": N_("This person has already accepted their invitation."),
    "invitation_closed": N_("This invitation was already accepted or revoked."),
    "cannot_change_own_roles": N_("You cannot change your own roles."),
    "cannot_change_own_status": N_("You cannot suspend or reactivate yourself."),
    "not_yet_accepted": N_("This person has not accepted their invitation yet."),
    "partner_level_code_taken": N_("The level code {code} is already in use."),
    "region_code_taken": N_("The region code {code} is already in use."),
    "category_code_taken": N_("The category code {code} is already in use."),
    "sku_taken": N_("The SKU {sku} is already in the catalogue."),
    "product_not_found": N_("We could not find that product."),
    "lead_not_found": N_("We could not find that lead."),
    "promotion_not_found": N_("We could not find that promotion."),
    "quote_not_found": N_("We could not find that quote."),
    "registration_not_found": N_("We could not find that registration."),
    "customer_already_registered": N_(
        "This customer is already registered and protected; the registration was not accepted."
    ),
    "customer_protected_for_another_partner": N_(
        "Another partner's registration of this customer is protected: first come, first served."
    ),
    "registration_closed": N_("This registration is already decided."),
    "registration_not_protected": N_("Only a protected registration can be extended or closed."),
    "no_extensions_left": N_("The programme allows {maximum} extensions; none is left."),
    "only_registrant_changes_registration": N_("Only the partner that registered the deal can do this."),
    "bad_credit_code": N_("This is not a valid unified social credit code (check digit)."),
    "bad_phone": N_("This is not a valid phone number for the country."),
    "unknown_programme": N_("There is no programme {code}."),
    "quote_closed": N_("This quote is {status} and can no longer change."),
    "quote_changed_meanwhile": N_("Someone changed this quote meanwhile; reload and try again."),
    "quote_not_pending_approval": N_("This quote is not waiting for approval."),
    "quote_needs_approval": N_("A channel manager must approve this quote's discount before it is sent."),
    "quote_expired": N_("This quote has expired."),
    "quote_already_answered": N_("This quote has already been answered."),
    "document_too_slow": N_(
        "The document took too long to produce. Try again later, or split a very long quote."
    ),
    "document_too_large": N_(
        "The document needs more memory than a renderer may use. Split a very long quote."
    ),
    "only_seller_revises_quote": N_("Only the seller changes or sends its quote."),
    "cannot_approve_own_quote": N_("A seller does not approve its own quote."),
    "price_book_not_found": N_("We could not find that price book."),
    "only_issuer_changes_promotion": N_("Only the partner that issued a promotion can change it."),
    "promotion_code_taken": N_("The promotion code {code} is already in use."),
    "promotion_not_draft": N_("Only a draft can be changed; end this promotion and issue a new one."),
    "price_book_code_taken": N_("The price book code {code} is already in use."),
    "promotion_status_cannot_change": N_("A promotion that is {status} cannot become {to}."),
    "promotion_budget_spent": N_(
        "A promotion's budget ran out meanwhile; check the new prices and submit again."
    ),
    "buyer_has_no_supplier": N_("This organisation buys from nobody, so it has no prices."),
    "buyer_required": N_("Say which partner the cart is priced for."),
    "only_manufacturer_sets_list_price": N_("Only the manufacturer sets the list price."),
    "duplicate_price": N_("{sku} has two prices from {min_quantity} units."),
    "unknown_sku": N_("There is no product {sku} in the catalogue."),
    "ceiling_below_floor": N_("The ceiling cannot be below the floor."),
    "lead_rule_not_found": N_("We could not find that dispatch rule."),
    "lead_not_in_pool": N_("This lead is no longer in the pool."),
    "no_partner_available": N_("No partner matches the dispatch rules with room for another lead."),
    "lead_needs_distributor": N_("Leads go to distributors, not to stores."),
    "partner_not_active": N_("This partner is not active."),
    "private_pool_full": N_("This partner already holds {cap} leads, the most allowed."),
    "lead_not_offered": N_("This lead is not waiting for your answer."),
    "lead_offer_lapsed": N_("The time to accept this lead has passed; it has gone back to the pool."),
    "lead_changed_meanwhile": N_("Someone changed this lead meanwhile; reload and try again."),
    "lead_not_held": N_("Only the partner holding an accepted lead can follow it up."),
    "lead_not_qualified": N_("Qualify the lead (MQL or SQL) before registering it as a deal."),
    "lead_already_registered": N_("This lead is already registered as a deal."),
    "stage_cannot_go_back": N_("A lead only moves forward, and won or lost is final."),
    # input
    "invalid_input": N_("Some fields need your attention."),
    "invalid_value": N_("This value is not valid."),
    "required": N_("This field is required."),
    "too_long": N_("At most {maximum} characters."),
    "control_characters": N_("Control characters are not allowed."),
    "not_finite": N_("Enter a number."),
    "enter_whole_number": N_("Enter a whole number."),
    "enter_date_time": N_("Enter a date and a time."),
    "enter_date": N_("Enter a date."),
    "family_by_categories": N_("A product family is chosen by categories only."),
    "between": N_("Between {low} and {high}."),
    "condition_twice": N_("Each kind of condition once."),
    "partners_not_yours": N_("Not among your partners: {codes}."),
    "below_minimum": N_("Must be at least {minimum}."),
    "must_not_be_zero": N_("Cannot be zero."),
    "above_maximum": N_("Must be at most {maximum}."),
    "too_many_decimals": N_("At most {places} decimal places."),
    "bad_code": N_("Letters, digits, '.', '_' and '-' only, at most 32."),
    "bad_sku": N_("Letters, digits, '.', '_', '/' and '-' only, at most 64."),
    "unknown_category": N_("There is no category {code}."),
    "duplicate_row": N_("This SKU already appears in row {row}."),
    "upload_too_large": N_("The file is larger than {limit} MB."),
    "upload_empty": N_("The file is empty."),
    "upload_missing": N_("Attach the file to upload."),
    "upload_unsupported_type": N_("Upload a CSV or an XLSX file."),
    "upload_no_header": N_("The first row must name the columns."),
    "upload_missing_columns": N_("The file lacks the columns: {columns}."),
    "upload_too_many_rows": N_("The file has more than {limit} rows; split it."),
    "upload_too_many_columns": N_("The file has more than {limit} columns."),
    "upload_unreadable": N_("The file could not be read ({detail})."),
    "upload_bad_encoding": N_("Save the file as UTF-8 or GB18030 text."),
    # stock and sell-out reports
    "upload_no_rows": N_("The file has column names but no rows."),
    "formula_cell": N_("This cell holds a formula; enter the value itself."),
    "bad_date": N_("{value} is not a date; write it as 2026-11-23."),
    "future_date": N_("{date} is in the future."),
    "date_too_old": N_("The date is more than {days} days ago."),
    "not_whole_number": N_("{value} is not a whole number of units."),
    "negative_quantity": N_("The quantity cannot be negative ({value})."),
    "negative_amount": N_("The amount cannot be negative ({value})."),
    "not_a_number": N_("{value} is not a number."),
    "duplicate_report_row": N_("{sku} on this date already appears in row {row}."),
    "upload_not_found": N_("This upload has expired or was already saved. Upload the file again."),
    "upload_has_problems": N_("The file has {problems} problems: fix them and upload it again."),
    "report_not_found": N_("We could not find that report."),
    "reports_are_for_partners": N_(
        "Distributors and stores report stock; the manufacturer's stock is its ledger."
    ),
    "threshold_not_found": N_("There is no threshold for that product."),
    "no_lines_entered": N_("Enter at least one line: a SKU and its quantity."),
    "bad_email": N_("This is not an e-mail address."),
    "unknown_currency": N_("Not a currency code (e.g. CNY, EUR, USD)."),
    "unknown_locale": N_("Not a language code (e.g. en, zh_Hans_CN, de_DE)."),
    "bad_country": N_("A two-letter country code (e.g. CN, DE)."),
    "kind_cannot_sit_under": N_("A {kind} cannot be placed under a {supplier_kind}."),
    "only_one_manufacturer": N_("There is only one manufacturer."),
    "network_too_deep": N_("The network cannot be deeper than {maximum} levels below the manufacturer."),
    "unknown_partner_level": N_("There is no partner level {code}."),
    "unknown_region": N_("There is no region {code}."),
    "roles_do_not_fit_organisation": N_("These roles do not exist in a {kind}."),
    "manufacturer_needs_no_channel_manager": N_("The manufacturer itself has no channel manager."),
    "not_a_channel_manager": N_("Choose an active channel manager of the manufacturer."),
    "cannot_set_invited": N_("A person cannot be set back to invited."),
    "password_too_short": N_("Use at least {minimum} characters."),
    "password_too_long": N_("Use at most {maximum} characters."),
    "password_is_email": N_("Do not use your e-mail address as password."),
    "current_password_wrong": N_("Your current password is not correct."),
    "passwords_differ": N_("The two passwords are not the same."),
    # sign-in
    "authentication_failed": N_("The e-mail address or the password is not correct."),
    "not_signed_in": N_("Sign in first, or send an API token."),
    "session_ended": N_("Your session has ended; please sign in again."),
    "token_invalid": N_("The API token is not valid (unknown, revoked, or its organisation is suspended)."),
    "bearer_expected": N_("Send the API token as: Authorization: Bearer <token>."),
    "sign_in_throttled": N_("Too many attempts. Wait a few minutes and try again."),
    "refused": N_("This was refused."),
    "request_too_deep": N_("The request is nested too deeply."),
    "request_not_understood": N_("The request could not be read."),
    "request_too_large": N_("The request is too large."),
    "unsupported_media_type": N_("Send the body as JSON (Content-Type: application/json)."),
    "server_error": N_("Something went wrong on our side. It has been logged; please try again."),
    "unavailable": N_("The service is briefly unavailable. Please try again in a moment."),
    "csrf_failed": N_("This form has expired. Reload the page and send it again."),
    # incentives
    "programme_not_found": N_("We could not find that rebate programme."),
    "settlement_not_found": N_("We could not find that settlement."),
    "partner_not_found": N_("We could not find that partner."),
    "not_programme_owner": N_("Only the partner that runs this programme may do this."),
    "stores_have_no_downstream": N_("A store has no downstream partners to run a programme for."),
    "programme_code_taken": N_("A programme with the code {code} already exists."),
    "period_not_over": N_("This period is not over yet: it ends on {period_end}."),
    "period_before_programme": N_("The programme starts on {starts_on}: there is nothing to settle before."),
    "settlement_already_decided": N_("This settlement has already been decided."),
    "fund_currency_mismatch": N_("The partner's rebate fund is kept in {currency}."),
    "fund_of_another_partner": N_("Only the partner itself pays its orders from its rebate fund."),
    "fund_insufficient": N_("The rebate fund holds only {balance}."),
    "fund_already_used": N_("Order {order_reference} already paid a different amount from the fund."),
    "fund_limit_exceeded": N_("The rebate fund may pay at most {limit} of this order."),
    "fund_not_available": N_("Orders cannot be paid from a rebate fund here."),
    "order_not_open": N_("Order {number} is no longer waiting for its supplier."),
    "order_not_cancelled": N_("Order {number} is not cancelled: it keeps what it paid from the fund."),
    "own_fund": N_("A partner does not adjust its own rebate fund."),
    "unknown_order": N_("There is no order {number} of yours."),
    "order_in_other_currency": N_(
        "Order {number} is in {currency} and this plan counts in {plan_currency}; amounts are not converted."
    ),
    "not_ascending": N_("Each tier must start above the one before it."),
    "out_of_range": N_("This value is out of range."),
    "too_many": N_("At most {maximum} are allowed."),
    "before_start": N_("This must come after the start."),
    "not_a_period_start": N_("A programme starts on the first day of a month, quarter or year."),
    "zero": N_("This must not be zero."),
    "budget_not_found": N_("We could not find that budget."),
    "mdf_request_not_found": N_("We could not find that request for funds."),
    "mdf_proof_not_found": N_("We could not find that proof file."),
    "not_budget_owner": N_("Only the partner that set this budget may do this."),
    "budget_code_taken": N_("A budget with the code {code} already exists."),
    "unknown_partner": N_("This is not a partner under the budget's owner."),
    "unknown_split_partner": N_("This is not a partner under the plan's owner."),
    "budget_exceeded": N_("The budget has only {available} left to allocate."),
    "allocation_below_requests": N_("Requests already hold more than this of the partner's share."),
    "no_allocation": N_("You have no share of this budget."),
    "allocation_exceeded": N_("Your share of this budget has only {available} left."),
    "above_requested": N_("You can approve at most the {requested} asked for."),
    "above_approved": N_("You can claim at most the {approved} approved."),
    "mdf_wrong_status": N_("This request cannot take this step now."),
    "not_your_request": N_("Only the partner that asked for the funds may do this."),
    "proof_required": N_("Attach at least one proof file before claiming."),
    "too_many_proofs": N_("At most {count} proof files may be attached."),
    "empty_file": N_("The file is empty."),
    "file_too_large": N_("The file is larger than {maximum} MiB."),
    "unsupported_file_type": N_("Only PDF, PNG and JPEG files are accepted."),
    "commission_plan_not_found": N_("We could not find that commission plan."),
    "not_plan_owner": N_("Only the partner that set this plan may do this."),
    "plan_code_taken": N_("A plan with the code {code} already exists."),
    "order_already_attributed": N_("Order {number} is already attributed to a deal."),
    "registration_or_lead": N_("Name either the registration or the lead the order came from."),
    "unknown_registration": N_("We could not find that registration."),
    "unknown_lead": N_("We could not find that lead."),
    "unknown_deal_source": N_("There is no registration or lead {number} that you see."),
    "not_one_hundred": N_("The shares must add up to 100 percent."),
    "duplicate": N_("Each may appear only once."),
}

# Titles of error pages, by HTTP status.
STATUS_TITLES: dict[int, str] = {
    400: N_("Bad request"),
    401: N_("Not signed in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    415: N_("Unsupported type"),
    422: N_("Please check your input"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
    503: N_("Briefly unavailable"),
}


def status_title(status: int) -> str:
    return gettext(STATUS_TITLES.get(status, STATUS_TITLES[400 if status < 500 else 500]))


# Parameters that are amounts of money in the ``currency`` parameter, formatted in the reader's locale.
_MONEY_PARAMS: dict[str, tuple[str, ...]] = {
    "fund_insufficient": ("balance",),
    "fund_limit_exceeded": ("limit",),
    "allocation_exceeded": ("available",),
    "budget_exceeded": ("available",),
    "above_requested": ("requested",),
    "above_approved": ("approved",),
}

# Words used inside messages (the kinds of organisation).
TERMS: dict[str, str] = {
    "manufacturer": N_("manufacturer"),
    "distributor": N_("distributor"),
    "store": N_("store"),
}


def message(code: str, params: dict[str, Any] | None = None) -> str:
    """The user's-language sentence for a reason code; unknown codes fall back to a general one."""
    known = (
        MESSAGES.get(code)
        or pricing_messages.ISSUES.get(code)
        or pricing_messages.CONFIGURATION.get(code)
        or MESSAGES["refused"]
    )
    text = gettext(known)
    if not params:
        return text
    shown = {k: gettext(TERMS[v]) if isinstance(v, str) and v in TERMS else v for k, v in params.items()}
    currency = params.get("currency")
    for key in _MONEY_PARAMS.get(code, ()):
        if isinstance(currency, str) and key in params:
            with contextlib.suppress(InvalidOperation, ValueError):
                shown[key] = format_money(Decimal(str(params[key])), currency)
    try:
        return text.format(**shown)
    except (KeyError, IndexError, ValueError):
        return text


ROLE_LABELS: dict[str, str] = {
    "manufacturer_admin": N_("Manufacturer admin"),
    "channel_manager": N_("Channel manager"),
    "sales_ops": N_("Sales operations"),
    "distributor_admin": N_("Distributor admin"),
    "buyer": N_("Buyer"),
    "sales": N_("Sales"),
    "warehouse": N_("Warehouse"),
    "store_manager": N_("Store manager"),
    "clerk": N_("Clerk"),
}

STATUS_LABELS: dict[str, str] = {
    "onboarding": N_("Onboarding"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "invited": N_("Invited"),
    "draft": N_("Draft"),
    "discontinued": N_("Discontinued"),
}

KIND_LABELS: dict[str, str] = {
    "manufacturer": N_("Manufacturer"),
    "distributor": N_("Distributor"),
    "store": N_("Store"),
}

ACTION_LABELS: dict[str, str] = {
    "partner.created": N_("created the partner"),
    "partner.updated": N_("changed the partner"),
    "partner.channel_manager_assigned": N_("assigned a channel manager"),
    "partner.channel_manager_unassigned": N_("removed a channel manager"),
    "user.invited": N_("invited a person"),
    "user.invitation_reissued": N_("sent a new invitation link"),
    "user.invitation_revoked": N_("revoked an invitation"),
    "user.invitation_accepted": N_("accepted the invitation"),
    "user.roles_changed": N_("changed roles"),
    "user.suspended": N_("suspended a person"),
    "user.reactivated": N_("reactivated a person"),
    "user.password_changed": N_("changed their password"),
    "user.locale_changed": N_("changed their language"),
    "api_token.created": N_("created an API token"),
    "api_token.revoked": N_("revoked an API token"),
    "partner_level.created": N_("added a partner level"),
    "region.created": N_("added a region"),
    "category.created": N_("added a category"),
    "product.created": N_("added a product"),
    "product.updated": N_("changed a product"),
    "lead.created": N_("added a lead"),
    "lead.offered": N_("offered a lead"),
    "lead.accepted": N_("accepted a lead"),
    "lead.declined": N_("gave a lead back"),
    "lead.offer_lapsed": N_("let a lead offer lapse"),
    "lead.no_follow_up": N_("lost a lead for want of follow-up"),
    "lead.followed_up": N_("followed up a lead"),
    "lead.returned_inquiry": N_("saw a former lead come back"),
    "lead_rule.created": N_("added a dispatch rule"),
    "lead_rule.deleted": N_("removed a dispatch rule"),
    "lead_policy.changed": N_("changed the lead policy"),
    "promotion.created": N_("drafted a promotion"),
    "promotion.changed": N_("changed a draft promotion"),
    "promotion.active": N_("activated a promotion"),
    "promotion.ended": N_("ended a promotion"),
    "price_book.created": N_("added a price book"),
    "price_book.prices_replaced": N_("replaced the prices of a price book"),
    "price_control.set": N_("set a price control"),
    "quote.created": N_("created a quote"),
    "quote.revised": N_("revised a quote"),
    "quote.approved": N_("approved a quote"),
    "quote.sent": N_("sent a quote"),
    "quote.accepted": N_("accepted a quote"),
    "quote.declined": N_("declined a quote"),
    "registration.submitted": N_("registered a deal"),
    "registration.protected": N_("approved a registration"),
    "registration.rejected": N_("rejected a registration"),
    "registration.info_requested": N_("asked for information on a registration"),
    "registration.extended": N_("extended a registration"),
    "registration.won": N_("won a registered deal"),
    "registration.lost": N_("lost a registered deal"),
    "registration.expired": N_("saw a registration expire"),
    "programme.saved": N_("changed a registration programme"),
    "rebate_programme.created": N_("created a rebate programme"),
    "rebate_programme.status_changed": N_("opened or closed a rebate programme"),
    "settlement.proposed": N_("proposed a rebate settlement"),
    "settlement.approved": N_("approved a rebate settlement"),
    "settlement.rejected": N_("rejected a rebate settlement"),
    "fund.credit": N_("credited a rebate fund"),
    "fund.use": N_("paid part of an order from a rebate fund"),
    "fund.return": N_("gave back a cancelled order's use of a rebate fund"),
    "fund.expiry": N_("expired rebate fund credit"),
    "fund.adjustment": N_("adjusted a rebate fund"),
    "mdf.budget_created": N_("set a market development budget"),
    "mdf.allocated": N_("allocated market development funds"),
    "mdf.requested": N_("asked for market development funds"),
    "mdf.approved": N_("approved a request for funds"),
    "mdf.rejected": N_("rejected a request for funds"),
    "mdf.proof_added": N_("attached proof to a request for funds"),
    "mdf.claimed": N_("claimed market development funds"),
    "mdf.claim_approved": N_("approved a claim for funds"),
    "mdf.claim_rejected": N_("rejected a claim for funds"),
    "mdf.paid": N_("paid a claim for funds"),
    "commission.plan_created": N_("set a commission plan"),
    "commission.deal_attributed": N_("attributed an order to a deal"),
    "commission.run": N_("ran the commissions"),
    "order.submitted": N_("placed an order"),
    "order.approved": N_("approved an order"),
    "order.rejected": N_("rejected an order"),
    "order.cancelled": N_("cancelled an order"),
    "order.shipped": N_("shipped goods of an order"),
    "order.received": N_("received goods of an order"),
    "order.closed": N_("closed an order"),
    "order.forwarded": N_("forwarded an order upstream"),
    "order.drop_shipped": N_("had an order shipped straight to its buyer"),
    "order.paid_from_fund": N_("paid part of an order from a rebate fund"),
    "order.return_requested": N_("asked to send goods back"),
    "order.return_approved": N_("took goods back"),
    "order.return_refused": N_("refused to take goods back"),
    "stock.adjusted": N_("corrected stock"),
    "stock_threshold.saved": N_("set stock limits"),
    "stock_threshold.deleted": N_("removed stock limits"),
    "report_schedule.saved": N_("set when stock reports are due"),
    "report.submitted": N_("reported stock and sell-out"),
    "report.replaced": N_("corrected a stock report"),
    "target.set": N_("set a target"),
    "target.removed": N_("removed a target"),
    "scorecard_weights.set": N_("weighted the scorecard"),
    "product.configuration_saved": N_("set a product's options and rules"),
    "lead.registered": N_("registered a lead as a deal"),
}


def activity_label(action: str) -> str:
    return gettext(ACTION_LABELS[action]) if action in ACTION_LABELS else action


# What a market development fund request is for.
MDF_ACTIVITY_LABELS: dict[str, str] = {
    "event": N_("Event"),
    "advertising": N_("Advertising"),
    "in_store_display": N_("In-store display"),
}

FIELD_LABELS: dict[str, str] = {
    "activity": N_("Activity"),
    "code": N_("Code"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "supplier": N_("Supplier"),
    "partner_level": N_("Partner level"),
    "region": N_("Region"),
    "status": N_("Status"),
    "credit_limit": N_("Credit limit"),
    "currency": N_("Currency"),
    "locale": N_("Language"),
    "contact_email": N_("Contact e-mail"),
    "phone": N_("Phone"),
    "city": N_("City"),
    "country": N_("Country"),
    "email": N_("E-mail"),
    "roles": N_("Roles"),
    "channel_manager": N_("Channel manager"),
    "rank": N_("Rank"),
    "sku": N_("SKU"),
    "date": N_("Date"),
    "quantity": N_("Quantity"),
    "amount": N_("Amount"),
    "names": N_("Names"),
    "descriptions": N_("Descriptions"),
    "category": N_("Category"),
    "category_path": N_("Category"),
    "brand": N_("Brand"),
    "unit": N_("Unit"),
    "case_quantity": N_("Case quantity"),
    "minimum_order_quantity": N_("Minimum order quantity"),
    "image": N_("Image"),
    "file": N_("File"),
    "company_name": N_("Company"),
    "source": N_("Source"),
    "industry": N_("Industry"),
    "contact_name": N_("Contact"),
    "notes": N_("Notes"),
    "note": N_("Note"),
    "stage": N_("Stage"),
    "reason": N_("Reason"),
    "position": N_("Position"),
    "accept_within_hours": N_("Hours to accept"),
    "private_pool_cap": N_("Private pool cap"),
    "follow_up_within_days": N_("Follow-up days"),
    "offer_expires_at": N_("Accept by"),
    "total": N_("Total"),
    "fund_amount": N_("Paid from rebate fund"),
    "balance": N_("Balance"),
    "order_reference": N_("Order"),
    "usable_until": N_("Usable until"),
    "period": N_("Period"),
    "period_start": N_("From"),
    "period_end": N_("Until"),
    "starts_on": N_("Starts"),
    "ends_on": N_("Ends"),
    "measure": N_("Measure"),
    "value": N_("Target"),
    "frequency": N_("Frequency"),
    "due_day": N_("Due on day"),
    "low_days": N_("Low below (days of supply)"),
    "high_days": N_("Overstock above (days of supply)"),
    "revision": N_("Revision"),
    "units": N_("Units"),
    "floor": N_("Floor"),
    "ceiling": N_("Ceiling"),
    "set_percent_off": N_("Set discount (%)"),
    "entries": N_("Entries"),
    "earned": N_("Earned"),
    "clawed_back": N_("Clawed back"),
    "claimed_amount": N_("Claimed"),
    "backordered": N_("Backordered"),
    "discrepancy": N_("Discrepancy"),
    "downstream_orders": N_("Downstream orders"),
    "drop_ship": N_("Drop-shipping"),
    "file_name": N_("File"),
    "size": N_("Size"),
    "protected_until": N_("Protected until"),
    "registration": N_("Registration"),
    "shipment": N_("Shipment"),
    "version": N_("Version"),
}

SETTLEMENT_STATUS_LABELS: dict[str, str] = {
    "proposed": N_("To approve"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}

MDF_STATUS_LABELS: dict[str, str] = {
    "requested": N_("Asked for"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "claimed": N_("Claimed"),
    "claim_approved": N_("Claim approved"),
    "claim_rejected": N_("Claim rejected"),
    "paid": N_("Paid"),
}

REGISTRATION_STATUS_LABELS: dict[str, str] = {
    "submitted": N_("Submitted"),
    "under_review": N_("Under review"),
    "info_requested": N_("Information requested"),
    "protected": N_("Protected"),
    "rejected": N_("Rejected"),
    "expired": N_("Expired"),
    "won": N_("Won"),
    "lost": N_("Lost"),
}

EVIDENCE_LABELS: dict[str, str] = {
    "tax_equal": N_("same tax number"),
    "tax_differs": N_("different tax numbers"),
    "domain_equal": N_("same domain {domain}"),
    "phone_equal": N_("same phone"),
    "name_similar": N_("names {similarity}% alike"),
    "place_differs": N_("different city"),
}


def evidence_text(evidence: dict[str, Any]) -> str:
    template = gettext(EVIDENCE_LABELS.get(str(evidence.get("code")), str(evidence.get("code"))))
    try:
        return template.format(**(evidence.get("params") or {}))
    except (KeyError, IndexError, ValueError):
        return template


NOTIFICATION_TEXTS: dict[str, str] = {
    "registration.awaits_review": N_(
        "{partner} registered {customer} ({number}); the customer may already be registered: please decide."
    ),
    "registration.protected": N_("Your registration {number} of {customer} is approved and protected."),
    "registration.rejected": N_("Your registration {number} of {customer} was rejected: {reason}"),
    "registration.info_requested": N_(
        "The channel manager asks for more about your registration {number} of {customer}: {reason}"
    ),
    "registration.expired": N_("The protection of your registration {number} of {customer} has ended."),
    "lead.offered": N_("A lead was offered to you: {customer} ({number}). Accept it before the deadline."),
    "lead.reinquiry": N_("{customer} ({number}), a lead you held, inquired again."),
    "order.submitted": N_("{buyer} placed order {number}."),
    "stock_report_overdue": N_("Your stock report was due on {due}. Please report your stock on hand."),
    "order.approved": N_("Your order {number} is approved."),
    "order.rejected": N_("Your order {number} was rejected: {reason}"),
    "order.cancelled": N_("Order {number} was cancelled: {reason}"),
    "order.shipped": N_("Order {number} shipped ({shipment}, tracking {tracking})."),
    "order.drop_shipped": N_("Order {number} shipped straight to {store} ({shipment})."),
    "order.received_with_discrepancy": N_(
        "Order {number}: shipment {shipment} arrived with a discrepancy: {discrepancy}"
    ),
    "order.return_requested": N_("The buyer of order {number} asks to return goods: {reason}"),
    "order.return_approved": N_("Your return of {sku} on order {number} was taken back."),
    "order.return_refused": N_("Your return of {sku} on order {number} was refused: {answer}"),
    "order.backorder_filled": N_("Stock for {sku} arrived for your order {number}: it will ship."),
    "quote.awaits_approval": N_("{partner}'s quote {number} for {customer} needs your approval."),
    "quote.approved": N_("Your quote {number} for {customer} is approved and can be sent."),
    "quote.accepted": N_("{name} accepted your quote {number} for {customer}."),
    "quote.declined": N_("{name} declined your quote {number} for {customer}."),
    "rebate.settlement_approved": N_(
        "Your {programme} rebate of {amount} {currency} for the period from {period} was approved and credited to your rebate fund."
    ),
    "mdf.requested": N_("{partner} asked for market development funds: {title}."),
    "mdf.claimed": N_("{partner} claimed market development funds for {title}."),
    "mdf.request_approved": N_("Your request for funds for {title} was approved."),
    "mdf.request_rejected": N_("Your request for funds for {title} was rejected: {answer}"),
    "mdf.claim_approved": N_("Your claim for {title} was approved."),
    "mdf.claim_rejected": N_("Your claim for {title} was rejected: {answer}"),
    "mdf.paid": N_("Your claim for {title} was paid."),
    "rebate.settlement_rejected": N_(
        "Your {programme} rebate settlement for the period from {period} was rejected."
    ),
}


def notification_text(kind: str, params: dict[str, str]) -> str:
    template = gettext(NOTIFICATION_TEXTS.get(kind, kind))
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


PROMOTION_KIND_LABELS: dict[str, str] = {
    "percent_off": N_("Percent off"),
    "amount_off": N_("Amount off each unit"),
    "fixed_price": N_("Special price"),
    "buy_x_get_y": N_("Buy X, get Y free"),
    "threshold": N_("Amount off every amount spent"),
    "gift": N_("Free gift"),
    "volume_tiers": N_("Volume tiers"),
    "bundle_price": N_("Bundle price"),
}

ORDER_STATUS_LABELS: dict[str, str] = {
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "partially_shipped": N_("Partly shipped"),
    "shipped": N_("Shipped"),
    "received": N_("Received"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
}

RETURN_STATUS_LABELS: dict[str, str] = {
    "requested": N_("Asked for"),
    "approved": N_("Taken back"),
    "refused": N_("Refused"),
}

PROMOTION_STATUS_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "active": N_("Active"),
    "ended": N_("Ended"),
}


QUOTE_STATUS_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "pending_approval": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "sent": N_("Sent"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
}

LEAD_STATUS_LABELS: dict[str, str] = {
    "pooled": N_("In the pool"),
    "offered": N_("Offered"),
    "accepted": N_("Accepted"),
    "closed": N_("Closed"),
}

LEAD_STAGE_LABELS: dict[str, str] = {
    "uql": N_("Unqualified"),
    "mql": N_("Marketing-qualified"),
    "sql": N_("Sales-qualified"),
    "won": N_("Won"),
    "lost": N_("Lost"),
}

LEAD_EVENT_LABELS: dict[str, str] = {
    "created": N_("added to the pool"),
    "offered": N_("offered to a partner"),
    "accepted": N_("accepted"),
    "declined": N_("given back"),
    "offer_lapsed": N_("not accepted in time"),
    "no_follow_up": N_("returned for want of follow-up"),
    "follow_up": N_("followed up"),
    "reinquiry": N_("the customer inquired again"),
    "no_partner_available": N_("no partner with room"),
    "registered": N_("registered as a deal"),
}


def field_label(field: str) -> str:
    return gettext(FIELD_LABELS[field]) if field in FIELD_LABELS else field


# Audited fields holding amounts and counts: shown in the reader's number format ("48.000" in
# German), with the decimals they were recorded with. Codes and numbers of things are left as they are.
_NUMBER_FIELDS = frozenset(
    {
        "amount",
        "balance",
        "credit_limit",
        "earned",
        "clawed_back",
        "quantity",
        "entries",
        "total",
        "fund_amount",
        "value",
        "units",
        "floor",
        "ceiling",
        "claimed_amount",
        "backordered",
        "discrepancy",
        "set_percent_off",
        "low_days",
        "high_days",
    }
)


_DATE_FIELDS = frozenset(
    {"usable_until", "starts_on", "ends_on", "period_start", "period_end", "protected_until"}
)
# Identifiers a person does not read, and whole structures (a settlement's worked periods, a
# programme's definition) that their own pages show: the activity list names the change without them.
_UNSHOWN_FIELDS = frozenset({"id", "path"})


# What a status means depends on what has it: an approved return is goods taken back.
_STATUS_LABELS_OF: dict[str, dict[str, str]] = {
    "order": ORDER_STATUS_LABELS,
    "registration": REGISTRATION_STATUS_LABELS,
    "promotion": PROMOTION_STATUS_LABELS,
    "quote": QUOTE_STATUS_LABELS,
    "lead": LEAD_STATUS_LABELS,
    "rebate_settlement": SETTLEMENT_STATUS_LABELS,
    "mdf_request": MDF_STATUS_LABELS,
}


def _structured(value: object) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
    )


def _entry_value(value: object, field: str, object_type: str) -> str:
    if isinstance(value, bool):
        return gettext(N_("yes") if value else N_("no"))
    if field == "status" and isinstance(value, str):
        labels = _STATUS_LABELS_OF.get(object_type, STATUS_LABELS)
        if value in labels:
            return gettext(labels[value])
    if field == "measure" and isinstance(value, str) and value in TARGET_LABELS:
        return gettext(TARGET_LABELS[value])
    if field in _DATE_FIELDS and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return format_date(date.fromisoformat(value[:10]))
    return audit_value(value, field)


def activity_details(entry: AuditEntry) -> list[tuple[str, str | None, str]]:
    """An activity entry's fields as its reader reads them: (label, value before or None, value)."""
    shown = entry.after or entry.before or {}
    details: list[tuple[str, str | None, str]] = []
    for field, value in shown.items():
        if field in _UNSHOWN_FIELDS or (_structured(value) and field not in _NUMBER_FIELDS):
            continue
        before = None
        if entry.before and entry.after and field in entry.before:
            before = _entry_value(entry.before[field], field, entry.object_type)
        details.append((field_label(field), before, _entry_value(value, field, entry.object_type)))
    return details


def audit_value(value: object, field: str | None = None) -> str:
    """An audited value as a person reads it: roles, statuses and kinds in words, amounts in the
    reader's number format, lists joined, empty as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(audit_value(v, field) for v in value) or "—"
    if isinstance(value, dict) and field in _NUMBER_FIELDS:  # amounts per currency, as a run records
        with contextlib.suppress(InvalidOperation, ValueError, TypeError):
            return format_list([format_money(Decimal(str(v)), str(c)) for c, v in value.items()]) or "—"
    if field in _NUMBER_FIELDS and not isinstance(value, bool):
        with contextlib.suppress(InvalidOperation, ValueError, TypeError):
            number = Decimal(str(value))
            if number.is_finite():
                exponent = number.as_tuple().exponent
                return format_number(
                    number, -exponent if isinstance(exponent, int) and exponent < 0 else None
                )
    if isinstance(value, str):
        for labels in (ROLE_LABELS, STATUS_LABELS, KIND_LABELS, MDF_ACTIVITY_LABELS):
            if value in labels:
                return gettext(labels[value])
    return str(value)
