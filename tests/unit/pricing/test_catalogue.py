"""Catalogue rules a buyer meets when ordering: names in their language, case packs, minimums."""

from __future__ import annotations

import msgspec
import pytest

from pricing.catalogue import name_in, quantity_issues
from pricing.schemas import ProductCreate


def test_a_name_is_shown_in_the_readers_language_then_english() -> None:
    names = {"en": "Gas hob", "zh_Hans": "燃气灶"}

    assert name_in(names, "zh_Hans_CN") == "燃气灶"
    assert name_in(names, "de_DE") == "Gas hob"
    assert name_in({"de": "Kochfeld"}, "fr") == "Kochfeld"
    assert name_in({}, "en") == ""


def test_a_quantity_must_reach_the_minimum_and_fill_whole_cases() -> None:
    assert quantity_issues(12, case_quantity=6, minimum_order_quantity=6) == []
    assert quantity_issues(4, case_quantity=6, minimum_order_quantity=6) == [
        ("below_minimum_order_quantity", {"minimum": 6}),
        ("not_a_whole_case", {"case_quantity": 6, "lower": 0, "higher": 6}),
    ]
    assert quantity_issues(14, case_quantity=6, minimum_order_quantity=1) == [
        ("not_a_whole_case", {"case_quantity": 6, "lower": 12, "higher": 18})
    ]
    assert quantity_issues(0, case_quantity=1, minimum_order_quantity=1) == [("quantity_not_positive", {})]


def test_a_product_needs_a_name_and_a_clean_sku() -> None:
    with pytest.raises(msgspec.ValidationError, match="names"):
        msgspec.convert({"sku": "A-1", "names": {"en": "  "}, "category": "X"}, ProductCreate)
    with pytest.raises(msgspec.ValidationError, match="sku"):
        msgspec.convert({"sku": "A 1", "names": {"en": "A"}, "category": "X"}, ProductCreate)

    product = msgspec.convert({"sku": " a-1 ", "names": {"en": "A"}, "category": "hobs"}, ProductCreate)

    assert (product.sku, product.category) == ("A-1", "HOBS")
