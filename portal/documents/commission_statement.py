"""A partner's commission statement as PDF, in the reader's language, through the same worker
processes and asset-only URL fetcher as quotes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from babel import dates, numbers

from channel.tabular import Cell
from incentives import schemas
from portal import i18n
from portal.documents.quote_pdf import _environment, document_language
from portal.documents.renderer import DocumentRenderer

KIND_LABELS = {"earned": i18n.N_("Earned"), "clawback": i18n.N_("Clawed back (return)")}
CSV_COLUMNS = [
    "order",
    "line",
    "date",
    "category",
    "volume",
    "rate_percent",
    "share_percent",
    "amount",
    "currency",
]


def statement_rows(statement: schemas.CommissionStatement) -> list[list[Cell]]:
    """The statement as spreadsheet rows: per deal, what each rate of the plan earns on the order
    (the whole deal's figure, with the partner's share), then the partner's entries of the period
    (earned, clawback); entries of deals no longer on record come last. Figures stay numbers (a
    clawback is -30.00, not text); the writer keeps formula-like text as text."""
    rows: list[list[Cell]] = []
    listed = set()
    for deal in statement.deals:
        listed.add(deal.deal_id)
        for c in deal.categories:
            rows.append(
                [
                    deal.order_number,
                    "category",
                    None,
                    c.category or "*",
                    c.volume,
                    c.rate,
                    deal.share_percent,
                    c.amount,
                    deal.currency,
                ]
            )
        rows += [_entry_row(e) for e in statement.entries if e.deal_id == deal.deal_id]
    rows += [_entry_row(e) for e in statement.entries if e.deal_id not in listed]
    return rows


def _entry_row(e: schemas.CommissionEntry) -> list[Cell]:
    return [e.order_number, e.kind, e.occurred_at.date(), None, None, None, None, e.amount, e.currency]


def statement_html(statement: schemas.CommissionStatement, locale: str) -> str:
    language = document_language(locale)
    translate = i18n.translations(language).ugettext
    context: dict[str, Any] = {
        "doc": statement,
        "lang": language.replace("_", "-"),
        "_": translate,
        "kind_labels": KIND_LABELS,
        "money": lambda amount, currency: numbers.format_currency(amount, currency, locale=locale),
        "number": lambda value: numbers.format_decimal(value, locale=locale),
        "date": lambda value: dates.format_date(value, format="long", locale=locale),
        # The statement's period ends before its end date: shown first day to last day.
        "date_span": lambda start, end: dates.format_interval(
            start, max(start, end - timedelta(days=1)), "yMMMMd", locale=locale
        ),
    }
    return _environment().get_template("commission_statement.html.jinja").render(**context)


async def statement_pdf(
    statement: schemas.CommissionStatement, locale: str, renderer: DocumentRenderer
) -> bytes:
    return await renderer.render(statement_html(statement, locale))
