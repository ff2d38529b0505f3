"""PostgreSQL crashes and comes back under load: the portal answers 503, never 500, and recovers alone.

    .venv/bin/pytest tests/fault/test_database_restart.py -m fault -s

The test needs no database of its own: it makes a private PostgreSQL cluster (``initdb`` into a
temporary directory, on a free loopback port, run as the ``postgres`` user when the test runs as
root), loads the demo channel into it, gives a store an API token and serves the portal as a
subprocess. Readers (``GET /api/me``, ``GET /api/orders``) and writers (``POST /api/orders`` with
idempotency keys, retrying a key until it is answered 201) work throughout. PostgreSQL is stopped
with ``pg_ctl stop -m immediate`` (a crash: no checkpoint, every connection cut) three times and
started again a few seconds later; the portal is never restarted.

Then: no answer was a 5xx other than 503, every 503 carried ``Retry-After``, no request hung or found
the server gone, requests succeeded again within 10 s of PostgreSQL accepting connections, every
acknowledged order exists exactly once and the stock ledger balances. The figures printed are the
count of 503s, the longest time from PostgreSQL being back to the portal's last 503, and the longest
time from PostgreSQL being back to each client's first success.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.fault.test_crash_safety import PORTAL, ROOT, SETUP, STORE, _free_port

pytestmark = pytest.mark.fault

CRASHES, OUTAGE_SECONDS, RECOVERY_LIMIT = 3, 4.0, 10.0
READERS, WRITERS = 3, 4
REQUEST_TIMEOUT = 30.0


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free loopback port, owned by the test."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.user: str | None = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.user = "postgres"
            owner = pwd.getpwnam(self.user)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/portal"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin / command[0]), *command[1:]]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=check, cwd=self.root)

    def create(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"
        )
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "portal")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c max_connections=60 -c shared_buffers=32MB"
        )
        self._run(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log), "-o", options
        )

    def crash(self) -> None:
        self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))

    def destroy(self) -> None:
        self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data), check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Answer:
    client: str
    started: float
    ended: float
    status: int  # 0: no answer (refused, reset or timed out)
    retry_after: str | None = None
    problem: str = ""


@dataclass
class Log:
    answers: list[Answer] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    unfinished: list[str] = field(default_factory=list)  # keys refused with a 4xx, or never answered 201
    give_up_at: float = float("inf")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)


def _send(client: httpx.Client, name: str, log: Log, method: str, path: str, **kwargs: object) -> Answer:
    started = time.monotonic()
    try:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        answer = Answer(
            name,
            started,
            time.monotonic(),
            response.status_code,
            response.headers.get("retry-after"),
            response.text[:300] if response.status_code >= 400 else "",
        )
        if response.status_code == 201:
            answer.problem = response.json()["id"]
    except httpx.HTTPError as error:
        answer = Answer(name, started, time.monotonic(), 0, problem=f"{type(error).__name__}: {error}")
    log.add(answer)
    return answer


def _reader(base: str, token: str, name: str, log: Log, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=REQUEST_TIMEOUT) as client:
        while not stop.is_set():
            path = random.choice(["/api/me", "/api/orders?limit=20", "/api/orders?status=submitted&limit=50"])
            _send(client, name, log, "GET", path)
            time.sleep(random.uniform(0.02, 0.1))


def _writer(base: str, token: str, name: str, log: Log, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"lines": [{"sku": "KETTLE-17", "quantity": 12}, {"sku": "HOB-G2-60", "quantity": 1}]}
    with httpx.Client(base_url=base, headers=headers, timeout=REQUEST_TIMEOUT) as client:
        while not stop.is_set():
            key = f"restart-{name}-{uuid.uuid4().hex[:12]}"
            while True:  # the same key until the order is acknowledged, even past the stop signal
                answer = _send(
                    client, name, log, "POST", "/api/orders", json=body, headers={"Idempotency-Key": key}
                )
                if answer.status == 201:
                    with log.lock:
                        log.acknowledged[key] = answer.problem
                    break
                if (
                    answer.status not in {0, 409} and answer.status < 500
                ) or time.monotonic() > log.give_up_at:
                    with log.lock:
                        log.unfinished.append(f"{key}: {answer.status} {answer.problem}")
                    return
                time.sleep(random.uniform(0.1, 0.3))
            time.sleep(random.uniform(0.05, 0.2))


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "development", "PORTAL_RUN_JOBS": "1"}


async def _orders(url: str) -> tuple[int, int, set[str]]:
    """The number of orders, how many lack lines, and their ids."""
    import asyncpg

    db = await asyncpg.connect(url)
    try:
        total = int(await db.fetchval("SELECT count(*) FROM ordering_order"))
        partial = await db.fetchval(
            "SELECT count(*) FROM ordering_order o WHERE o.line_count <> "
            "(SELECT count(*) FROM ordering_order_line l WHERE l.order_id = o.id)"
        )
        ids = {str(row["id"]) for row in await db.fetch("SELECT id FROM ordering_order")}
        return total, int(partial), ids
    finally:
        await db.close()


@pytest.mark.skipif(
    _postgres_bin() is None, reason="the PostgreSQL server binaries (initdb) are not installed"
)
def test_a_postgresql_crash_under_load_is_answered_503_and_the_portal_recovers_alone(
    figure: Callable[[str], None],
) -> None:
    bin_dir = _postgres_bin()
    assert bin_dir is not None
    cluster = PrivatePostgres(bin_dir)
    server: subprocess.Popen[bytes] | None = None
    try:
        cluster.create()
        env = _env(cluster.url)
        loaded = subprocess.run(
            [PORTAL, "demo", "--no-serve"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-2000:]
        token = (
            subprocess.run(
                [sys.executable, "-c", f"STORE = {STORE!r}\n{SETUP}"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        before, _, _ = asyncio.run(_orders(cluster.url))

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [PORTAL, "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not _healthy(base):
            assert time.monotonic() < deadline, "the portal did not start"
            time.sleep(0.2)

        log, stop = Log(), threading.Event()
        workers = [
            threading.Thread(target=_reader, args=(base, token, f"reader-{n}", log, stop))
            for n in range(READERS)
        ] + [
            threading.Thread(target=_writer, args=(base, token, f"writer-{n}", log, stop))
            for n in range(WRITERS)
        ]
        for worker in workers:
            worker.start()
        outages: list[tuple[float, float]] = []
        for _ in range(CRASHES):
            time.sleep(random.uniform(3.0, 5.0))
            down = time.monotonic()
            cluster.crash()
            time.sleep(OUTAGE_SECONDS)
            cluster.start()  # returns once PostgreSQL accepts connections
            outages.append((down, time.monotonic()))
        time.sleep(RECOVERY_LIMIT + 3)
        log.give_up_at = time.monotonic() + 60
        stop.set()
        for worker in workers:
            worker.join(timeout=120)
        assert server.poll() is None, "the portal died"
        assert not any(worker.is_alive() for worker in workers), "a client hung"

        total, partial, ids = asyncio.run(_orders(cluster.url))
        ledger = subprocess.run([PORTAL, "check-stock"], cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        cluster.destroy()

    answers = sorted(log.answers, key=lambda a: a.started)
    unavailable = [a for a in answers if a.status == 503]
    wrong = [a for a in answers if a.status >= 500 and a.status != 503]
    lost = [a for a in answers if a.status == 0]
    recoveries, first_successes, never_back = [], [], []
    for number, (_down, up) in enumerate(outages):
        until = outages[number + 1][0] if number + 1 < len(outages) else float("inf")
        late = [a.ended - up for a in unavailable if up <= a.ended < until]
        recoveries.append(max(late, default=0.0))
        for client in sorted({a.client for a in answers}):
            first = next(
                (a for a in answers if a.client == client and a.started >= up and 0 < a.status < 500), None
            )
            if first is None or first.started >= until:
                never_back.append(f"{client} after restart {number + 1}")
            else:
                first_successes.append(first.ended - up)
    windows = [
        (up + RECOVERY_LIMIT, nxt[0])
        for (_, up), nxt in zip(outages, [*outages[1:], (1e18, 0.0)], strict=True)
    ]
    after_limit = [
        a for a in answers if a.status >= 500 and any(start <= a.started < end for start, end in windows)
    ]
    outage_seconds = sum(up - down for down, up in outages)
    figure(
        f"\npostgresql restarts: {len(outages)} crashes (pg_ctl stop -m immediate), {outage_seconds:.1f} s down in all; "
        f"{len(answers)} requests from {READERS} readers and {WRITERS} writers; "
        f"{len(unavailable)} answered 503 ({sum(1 for a in unavailable if a.retry_after)} with Retry-After), "
        f"{len(wrong)} other 5xx, {len(lost)} without an answer; "
        f"longest from PostgreSQL back to the last 503: {max(recoveries):.2f} s "
        f"(per restart: {', '.join(f'{r:.2f}' for r in recoveries)}); "
        f"longest to a client's first success: {max(first_successes, default=0.0):.2f} s; "
        f"{len(log.acknowledged)} orders acknowledged, {total - before} made, {partial} partial, "
        f"check-stock exit {ledger.returncode}"
    )
    if wrong or lost or never_back or after_limit:
        _timeline(answers, outages)
    assert never_back == []
    assert log.unfinished == []
    assert wrong == [], [(a.client, a.status, a.problem) for a in wrong[:5]]
    assert lost == [], [(a.client, a.problem) for a in lost[:5]]
    assert unavailable, "no request met the outage"
    assert all(a.retry_after and a.retry_after.isdigit() for a in unavailable)
    assert after_limit == [], [(a.client, a.status) for a in after_limit[:5]]
    assert max(recoveries) <= RECOVERY_LIMIT
    assert all(order_id in ids for order_id in log.acknowledged.values())
    assert total - before == len(log.acknowledged)
    assert partial == 0
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr


def _timeline(answers: list[Answer], outages: list[tuple[float, float]]) -> None:
    """What each client saw, relative to the first crash: for reading a failure."""
    zero = outages[0][0]
    print("crashes and restarts (s):", [(round(d - zero, 2), round(u - zero, 2)) for d, u in outages])
    for answer in answers:
        if answer.status not in {200, 201}:
            print(
                f"{answer.started - zero:8.2f} {answer.ended - answer.started:6.2f} {answer.client:9} "
                f"{answer.status} {answer.problem[:160]}"
            )


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
