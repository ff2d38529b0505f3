"""What a person does on the portal's pages, in their words; the tests read as the steps."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.e2e.conftest import DEMO_PASSWORD


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button.wide")
    page.wait_for_load_state("networkidle")


def figure(page: Page, name: str) -> int:
    text = page.inner_text(f"[data-testid=figure-{name}] .value")
    return int("".join(ch for ch in text if ch.isdigit()))


def sign_out(page: Page) -> None:
    page.click("form[action='/sign-out'] button")
    page.wait_for_load_state("networkidle")


def settled(page: Page) -> None:
    """Wait until htmx has swapped and settled what a request brought: new content is wired (its own
    triggers answer) only once settled, a few milliseconds after it shows, faster than a person
    but not than a test."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
