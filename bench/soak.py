"""Load and soak: a channel's day against a real server on loopback, with locust.

    uv sync --group bench
    .venv/bin/python -m bench.soak [--database postgresql] [--users 20] [--minutes 10]

Loads the demo channel into a scratch database (SQLite file, or the PostgreSQL database
``bench_soak``), serves it with ``portal serve`` on a free loopback port, and runs locust in process:
stores (three in four users) browse the catalogue page, list products, price carts, place orders
with idempotency keys, track and receive them; the tier-1 distributor lists its inbox, approves and
ships. Prints the number of server errors (5xx), p50/p95/p99 per endpoint, and the server's memory
(RSS) between the end of minute 2 (or a quarter of a short run) and the end.
"""

# ruff: noqa: I001
from locust import HttpUser, between, events, task  # first: locust patches the standard library
from locust.env import Environment

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.scratch import ROOT, scratch_database
from portal.demo.network import DEMO_PASSWORD

PASSWORD = DEMO_PASSWORD
# The two stores the tier-1 distributor serves directly, so it approves and ships what they order.
STORES = ("manager@s-001.huadong.example", "manager@s-002.huadong.example")
DISTRIBUTOR = "admin@huadong.example"
SERVER_ERRORS: Counter[str] = Counter()
REFUSALS: Counter[str] = Counter()  # 4xx: the business saying no (credit limit, nothing reserved...)


@events.request.add_listener
def _count_errors(name: str, response: Any = None, **_: Any) -> None:
    status = getattr(response, "status_code", 0) if response is not None else 0
    if status >= 500:
        SERVER_ERRORS[name] += 1
    elif status >= 400:
        REFUSALS[f"{name} {status}"] += 1


