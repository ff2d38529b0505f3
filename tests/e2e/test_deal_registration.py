"""Two dealers claim one hotel; the channel manager sees the evidence and settles who owns the deal."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DemoServer, screenshot
from tests.e2e.pages import sign_in


def _register(page: Page, company: str, website: str) -> str:
    page.goto("/d/registrations/new")
    page.fill("#f-company_name", company)
    page.fill("#f-website", website)
    page.fill("#f-city", "Hangzhou")
    page.fill("#f-product_lines", "OVENS")
    page.fill("#f-estimated_value", "380000")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page.url


def test_a_second_dealer_claiming_the_same_hotel_is_settled_by_the_channel_manager(
    page: Page, browser: Browser, demo_server: DemoServer
) -> None:
    sign_in(page, "sales@huadong.example")
    _register(page, "杭州西子湖畔国宾馆有限公司", "www.xizi-guest.example")
    expect(page.locator("[data-testid=registration-status]")).to_have_text(re.compile("Protected"))

    rival = browser.new_context(base_url=demo_server.base_url, locale="en-GB")
    other = rival.new_page()
    sign_in(other, "sales@lingnan.example")
    # The same web domain as a protected registration: refused at once, without saying whose it is.
    _register(other, "Xizi Lakeside Guesthouse", "reservations@xizi-guest.example")
    expect(other.locator("[role=alert]")).to_contain_text("already registered and protected")
    expect(other.locator("main")).not_to_contain_text("Huadong")
    # A name alone that is alike: a channel manager decides.
    rival_url = _register(other, "西子湖畔国宾馆", "")
    expect(other.locator("[data-testid=registration-status]")).to_have_text(re.compile("Under review"))
    number = other.inner_text("h1 .code")
    expect(other.locator("main")).to_contain_text("already registered or under review")
    expect(other.locator("main")).not_to_contain_text("Huadong")

    manager = browser.new_context(base_url=demo_server.base_url, locale="en-GB")
    cm = manager.new_page()
    sign_in(cm, "cm.east@aurora.example")
    expect(cm.locator("[data-testid=unread-count]")).to_be_visible()
    cm.click("[data-testid=notifications-link]")
    cm.click(f"[data-testid=notifications] a:has-text('{number}')")
    conflicts = cm.locator("[data-testid=conflicts]")
    expect(conflicts).to_contain_text("Huadong")
    expect(conflicts).to_contain_text("杭州西子湖畔国宾馆有限公司")
    expect(conflicts).to_contain_text(re.compile(r"names \d+% alike"))
    screenshot(cm, "registration-conflict")
    # The hotel is protected for Huadong: approving would be refused, so it is not offered.
    expect(cm.locator("[data-testid=approval-blocked]")).to_contain_text("protects this customer for Huadong")
    expect(cm.locator("[data-testid=approve-registration]")).to_have_count(0)
    cm.fill("#f-reason", "Huadong registered the hotel first")
    cm.click("button[name=decision][value=reject]")
    expect(cm.locator("[data-testid=registration-status]")).to_have_text(re.compile("Rejected"))

    other.goto(rival_url)
    expect(other.locator("[data-testid=registration-status]")).to_have_text(re.compile("Rejected"))
    expect(other.locator("main")).to_contain_text("Huadong registered the hotel first")
    rival.close()
    manager.close()
