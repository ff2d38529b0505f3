"""The largest quotes a seller can make render as PDFs while the server keeps answering.

A quote PDF renders in the document workers, never on the event loop; documents beyond the workers
wait their turn, and a render past its time limit is stopped with a 503 naming the limit. Here the
largest quote the API takes (500 lines, every text field at its limit, Chinese) is asked for as a
PDF several times at once, with one worker and a time limit shorter than such a render takes on a
small machine, while other requests (``/health`` and ``GET /api/me``) are timed throughout.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

from channel import schemas as channel_schemas
from channel.roles import Role
from channel.services import access
from core.clock import FixedClock
from portal.app import create_app
from pricing import schemas
from pricing.services import catalogue, price_books, quotes
from tests.api.conftest import serve, settings_for_tests
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world

LINES = 500  # the most a quote may have (QuoteCreate)
RENDERS = 3
# A render of this quote takes about 6 s on the 2-core machine the limits were measured on: with a
# 3 s limit the first renders are stopped; a faster machine may finish some. Either answer is right.
TIME_LIMIT_SECONDS = 3
P99_LIMIT_SECONDS = 1.5  # and none above 5 s: generous, a loaded CI machine stalls now and then


async def _largest_quote(world: World, clock: FixedClock) -> str:
    await priced_world(world, clock)
    m = world.actors["m_admin"]
    skus = [f"BIG-{n:03d}" for n in range(LINES)]
    rows = "".join(f"{sku},KITCHEN,{'双眼嵌入式燃气灶 不锈钢面板 ' * 6}\n" for sku in skus)
    await catalogue.import_products(m, f"sku,category,name_zh_hans\n{rows}".encode(), "big.csv", clock)
    book = next(b for b in await price_books.list_price_books(m) if b.code == "LIST-EUR")
    prices = "".join(f"{sku},{1000 + n}.55\n" for n, sku in enumerate(skus))
    await price_books.import_entries(
        m, book.id, f"sku,unit_price\nHOB,1000\nHOOD,2000\nFILTER,30\n{prices}".encode(), "p.csv", clock
    )
    quote = await quotes.create_quote(
        world.actors["d1_sales"],
        schemas.QuoteCreate(
            customer=schemas.QuoteCustomer(
                company="华东酒店管理集团有限公司" * 16,
                contact="王" * 120,
                address="上海市浦东新区世纪大道一号" * 38,
                locale="zh_Hans_CN",
            ),
            lines=[schemas.CartLineRequest(sku=sku, quantity=7) for sku in skus],
            terms="付款条件：发货前全额付款。" * 300,
        ),
        clock,
    )
    return str(quote.id)


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else values[0]


async def test_the_server_keeps_answering_while_the_largest_quotes_render(
    db: None, world: World, clock: FixedClock, figure: Callable[[str], None]
) -> None:
    quote_id = await _largest_quote(world, clock)
    issued = await access.create_api_token(
        world.actors["d1_admin"], channel_schemas.ApiTokenCreate(name="crm", roles=[Role.SALES]), clock
    )
    headers = {"Authorization": f"Bearer {issued.token}"}
    settings = settings_for_tests(document_workers=1, document_timeout_seconds=TIME_LIMIT_SECONDS)
    async with serve(create_app(settings, clock)) as client:
        assert (await client.get("/api/me", headers=headers)).status_code == 200
        latencies: dict[str, list[float]] = {"/health": [], "/api/me": []}
        errors: list[str] = []
        rendering = True

        async def probe() -> None:
            while rendering:
                for path in latencies:
                    started = time.perf_counter()
                    answer = await client.get(path, headers=headers)
                    latencies[path].append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        errors.append(f"{path}: {answer.status_code} {answer.text[:120]}")
                await asyncio.sleep(0.05)

        async def pdf() -> tuple[int, str, float]:
            started = time.perf_counter()
            answer = await client.get(f"/api/quotes/{quote_id}/pdf", headers=headers)
            kind = "pdf" if answer.content.startswith(b"%PDF") else answer.json().get("code", "")
            return answer.status_code, kind, time.perf_counter() - started

        prober = asyncio.create_task(probe())
        started = time.perf_counter()
        try:
            renders = await asyncio.gather(*(pdf() for _ in range(RENDERS)))
        finally:
            rendering = False
            await prober
        elapsed = time.perf_counter() - started

    outcomes = sorted((status, kind) for status, kind, _ in renders)
    every = [seconds for values in latencies.values() for seconds in values]
    figure(
        f"{RENDERS} PDFs of a {LINES}-line quote at once, 1 worker, {TIME_LIMIT_SECONDS} s limit: "
        f"{outcomes} in {elapsed:.1f} s (each {', '.join(f'{s:.1f}' for *_, s in renders)} s); meanwhile "
        + "; ".join(
            f"{path} {len(values)} requests, p50 {statistics.median(values) * 1000:.0f} ms, "
            f"p99 {_p99(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
            for path, values in latencies.items()
        )
        + f"; {len(errors)} errors"
    )
    assert errors == []
    assert all(outcome in {(200, "pdf"), (503, "document_too_slow")} for outcome in outcomes), outcomes
    assert len(every) >= 20, "the other requests were not answered while the quotes rendered"
    assert _p99(every) < P99_LIMIT_SECONDS, _p99(every)
    assert max(every) < 5, max(every)