class Person(HttpUser):
    abstract = True
    email = ""
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.client.get("/sign-in", name="GET /sign-in")
        token = self.client.cookies.get("portal_csrf", "")
        self.client.post(
            "/sign-in",
            data={"_csrf_token": token, "email": self.email, "password": PASSWORD, "next": ""},
            name="POST /sign-in",
            allow_redirects=False,
        )
        self.headers = {"x-csrftoken": self.client.cookies.get("portal_csrf", "")}
        products = self.client.get("/api/catalogue/products?limit=100", name="GET /api/catalogue/products")
        items = products.json().get("items", []) if products.ok else []
        # what an order may ask for: active products, in whole cases from the minimum up
        self.packs = {
            p["sku"]: (int(p["case_quantity"]), int(p["minimum_order_quantity"]))
            for p in items
            if p.get("status") == "active"
        }
        self.skus = list(self.packs)

    def lines(self) -> list[dict[str, object]]:
        chosen = random.sample(self.skus, k=min(len(self.skus), random.randint(1, 3)))
        return [{"sku": sku, "quantity": self.quantity(sku)} for sku in chosen]

    def quantity(self, sku: str) -> int:
        case, minimum = self.packs[sku]
        least = -(-minimum // case) * case
        return least + case * random.randint(0, 2)

    def my_orders(self, status: str) -> list[dict[str, Any]]:
        answer = self.client.get(f"/api/orders?status={status}&limit=20", name="GET /api/orders?status")
        return list(answer.json().get("items", [])) if answer.ok else []


class Store(Person):
    weight = 3

    def on_start(self) -> None:
        self.email = random.choice(STORES)
        super().on_start()

    @task(4)
    def browse(self) -> None:
        self.client.get("/s/catalogue", name="GET /s/catalogue (page)")
        self.client.get("/api/catalogue/products?limit=50", name="GET /api/catalogue/products")

    @task(4)
    def price_cart(self) -> None:
        if self.skus:
            self.client.post(
                "/api/pricing/price",
                json={"lines": self.lines()},
                headers=self.headers,
                name="POST /api/pricing/price",
            )

    @task(2)
    def place_order(self) -> None:
        if self.skus:
            self.client.post(
                "/api/orders",
                json={"lines": self.lines()},
                headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
                name="POST /api/orders",
            )

    @task(2)
    def track(self) -> None:
        self.client.get("/api/orders?limit=20", name="GET /api/orders")
        self.client.get("/api/stock", name="GET /api/stock")

    @task(1)
    def receive(self) -> None:
        for summary in self.my_orders("shipped")[:1]:
            order = self.client.get(f"/api/orders/{summary['id']}", name="GET /api/orders/{id}").json()
            for shipment in order.get("shipments", []):
                if shipment.get("received_at") is None:
                    self.client.post(
                        f"/api/orders/{order['id']}/shipments/{shipment['id']}/receipt",
                        json={},
                        headers=self.headers,
                        name="POST /api/orders/{id}/shipments/{id}/receipt",
                    )


class Distributor(Person):
    weight = 1
    email = DISTRIBUTOR

    @task(2)
    def inbox(self) -> None:
        self.client.get("/d", name="GET /d (page)")
        self.client.get("/api/orders?limit=50", name="GET /api/orders")

    @task(3)
    def approve_and_ship(self) -> None:
        waiting = self.my_orders("submitted")
        for summary in random.sample(waiting, k=min(2, len(waiting))):  # not all the same two as the others
            decided = self.client.post(
                f"/api/orders/{summary['id']}/decision",
                json={"decision": "approve"},
                headers=self.headers,
                name="POST /api/orders/{id}/decision",
            )
            if decided.ok:
                self.client.post(
                    f"/api/orders/{summary['id']}/shipments",
                    json={},
                    headers=self.headers,
                    name="POST /api/orders/{id}/shipments",
                )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mib(pid: int) -> float:
    """The server's resident memory, its worker processes included."""
    total = 0
    for path in Path("/proc").glob("[0-9]*"):
        try:
            status = (path / "status").read_text()
            if path.name == str(pid) or f"PPid:\t{pid}\n" in status:
                total += int(
                    next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
                )
        except (OSError, StopIteration):
            continue
    return total / 1024


# Credit limits are not what the soak measures: without this the stores' credit runs out within
# minutes and every later order is a refusal that never reaches approval, shipping and receipt.
SETUP = """
import asyncio
from channel.transactions import engine

asyncio.run(engine().run_ddl("UPDATE channel_organisation SET credit_limit = 1000000000000"))
"""


def run(kind: str, users: int, minutes: float, name: str) -> None:
    url = asyncio.run(scratch_database(kind, name))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_ENV": "development",
        "PORTAL_SIGN_IN_ATTEMPTS_PER_MINUTE": "100000",
        "PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT": "100000",
    }
    portal = str(Path(sys.executable).parent / "portal")
    print("loading the demo channel ...", flush=True)
    subprocess.run([portal, "demo", "--no-serve"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [portal, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        host = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        environment = Environment(user_classes=[Store, Distributor], host=host, events=events)
        runner = environment.create_local_runner()
        runner.start(users, spawn_rate=5)
        seconds = minutes * 60
        baseline_at = min(120.0, seconds / 4)
        started, baseline, samples = time.monotonic(), None, []
        while (elapsed := time.monotonic() - started) < seconds:
            time.sleep(5)
            samples.append(_rss_mib(server.pid))
            if baseline is None and elapsed >= baseline_at:
                baseline = samples[-1]
        runner.quit()
        final = _rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    stats = environment.stats
    print(f"\nsoak on {kind}: {users} users for {minutes:g} min against {host}")
    print(f"{'endpoint':58} {'requests':>9} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        print(
            f"{entry.name:58} {entry.num_requests:9d} {entry.num_failures:5d} "
            f"{entry.get_response_time_percentile(0.5):6.0f} {entry.get_response_time_percentile(0.95):6.0f} "
            f"{entry.get_response_time_percentile(0.99):6.0f}"
        )
    total = stats.total
    print(
        f"{'all':58} {total.num_requests:9d} {total.num_failures:5d} {total.get_response_time_percentile(0.5):6.0f} "
        f"{total.get_response_time_percentile(0.95):6.0f} {total.get_response_time_percentile(0.99):6.0f}"
    )
    print(f"server errors (5xx): {sum(SERVER_ERRORS.values())} {dict(SERVER_ERRORS) or ''}")
    print(f"refusals (4xx): {dict(sorted(REFUSALS.items()))}")
    baseline = baseline or (samples[0] if samples else final)
    growth = (final - baseline) / baseline * 100 if baseline else 0.0
    print(
        f"server memory: {baseline:.0f} MiB at {baseline_at / 60:.1f} min, {final:.0f} MiB at the end ({growth:+.1f}%)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--name", default="bench_soak", help="the PostgreSQL database (dropped and made again)"
    )
    arguments = parser.parse_args()
    run(arguments.database, arguments.users, arguments.minutes, arguments.name)


if __name__ == "__main__":
    main()
