"""One transaction per use case, correct on both engines.

Writes on SQLite begin ``IMMEDIATE``: the write lock is taken at BEGIN, so two writers never both
read and then collide at their first write (SQLite's "database is locked" mid-transaction), and a
read-check-write inside the block is atomic. On PostgreSQL a plain transaction; contended rows are
handled by conditional updates in the repositories. A use case called from inside another runs in a
savepoint, so it rolls back alone when it refuses.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import TransactionType

from channel.tables import Organisation


def engine() -> Engine[Any]:
    return Organisation._meta.db


def is_postgres() -> bool:
    return engine().engine_type == "postgres"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    db = engine()
    current = db.current_transaction.get()
    if current is not None:
        savepoint = await current.savepoint()
        try:
            yield
        except BaseException:
            await savepoint.rollback_to()
            raise
        await savepoint.release()
        return
    if db.engine_type == "sqlite":
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


@asynccontextmanager
async def read_transaction() -> AsyncIterator[None]:
    """Several reads on one connection and one snapshot (SQLite would open a connection per query)."""
    db = engine()
    if db.current_transaction.get() is not None:
        yield
        return
    async with db.transaction():
        yield


def _lock_number(name: str) -> int:
    """A signed 64-bit number for ``name``, as PostgreSQL's advisory locks want."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def hold_lock(name: str) -> None:
    """Serialise the rest of the current write transaction with every other one holding ``name``.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. SQLite: nothing
    to do, ``write_transaction`` already holds the database's single write lock.
    """
    if is_postgres():
        await Organisation.raw("SELECT pg_advisory_xact_lock({})", _lock_number(name))
