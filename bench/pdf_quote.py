"""PDF-1 and PDF-2 (docs/performance.md): quote PDFs in the worker process, and the server meanwhile.

    .venv/bin/python -m bench.pdf_quote [pdf-1] [pdf-2]

PDF-1: 20-, 100- and 500-line quotes rendered in a worker process: time, pages, time per page, the
worker's peak memory; the ratio of time per page at 500 lines to that at 100.
PDF-2: ``GET /health`` p99 on a server in this process, first alone, then while two 500-line PDFs
render through the server's own renderer; the ratio of the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader

from portal.documents.quote_pdf import DocumentLine, QuoteDocument, quote_html
from portal.documents.renderer import DocumentRenderer, render_pdf_measured
from pricing.schemas import QuoteCustomer


def document(lines: int, locale: str = "zh_Hans_CN") -> QuoteDocument:
    return QuoteDocument(
        number="Q-2026-000042",
        version=1,
        locale=locale,
        language="zh_Hans" if locale.startswith("zh") else "en",
        currency="CNY",
        issued_at=datetime(2026, 11, 23, tzinfo=UTC),
        valid_until=datetime(2026, 12, 23, tzinfo=UTC),
        seller_name="华东家电贸易有限公司",
        seller_lines=["上海市徐汇区", "+86 21 5555 0000"],
        prepared_by="sales@huadong.example",
        customer=QuoteCustomer(company="北京湖景酒店有限公司", contact="王经理", locale=locale),
        lines=[
            DocumentLine(
                sku=f"SKU-{n:05d}",
                description=f"嵌入式烤箱 60 升 型号 {n}",
                quantity=1 + n % 7,
                unit_price=Decimal("3999.00"),
                discount=Decimal("399.90"),
                total=Decimal("3599.10"),
                explanations=["范围促销：10% 折扣"],
            )
            for n in range(lines)
        ],
        list_total=Decimal("3999.00") * lines,
        discount_total=Decimal("399.90") * lines,
        total=Decimal("3599.10") * lines,
        terms="30 天内付款。",
    )


def pdf_1(renderer: DocumentRenderer) -> None:
    print("PDF-1: quote PDFs rendered in a worker process (Chinese, CJK font)")
    renderer.render_sync(quote_html(document(5)))  # warm the worker: fonts and imports
    per_page: dict[int, float] = {}
    for lines in (20, 100, 500):
        html = quote_html(document(lines))
        samples, peak, pages = [], 0.0, 0
        for _ in range(3 if lines < 500 else 2):
            start = time.perf_counter()
            pdf, rss = renderer.submit(render_pdf_measured, html).result()  # type: ignore[misc]
            samples.append((time.perf_counter() - start) * 1000)
            peak = max(peak, rss)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
        ms = statistics.median(samples)
        per_page[lines] = ms / pages
        target = {20: "<= 400 ms, <= 150 MiB", 500: "<= 3,000 ms, <= 200 MiB"}.get(lines, "")
        print(
            f"  {lines:>3} lines: {ms:8.0f} ms  {pages:3d} pages  {ms / pages:6.1f} ms/page  worker peak {peak:6.0f} MiB  {target}"
        )
    print(f"  ms per page at 500 lines / at 100 lines: {per_page[500] / per_page[100]:.2f}   (target <= 1.3)")


async def pdf_2() -> None:
    import httpx
    import uvicorn

    workdir = tempfile.mkdtemp(prefix="bench-pdf-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite"
    os.environ.setdefault("PORTAL_ENV", "development")
    os.environ["PORTAL_RUN_JOBS"] = "0"
    # The figure is /health meanwhile; a busy shared machine must not cut the renders short.
    os.environ.setdefault("PORTAL_DOCUMENT_TIMEOUT_SECONDS", "600")
    from portal.app import create_app

    app = create_app()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    renderer: DocumentRenderer = app.state.renderer
    await renderer.render(quote_html(document(5)))  # start and warm the workers

    async def health_p99(seconds: float) -> tuple[float, int]:
        latencies = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                start = time.perf_counter()
                answer = await client.get("/health")
                latencies.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200
        latencies.sort()
        return latencies[int(0.99 * (len(latencies) - 1))], len(latencies)

    print("PDF-2: GET /health p99 on the server, alone and while two 500-line PDFs render")
    alone, n_alone = await health_p99(4.0)
    html = quote_html(document(500))
    renders = [asyncio.create_task(renderer.render(html)) for _ in range(2)]
    busy, n_busy = await health_p99(4.0)
    await asyncio.gather(*renders)
    print(f"  alone:            p99 {alone:6.2f} ms  ({n_alone} requests)")
    print(f"  two PDFs render:  p99 {busy:6.2f} ms  ({n_busy} requests)")
    print(f"  ratio: {busy / alone:.2f}   (target <= 2)")
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await serving


def main() -> None:
    import logging
    import platform

    import weasyprint

    load = os.getloadavg()[0]
    print(
        f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"WeasyPrint {weasyprint.__version__}, load {load:.2f}; no database work (no pgbench figure)"
    )

    logging.getLogger("httpx").setLevel(logging.WARNING)
    parts = sys.argv[1:] or ["pdf-1", "pdf-2"]
    if "pdf-1" in parts:
        renderer = DocumentRenderer(workers=1, timeout_seconds=600)
        try:
            pdf_1(renderer)
        finally:
            renderer.close()
    if "pdf-2" in parts:
        asyncio.run(pdf_2())


if __name__ == "__main__":
    main()
