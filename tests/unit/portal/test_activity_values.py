"""An activity entry's values as its reader reads them: amounts in their number format, kinds in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal import i18n
from portal.messages import audit_value


@pytest.fixture
def in_german() -> Iterator[None]:
    i18n.use_locale("de")
    yield
    i18n.use_locale(i18n.DEFAULT_LOCALE)


def test_amounts_follow_the_readers_number_format_with_their_recorded_decimals() -> None:
    assert audit_value("48000", "amount") == "48,000"
    assert audit_value("150000.00", "amount") == "150,000.00"
    assert audit_value(3, "quantity") == "3"


def test_amounts_per_currency_read_as_money_in_each_currency() -> None:
    assert audit_value({"CNY": "480.00", "EUR": "80.00"}, "earned") == "CN¥480.00 and €80.00"
    assert audit_value({}, "clawed_back") == "—"


def test_an_mdf_activity_is_named_in_words() -> None:
    assert audit_value("event", "activity") == "Event"


def test_codes_and_numbers_of_things_stay_as_recorded() -> None:
    assert audit_value("80331", "code") == "80331"
    assert audit_value("D1A-2027-000001", "order_reference") == "D1A-2027-000001"
    assert audit_value(None, "amount") == "—"


def test_a_german_reader_sees_german_amounts_and_words(in_german: None) -> None:
    assert audit_value("48000", "amount") == "48.000"
    assert audit_value("3520.50", "amount") == "3.520,50"
    assert audit_value("event", "activity") == "Veranstaltung"
