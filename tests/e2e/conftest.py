"""Browser tests: the demo channel served by ``portal serve`` and driven in Debian's chromium.

The server runs in its own process on a free port with its own SQLite file, exactly as a person
running the demo would start it; nothing is patched inside it.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")
DEMO_PASSWORD = "channel-demo-2026"
_BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class DemoServer:
    base_url: str
    database: Path

    def organisation_id(self, code: str) -> str:
        """A partner's id, read straight from the demo database (what a URL of its page holds)."""
        with sqlite3.connect(self.database) as connection:
            row = connection.execute("SELECT id FROM channel_organisation WHERE code = ?", (code,)).fetchone()
        assert row, code
        return str(row[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"portal serve stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/sign-in", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"portal serve did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    workdir = Path(tempfile.mkdtemp(prefix="channel-portal-e2e-"))
    database = workdir / "demo.sqlite"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_ENV": "development",
        # Every test signs in from 127.0.0.1; the suite must not trip the sign-in rate limit.
        "PORTAL_SIGN_IN_ATTEMPTS_PER_MINUTE": "1000",
    }
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([_BIN / "portal", "demo", "--no-serve"], env=env, check=True, capture_output=True)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env["PORTAL_BASE_URL"] = base_url
    log = workdir / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [_BIN / "portal", "serve", "--port", str(port)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_serving(base_url, server, log)
        yield DemoServer(base_url, database)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, demo_server: DemoServer) -> Iterator[BrowserContext]:
    # A fresh context per test: its own cookies, as a different person at a different desk.
    ctx = browser.new_context(
        base_url=demo_server.base_url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> None:
    """With E2E_SCREENSHOTS=<folder>, keep a full-page picture for a person to look at."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
