"""A partner's commission statement as PDF, in the reader's language, through the same worker
processes and asset-only URL fetcher as quotes."""

from __future__ import annotations

from typing import Any

from babel import dates, numbers

from incentives import schemas
from portal import i18n
from portal.documents.quote_pdf import _environment, document_language
from portal.documents.renderer import DocumentRenderer

KIND_LABELS = {"earned": i18n.N_("Earned"), "clawback": i18n.N_("Clawed back (return)")}


def statement_html(statement: schemas.CommissionStatement, locale: str) -> str:
    language = document_language(locale)
    translate = i18n.translations(language).ugettext
    context: dict[str, Any] = {
        "doc": statement,
        "lang": language.replace("_", "-"),
        "_": translate,
        "kind_labels": KIND_LABELS,
        "money": lambda amount, currency: numbers.format_currency(amount, currency, locale=locale),
        "date": lambda value: dates.format_date(value, format="long", locale=locale),
    }
    return _environment().get_template("commission_statement.html.jinja").render(**context)


async def statement_pdf(
    statement: schemas.CommissionStatement, locale: str, renderer: DocumentRenderer
) -> bytes:
    return await renderer.render(statement_html(statement, locale))
