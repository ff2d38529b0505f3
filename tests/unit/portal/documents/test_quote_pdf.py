"""Quote PDFs: the customer's language and number formats, real Chinese glyphs, page numbers,
headers on every page, and a renderer that fetches nothing but our own assets."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portal.documents.fetcher import RefusedURLError, asset_bytes
from portal.documents.quote_pdf import DocumentLine, QuoteDocument, quote_html
from portal.documents.renderer import DocumentRenderer, RenderMemoryError, RenderTimeoutError
from pricing.schemas import QuoteCustomer

CUSTOMERS = {
    "en": ("Lakeview Hotels Ltd", "USD"),
    "zh_Hans_CN": ("北京湖景酒店有限公司", "CNY"),
    "de_DE": ("Hotel Seeblick GmbH", "EUR"),
}


def _document(locale: str, lines: int = 3, company: str | None = None, terms: str = "") -> QuoteDocument:
    name, currency = CUSTOMERS[locale]
    return QuoteDocument(
        number="Q-2026-000042",
        version=2,
        locale=locale,
        language={"zh_Hans_CN": "zh_Hans", "de_DE": "de"}.get(locale, "en"),
        currency=currency,
        issued_at=datetime(2026, 11, 23, tzinfo=UTC),
        valid_until=datetime(2026, 12, 23, tzinfo=UTC),
        seller_name="Huadong Appliance Trading Co., Ltd.",
        seller_lines=["Shanghai, CN"],
        prepared_by="sales@huadong.example",
        customer=QuoteCustomer(company=company or name, locale=locale),
        lines=[
            DocumentLine(
                sku=f"HOB-{n:03d}",
                description="双眼燃气灶" if locale.startswith("zh") else "Gas hob",
                quantity=2,
                unit_price=Decimal("6172.80"),
                discount=Decimal("0"),
                total=Decimal("12345.60"),
            )
            for n in range(lines)
        ],
        list_total=Decimal("12345.60") * lines,
        discount_total=Decimal(0),
        total=Decimal("12345.60") * lines,
        terms=terms,
    )


@pytest.fixture(scope="module")
def renderer() -> Iterator[DocumentRenderer]:
    rendering = DocumentRenderer(workers=1, timeout_seconds=60)
    yield rendering
    rendering.close()


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_german_quote_speaks_german_with_german_numbers(renderer: DocumentRenderer) -> None:
    text = _pages(renderer.render_sync(quote_html(_document("de_DE"))))[0]

    assert "Angebot Q-2026-000042" in text and "Hotel Seeblick GmbH" in text
    assert "12.345,60 €" in text and "37.036,80 €" in text
    assert "Einzelpreis" in text and "Seite 1 von 1" in text and "23. Dezember 2026" in text


def test_a_chinese_quote_has_chinese_labels_yuan_and_real_glyphs(renderer: DocumentRenderer) -> None:
    pdf = renderer.render_sync(quote_html(_document("zh_Hans_CN")))
    text = _pages(pdf)[0]

    assert "北京湖景酒店有限公司" in text and "双眼燃气灶" in text
    assert "¥12,345.60" in text and "单价" in text
    fonts = {
        str(f) for page in PdfReader(io.BytesIO(pdf)).pages for f in page["/Resources"]["/Font"].values()
    }
    assert fonts  # glyphs come from an embedded font, not from boxes


def test_a_long_quote_breaks_across_pages_with_the_header_on_every_page(renderer: DocumentRenderer) -> None:
    pages = _pages(renderer.render_sync(quote_html(_document("en", lines=120))))

    assert len(pages) >= 3
    assert all("Unit price" in page for page in pages)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_customer_text_is_shown_as_text_and_nothing_outside_is_fetched(renderer: DocumentRenderer) -> None:
    hostile = '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><b>Bold</b>'
    text = _pages(renderer.render_sync(quote_html(_document("en", company=hostile))))[0]

    assert '<img src="file:///etc/passwd">' in text.replace("\n", "")


def test_the_fetcher_serves_bundled_assets_and_refuses_everything_else() -> None:
    assert asset_bytes("portal-asset:quote.css")[1] == "text/css"
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.com/logo.png",
        "portal-asset:../settings.py",
        "data:text/css,body{}",
    ):
        with pytest.raises(RefusedURLError):
            asset_bytes(url)


def test_a_render_past_its_deadline_is_stopped_and_the_renderer_recovers() -> None:
    slow = DocumentRenderer(workers=1, timeout_seconds=1)
    try:
        with pytest.raises(RenderTimeoutError):
            slow.render_sync(quote_html(_document("en", lines=3000)))
        slow.timeout_seconds = 60
        assert slow.render_sync(quote_html(_document("en"))).startswith(b"%PDF")
    finally:
        slow.close()


def test_a_render_past_its_memory_limit_fails_clearly_and_the_renderer_recovers() -> None:
    # 150 MiB of address space is less than WeasyPrint needs for a page with the CJK font: the
    # worker fails (or dies) and the caller is told why, in words, not with a broken pool.
    small = DocumentRenderer(workers=1, timeout_seconds=120, memory_limit_mib=150)
    try:
        with pytest.raises(RenderMemoryError, match="150 MiB"):
            small.render_sync(quote_html(_document("zh_Hans_CN", lines=200)))
        small.memory_limit_bytes = 1536 * 1024 * 1024
        assert small.render_sync(quote_html(_document("en"))).startswith(b"%PDF")
    finally:
        small.close()


def test_documents_beyond_the_workers_wait_their_turn_on_the_event_loop(renderer: DocumentRenderer) -> None:
    async def three_at_once() -> list[bytes]:
        html = quote_html(_document("de_DE"))
        return await asyncio.gather(*(renderer.render(html) for _ in range(3)))

    pdfs = asyncio.run(three_at_once())

    assert renderer.workers == 1
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs)
