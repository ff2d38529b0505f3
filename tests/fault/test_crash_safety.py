"""Crash safety on PostgreSQL: the server is killed (SIGKILL) while clients place orders.

    FAULT_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<scratch db> .venv/bin/pytest tests/fault -m fault -s

The database named there is wiped. The test loads the demo channel, gives a store an API token and
serves the portal as a subprocess. 8 clients place 300 orders, each with its own idempotency key,
retrying the same key after a refused connection, a 5xx or a dropped answer until they get a 201.
Meanwhile the server is killed 5 times, spread over the run at random moments (the first as soon as
a write transaction of the app is open), and started again. Then: every acknowledged order exists
exactly once, there are exactly 300 new orders (a retried key never made a second one), no order is
partial (its lines are all there), and every stock level is the sum of its ledger
(``portal check-stock``).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.fault

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("FAULT_DATABASE_URL", "")
PORTAL = str(Path(sys.executable).parent / "portal")
ORDERS, CLIENTS, KILLS = 300, 8, 5
STORE = "manager@s-001.huadong.example"

SETUP = """
import asyncio
from core.clock import SystemClock
from channel import schemas
from channel.roles import Role
from channel.services import access
from channel.transactions import engine
from portal.demo.deals import person

async def main():
    await engine().run_ddl("UPDATE channel_organisation SET credit_limit = 1000000000000")
    actor = await person(STORE, SystemClock())
    issued = await access.create_api_token(
        actor, schemas.ApiTokenCreate(name="Fault clients", roles=[Role.STORE_MANAGER]), SystemClock()
    )
    print(issued.token)

