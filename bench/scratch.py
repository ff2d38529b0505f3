"""A scratch database for a benchmark: a fresh SQLite file or PostgreSQL database, migrated, and
named in ``DATABASE_URL`` (piccolo_conf reads it on import, so import the services after this)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")


async def scratch_database(kind: str, name: str) -> str:
    """Create (PostgreSQL: drop and create ``name``) and migrate; returns the URL, also exported."""
    if not re.fullmatch(r"[a-z_]+", name):  # the name goes into DDL as it is
        raise ValueError(f"bad database name {name!r}")
    if kind == "postgresql":
        import asyncpg

        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.execute(f"CREATE DATABASE {name}")
        finally:
            await admin.close()
        url = f"{PG_SERVER}/{name}"
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix=f'{name}-')) / f'{name}.sqlite'}"
    _migrate(url)
    os.environ["DATABASE_URL"] = url
    return url


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def _migrate(url: str) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "piccolo"), "migrations", "forwards", "all"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
