"""A store checks its prices: the catalogue at its own prices, then a cart with every step explained."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.pages import settled, sign_in


def test_a_store_manager_sees_the_catalogue_at_the_stores_own_prices(page: Page) -> None:
    sign_in(page, "manager@s-001.huadong.example")

    page.goto("/s/catalogue?q=HOB-G2")

    own = page.locator("[data-testid=own-price]").first
    expect(own).to_contain_text("1,199")  # Huadong's price to its stores, not the list price of 1,299
    screenshot(page, "store-catalogue")


def test_a_cart_shows_the_waterfall_free_units_gifts_and_what_is_nearly_reached(page: Page) -> None:
    sign_in(page, "manager@s-001.huadong.example")
    page.goto("/s/cart")

    page.fill("[data-testid=cart-items]", "HOB-G2-60 2\nKETTLE-17, 6\nWM-F8 4")
    page.click("[data-testid=price-cart]")

    expect(page.locator("[data-testid=waterfall]")).to_be_visible()
    lines = page.locator("[data-testid=cart-line]")
    expect(lines).to_have_count(5)  # three products, the filter for two hobs, the pan support over 8,000
    kettle = page.locator("[data-testid=cart-line][data-sku=KETTLE-17]")
    expect(kettle).to_contain_text(re.compile("2 free|免费 2 件"))
    gift = page.locator("[data-testid=cart-line][data-sku=FILTER-HOOD]")
    expect(gift.locator("[data-testid=line-total]")).to_contain_text("0.00")
    hints = page.locator("[data-testid=hints]")
    expect(hints).to_contain_text(re.compile("1"))  # one more washer for the 3% tier
    total = page.locator("[data-testid=cart-total]").inner_text()
    assert re.search(r"\d", total)
    screenshot(page, "store-cart-waterfall")


def test_a_dealer_configures_a_kitchen_set_and_is_told_every_broken_rule(page: Page) -> None:
    sign_in(page, "sales@huadong.example")
    page.goto("/d/catalogue?q=KITCHEN-SET")
    page.click("[data-testid=product-name]")

    page.fill("#q-HOB-IND-60", "1")
    page.fill("#q-HOOD-T-90", "1")
    page.fill("#q-FILTER-HOOD", "1")
    page.fill("#q-GRATE-CI", "1")
    page.click("[data-testid=check-configuration]")

    problems = page.locator("[data-testid=configuration-problems] li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("2 needed, 1 chosen")
    expect(problems.nth(1)).to_contain_text("cannot be combined with")
    expect(problems.nth(1)).to_contain_text("Induction hob")
    screenshot(page, "kitchen-set-configuration")

    page.fill("#q-FILTER-HOOD", "2")
    page.fill("#q-GRATE-CI", "")
    page.click("[data-testid=check-configuration]")
    expect(page.locator("[data-testid=configuration-valid]")).to_be_visible()


def test_a_channel_manager_checks_previews_and_publishes_a_promotion(page: Page) -> None:
    sign_in(page, "admin@aurora.example")
    page.goto("/m/promotions/new")
    page.select_option("[data-testid=promotion-kind]", "buy_x_get_y")
    expect(page.locator("#f-buy")).to_be_visible()  # the kind's own fields, without leaving the page
    settled(page)
    page.select_option("[data-testid=promotion-kind]", "percent_off")
    expect(page.locator("#f-buy")).to_have_count(0)
    settled(page)

    page.fill("#f-code", "HOBS-WINTER")
    page.fill("#f-name", "Winter hobs")
    page.fill("#f-percent", "10")
    page.select_option("#f-target-kind-0", "category")
    page.fill("#f-target-value-0", "HOBS")
    page.fill("#f-starts_at", "2026-01-01T00:00")
    page.click("[data-testid=check-promotion]")

    expect(page.locator("[data-testid=promotion-problems]")).to_contain_text("keeps every rule")
    expect(page.locator("#f-target-value-0")).to_have_value("HOBS")

    page.fill("[data-testid=what-if-carts]", "S-001 HOB-G2-60 2\nS-001 KETTLE-17 6\n\nS-002 WM-F8 1")
    page.click("[data-testid=preview-promotion]")

    preview = page.locator("[data-testid=what-if]")
    expect(preview).to_contain_text("1 of 2")  # the washer cart has no hob
    expect(page.locator("[data-testid=what-if-cost]")).to_contain_text(re.compile(r"\d"))
    screenshot(page, "promotion-form")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "promotion-form-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("[data-testid=save-promotion]")
    expect(page.locator("[data-testid=promotion-status]")).to_have_text("Draft")
    page.click("[data-testid=activate-promotion]")
    expect(page.locator("[data-testid=promotion-status]")).to_have_text("Active")


def test_a_wrong_promotion_form_shows_each_error_by_its_field(page: Page) -> None:
    sign_in(page, "admin@aurora.example")
    page.goto("/m/promotions/new?kind=volume_tiers")
    page.fill("#f-name", "Washer volume")
    page.fill("#f-tier-min-2", "20")
    page.fill("#f-tier-percent-2", "8")
    page.click("[data-testid=volume-tiers] button")  # another row, without leaving the page
    expect(page.locator("#f-tier-min-3")).to_have_value("")
    expect(page.locator("#f-tier-min-2")).to_have_value("20")
    page.fill("#f-tier-percent-1", "150")
    page.click("[data-testid=check-promotion]")

    expect(page.locator("#e-code")).to_have_text("This field is required.")
    expect(page.locator("#e-volume_tiers")).to_have_text("A percentage above 0 and at most 100.")
    screenshot(page, "promotion-form-errors")
