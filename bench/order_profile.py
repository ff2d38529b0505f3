"""Where the server's CPU goes for ORDER-1 and HTTP-1 (docs/performance.md), in one process.

    .venv/bin/python -m bench.order_profile [--requests 300] [--database bench_order_profile]
        [--what orders|me|both] [--top 30] [--profile]

On a scratch PostgreSQL database (dropped and recreated): the channel of ``bench.order_throughput``
(a distributor, 8 stores with an API token each, 20 products on the list price). The portal app
(PORTAL_ENV=production) is driven in process through its ASGI interface, with no server and no
network, by sequential requests: ``POST /api/orders`` with the 20-line order and a new
Idempotency-Key each time, and ``GET /api/me``. Prints the CPU (process time) and wall time per
request and, with ``--profile``, cProfile's top functions by cumulative and by own CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import secrets
import time
from uuid import uuid4

import httpx
import msgspec

from bench.scratch import scratch_database

LINES = 20
STORES = 8


async def run(requests: int, database: str, what: str, top: int, profile: bool) -> None:
    await scratch_database("postgresql", database)
    os.environ.update(
        PORTAL_ENV="production",
        PORTAL_SECRET_KEY=secrets.token_urlsafe(48),
        PORTAL_RUN_JOBS="0",
        PORTAL_DOCUMENT_WORKERS="1",
    )
    from bench.seed import order_channel
    from channel import schemas as channel_schemas
    from channel.roles import Role
    from channel.services import access
    from channel.transactions import engine
    from core.clock import SystemClock
    from portal.app import create_app

    await engine().start_connection_pool(min_size=2, max_size=4)
    channel = await order_channel(LINES, STORES)
    tokens = [
        (
            await access.create_api_token(
                buyer, channel_schemas.ApiTokenCreate(name="ERP", roles=[Role.STORE_MANAGER]), SystemClock()
            )
        ).token
        for buyer in channel.buyers
    ]
    await engine().close_connection_pool()

    app = create_app()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    body = msgspec.json.encode({"lines": [{"sku": s, "quantity": 1} for s in channel.skus], "note": "bench"})
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):

        async def order(n: int) -> httpx.Response:
            return await client.post(
                "/api/orders",
                content=body,
                headers={
                    "Authorization": f"Bearer {tokens[n % STORES]}",
                    "Idempotency-Key": uuid4().hex,
                    "Content-Type": "application/json",
                },
            )

        async def me(n: int) -> httpx.Response:
            return await client.get("/api/me", headers={"Authorization": f"Bearer {tokens[n % STORES]}"})

        for name, send in (("POST /api/orders", order), ("GET /api/me", me)):
            if what != "both" and not name.endswith(what):
                continue
            for n in range(20):  # warm up
                response = await send(n)
                assert response.status_code < 300, response.text
            profiler = cProfile.Profile(time.process_time) if profile else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for n in range(requests):
                response = await send(n)
                assert response.status_code < 300, response.text
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"{name}: {cpu / requests * 1000:.2f} ms CPU and {wall / requests * 1000:.2f} ms wall "
                f"per request over {requests} (in process{', profiled' if profiler else ''})"
            )
            if profiler:
                for order_by in ("cumulative", "tottime"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(order_by).print_stats(top)
                    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database", default="bench_order_profile", help="scratch database (dropped!)")
    parser.add_argument("--what", choices=["orders", "me", "both"], default="both")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.database, args.what, args.top, args.profile))


if __name__ == "__main__":
    main()