asyncio.run(main())
"""


def _env() -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": DATABASE_URL, "PORTAL_ENV": "development"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.in_transaction_kills = 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [PORTAL, "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.kills += 1


async def _wait_for_write_transaction(database: str, within: float) -> bool:
    """True as soon as a connection of the app has a write transaction open (an xid assigned)."""
    import asyncpg

    watcher = await asyncpg.connect(DATABASE_URL)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            busy = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_xid IS NOT NULL "
                "AND pid <> pg_backend_pid()",
                database,
            )
            if busy:
                return True
        return False
    finally:
        await watcher.close()


def _kill_due(number: int) -> int:
    """The acknowledged orders after which the kill ``number`` (from 0) comes: spread over the run,
    the last well before its end."""
    return (number + 1) * ORDERS // (KILLS + 2)


def _wait_for_kills(server: Server, acknowledged: dict[str, str], lock: threading.Lock) -> None:
    """Hold a client while a kill that was due is late: past the next kill's mark, the kill before
    it must have happened, so a fast run cannot end before every kill."""
    while True:
        with lock:
            placed = len(acknowledged)
        owed = sum(1 for number in range(KILLS) if placed >= _kill_due(number + 1))
        if server.kills >= owed:
            return
        time.sleep(0.05)


def _killer(server: Server, done: threading.Event, acknowledged: dict[str, str]) -> None:
    """Kill the server KILLS times, spread over the run: the k-th kill waits until its share of the
    orders is acknowledged (then a random moment more); clients wait for a late kill."""
    database = DATABASE_URL.rsplit("/", 1)[1]
    for number in range(KILLS):
        due = _kill_due(number)
        while len(acknowledged) < due and not done.is_set():
            time.sleep(0.05)
        if done.is_set():
            return
        time.sleep(random.uniform(0.0, 1.0))
        if number == 0 and asyncio.run(_wait_for_write_transaction(database, within=20)):
            server.in_transaction_kills += 1
        server.kill()
        time.sleep(random.uniform(0.1, 1.0))
        server.start()


def _client(
    server: Server,
    base: str,
    token: str,
    keys: list[str],
    acknowledged: dict[str, str],
    retries: list[int],
    lock: threading.Lock,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"lines": [{"sku": "KETTLE-17", "quantity": 12}, {"sku": "HOB-G2-60", "quantity": 1}]}
    with httpx.Client(base_url=base, timeout=30) as client:
        for key in keys:
            # A paced client, as a shop's ERP would be: the run lasts long enough for every kill, and
            # the watcher for the first one sees write transactions open.
            time.sleep(random.uniform(0.2, 0.6))
            _wait_for_kills(server, acknowledged, lock)
            for _attempt in range(200):
                try:
                    answer = client.post(
                        "/api/orders", json=body, headers={**headers, "Idempotency-Key": key}
                    )
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code == 201:
                    with lock:
                        acknowledged[key] = answer.json()["id"]
                    break
                if answer is not None and answer.status_code < 500 and answer.status_code != 409:
                    raise AssertionError(f"{key}: {answer.status_code} {answer.text[:300]}")
                with lock:
                    retries.append(answer.status_code if answer is not None else 0)
                time.sleep(random.uniform(0.1, 0.5))


async def _database_facts(acknowledged: dict[str, str], before: int) -> tuple[int, list[str], list[str]]:
    import asyncpg

    db = await asyncpg.connect(DATABASE_URL)
    try:
        total = await db.fetchval("SELECT count(*) FROM ordering_order") - before
        missing = [
            key
            for key, order_id in acknowledged.items()
            if await db.fetchval("SELECT count(*) FROM ordering_order WHERE id = $1", uuid.UUID(order_id))
            != 1
        ]
        partial = [
            row["number"]
            for row in await db.fetch(
                "SELECT o.number, o.line_count, (SELECT count(*) FROM ordering_order_line l WHERE l.order_id = o.id) AS n "
                "FROM ordering_order o"
            )
            if row["n"] == 0 or row["n"] != row["line_count"]
        ]
    finally:
        await db.close()
    return total, missing, partial


@pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"), reason="set FAULT_DATABASE_URL to a scratch database"
)
def test_killing_the_server_loses_no_acknowledged_order_and_makes_none_twice(
    figure: Callable[[str], None],
) -> None:
    import asyncpg

    async def wipe() -> int:
        db = await asyncpg.connect(DATABASE_URL)
        await db.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        await db.close()
        return 0

    asyncio.run(wipe())
    loaded = subprocess.run(
        [PORTAL, "demo", "--no-serve"], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-2000:]
    token = (
        subprocess.run(
            [sys.executable, "-c", f"STORE = {STORE!r}\n{SETUP}"],
            cwd=ROOT,
            env=_env(),
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    async def count_orders() -> int:
        db = await asyncpg.connect(DATABASE_URL)
        try:
            return int(await db.fetchval("SELECT count(*) FROM ordering_order"))
        finally:
            await db.close()

    before = asyncio.run(count_orders())
    server = Server(_free_port())
    server.start()
    keys = [f"fault-{n:04d}-{uuid.uuid4().hex[:8]}" for n in range(ORDERS)]
    acknowledged: dict[str, str] = {}
    retries: list[int] = []
    lock = threading.Lock()
    done = threading.Event()
    started = time.monotonic()
    killer = threading.Thread(target=_killer, args=(server, done, acknowledged))
    clients = [
        threading.Thread(
            target=_client,
            args=(
                server,
                f"http://127.0.0.1:{server.port}",
                token,
                keys[n::CLIENTS],
                acknowledged,
                retries,
                lock,
            ),
        )
        for n in range(CLIENTS)
    ]
    killer.start()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    done.set()
    killer.join()
    server.kill()

    total, missing, partial = asyncio.run(_database_facts(acknowledged, before))
    ledger = subprocess.run([PORTAL, "check-stock"], cwd=ROOT, env=_env(), capture_output=True, text=True)
    figure(
        f"\ncrash safety: {len(acknowledged)} acknowledged of {ORDERS} in {time.monotonic() - started:.0f} s, "
        f"{server.kills} kills ({server.in_transaction_kills} inside an open write transaction), "
        f"{len(retries)} retries (statuses {sorted(set(retries))}), {total} new orders, "
        f"{len(missing)} missing, {len(partial)} partial, check-stock exit {ledger.returncode}"
    )
    assert len(acknowledged) == ORDERS
    assert server.kills >= KILLS and server.in_transaction_kills >= 1
    assert missing == []
    assert total == ORDERS
    assert partial == []
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr
