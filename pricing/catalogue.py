"""Catalogue rules: product status, names per language, case packs and minimum order quantities.

Pure functions; the services load and store, these decide.
"""

from __future__ import annotations

import re
from enum import StrEnum

_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")


class ProductStatus(StrEnum):
    DRAFT = "draft"  # being prepared: only the manufacturer sees it
    ACTIVE = "active"  # orderable
    DISCONTINUED = "discontinued"  # visible in history, no longer orderable


def normalise_sku(value: str) -> str:
    """SKUs compare upper-cased and trimmed: ``ab-100`` and ``AB-100 `` are one product."""
    return value.strip().upper()


def sku_is_valid(value: str) -> bool:
    return bool(_SKU.match(value))


def name_in(names: dict[str, str], locale: str) -> str:
    """A name in the reader's language: the exact locale, then its language, then English, then any."""
    if not names:
        return ""
    if locale in names:
        return names[locale]
    language = locale.split("_", 1)[0]
    for key, value in names.items():
        if key.split("_", 1)[0] == language:
            return value
    return names.get("en") or next(iter(names.values()))


def quantity_issues(
    quantity: int, *, case_quantity: int, minimum_order_quantity: int
) -> list[tuple[str, dict[str, int]]]:
    """Why a quantity cannot be ordered, as (reason code, params); empty when it can.

    A case pack means the supplier ships whole cases only, so the quantity must be a multiple of it;
    the nearest valid quantities are offered so the buyer can fix it in one click.
    """
    issues: list[tuple[str, dict[str, int]]] = []
    if quantity < 1:
        return [("quantity_not_positive", {})]
    if quantity < minimum_order_quantity:
        issues.append(("below_minimum_order_quantity", {"minimum": minimum_order_quantity}))
    if case_quantity > 1 and quantity % case_quantity:
        lower = quantity - quantity % case_quantity
        issues.append(
            (
                "not_a_whole_case",
                {"case_quantity": case_quantity, "lower": lower, "higher": lower + case_quantity},
            )
        )
    return issues


def category_path(parent_path: str | None, code: str) -> str:
    return f"{parent_path or ''}{code}/"
