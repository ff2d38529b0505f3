"""A quote as PDF: the document's data, its HTML in the customer's language, and the rendering.

The HTML is made here (Jinja, Babel formats and the catalogue of the customer's language); the PDF
is made by WeasyPrint in the renderer's worker process (``portal.documents.renderer``), with a URL
fetcher that serves only our bundled assets.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec
from babel import dates, numbers
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Response
from markupsafe import Markup

from portal import i18n
from portal.documents.renderer import DocumentRenderer
from portal.explained import sentence
from pricing import messages as pricing_messages
from pricing import schemas
from pricing.catalogue import name_in
from pricing.services import quotes as quotes_service

# Languages a document can be written in; German has its own catalogue for documents even though
# the portal's pages are not (yet) offered in German.
DOCUMENT_LANGUAGES = ("en", "zh_Hans", "de")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class DocumentLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    description: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    total: Decimal
    explanations: list[str] = []


class QuoteDocument(msgspec.Struct, frozen=True, kw_only=True):
    number: str
    version: int
    locale: str  # the customer's, e.g. de_DE: numbers and dates follow it
    language: str  # the catalogue the labels come from: en, zh_Hans or de
    currency: str
    issued_at: datetime
    valid_until: datetime
    seller_name: str
    seller_lines: list[str]
    prepared_by: str
    customer: schemas.QuoteCustomer
    lines: list[DocumentLine]
    list_total: Decimal
    discount_total: Decimal
    total: Decimal
    terms: str = ""
    brand_colour: str = "#1f3a8a"


def document_language(locale: str) -> str:
    language = locale.split("_", 1)[0]
    if language == "zh":
        return "zh_Hans"
    return language if language in DOCUMENT_LANGUAGES else "en"


def build_quote_document(
    quote: schemas.Quote,
    *,
    seller_name: str,
    seller_lines: list[str],
    names: dict[str, dict[str, str]],
    version: int | None = None,
) -> QuoteDocument:
    """The document of one version of a quote (the current one by default)."""
    chosen = next(v for v in quote.versions if v.version == (version or quote.version))
    locale = quote.customer.locale
    language = document_language(locale)
    priced = chosen.priced
    lines = []
    for line in priced.lines:
        discounts = [s for s in line.steps if s.kind in ("promotion", "deal_registration", "manual")]
        with i18n.speaking(language, locale):
            why = [sentence(pricing_messages.STEPS, s.code, {**s.params}, priced.currency) for s in discounts]
        lines.append(
            DocumentLine(
                sku=line.sku,
                description=name_in(names.get(line.sku, {}), language) or line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=-sum((s.amount for s in discounts), Decimal(0)),
                total=line.net_total,
                explanations=why,
            )
        )
    return QuoteDocument(
        number=quote.number,
        version=chosen.version,
        locale=locale,
        language=language,
        currency=priced.currency,
        issued_at=chosen.created_at,
        valid_until=quote.valid_until,
        seller_name=seller_name,
        seller_lines=seller_lines,
        prepared_by=chosen.created_by,
        customer=quote.customer,
        lines=lines,
        list_total=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        discount_total=sum((line.discount for line in lines), Decimal(0)),
        total=priced.total,
        terms=quote.terms,
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(i18n.LOCALE_DIR.parent / "templates" / "documents"),
        autoescape=select_autoescape(["html", "jinja"]),
        undefined=StrictUndefined,
    )


def _css_text(text: str) -> Markup:
    """Text inside a CSS string: quotes and backslashes escaped, no markup."""
    cleaned = "".join(ch for ch in text if ch.isprintable()).replace("\\", "\\\\").replace('"', '\\"')
    return Markup(cleaned.replace("<", "\\3C ").replace(">", "\\3E "))  # noqa: S704 - escaped for CSS above


def quote_html(document: QuoteDocument) -> str:
    translate = i18n.translations(document.language).ugettext
    colour = document.brand_colour if _COLOUR.match(document.brand_colour) else "#1f3a8a"
    context: dict[str, Any] = {
        "doc": msgspec.structs.replace(document, brand_colour=colour),
        "lang": document.language.replace("_", "-"),
        "_": translate,
        "css_text": _css_text,
        "money": lambda amount: numbers.format_currency(amount, document.currency, locale=document.locale),
        "number": lambda value: numbers.format_decimal(value, locale=document.locale),
        "date": lambda value: dates.format_date(value, format="long", locale=document.locale),
    }
    return _environment().get_template("quote.html.jinja").render(**context)


async def quote_pdf(quote: schemas.Quote, renderer: DocumentRenderer, version: int | None = None) -> bytes:
    """The PDF of a quote version, rendered in the renderer's worker process."""
    seller = await quotes_service.seller_facts(quote.seller_id)
    names = await quotes_service.product_names([line.sku for line in quote.versions[-1].priced.lines])
    document = build_quote_document(
        quote, seller_name=seller.name, seller_lines=seller.lines, names=names, version=version
    )
    return await renderer.render(quote_html(document))


def pdf_response(content: bytes, quote: schemas.Quote) -> Response[bytes]:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{quote.number}-v{quote.version}.pdf"'},
    )
