"""The manufacturer reads the channel's performance and one partner's scorecard, charts drawn."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer, screenshot
from tests.e2e.pages import sign_in


def drawn_charts(page: Page) -> int:
    """Charts on the page that hold at least one bar, dot or line (an empty frame does not count)."""
    charts = page.locator("svg.chart")
    return sum(
        1 for i in range(charts.count()) if charts.nth(i).locator("rect, circle, polyline").count() > 0
    )


def test_the_channel_overview_and_a_partner_scorecard_show_their_charts(
    page: Page, demo_server: DemoServer
) -> None:
    sign_in(page, "admin@aurora.example")

    page.goto("/m/performance?period=year")
    expect(page.get_by_role("heading", name="Channel performance")).to_be_visible()
    assert drawn_charts(page) == 5
    expect(page.locator("table").last.locator("tbody tr")).to_have_count(49)  # every partner of the demo
    screenshot(page, "performance-overview-en")

    page.get_by_role("link", name="Huadong Appliance Trading Co., Ltd.").first.click()
    expect(
        page.get_by_role("heading", name="Scorecard of Huadong Appliance Trading Co., Ltd.")
    ).to_be_visible()
    assert drawn_charts(page) == 3
    expect(page.locator("[data-score]")).not_to_have_text("–")
    expect(page.get_by_text("Units sold to end customers as a share")).to_be_visible()
    screenshot(page, "performance-scorecard-en")

    page.locator("a[href*='/m/orders/']").first.click()
    expect(page).to_have_url(re.compile(r"/m/orders/[0-9a-f-]+$"))


def test_a_store_sees_its_targets_and_achievement(page: Page) -> None:
    sign_in(page, "manager@s-001.huadong.example")

    page.goto("/s/performance?period=month")
    # the store manager reads the portal in Chinese
    expect(page.get_by_role("heading", name="目标与达成")).to_be_visible()
    expect(page.get_by_role("cell", name="销售（数量）")).to_be_visible()
    assert drawn_charts(page) >= 2
    screenshot(page, "performance-store-en")


def test_a_distributor_sees_its_own_score_and_its_dealers_and_stores(page: Page) -> None:
    sign_in(page, "admin@huadong.example")

    page.goto("/d/performance?period=quarter")
    expect(page.locator("[data-testid=own-score]")).to_be_visible()
    expect(page.locator("table").last.locator("tbody tr")).to_have_count(16)  # two dealers, fourteen stores
    assert drawn_charts(page) == 5
    screenshot(page, "performance-distributor")


def test_a_channel_manager_filters_the_overview_by_a_category_named_in_chinese(page: Page) -> None:
    sign_in(page, "cm.north@aurora.example")  # reads the portal in Chinese

    page.goto("/m/performance?period=year")
    page.get_by_label("产品类别").select_option(label="厨房电器")
    page.get_by_role("button", name="显示").click()

    expect(page).to_have_url(re.compile(r"category=KITCHEN"))
    expect(page.locator("[data-testid=category-note]")).to_contain_text("已按产品类别筛选")
    expect(page.get_by_label("产品类别")).to_have_value("KITCHEN")
    expect(page.get_by_text("不按类别筛选。", exact=True)).to_be_visible()  # under the deal and lead funnel
    assert drawn_charts(page) == 5
    screenshot(page, "performance-overview-category-zh")
