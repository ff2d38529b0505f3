"""Reaching and migrating the database, with errors a person can act on."""

from __future__ import annotations

import asyncio
import contextlib
import io
from urllib.parse import urlsplit, urlunsplit

from piccolo.apps.migrations.commands.forwards import run_forwards

from channel.transactions import engine


class DatabaseUnavailableError(RuntimeError):
    """The database named by DATABASE_URL cannot be reached or used."""


def redacted(url: str) -> str:
    """The URL with its password replaced, fit for printing."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


CONNECT_SECONDS = 10


async def check_reachable(url: str) -> None:
    try:
        async with asyncio.timeout(CONNECT_SECONDS):
            await engine().run_ddl("SELECT 1")
    except TimeoutError:
        raise DatabaseUnavailableError(
            f"The database at {redacted(url)} did not answer within {CONNECT_SECONDS} s."
        ) from None
    except Exception as error:
        raise DatabaseUnavailableError(
            f"Cannot use the database at {redacted(url)}: {type(error).__name__}: {error}. "
            "Check DATABASE_URL and that the server is running."
        ) from None


async def migrate() -> str:
    """Apply every migration not yet applied; returns Piccolo's report."""
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        result = await run_forwards("all")
    if not result.success:
        raise DatabaseUnavailableError(f"Migrating failed: {result.message}\n{report.getvalue()}")
    db = engine()
    if db.engine_type == "sqlite":
        # Readers never wait for the writer in WAL mode; the setting is kept in the database file.
        await db.run_ddl("PRAGMA journal_mode=WAL")
    return report.getvalue()
