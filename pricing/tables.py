"""Persistence of the catalogue: categories, products and bundles."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from pricing.catalogue import ProductStatus


class Category(Table, tablename="pricing_category"):
    """A node of the category tree; ``path`` holds the codes from the root ("KITCHEN/HOBS/")."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=32, unique=True)
    path = Varchar(length=400, unique=True, index_method=IndexMethod.btree)
    names = JSON(default={})  # {"en": "Hobs", "zh_Hans": "灶具"}
    position = Integer(default=0)


class Product(Table, tablename="pricing_product"):
    """A product or a bundle the manufacturer sells down the channel."""

    id = UUID(primary_key=True, default=UUID4())
    sku = Varchar(length=64, unique=True)
    names = JSON(default={})
    descriptions = JSON(default={})
    category_path = Varchar(length=400, index_method=IndexMethod.btree)
    brand = Varchar(length=80, default="")
    unit = Varchar(length=16, default="pc")
    case_quantity = Integer(default=1)
    minimum_order_quantity = Integer(default=1)
    status = Varchar(length=16, choices=ProductStatus, default=ProductStatus.ACTIVE.value)
    image = Varchar(length=200, default="")
    # A bundle's option groups and constraint rules, as pricing.configuration stores them; null for a product.
    configuration = JSON(null=True, default=None)
    # SKU, brand and every name, case-folded: one LIKE finds a product by any of them, in any language.
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
