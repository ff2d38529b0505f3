"""ORDER-1 and HTTP-1 (docs/performance.md): the portal served as in production, under load.

    .venv/bin/python -m bench.order_throughput [--seconds 8] [--rounds 3] [--workers 2]
        [--database bench_order_throughput] [--port 8701]

On the PostgreSQL database ``bench_order_throughput`` (or ``--database``; dropped and recreated, as is
the pgbench database named after it with ``_pgbench``): a distributor, 64
stores each with an API token, 20 products on the list price. Two granian servers run side by side
with the same number of workers: the portal (``portal.asgi:app``, PORTAL_ENV=production) and the
bench-only reference app (``bench.reference_app:app``, never part of the portal). An async load
generator (httpx, 64 connections, each store on its own connection) then measures, in interleaved
rounds:

- ORDER-1: ``POST /api/orders`` with a 20-line order and a new Idempotency-Key each time, beside
  ``POST /raw/orders`` doing the same writes by hand; pgbench TPC-B-like (4 clients) in the same
  round; server CPU per order from the server processes' CPU times; p50 and p99.
- HTTP-1: ``GET /api/me`` (token, permission, small body) beside the reference's hello world.

Prints the medians of the rounds and the ratios against their targets, with the machine and the
versions. The load generator shares the machine's cores with the servers: its own CPU per request
is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import msgspec

from bench.scratch import PG_SERVER, ROOT, scratch_database

DATABASE = "bench_order_throughput"
PGBENCH_DATABASE = "bench_order_pgbench"
PORTAL_PORT, REFERENCE_PORT = 8701, 8702


def _configure(database: str, port: int) -> None:
    """Another database or port, so two checkouts can run the bench on one machine."""
    global DATABASE, PGBENCH_DATABASE, PORTAL_PORT, REFERENCE_PORT
    if database != DATABASE:
        DATABASE, PGBENCH_DATABASE = database, f"{database}_pgbench"
    PORTAL_PORT, REFERENCE_PORT = port, port + 1


LINES = 20
TICKS = os.sysconf("SC_CLK_TCK")


class Phase(msgspec.Struct):
    requests: int
    errors: int
    seconds: float
    server_cpu: float
    client_cpu: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else float("nan")


async def prepare(stores: int) -> list[str]:
    """The scratch database, the channel and one API token per store."""
    await scratch_database("postgresql", DATABASE)
    from bench.seed import order_channel
    from channel import schemas as channel_schemas
    from channel.roles import Role
    from channel.services import access
    from channel.transactions import engine
    from core.clock import SystemClock

    await engine().start_connection_pool(min_size=2, max_size=4)
    channel = await order_channel(LINES, stores)
    tokens = []
    for buyer in channel.buyers:
        issued = await access.create_api_token(
            buyer, channel_schemas.ApiTokenCreate(name="ERP", roles=[Role.STORE_MANAGER]), SystemClock()
        )
        tokens.append(issued.token)
    await engine().close_connection_pool()
    return tokens


def start_server(app: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{DATABASE}",
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_RUN_JOBS": "0",
        "PORTAL_DOCUMENT_WORKERS": "1",
    }
    granian = str(Path(sys.executable).parent / "granian")
    command = [granian, "--interface", "asgi", "--workers", str(workers), "--no-ws", "--port", str(port), app]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(
                f"http://127.0.0.1:{port}/health" if "portal" in app else f"http://127.0.0.1:{port}/hello"
            )
            return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{app} did not start on port {port}")


def _tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += _tree(int(child))
    except OSError:
        pass
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and all its descendants (granian's workers), in seconds."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


async def drive(server: subprocess.Popen[bytes], connections: int, seconds: float, send: Any) -> Phase:
    """``connections`` clients, each on its own connection, sending ``send(client, n)`` back to back."""
    latencies: list[float] = []
    errors = 0
    count = 0
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(limits=limits, timeout=60) for _ in range(connections)]

    async def one(n: int, client: httpx.AsyncClient, until: float) -> None:
        nonlocal errors, count
        while time.perf_counter() < until:
            started = time.perf_counter()
            response = await send(client, n)
            if response.status_code >= 300:
                errors += 1
                if errors == 1:
                    print(f"    first error: {response.status_code} {response.text[:200]}")
            latencies.append(time.perf_counter() - started)
            count += 1

    # Warm every connection and worker before measuring.
    warm_until = time.perf_counter() + 1
    await asyncio.gather(*(one(n, c, warm_until) for n, c in enumerate(clients)))
    latencies.clear()
    errors = count = 0
    cpu_before, client_before = cpu_seconds(server.pid), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(one(n, c, started + seconds) for n, c in enumerate(clients)))
    elapsed = time.perf_counter() - started
    phase = Phase(
        requests=count,
        errors=errors,
        seconds=elapsed,
        server_cpu=cpu_seconds(server.pid) - cpu_before,
        client_cpu=time.process_time() - client_before,
        latencies=list(latencies),
    )
    await asyncio.gather(*(c.aclose() for c in clients))
    return phase


def pgbench(seconds: int) -> float:
    """TPC-B-like TPS, 4 clients, as in docs/performance.md's baseline."""
    url = f"{PG_SERVER}/{PGBENCH_DATABASE}"
    done = subprocess.run(
        ["pgbench", "-n", "-c", "4", "-j", "2", "-T", str(seconds), url], capture_output=True, text=True
    )
    found = re.search(r"tps = ([\d.]+)", done.stdout)
    if found is None:
        raise RuntimeError(f"pgbench failed: {done.stderr[-500:]}")
    return float(found.group(1))


