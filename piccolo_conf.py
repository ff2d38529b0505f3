"""Piccolo's configuration: the database engine from ``DATABASE_URL`` and every app's registration.

``DATABASE_URL`` is ``sqlite:///relative/or/absolute/path.sqlite`` (the default is ``var/portal.sqlite`` under
the project root; four slashes make an absolute path) or ``postgresql://user:password@host:port/database``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'portal.sqlite'}"

# Seconds a SQLite connection waits for the write lock before giving up (busy timeout).
SQLITE_BUSY_TIMEOUT = 30


class DatabaseURLError(ValueError):
    """``DATABASE_URL`` cannot be turned into an engine."""


def engine_for(url: str) -> Engine:  # type: ignore[type-arg]
    """Return the Piccolo engine a database URL names."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path (from the project root) or sqlite:////absolute/path
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
        if not path or path == ":memory:":
            raise DatabaseURLError(
                f"DATABASE_URL {url!r} names no database file; use sqlite:///var/portal.sqlite"
            )
        file = Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path
        file.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(file), timeout=SQLITE_BUSY_TIMEOUT)
    if parts.scheme in {"postgres", "postgresql"}:
        if not parts.hostname and not parts.path.strip("/"):
            raise DatabaseURLError(f"DATABASE_URL {url!r} names no host or database")
        return PostgresEngine(config={"dsn": url})
    raise DatabaseURLError(
        f"DATABASE_URL {url!r} is not understood: use sqlite:///path/to/file.sqlite "
        "or postgresql://user@host:5432/database"
    )


DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
DB = engine_for(DATABASE_URL)

APP_REGISTRY = AppRegistry(
    apps=[
        "channel.piccolo_app",
        "pricing.piccolo_app",
        "deal_registration.piccolo_app",
        "ordering.piccolo_app",
        "reports.piccolo_app",
        "incentives.piccolo_app",
    ]
)
