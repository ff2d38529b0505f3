"""The Simplified Chinese and German catalogues cover the portal's text and keep every placeholder working."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from portal import i18n, messages
from portal.templating import build_environment, tier_label

ROOT = Path(__file__).resolve().parents[3]
TRANSLATED = ["zh_Hans", "de"]

# %(name)s for templates (newstyle gettext always applies %, so a lone % breaks a page), {name} for
# str.format in Python; lone braces and percent signs count too, so a translation cannot add one.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%%|%|\{\w*(?:[!:][^{}]*)?\}|\{\{|\}\}|[{}]")


def _catalog(locale: str) -> Catalog:
    with (ROOT / "portal" / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _entries(catalog: Catalog) -> list[Message]:
    return [entry for entry in catalog if entry.id]


def _forms(entry: Message) -> tuple[str, ...]:
    return entry.string if isinstance(entry.string, tuple) else (entry.string,)


def _source_messages() -> set[str]:
    """Every msgid in the sources, extracted the way scripts/translations.sh does, from babel.cfg."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map)
    }


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_in_the_sources_has_a_translation(locale: str) -> None:
    in_sources = _source_messages()

    catalogued = {
        entry.id if isinstance(entry.id, str) else entry.id[0] for entry in _entries(_catalog(locale))
    }

    assert len(in_sources) > 200
    assert sorted(in_sources - catalogued) == []


def test_every_message_of_a_template_survives_the_percent_formatting_of_newstyle_gettext() -> None:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    broken = []
    for filename, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map):
        text = message if isinstance(message, str) else message[0]
        if filename.endswith(".jinja") and "%(" not in text:
            try:
                text % {}  # what Jinja does to every translated string
            except (ValueError, TypeError):
                broken.append(f"{filename}: {text}")

    assert broken == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_entry_is_translated_and_not_fuzzy(locale: str) -> None:
    catalog = _catalog(locale)

    untranslated = [entry.id for entry in _entries(catalog) if not all(_forms(entry))]
    fuzzy = [entry.id for entry in _entries(catalog) if entry.fuzzy]
    wrong_plural_count = [
        entry.id
        for entry in _entries(catalog)
        if entry.pluralizable and len(_forms(entry)) != catalog.num_plurals
    ]

    assert untranslated == []
    assert fuzzy == []
    assert wrong_plural_count == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_translation_keeps_the_placeholders_of_its_message(locale: str) -> None:
    differing = []
    for entry in _entries(_catalog(locale)):
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        expected = set().union(*(_placeholders(msgid) for msgid in ids))
        for form in _forms(entry):
            if _placeholders(form) != expected:
                differing.append((ids[0], form))

    assert differing == []


_TEMPLATE = '{{ _("Supplied by %(name)s", name=supplier) }}'
_MOMENT = datetime(2026, 11, 24, 15, 39, 34, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "render", "expected"),
    [
        ("zh_Hans", lambda: i18n.gettext("Sign in"), "登录"),
        ("zh_Hans", lambda: i18n.gettext(messages.ROLE_LABELS["channel_manager"]), "渠道经理"),
        ("zh_Hans", lambda: tier_label("distributor", 2), "2 级经销商"),
        (
            "zh_Hans",
            lambda: messages.message(
                "kind_cannot_sit_under", {"kind": "store", "supplier_kind": "manufacturer"}
            ),
            "门店不能隶属于制造商。",
        ),
        (
            "zh_Hans",
            lambda: build_environment().from_string(_TEMPLATE).render(supplier="<Shanghai & Co>"),
            "供货方：&lt;Shanghai &amp; Co&gt;",
        ),
        # A purchase order and the place of a rule in a list are different words in both languages.
        ("zh_Hans", lambda: i18n.gettext("Order"), "订单"),
        ("zh_Hans", lambda: i18n.gettext(messages.FIELD_LABELS["position"]), "顺序"),
        ("de", lambda: i18n.gettext(messages.FIELD_LABELS["position"]), "Reihenfolge"),
        # Rebate programmes and deal registration programmes are not the same programmes.
        ("zh_Hans", lambda: i18n.gettext("Rebate programmes"), "返利计划"),
        # A moment to the minute, in the reader's own order of date and time.
        ("zh_Hans", lambda: i18n.format_datetime(_MOMENT), "2026年11月24日 15:39"),
        ("de", lambda: i18n.format_datetime(_MOMENT), "24.11.2026, 15:39"),
        ("de", lambda: i18n.gettext("Sign in"), "Anmelden"),
        ("de", lambda: i18n.gettext("Accept the quote"), "Angebot annehmen"),
        ("de", lambda: i18n.gettext(messages.ROLE_LABELS["channel_manager"]), "Channel-Manager"),
        ("de", lambda: tier_label("distributor", 2), "Distributor der Ebene 2"),
        (
            "de",
            lambda: messages.message(
                "kind_cannot_sit_under", {"kind": "store", "supplier_kind": "manufacturer"}
            ),
            "Ein Fachhändler kann nicht unter einem Hersteller eingeordnet werden.",
        ),
    ],
    ids=[
        "zh-gettext",
        "zh-role-label",
        "zh-tier-label",
        "zh-reason-with-terms",
        "zh-template-with-placeholder",
        "zh-purchase-order",
        "zh-rule-position",
        "de-rule-position",
        "zh-rebate-programmes",
        "zh-moment",
        "de-moment",
        "de-gettext",
        "de-quote-answer",
        "de-role-label",
        "de-tier-label",
        "de-reason-with-terms",
    ],
)
def test_the_portal_speaks_the_readers_language(
    locale: str, render: Callable[[], str], expected: str
) -> None:
    i18n.use_locale(locale)
    try:
        said = render()
    finally:
        i18n.use_locale(i18n.DEFAULT_LOCALE)
    assert said == expected