def pgbench_init() -> None:
    subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {PGBENCH_DATABASE} WITH (FORCE)"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {PGBENCH_DATABASE}"], check=True
    )
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", "4", f"{PG_SERVER}/{PGBENCH_DATABASE}"], check=True, capture_output=True
    )


def _server_version() -> str:
    return subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-Atc", "SHOW server_version"], capture_output=True, text=True
    ).stdout.strip()


async def run(seconds: float, rounds: int, workers: int, connections: int) -> None:
    tokens = await prepare(connections)
    pgbench_init()
    skus = [f"P-{n:04d}" for n in range(LINES)]
    body = msgspec.json.encode({"lines": [{"sku": s, "quantity": 1} for s in skus], "note": "bench"})
    portal = start_server("portal.asgi:app", PORTAL_PORT, workers)
    reference = start_server("bench.reference_app:app", REFERENCE_PORT, workers)

    def order_sender(url: str) -> Any:
        async def send(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.post(
                url,
                content=body,
                headers={
                    "Authorization": f"Bearer {tokens[n]}",
                    "Idempotency-Key": uuid4().hex,
                    "Content-Type": "application/json",
                },
            )

        return send

    async def me(client: httpx.AsyncClient, n: int) -> httpx.Response:
        return await client.get(
            f"http://127.0.0.1:{PORTAL_PORT}/api/me", headers={"Authorization": f"Bearer {tokens[n]}"}
        )

    async def hello(client: httpx.AsyncClient, n: int) -> httpx.Response:
        return await client.get(f"http://127.0.0.1:{REFERENCE_PORT}/hello")

    results: dict[str, list[Any]] = {"orders": [], "raw": [], "pgbench": [], "me": [], "hello": []}
    try:
        for round_ in range(1, rounds + 1):
            print(f"round {round_} of {rounds}")
            results["orders"].append(
                await drive(
                    portal, connections, seconds, order_sender(f"http://127.0.0.1:{PORTAL_PORT}/api/orders")
                )
            )
            results["raw"].append(
                await drive(
                    reference,
                    connections,
                    seconds,
                    order_sender(f"http://127.0.0.1:{REFERENCE_PORT}/raw/orders"),
                )
            )
            results["pgbench"].append(pgbench(int(seconds)))
            results["me"].append(await drive(portal, connections, seconds, me))
            results["hello"].append(await drive(reference, connections, seconds, hello))
            for name in ("orders", "raw", "me", "hello"):
                p = results[name][-1]
                print(
                    f"  {name:>7}: {p.rate:8.1f}/s  p50 {p.percentile(0.5):6.1f} ms  p99 {p.percentile(0.99):6.1f} ms"
                    f"  errors {p.errors}"
                )
            print(f"  pgbench: {results['pgbench'][-1]:8.1f} TPS")
    finally:
        for server in (portal, reference):
            server.terminate()
            server.wait(timeout=30)

    def median(name: str, figure: Any) -> float:
        return statistics.median(figure(p) for p in results[name])

    orders_rate, raw_rate = median("orders", lambda p: p.rate), median("raw", lambda p: p.rate)
    tps = statistics.median(results["pgbench"])
    me_rate, hello_rate = median("me", lambda p: p.rate), median("hello", lambda p: p.rate)
    cpu_order = median("orders", lambda p: p.server_cpu / max(p.requests, 1) * 1000)
    cpu_raw = median("raw", lambda p: p.server_cpu / max(p.requests, 1) * 1000)
    client_cpu = median("orders", lambda p: p.client_cpu / max(p.requests, 1) * 1000)
    versions = _server_version()
    print()
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {versions}, "
        f"granian {workers} workers per server, {connections} connections, {rounds} rounds of {seconds:.0f} s"
    )
    print(
        f"ORDER-1  portal POST /api/orders (20 lines): {orders_rate:7.1f} orders/s  "
        f"p50 {median('orders', lambda p: p.percentile(0.5)):.1f} ms  p99 {median('orders', lambda p: p.percentile(0.99)):.1f} ms"
    )
    print(
        f"         reference raw SQL, same writes:    {raw_rate:7.1f} orders/s  "
        f"p50 {median('raw', lambda p: p.percentile(0.5)):.1f} ms  p99 {median('raw', lambda p: p.percentile(0.99)):.1f} ms"
    )
    print(f"         pgbench TPC-B (4 clients):         {tps:7.1f} TPS")
    print(
        f"         portal / raw = {orders_rate / raw_rate:.2f} (target >= 0.40); "
        f"portal / pgbench = {orders_rate / tps:.2f} (target >= 0.20)"
    )
    print(
        f"         server CPU per order: portal {cpu_order:.2f} ms (guard <= 1.6), raw {cpu_raw:.2f} ms; "
        f"load generator {client_cpu:.2f} ms per request"
    )
    print(
        f"HTTP-1   GET /api/me: {me_rate:7.1f} req/s  p99 {median('me', lambda p: p.percentile(0.99)):.1f} ms (guard <= 25)"
    )
    print(
        f"         hello world: {hello_rate:7.1f} req/s  p99 {median('hello', lambda p: p.percentile(0.99)):.1f} ms"
    )
    print(f"         /api/me / hello = {me_rate / hello_rate:.2f} (target >= 0.35)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--database", default=DATABASE, help="scratch PostgreSQL database (dropped!)")
    parser.add_argument("--port", type=int, default=PORTAL_PORT, help="the portal's; the reference's is next")
    args = parser.parse_args()
    _configure(args.database, args.port)
    asyncio.run(run(args.seconds, args.rounds, args.workers, args.connections))


if __name__ == "__main__":
    main()
