"""A store orders from its distributor, the distributor approves and ships, the store receives."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DemoServer, screenshot
from tests.e2e.pages import sign_in


def test_a_store_orders_its_distributor_ships_and_the_store_receives(
    browser: Browser, demo_server: DemoServer
) -> None:
    store = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(store, "manager@s-001.huadong.example")
    on_hand_before = _on_hand(store, "HOB-G3-75")  # other journeys may have stocked this store already
    store.goto("/s/cart")
    store.fill("[data-testid=cart-items]", "HOB-G3-75 2")
    store.click("[data-testid=price-cart]")
    store.fill("#f-note", "Before Friday, please")
    store.click("[data-testid=place-order]")
    expect(store.locator("[data-testid=order-status]")).to_have_text(re.compile("Submitted|已提交"))
    number = store.inner_text("[data-testid=order-number]")
    order_url = store.url.replace("/s/", "/d/")

    supplier = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(supplier, "admin@huadong.example")
    # Two hobs earn a free grease filter (a demo promotion): both must be in stock to ship in full.
    for sku, units in (("HOB-G3-75", "5"), ("FILTER-HOOD", "10")):
        supplier.goto("/d/stock")
        supplier.fill("#f-sku", sku)
        supplier.fill("#f-quantity", units)
        supplier.fill("#f-reason", "Delivery from the factory")
        supplier.click("[data-testid=adjust-stock]")
        expect(supplier.locator(f"[data-testid=stock] tr[data-sku={sku}]")).to_contain_text(units)
    supplier.goto("/d/orders?tab=received")
    supplier.click(f"text={number}")
    assert supplier.url == order_url
    supplier.click("[data-testid=approve-order]")
    expect(supplier.locator("[data-testid=order-status]")).to_have_text("Approved")
    supplier.fill("#f-carrier", "SF Express")
    supplier.fill("#f-tracking", "SF1234567890")
    supplier.click("[data-testid=ship-order]")
    expect(supplier.locator("[data-testid=order-status]")).to_have_text("Shipped")
    screenshot(supplier, "order-shipped")

    store.reload()
    expect(store.locator("[data-testid=shipment]")).to_contain_text("SF1234567890")
    store.click("[data-testid=receive-shipment]")
    expect(store.locator("[data-testid=order-status]")).to_have_text(re.compile("Received|已收货"))
    store.goto("/s/stock")
    expect(store.locator("[data-testid=stock] tr[data-sku=HOB-G3-75] td:nth-child(2)")).to_have_text(
        str(on_hand_before + 2)
    )  # on hand


def _on_hand(page: Page, sku: str) -> int:
    """The store's on-hand units of a product, 0 when it has never held any."""
    page.goto("/s/stock")
    cell = page.locator(f"[data-testid=stock] tr[data-sku={sku}] td:nth-child(2)")
    return int(cell.inner_text().replace(",", "")) if cell.count() else 0
