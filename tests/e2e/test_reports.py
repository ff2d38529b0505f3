"""A store uploads a stock report with a mistake, sees it in the check, uploads the fixed file and
saves it; its distributor and the manufacturer then see the reported stock in the channel inventory."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DemoServer, screenshot
from tests.e2e.pages import sign_in


def test_a_store_reports_stock_and_the_channel_sees_it(
    browser: Browser, demo_server: DemoServer, tmp_path: Path
) -> None:
    day = datetime.now(UTC).date().isoformat()
    wrong = tmp_path / "stock.csv"
    wrong.write_text(f"sku,date,quantity\nHOB-G3-75,{day},7\nNO-SUCH-SKU,{day},2\nFILTER-HOOD,{day},-1\n")
    fixed = tmp_path / "stock-fixed.csv"
    fixed.write_text(f"sku,date,quantity\nHOB-G3-75,{day},7\nFILTER-HOOD,{day},13\n")

    store = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(store, "manager@s-001.huadong.example")
    store.goto("/s/reports")
    store.select_option("#f-kind", "stock")
    store.set_input_files("#f-file", str(wrong))
    store.click("[data-testid=upload-report]")
    problems = store.locator("[data-testid=preview-problems]")
    expect(problems).to_contain_text("NO-SUCH-SKU")
    expect(problems.locator("tbody tr")).to_have_count(2)
    expect(problems.locator("tbody tr").first.locator("td").first).to_have_text("3")  # the row in the file
    expect(store.locator("[data-testid=confirm-report]")).to_have_count(0)
    screenshot(store, "report-preview-with-errors")

    store.goto("/s/reports")
    store.set_input_files("#f-file", str(fixed))
    store.click("[data-testid=upload-report]")
    expect(store.locator("[data-testid=preview-lines] tbody tr")).to_have_count(2)
    screenshot(store, "report-preview-clean")
    store.click("[data-testid=confirm-report]")
    expect(store.locator(".flash-success")).to_contain_text(re.compile(r"1\D+2"))  # 1 report, 2 lines
    row = store.locator("[data-testid=reports] tbody tr").first
    expect(row).to_contain_text(re.compile("Stock on hand|现有库存"))
    expect(row).to_contain_text("20")  # units
    screenshot(store, "report-list")
    row.locator("a").first.click()
    expect(store.locator("[data-testid=report-lines]")).to_contain_text("FILTER-HOOD")

    distributor = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(distributor, "admin@huadong.example")
    distributor.goto("/d/inventory?sku=FILTER-HOOD")
    reported = distributor.locator("[data-testid=inventory] tr[data-partner=S-001][data-sku=FILTER-HOOD]")
    expect(reported.locator("[data-testid=on-hand]")).to_have_text("13")
    screenshot(distributor, "inventory-distributor")

    maker = browser.new_context(base_url=demo_server.base_url, locale="zh-CN").new_page()
    sign_in(maker, "admin@aurora.example")
    maker.goto("/m/inventory")
    expect(
        maker.locator(
            "[data-testid=inventory] tr[data-partner=S-001][data-sku=HOB-G3-75] [data-testid=on-hand]"
        )
    ).to_have_text("7")
    expect(maker.locator("h1")).to_have_text(re.compile("渠道库存|Channel inventory"))
    screenshot(maker, "inventory-manufacturer")
    maker.goto("/m/inventory/settings")
    screenshot(maker, "inventory-settings")
