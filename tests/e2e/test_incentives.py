"""A store sees its rebate standing move once an order of its own is received."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DemoServer, screenshot
from tests.e2e.pages import sign_in


def _standing(page: object, name: str) -> str:
    row = page.locator("[data-testid=rebate-standing] tr", has_text="Store quarterly purchase rebate")  # type: ignore[attr-defined]
    return str(row.locator(f"[data-testid={name}]").inner_text())


def test_a_store_sees_its_projected_rebate_move_when_its_order_is_received(
    browser: Browser, demo_server: DemoServer
) -> None:
    store = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(store, "manager@s-001.huadong.example")
    store.goto("/s/incentives")
    volume_before, projected_before = _standing(store, "volume"), _standing(store, "projected")

    store.goto("/s/cart")
    store.fill("[data-testid=cart-items]", "HOB-G3-75 8")
    store.click("[data-testid=price-cart]")
    store.click("[data-testid=place-order]")
    expect(store.locator("[data-testid=order-status]")).to_have_text(re.compile("Submitted|已提交"))
    number = store.inner_text("[data-testid=order-number]")
    supplier = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(supplier, "admin@huadong.example")
    # Eight hobs earn four grease filters, and an order past 8,000 a pan support (demo promotions).
    for sku, units in (("HOB-G3-75", "8"), ("FILTER-HOOD", "4"), ("GRATE-CI", "1")):
        supplier.goto("/d/stock")
        supplier.fill("#f-sku", sku)
        supplier.fill("#f-quantity", units)
        supplier.fill("#f-reason", "Delivery from the factory")
        supplier.click("[data-testid=adjust-stock]")
        expect(supplier.locator(f"[data-testid=stock] tr[data-sku={sku}]")).to_be_visible()
    supplier.goto("/d/orders?tab=received")
    supplier.click(f"text={number}")
    supplier.click("[data-testid=approve-order]")
    expect(supplier.locator("[data-testid=order-status]")).to_have_text("Approved")
    supplier.click("[data-testid=ship-order]")
    expect(supplier.locator("[data-testid=order-status]")).to_have_text("Shipped")
    store.reload()
    store.click("[data-testid=receive-shipment]")
    expect(store.locator("[data-testid=order-status]")).to_have_text(re.compile("Received|已收货"))

    store.goto("/s/incentives")

    assert _standing(store, "volume") != volume_before
    assert _standing(store, "projected") != projected_before
    screenshot(store, "rebate-standing")
