"""Languages of the portal: Babel catalogues, the request's locale, and locale-aware formatting.

Catalogues are compiled from the ``.po`` files at start-up, so there is no compiled artefact to
forget. Every number, amount and date on a page goes through the formatters here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError, dates, lists, numbers
from babel.core import get_global
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
# The languages the portal's own text is translated into, with their names in themselves.
SUPPORTED_LOCALES: dict[str, str] = {"en": "English", "zh_Hans": "简体中文", "de": "Deutsch"}
LOCALE_COOKIE = "portal_locale"

_current_locale: ContextVar[str] = ContextVar("portal_locale", default=DEFAULT_LOCALE)
# Numbers, money and dates may follow another locale than the text (a Swiss customer's quote in
# German shows "EUR 3’520.00"), or one the portal's text is not translated into.
_format_locale: ContextVar[str | None] = ContextVar("portal_format_locale", default=None)
_UTC = ZoneInfo("UTC")
_display_timezone: ContextVar[ZoneInfo] = ContextVar("portal_timezone", default=_UTC)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


@lru_cache(maxsize=1024)  # every request asks (Babel's parsing costs ~1 ms); the answers never change
def supported_locale(preference: str | None) -> str | None:
    """The supported locale closest to ``preference`` (``zh_Hans_CN``, ``zh-CN`` -> ``zh_Hans``)."""
    if not preference:
        return None
    try:
        wanted = Locale.parse(preference.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    for supported in SUPPORTED_LOCALES:
        have = Locale.parse(supported)
        if have.language == wanted.language and (have.script or None) in (
            None,
            wanted.script or _script_of(wanted),
        ):
            return supported
    return None


def _script_of(locale: Locale) -> str | None:
    """The script a locale is written in when it does not say (zh, zh_CN -> Hans; zh_TW -> Hant)."""
    likely = get_global("likely_subtags")
    for key in (f"{locale.language}_{locale.territory}" if locale.territory else None, locale.language):
        if key and key in likely:
            return Locale.parse(likely[key]).script
    return None


def negotiate(preferences: Iterable[str | None]) -> str:
    for preference in preferences:
        if (found := supported_locale(preference)) is not None:
            return found
    return DEFAULT_LOCALE


def accept_language(header: str | None) -> list[str]:
    """Languages of an Accept-Language header, most wanted first."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def use_locale(locale: str, timezone: str | None = None, formats: str | None = None) -> None:
    """The language of the text, and (``formats``) the locale numbers and dates follow if another."""
    _current_locale.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)
    _format_locale.set(_known(formats))
    if timezone:
        _display_timezone.set(ZoneInfo(timezone))


def _known(locale: str | None) -> str | None:
    if not locale:
        return None
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return None
    return locale


def _formats() -> str:
    return _format_locale.get() or current_locale()


@contextmanager
def speaking(language: str, formats: str | None = None) -> Iterator[None]:
    """For a block, text in ``language`` (any language with a catalogue, e.g. a customer's German
    document) and numbers and dates as ``formats`` says; the request's own settings come back after."""
    text_token = _current_locale.set(language)
    format_token = _format_locale.set(_known(formats))
    try:
        yield
    finally:
        _current_locale.reset(text_token)
        _format_locale.reset(format_token)


def current_locale() -> str:
    return _current_locale.get()


def display_timezone() -> ZoneInfo:
    """The time zone the reader sees times in (and types them in)."""
    return _display_timezone.get()


def gettext(message: str) -> str:
    return translations(current_locale()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ungettext(singular, plural, n)


# --- formatting -----------------------------------------------------------------------------------


def format_money(amount: Decimal | int | None, currency: str) -> str:
    if amount is None:
        return ""
    return numbers.format_currency(amount, currency, locale=_formats())


def format_list(items: list[str]) -> str:
    """Items joined as the reader's language joins them ("A, B and C"; "A, B und C")."""
    return lists.format_list(items, locale=current_locale())


def parse_amount(text: str) -> Decimal:
    """An amount as the reader types it in their number format ("1,234.50"; "1.234,50" in German);
    ``babel.numbers.NumberFormatError`` when it is not one."""
    return numbers.parse_decimal(text.strip(), locale=_formats(), strict=True)


def format_number(value: int | Decimal | None, places: int | None = None) -> str:
    """A number in the reader's format; with ``places``, exactly that many decimals."""
    if value is None:
        return ""
    pattern = f"#,##0.{'0' * places}" if places else None
    return numbers.format_decimal(value, format=pattern, locale=_formats())


def format_percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return numbers.format_percent(value, locale=_formats(), decimal_quantization=False)


def format_date(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_display_timezone.get()).date()
    return dates.format_date(value, format=style, locale=_formats())


def format_period(start: date, end: date) -> str:
    """A period kept with an exclusive end ("1 Jul 2026 up to 1 Jan 2027"), shown as people say it:
    first day to last day ("Jul 1 – Dec 31, 2026", "2026年7月1日至12月31日")."""
    last = max(start, end - timedelta(days=1))
    return dates.format_interval(start, last, "yMMMd", locale=_formats())


def format_datetime(value: datetime | None, style: str = "medium") -> str:
    """A moment in the reader's time zone and language. ``medium``: the date in words and the time
    to the minute ("Nov 24, 2026, 3:39 PM"); seconds say nothing to a person reading a list."""
    if value is None:
        return ""
    if style != "medium":
        return dates.format_datetime(value, format=style, tzinfo=_display_timezone.get(), locale=_formats())
    local = value.astimezone(_display_timezone.get())
    # As Babel joins a date and a time in the locale's own order, with the time in its short form.
    pattern = dates.get_datetime_format("medium", locale=_formats()).replace("'", "")
    return pattern.replace("{0}", dates.format_time(local, "short", locale=_formats())).replace(
        "{1}", dates.format_date(local.date(), "medium", locale=_formats())
    )


def format_relative(value: datetime | None, now: datetime) -> str:
    """'3 hours ago' in the user's language."""
    if value is None:
        return ""
    return dates.format_timedelta(value - now, add_direction=True, locale=_formats())


def language_name(locale: str) -> str:
    return SUPPORTED_LOCALES.get(locale, locale)
