"""The pricing package's inputs and outputs; the same Structs are the API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from channel.schemas import check_code, check_locale
from core.validation import FieldValueError, check_text
from pricing.catalogue import ProductStatus, normalise_sku, sku_is_valid

Sku = Annotated[str, Meta(min_length=1, max_length=64)]
Names = Annotated[dict[str, str], Meta(max_length=20)]


def check_sku(value: str, field: str = "sku") -> str:
    value = normalise_sku(value)
    if not sku_is_valid(value):
        raise FieldValueError(field, "bad_sku", f"{field} may hold letters, digits, '.', '_', '/' and '-'")
    return value


def check_names(
    names: dict[str, str], field: str, *, required: bool = True, max_length: int = 200
) -> dict[str, str]:
    """Names per language (``{"en": ..., "zh_Hans": ...}``); at least one when required."""
    cleaned: dict[str, str] = {}
    for locale, text in names.items():
        check_locale(locale)
        value = check_text(text, f"{field}.{locale}", max_length=max_length, required=False)
        if value:
            cleaned[locale] = value
    if required and not cleaned:
        raise FieldValueError(field, "required", f"{field} needs at least one language")
    return cleaned


# --- catalogue ------------------------------------------------------------------------------------


class Category(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    path: str
    names: dict[str, str]
    position: int = 0

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def parent_path(self) -> str | None:
        parent = self.path[: -len(self.code) - 1]
        return parent or None


class CategoryCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=1, max_length=32)]
    names: Names
    parent: str | None = None  # the parent's code
    position: int = 0

    def __post_init__(self) -> None:
        self.code = check_code(self.code, "code")
        self.names = check_names(self.names, "names")
        if self.parent:
            self.parent = check_code(self.parent, "parent")


class Product(msgspec.Struct, frozen=True):
    id: UUID
    sku: str
    names: dict[str, str]
    category_path: str
    brand: str
    unit: str
    case_quantity: int
    minimum_order_quantity: int
    status: ProductStatus
    descriptions: dict[str, str] = {}
    image: str = ""
    is_bundle: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def category(self) -> str:
        return self.category_path.rstrip("/").rsplit("/", 1)[-1] if self.category_path else ""


class ProductCreate(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku
    names: Names
    category: Annotated[str, Meta(min_length=1, max_length=32)]
    brand: Annotated[str, Meta(max_length=80)] = ""
    unit: Annotated[str, Meta(min_length=1, max_length=16)] = "pc"
    case_quantity: Annotated[int, Meta(ge=1, le=100_000)] = 1
    minimum_order_quantity: Annotated[int, Meta(ge=1, le=1_000_000)] = 1
    status: ProductStatus = ProductStatus.ACTIVE
    descriptions: Names = {}
    image: Annotated[str, Meta(max_length=200)] = ""

    def __post_init__(self) -> None:
        self.sku = check_sku(self.sku)
        self.names = check_names(self.names, "names")
        self.descriptions = check_names(self.descriptions, "descriptions", required=False, max_length=4000)
        self.category = check_code(self.category, "category")
        self.brand = check_text(self.brand, "brand", max_length=80, required=False)
        self.unit = check_text(self.unit, "unit", max_length=16)


class ProductUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Changes to a product; fields left out stay as they are. The SKU never changes."""

    names: Names | UnsetType = UNSET
    category: Annotated[str, Meta(min_length=1, max_length=32)] | UnsetType = UNSET
    brand: Annotated[str, Meta(max_length=80)] | UnsetType = UNSET
    unit: Annotated[str, Meta(min_length=1, max_length=16)] | UnsetType = UNSET
    case_quantity: Annotated[int, Meta(ge=1, le=100_000)] | UnsetType = UNSET
    minimum_order_quantity: Annotated[int, Meta(ge=1, le=1_000_000)] | UnsetType = UNSET
    status: ProductStatus | UnsetType = UNSET
    descriptions: Names | UnsetType = UNSET
    image: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET

    def __post_init__(self) -> None:
        if not isinstance(self.names, UnsetType):
            self.names = check_names(self.names, "names")
        if not isinstance(self.descriptions, UnsetType):
            self.descriptions = check_names(
                self.descriptions, "descriptions", required=False, max_length=4000
            )
        if not isinstance(self.category, UnsetType):
            self.category = check_code(self.category, "category")
        if not isinstance(self.brand, UnsetType):
            self.brand = check_text(self.brand, "brand", max_length=80, required=False)
        if not isinstance(self.unit, UnsetType):
            self.unit = check_text(self.unit, "unit", max_length=16)

    def changes(self) -> dict[str, object]:
        return {f: v for f in self.__struct_fields__ if (v := getattr(self, f)) is not UNSET}


class ProductFilter(msgspec.Struct, forbid_unknown_fields=True):
    q: Annotated[str, Meta(max_length=100)] = ""
    category: str | None = None  # a category code: the category and everything below it
    brand: str | None = None
    status: ProductStatus | None = None
    cursor: str | None = None
    limit: Annotated[int, Meta(ge=1, le=500)] = 50


class RowProblem(msgspec.Struct, frozen=True):
    """One refused cell of an upload: the row a person sees in their spreadsheet, the column, why."""

    row: int
    column: str
    code: str
    params: dict[str, object] = {}


class ImportResult(msgspec.Struct, frozen=True):
    """What an upload did; when ``problems`` is not empty nothing was changed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = []

    @property
    def accepted(self) -> bool:
        return not self.problems
