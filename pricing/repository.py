"""The only module that touches the pricing tables: rows to Structs and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.query import WhereRaw

from channel.network import PATH_END
from channel.repository import column_values, decode_cursor, encode_cursor, like_pattern, where_all
from channel.schemas import Page
from pricing import schemas
from pricing.catalogue import ProductStatus
from pricing.tables import Category, Product

# --- categories -----------------------------------------------------------------------------------


def _category(row: dict[str, Any]) -> schemas.Category:
    return schemas.Category(
        id=row["id"], code=row["code"], path=row["path"], names=row["names"] or {}, position=row["position"]
    )


async def list_categories() -> list[schemas.Category]:
    rows = await Category.select().output(load_json=True).order_by(Category.path)
    return [_category(r) for r in rows]


async def find_category(code: str) -> schemas.Category | None:
    row = await Category.select().where(Category.code == code).output(load_json=True).first()
    return _category(row) if row else None


async def insert_category(category: schemas.Category) -> None:
    await Category.insert(
        Category(
            id=category.id,
            code=category.code,
            path=category.path,
            names=category.names,
            position=category.position,
        )
    )


# --- products -------------------------------------------------------------------------------------


def _product(row: dict[str, Any]) -> schemas.Product:
    return schemas.Product(
        id=row["id"],
        sku=row["sku"],
        names=row["names"] or {},
        category_path=row["category_path"],
        brand=row["brand"],
        unit=row["unit"],
        case_quantity=row["case_quantity"],
        minimum_order_quantity=row["minimum_order_quantity"],
        status=ProductStatus(row["status"]),
        descriptions=row["descriptions"] or {},
        image=row["image"],
        is_bundle=row["configuration"] is not None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def find_product(product_id: UUID) -> schemas.Product | None:
    row = await Product.select().where(Product.id == product_id).output(load_json=True).first()
    return _product(row) if row else None


async def find_product_by_sku(sku: str) -> schemas.Product | None:
    row = await Product.select().where(Product.sku == sku).output(load_json=True).first()
    return _product(row) if row else None


async def products_by_sku(skus: Iterable[str]) -> dict[str, schemas.Product]:
    wanted = sorted(set(skus))
    found: dict[str, schemas.Product] = {}
    for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
        rows = (
            await Product.select()
            .where(Product.sku.is_in(wanted[start : start + 500]))
            .output(load_json=True)
        )
        found.update((r["sku"], _product(r)) for r in rows)
    return found


async def list_products(
    filters: schemas.ProductFilter, *, statuses: tuple[ProductStatus, ...], category_path: str | None
) -> Page[schemas.Product]:
    """Products in SKU order, one page at a time."""
    after = decode_cursor(filters.cursor)
    where = where_all(
        Product.status.is_in([s.value for s in statuses]),
        (Product.category_path >= category_path) & (Product.category_path < category_path + PATH_END)
        if category_path
        else None,
        Product.brand == filters.brand if filters.brand else None,
        Product.sku > str(after[0]) if after else None,
    )
    query = (
        Product.select().where(where).output(load_json=True).order_by(Product.sku).limit(filters.limit + 1)
    )
    if filters.q.strip():
        query = query.where(
            WhereRaw("pricing_product.search_text LIKE {} ESCAPE '\\'", like_pattern(filters.q.strip()))
        )
    rows = await query
    page = rows[: filters.limit]
    more = len(rows) > filters.limit
    return Page(
        items=[_product(r) for r in page], next_cursor=encode_cursor(page[-1]["sku"]) if more else None
    )


async def all_products() -> list[schemas.Product]:
    rows = await Product.select().output(load_json=True).order_by(Product.sku)
    return [_product(r) for r in rows]


async def brands() -> list[str]:
    rows = await Product.select(Product.brand).distinct().where(Product.brand != "").order_by(Product.brand)
    return [r["brand"] for r in rows]


async def insert_product(values: dict[str, Any]) -> None:
    await Product.insert(Product(**values))


async def update_product(product_id: UUID, changes: Mapping[str, Any], now: datetime) -> None:
    await Product.update(column_values({**changes, "updated_at": now})).where(Product.id == product_id)
