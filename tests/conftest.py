"""Test database per engine: SQLite by default, PostgreSQL when TEST_DATABASE_URL points at it.

The engine is chosen before any project module is imported (Piccolo binds tables to the engine
``piccolo_conf`` builds from DATABASE_URL). Migrations run once per session; each test that asks
for ``db`` starts from the migrated, empty schema: on SQLite a copy of a template file, on
PostgreSQL a TRUNCATE of every table.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

_WORKDIR = Path(tempfile.mkdtemp(prefix="channel-portal-tests-"))
_SQLITE_FILE = _WORKDIR / "test.sqlite"
_SQLITE_TEMPLATE = _WORKDIR / "template.sqlite"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
os.environ["DATABASE_URL"] = TEST_DATABASE_URL or f"sqlite:///{_SQLITE_FILE}"
os.environ["PORTAL_ENV"] = "test"

from argon2 import PasswordHasher  # noqa: E402
from piccolo.apps.migrations.commands.forwards import run_forwards  # noqa: E402
from piccolo.conf.apps import Finder  # noqa: E402

from channel import passwords  # noqa: E402
from channel.transactions import engine, is_postgres  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from incentives.services.fund import provide as provide_rebate_fund  # noqa: E402

provide_rebate_fund()  # as the application does at start: orders pay from their buyer's rebate fund

# Hashing stays argon2id, only cheaper: the suites create hundreds of users.
passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

ON_POSTGRES = bool(TEST_DATABASE_URL)
logging.getLogger("httpx").setLevel(logging.WARNING)


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL if ON_POSTGRES else 'SQLite ' + str(_SQLITE_FILE)}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip)


def app_table_names() -> list[str]:
    return sorted(table._meta.tablename for table in Finder().get_table_classes())


async def _migrate_quietly() -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards("all")
    assert result.success, result.message


@pytest.fixture(scope="session")
async def migrated() -> AsyncIterator[None]:
    db = engine()
    if is_postgres():
        await db.run_ddl("DROP SCHEMA public CASCADE")
        await db.run_ddl("CREATE SCHEMA public")
        await _migrate_quietly()
        await db.start_connection_pool(min_size=2, max_size=30)
    else:
        await _migrate_quietly()
        await db.run_ddl("PRAGMA journal_mode=WAL")
        shutil.copyfile(_SQLITE_FILE, _SQLITE_TEMPLATE)
    yield
    if is_postgres():
        await db.close_connection_pool()


async def reset_database() -> None:
    """Back to the migrated, empty schema."""
    if is_postgres():
        tables = ", ".join(app_table_names())
        await engine().run_ddl(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        for suffix in ("-wal", "-shm"):
            Path(f"{_SQLITE_FILE}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        shutil.copyfile(_SQLITE_TEMPLATE, _SQLITE_FILE)


@pytest.fixture
async def db(migrated: None) -> AsyncIterator[None]:
    await reset_database()
    yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


# The figures the reliability suites measure (docs/security/reliability.md): printed together at the
# end of every run, so CI's log shows them without ``-s``.
_FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record one measured figure of this test (also printed at once, for ``-s``)."""

    def record(text: str) -> None:
        print(text)
        request.config.stash.setdefault(_FIGURES, []).append(f"{request.node.nodeid}\n    {text.strip()}")

    return record


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    figures = config.stash.get(_FIGURES, [])
    if figures:
        terminalreporter.section("reliability figures")
        for line in figures:
            terminalreporter.write_line(line)
