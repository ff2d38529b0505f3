from decimal import Decimal

import pytest

from core.validation import FieldValueError, check_decimal, check_text


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("NaN", "not_finite"),
        ("Infinity", "not_finite"),
        ("-Infinity", "not_finite"),
        ("1e400", "above_maximum"),
        ("-1", "below_minimum"),
        ("1.234", "too_many_decimals"),
    ],
)
def test_hostile_decimals_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(FieldValueError) as refused:
        check_decimal(Decimal(raw), "credit_limit")

    assert refused.value.code == code
    assert refused.value.field == "credit_limit"


def test_an_ordinary_amount_passes_unchanged() -> None:
    assert check_decimal(Decimal("1234.50"), "credit_limit") == Decimal("1234.50")


def test_text_is_stripped_and_control_characters_are_refused() -> None:
    assert check_text("  Shop  ", "name", max_length=10) == "Shop"
    with pytest.raises(FieldValueError) as refused:
        check_text("Shop\x00", "name", max_length=10)
    assert refused.value.code == "control_characters"


def test_blank_required_text_is_refused() -> None:
    with pytest.raises(FieldValueError) as refused:
        check_text("   ", "name", max_length=10)
    assert refused.value.code == "required"
