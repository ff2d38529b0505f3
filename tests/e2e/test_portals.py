"""Each kind of partner signs in to its own portal and sees its own part of the channel."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer, screenshot
from tests.e2e.pages import figure, sign_in, sign_out


def test_manufacturer_admin_lands_on_the_manufacturer_portal_with_the_whole_channel(page: Page) -> None:
    sign_in(page, "admin@aurora.example")

    expect(page).to_have_url(re.compile(r"/m/?$"))
    expect(page.get_by_test_id("organisation-name")).to_have_text("Aurora Home Appliances Co., Ltd.")
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Zhang Min")
    assert figure(page, "distributors") == 9  # three tier-1 distributors and six dealers
    assert figure(page, "stores") == 40
    screenshot(page, "manufacturer-home-en")


def test_distributor_admin_sees_its_own_dealers_and_stores_only(page: Page) -> None:
    sign_in(page, "admin@huadong.example")

    expect(page).to_have_url(re.compile(r"/d/?$"))
    expect(page.get_by_test_id("organisation-name")).to_contain_text("Huadong")
    assert figure(page, "distributors") == 2
    assert figure(page, "stores") == 14
    screenshot(page, "distributor-home-en")

    page.click("[data-testid=figure-distributors]")
    dealers = page.locator("[data-testid=partner-table] [data-testid=partner-name]")
    expect(dealers).to_have_count(3)  # the distributor itself at the root of its tree, then its dealers
    names = dealers.all_inner_texts()
    assert "Huadong" in names[0]
    assert any("Xinghe" in name for name in names)
    assert not any("Jingjin" in name for name in names)


def test_store_manager_lands_on_the_store_portal_without_network_figures(page: Page) -> None:
    sign_in(page, "manager@s-001.huadong.example")

    expect(page).to_have_url(re.compile(r"/s/?$"))
    expect(page.get_by_test_id("organisation-name")).to_have_text("Xujiahui Store")
    expect(page.get_by_test_id("supplier")).to_contain_text("Huadong")
    expect(page.get_by_test_id("figure-stores")).to_have_count(0)
    assert figure(page, "users") >= 2  # the manager and the clerk


def test_a_store_clerk_who_chose_chinese_reads_the_portal_in_chinese(page: Page) -> None:
    sign_in(page, "clerk@s-001.huadong.example")

    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^zh"))
    expect(page.locator("form[action='/sign-out'] button")).to_have_text("退出登录")
    screenshot(page, "store-home-zh")


def test_a_person_switches_the_language_and_back(page: Page) -> None:
    sign_in(page, "admin@huadong.example")

    page.click("button[name=locale][value=zh_Hans]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^zh"))
    expect(page.locator("[data-testid=figure-stores] .label")).to_have_text("门店")
    screenshot(page, "distributor-home-zh")

    page.click("button[name=locale][value=en]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=figure-stores] .label")).to_have_text("Stores")


def test_a_distributor_cannot_open_the_manufacturer_portal(page: Page) -> None:
    sign_in(page, "admin@huadong.example")

    response = page.goto("/m")
    assert response is not None and response.status == 403


def test_a_distributor_cannot_see_a_sibling_distributor_page_or_record(
    page: Page, demo_server: DemoServer
) -> None:
    sign_in(page, "admin@huadong.example")
    sibling = demo_server.organisation_id("D-NORTH")
    own_dealer = demo_server.organisation_id("D-EAST-HZ")

    assert page.goto(f"/d/partners/{own_dealer}").status == 200  # type: ignore[union-attr]
    assert page.goto(f"/d/partners/{sibling}").status == 404  # type: ignore[union-attr]
    # The same session on the JSON API: the sibling does not exist for this partner.
    assert page.request.get(f"/api/partners/{own_dealer}").status == 200
    assert page.request.get(f"/api/partners/{sibling}").status == 404


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(page: Page) -> None:
    sign_in(page, "admin@huadong.example", password="not-the-password")

    expect(page.get_by_test_id("sign-in-error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    assert page.goto("/d").url.endswith("/sign-in?next=%2Fd") or "/sign-in" in page.url


def test_after_signing_out_the_portal_asks_for_sign_in_again(page: Page) -> None:
    sign_in(page, "admin@huadong.example")
    sign_out(page)

    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.goto("/d")
    expect(page).to_have_url(re.compile(r"/sign-in"))
