"""Which category rows a product's figures fall into."""

from __future__ import annotations

from reports import measures as m


def test_a_product_counts_in_its_category_and_every_category_above_it() -> None:
    assert m.category_and_ancestors("KITCHEN/HOBS/GAS/") == ["KITCHEN/", "KITCHEN/HOBS/", "KITCHEN/HOBS/GAS/"]
    assert m.category_and_ancestors("BATH/") == ["BATH/"]
    assert m.category_and_ancestors("") == []
