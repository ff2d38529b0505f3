"""A store sees its projected rebate move as soon as it places an order (and what it earned once the
order is received), pays part of an order from its rebate fund, and a distributor claims MDF."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DemoServer, screenshot
from tests.e2e.pages import sign_in


def _standing(page: object, name: str) -> str:
    row = page.locator("[data-testid=rebate-standing] tr", has_text="Store quarterly purchase rebate")  # type: ignore[attr-defined]
    return str(row.locator(f"[data-testid={name}]").inner_text())


def test_a_store_sees_its_projected_rebate_move_when_it_places_an_order_and_earns_on_receipt(
    browser: Browser, demo_server: DemoServer
) -> None:
    store = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(store, "manager@s-001.huadong.example")
    store.goto("/s/incentives")
    volume_before, projected_before = _standing(store, "volume"), _standing(store, "projected")
    on_order_before = _standing(store, "on-order")

    store.goto("/s/cart")
    store.fill("[data-testid=cart-items]", "HOB-G3-75 8")
    store.click("[data-testid=price-cart]")
    store.click("[data-testid=place-order]")
    expect(store.locator("[data-testid=order-status]")).to_have_text(re.compile("Submitted|已提交"))
    number = store.inner_text("[data-testid=order-number]")
    order_url = store.url
    # Placed, not received: on order, in the projection, not yet earned.
    store.goto("/s/incentives")
    assert _standing(store, "volume") == volume_before
    assert _standing(store, "on-order") != on_order_before
    projected_placed = _standing(store, "projected")
    assert projected_placed != projected_before
    screenshot(store, "rebate-standing-on-order")
    store.goto(order_url)
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
    assert _standing(store, "on-order") == on_order_before
    assert _standing(store, "projected") == projected_placed
    screenshot(store, "rebate-standing")


def _amount(text: str) -> Decimal:
    """An amount as the page shows it ("CN¥1,798.80", "-CN¥150.00")."""
    figures = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    return Decimal(figures) * (-1 if "-" in text else 1)


def test_a_store_pays_part_of_an_order_from_its_rebate_fund(
    browser: Browser, demo_server: DemoServer
) -> None:
    store = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(store, "manager@s-001.huadong.example")
    store.goto("/s/incentives")
    shown_balance = store.inner_text("[data-testid=fund-balance]")  # last quarter's rebate, settled
    balance_before = _amount(shown_balance)
    assert balance_before > Decimal(150)

    store.goto("/s/cart")
    store.fill("[data-testid=cart-items]", "HOB-G3-75 2")
    store.click("[data-testid=price-cart]")
    # The demo's store manager reads the portal in Chinese: the figures are what the test checks.
    expect(store.locator("[data-testid=fund-available]")).to_contain_text(shown_balance)
    expect(store.locator("[data-testid=fund-available]")).to_contain_text("10%")
    expect(store.locator("[data-testid=fund-amount]")).to_have_value("")
    store.fill("[data-testid=fund-amount]", "99999")
    store.click("[data-testid=place-order]")
    expect(store.locator(".flash-error")).to_contain_text(re.compile("may pay at most|最多可支付"))
    store.fill("[data-testid=fund-amount]", "150")
    screenshot(store, "cart-with-rebate-fund")
    store.click("[data-testid=place-order]")

    expect(store.locator("[data-testid=order-status]")).to_have_text(re.compile("Submitted|已提交"))
    number = store.inner_text("[data-testid=order-number]")
    expect(store.locator("[data-testid=fund-step]")).to_contain_text(
        re.compile("Paid from rebate fund|返利资金抵扣")
    )
    assert _amount(store.inner_text("[data-testid=fund-paid]")) == Decimal("-150.00")
    total = _amount(store.inner_text("[data-testid=order-total]"))
    assert _amount(store.inner_text("[data-testid=order-total-due]")) == total - Decimal("150.00")
    screenshot(store, "order-paid-from-rebate-fund")
    store.goto("/s/incentives")
    assert _amount(store.inner_text("[data-testid=fund-balance]")) == balance_before - Decimal("150.00")
    expect(store.locator("[data-testid=fund-ledger] tr", has_text=number)).to_contain_text("150.00")


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5dd5e1a0000000049454e44ae426082"
)


def test_a_distributor_asks_for_funds_claims_with_proof_and_the_manufacturer_pays(
    browser: Browser, demo_server: DemoServer
) -> None:
    dealer = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(dealer, "admin@huadong.example")
    dealer.goto("/d/incentives/mdf")
    dealer.select_option("#f-activity", "advertising")
    dealer.fill("#f-title", "Radio spots, browser journey")
    dealer.fill("#f-plan", "Twenty spots on city radio.")
    dealer.fill("#f-starts_on", "2026-12-01")
    dealer.fill("#f-ends_on", "2026-12-20")
    dealer.fill("#f-amount", "5000")
    dealer.click("[data-testid=mdf-ask]")
    expect(dealer.locator("[data-testid=mdf-status]")).to_have_text("Asked for")
    request_url = dealer.url

    factory = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(factory, "admin@aurora.example")
    factory.goto(request_url.replace("/d/", "/m/"))
    factory.fill("#f-amount", "4000")
    factory.click("[data-testid=mdf-approve]")
    expect(factory.locator("[data-testid=mdf-status]")).to_have_text("Approved")

    dealer.reload()
    dealer.set_input_files("#f-file", files=[{"name": "spots.png", "mimeType": "image/png", "buffer": PNG}])
    dealer.click("[data-testid=mdf-attach]")
    expect(dealer.locator("[data-testid=mdf-proofs] a")).to_have_text("spots.png")
    dealer.fill("#f-amount", "3800")
    dealer.click("[data-testid=mdf-claim]")
    expect(dealer.locator("[data-testid=mdf-status]")).to_have_text("Claimed")

    factory.reload()
    with factory.expect_download() as download:
        factory.click("[data-testid=mdf-proofs] a")
    assert download.value.suggested_filename == "spots.png"
    factory.click("[data-testid=mdf-approve]")
    expect(factory.locator("[data-testid=mdf-status]")).to_have_text("Claim approved")
    factory.click("[data-testid=mdf-pay]")
    expect(factory.locator("[data-testid=mdf-status]")).to_have_text("Paid")
    factory.goto("/m/incentives/mdf")
    expect(factory.locator("[data-testid=mdf-funnel-region]").first).to_be_visible()
    screenshot(factory, "mdf-queue")

    dealer.reload()
    expect(dealer.locator("[data-testid=mdf-claimed]")).to_have_text(re.compile("3,800.00"))
    screenshot(dealer, "mdf-request")


def test_the_manufacturer_defines_a_rebate_programme_through_the_form(
    browser: Browser, demo_server: DemoServer
) -> None:
    factory = browser.new_context(base_url=demo_server.base_url, locale="en-GB").new_page()
    sign_in(factory, "admin@aurora.example")
    factory.goto("/m/incentives/programmes/new")
    factory.select_option("[data-testid=programme-basis-kind]", "growth")
    expect(factory.locator("#f-growth_source")).to_be_visible()  # the basis's own field, same page
    factory.fill("#f-code", "HOBS-GROWTH-27")
    factory.fill("#f-name", "Hob growth 2027")
    factory.fill("#f-starts_on", "2027-01-01")
    factory.select_option("#f-scope-kind-0", "category")
    factory.fill("#f-scope-value-0", "HOBS")
    # A tier below the one before it is refused beside its field; the rest stays as typed.
    factory.fill("#f-tier-threshold-1", "50000")
    factory.click("[data-testid=save-programme]")
    expect(factory.locator("#e-tiers-1-kind")).to_have_text("Each tier must start above the one before it.")
    expect(factory.locator("#f-name")).to_have_value("Hob growth 2027")
    expect(factory.locator("#f-scope-value-0")).to_have_value("HOBS")
    factory.fill("#f-tier-threshold-1", "250000")
    factory.fill("#f-tier-threshold-3", "800000")
    factory.fill("#f-tier-percent-3", "5")
    factory.check("[data-testid=mode-slab]")
    factory.fill("#f-cap", "50000")
    screenshot(factory, "rebate-programme-form")
    factory.click("[data-testid=save-programme]")

    expect(factory.locator("h1")).to_contain_text("Hob growth 2027")
    rules = factory.locator("pre").first.inner_text()
    assert '"type": "growth"' in rules and '"HOBS"' in rules and '"slab"' in rules
    assert '"800000"' in rules and '"50000"' in rules
