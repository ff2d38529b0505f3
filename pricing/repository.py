"""The only module that touches the pricing tables: rows to Structs and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from piccolo.query import WhereRaw

from channel.network import PATH_END
from channel.repository import column_values, decode_cursor, encode_cursor, like_pattern, where_all
from channel.schemas import Page
from channel.visibility import Scope
from core.money import quantum, round_amount
from pricing import schemas
from pricing.catalogue import ProductStatus
from pricing.model import PricedCart
from pricing.price_books import PriceBook as EnginePriceBook
from pricing.price_books import PriceBookEntry as EnginePriceBookEntry
from pricing.price_books import PriceControl as EnginePriceControl
from pricing.promotions import Promotion as EnginePromotion
from pricing.tables import Category, PricingStamp, Product
from pricing.tables import PriceBook as PriceBookTable
from pricing.tables import PriceBookEntry as PriceBookEntryTable
from pricing.tables import PriceControl as PriceControlTable
from pricing.tables import Promotion as PromotionTable
from pricing.tables import PromotionUsage as PromotionUsageTable
from pricing.tables import Quote as QuoteTable
from pricing.tables import QuoteVersion as QuoteVersionTable

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
        set_percent_off=Decimal(str((row["configuration"] or {}).get("set_percent_off", 0))),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def find_product(product_id: UUID) -> schemas.Product | None:
    row = await Product.select().where(Product.id == product_id).output(load_json=True).first()
    return _product(row) if row else None


async def product_configuration(product_id: UUID) -> Any:
    row = (
        await Product.select(Product.configuration)
        .where(Product.id == product_id)
        .output(load_json=True)
        .first()
    )
    return row["configuration"] if row else None


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


# --- price books ----------------------------------------------------------------------------------

E4 = Decimal("10000")


def to_e4(amount: Decimal) -> int:
    return int((amount * E4).to_integral_value())


def _uuids(values: Any) -> frozenset[UUID]:
    return frozenset(UUID(str(v)) for v in values or [])


def _engine_book(header: dict[str, Any], entries: Sequence[EnginePriceBookEntry]) -> EnginePriceBook:
    return EnginePriceBook(
        code=header["code"],
        currency=header["currency"],
        kind=header["kind"],
        entries=tuple(entries),
        percent_off_list=_decimal(header["percent_off_list"]),
        buyer_ids=_uuids(header["buyer_ids"]),
        seller_id=header["seller_id"],
        partner_levels=frozenset(header["partner_levels"] or []),
        tiers=frozenset(int(t) for t in header["tiers"] or []),
        buyer_kinds=frozenset(header["buyer_kinds"] or []),
        valid_from=header["valid_from"],
        valid_to=header["valid_to"],
    )


def _book_header(row: dict[str, Any]) -> schemas.PriceBookInfo:
    return schemas.PriceBookInfo(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        currency=row["currency"],
        kind=row["kind"],
        owner_id=row["owner_id"],
        seller_id=row["seller_id"],
        buyer_ids=sorted(_uuids(row["buyer_ids"]), key=str),
        partner_levels=sorted(row["partner_levels"] or []),
        tiers=sorted(row["tiers"] or []),
        buyer_kinds=sorted(row["buyer_kinds"] or []),
        percent_off_list=_decimal(row["percent_off_list"]),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.0001")).normalize()


async def list_price_books(owner_ids: Sequence[UUID] | None) -> list[schemas.PriceBookInfo]:
    query = PriceBookTable.select().output(load_json=True).order_by(PriceBookTable.code)
    if owner_ids is not None:
        query = query.where(
            PriceBookTable.owner_id.is_in(list(owner_ids)) if owner_ids else PriceBookTable.id.is_null()
        )
    return [_book_header(r) for r in await query]


async def find_price_book(book_id: UUID) -> schemas.PriceBookInfo | None:
    row = await PriceBookTable.select().where(PriceBookTable.id == book_id).output(load_json=True).first()
    return _book_header(row) if row else None


async def price_book_code_taken(code: str) -> bool:
    return bool(await PriceBookTable.exists().where(PriceBookTable.code == code))


async def insert_price_book(book: schemas.PriceBookInfo, now: datetime) -> None:
    await PriceBookTable.insert(
        PriceBookTable(
            id=book.id,
            code=book.code,
            name=book.name,
            currency=book.currency,
            kind=book.kind,
            owner_id=book.owner_id,
            seller_id=book.seller_id,
            buyer_ids=[str(b) for b in book.buyer_ids],
            partner_levels=list(book.partner_levels),
            tiers=list(book.tiers),
            buyer_kinds=list(book.buyer_kinds),
            percent_off_list=book.percent_off_list,
            valid_from=book.valid_from,
            valid_to=book.valid_to,
            created_at=now,
            updated_at=now,
        )
    )


async def replace_entries(book_id: UUID, entries: Sequence[schemas.PriceEntry]) -> None:
    await PriceBookEntryTable.delete().where(PriceBookEntryTable.book_id == book_id)
    rows = [
        PriceBookEntryTable(
            book_id=book_id, sku=e.sku, min_quantity=e.min_quantity, unit_price_e4=to_e4(e.unit_price)
        )
        for e in entries
    ]
    for start in range(0, len(rows), 500):
        await PriceBookEntryTable.insert(*rows[start : start + 500])


async def entries_of(book_id: UUID) -> list[schemas.PriceEntry]:
    rows = (
        await PriceBookEntryTable.select()
        .where(PriceBookEntryTable.book_id == book_id)
        .order_by(PriceBookEntryTable.sku)
        .order_by(PriceBookEntryTable.min_quantity)
    )
    return [
        schemas.PriceEntry(
            sku=r["sku"], unit_price=_money(r["unit_price_e4"]), min_quantity=r["min_quantity"]
        )
        for r in rows
    ]


def _money(value: int) -> Decimal:
    return Decimal(value) / E4


async def engine_books(currency: str, skus: Sequence[str]) -> list[EnginePriceBook]:
    """Every book in the currency, with its entries for the given SKUs only (a cart's, not the catalogue's)."""
    headers = await PriceBookTable.select().where(PriceBookTable.currency == currency).output(load_json=True)
    if not headers:
        return []
    entries: dict[UUID, list[EnginePriceBookEntry]] = {}
    wanted = sorted(set(skus))
    for start in range(0, len(wanted), 500):
        rows = await PriceBookEntryTable.select().where(
            PriceBookEntryTable.sku.is_in(wanted[start : start + 500])
        )
        for r in rows:
            entries.setdefault(r["book_id"], []).append(
                EnginePriceBookEntry(
                    sku=r["sku"], unit_price=_money(r["unit_price_e4"]), min_quantity=r["min_quantity"]
                )
            )
    return [_engine_book(h, entries.get(h["id"], ())) for h in headers]


async def engine_controls(currency: str, skus: Sequence[str]) -> list[EnginePriceControl]:
    rows = await PriceControlTable.select().where(
        (PriceControlTable.currency == currency) & PriceControlTable.sku.is_in(sorted(set(skus)) or [""])
    )
    return [
        EnginePriceControl(
            sku=r["sku"],
            currency=r["currency"],
            floor=None if r["floor_e4"] is None else _money(r["floor_e4"]),
            ceiling=None if r["ceiling_e4"] is None else _money(r["ceiling_e4"]),
        )
        for r in rows
    ]


# --- the pricing data, whole, for the in-process copy (pricing.services.pricing_data) -------------


class PricingRows(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the engine reads that changes only with the pricing stamp."""

    products: dict[str, schemas.Product]
    books: list[EnginePriceBook]  # every book with every entry
    controls: list[EnginePriceControl]
    promotions: list[schemas.PromotionRecord]  # the active ones (budgets as they were when read)


async def pricing_stamp() -> str | None:
    row = await PricingStamp.select(PricingStamp.stamp).where(PricingStamp.id == 1).first()
    return None if row is None else str(row["stamp"])


async def pricing_rows() -> PricingRows:
    """The catalogue, every price book with its entries, the price controls and the active promotions."""
    products = await Product.select(
        *(c for c in Product._meta.columns if c is not Product.search_text)
    ).output(load_json=True)
    headers = await PriceBookTable.select().output(load_json=True)
    entries: dict[UUID, list[EnginePriceBookEntry]] = {}
    for r in await PriceBookEntryTable.select(
        PriceBookEntryTable.book_id,
        PriceBookEntryTable.sku,
        PriceBookEntryTable.min_quantity,
        PriceBookEntryTable.unit_price_e4,
    ):
        entries.setdefault(r["book_id"], []).append(
            EnginePriceBookEntry(
                sku=r["sku"], unit_price=_money(r["unit_price_e4"]), min_quantity=r["min_quantity"]
            )
        )
    controls = [
        EnginePriceControl(
            sku=r["sku"],
            currency=r["currency"],
            floor=None if r["floor_e4"] is None else _money(r["floor_e4"]),
            ceiling=None if r["ceiling_e4"] is None else _money(r["ceiling_e4"]),
        )
        for r in await PriceControlTable.select()
    ]
    return PricingRows(
        products={r["sku"]: _product(r) for r in products},
        books=[_engine_book(h, entries.get(h["id"], ())) for h in headers],
        controls=controls,
        promotions=await list_promotions(None, statuses=["active"]),
    )


def buyer_pricing_columns(buyer: str) -> str:
    """Select-list items for a caller's own statement (after it has locked the buyer, so they see
    what the buyer's previous order wrote): the pricing stamp, the buyer's uses of each promotion,
    and what each active promotion's budget has left. ``buyer`` is the SQL expression of the
    buyer's id in that statement. Read back with ``buyer_pricing_state``."""
    budgets = "FROM pricing_promotion WHERE status = 'active' AND (budget_minor IS NOT NULL OR budget_units IS NOT NULL)"
    if PricingStamp._meta.db.engine_type == "postgres":
        return (
            "(SELECT stamp FROM pricing_stamp WHERE id = 1) AS pricing_stamp, "  # noqa: S608 - ``buyer`` is ours
            "(SELECT json_agg(json_build_array(promotion_id, uses)) FROM pricing_promotion_usage "
            f"WHERE buyer_id = {buyer}) AS pricing_usage, "
            "(SELECT json_agg(json_build_array(id, currency, budget_minor - spent_minor, "
            f"budget_units - spent_units)) {budgets}) AS pricing_budgets"
        )
    return (
        "(SELECT stamp FROM pricing_stamp WHERE id = 1) AS pricing_stamp, "  # noqa: S608 - ``buyer`` is ours
        "(SELECT json_group_array(json_array(promotion_id, uses)) FROM pricing_promotion_usage "
        f"WHERE buyer_id = {buyer}) AS pricing_usage, "
        "(SELECT json_group_array(json_array(id, currency, budget_minor - spent_minor, "
        f"budget_units - spent_units)) {budgets}) AS pricing_budgets"
    )


class BuyerPricingState(msgspec.Struct, frozen=True, kw_only=True):
    stamp: str | None
    usage: dict[UUID, int]
    budget_left: dict[UUID, Decimal]
    units_left: dict[UUID, int]


def buyer_pricing_state(row: Mapping[str, Any]) -> BuyerPricingState:
    def listed(value: Any) -> list[Any]:
        if value is None:
            return []
        return msgspec.json.decode(value) if isinstance(value, str | bytes) else list(value)

    budget_left: dict[UUID, Decimal] = {}
    units_left: dict[UUID, int] = {}
    for promotion_id, currency, minor_left, units in listed(row["pricing_budgets"]):
        if minor_left is not None:
            budget_left[UUID(str(promotion_id))] = minor_to_amount(int(minor_left), currency)
        if units is not None:
            units_left[UUID(str(promotion_id))] = int(units)
    return BuyerPricingState(
        stamp=None if row["pricing_stamp"] is None else str(row["pricing_stamp"]),
        usage={UUID(str(p)): int(n) for p, n in listed(row["pricing_usage"])},
        budget_left=budget_left,
        units_left=units_left,
    )


async def save_price_control(control: EnginePriceControl) -> None:
    await PriceControlTable.delete().where(
        (PriceControlTable.sku == control.sku) & (PriceControlTable.currency == control.currency)
    )
    await PriceControlTable.insert(
        PriceControlTable(
            sku=control.sku,
            currency=control.currency,
            floor_e4=None if control.floor is None else to_e4(control.floor),
            ceiling_e4=None if control.ceiling is None else to_e4(control.ceiling),
        )
    )


# --- promotions -----------------------------------------------------------------------------------


def _promotion(row: dict[str, Any]) -> schemas.PromotionRecord:
    return schemas.PromotionRecord(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        issuer_id=row["issuer_id"],
        status=row["status"],
        currency=row["currency"],
        rule=msgspec.convert(row["rule"], EnginePromotion),
        budget_amount=None
        if row["budget_minor"] is None
        else minor_to_amount(row["budget_minor"], row["currency"]),
        spent_amount=minor_to_amount(row["spent_minor"], row["currency"]),
        budget_units=row["budget_units"],
        spent_units=row["spent_units"],
        created_at=row["created_at"],
    )


def amount_to_minor(amount: Decimal, currency: str) -> int:
    return int((round_amount(amount, currency) / quantum(currency)).to_integral_value())


def minor_to_amount(minor: int, currency: str) -> Decimal:
    return Decimal(minor) * quantum(currency)


async def insert_promotion(record: schemas.PromotionRecord, issuer_path: str, now: datetime) -> None:
    await PromotionTable.insert(
        PromotionTable(
            id=record.id,
            code=record.code,
            name=record.name,
            issuer_id=record.issuer_id,
            issuer_path=issuer_path,
            status=record.status,
            currency=record.currency,
            rule=msgspec.to_builtins(record.rule),
            budget_minor=None
            if record.budget_amount is None
            else amount_to_minor(record.budget_amount, record.currency),
            spent_minor=0,
            budget_units=record.budget_units,
            spent_units=0,
            created_at=now,
            updated_at=now,
        )
    )


async def update_draft_promotion(record: schemas.PromotionRecord, now: datetime) -> bool:
    """Replace a draft's rule; False when it is no longer a draft (activated meanwhile)."""
    changed = (
        await PromotionTable.update(
            {
                PromotionTable.code: record.code,
                PromotionTable.name: record.name,
                PromotionTable.currency: record.currency,
                PromotionTable.rule: msgspec.to_builtins(record.rule),
                PromotionTable.budget_minor: None
                if record.budget_amount is None
                else amount_to_minor(record.budget_amount, record.currency),
                PromotionTable.budget_units: record.budget_units,
                PromotionTable.updated_at: now,
            }
        )
        .where((PromotionTable.id == record.id) & (PromotionTable.status == "draft"))
        .returning(PromotionTable.id)
    )
    return bool(changed)


async def promotion_code_taken_by_other(code: str, promotion_id: UUID) -> bool:
    return bool(
        await PromotionTable.exists().where(
            (PromotionTable.code == code) & (PromotionTable.id != promotion_id)
        )
    )


async def find_promotion(promotion_id: UUID) -> tuple[schemas.PromotionRecord, str] | None:
    row = (
        await PromotionTable.select().where(PromotionTable.id == promotion_id).output(load_json=True).first()
    )
    return (_promotion(row), row["issuer_path"]) if row else None


async def promotion_code_taken(code: str) -> bool:
    return bool(await PromotionTable.exists().where(PromotionTable.code == code))


async def list_promotions(
    issuer_paths: Sequence[str] | None, statuses: Sequence[str] | None = None
) -> list[schemas.PromotionRecord]:
    """Promotions issued by organisations whose path is one of ``issuer_paths`` (None: all)."""
    query = PromotionTable.select().output(load_json=True).order_by(PromotionTable.code)
    if issuer_paths is not None:
        if not issuer_paths:
            return []
        query = query.where(PromotionTable.issuer_path.is_in(list(issuer_paths)))
    if statuses is not None:
        query = query.where(PromotionTable.status.is_in(list(statuses)))
    return [_promotion(r) for r in await query]


async def list_promotions_with_paths() -> list[tuple[schemas.PromotionRecord, str]]:
    rows = await PromotionTable.select().output(load_json=True).order_by(PromotionTable.code)
    return [(_promotion(r), r["issuer_path"]) for r in rows]


async def set_promotion_status(promotion_id: UUID, status: str, now: datetime) -> None:
    await PromotionTable.update({PromotionTable.status: status, PromotionTable.updated_at: now}).where(
        PromotionTable.id == promotion_id
    )


async def usage_of(buyer_id: UUID) -> dict[UUID, int]:
    rows = await PromotionUsageTable.select().where(PromotionUsageTable.buyer_id == buyer_id)
    return {r["promotion_id"]: r["uses"] for r in rows}


async def consume_budget(promotion_id: UUID, minor: int, units: int) -> bool:
    """Take ``minor`` and ``units`` from a promotion's budget if both still fit; atomically.

    One conditional UPDATE: two orders committing at once cannot both pass the check, on
    PostgreSQL (the row lock) or on SQLite (the single writer).
    """
    changed = await PromotionTable.raw(
        "UPDATE pricing_promotion SET spent_minor = spent_minor + {}, spent_units = spent_units + {} "
        "WHERE id = {} AND status = 'active' "
        "AND (budget_minor IS NULL OR spent_minor + {} <= budget_minor) "
        "AND (budget_units IS NULL OR spent_units + {} <= budget_units) RETURNING id",
        minor,
        units,
        promotion_id,
        minor,
        units,
    )
    return bool(changed)


async def consume_and_count(
    spend: Sequence[tuple[UUID, int, int]], used: Sequence[UUID], buyer_id: UUID
) -> set[UUID]:
    """PostgreSQL: ``consume_budget`` for every ``(promotion, minor, units)`` of ``spend`` and
    ``count_use`` for every promotion of ``used``, in one statement; returns the promotions whose
    budget took it (the caller refuses the order, rolling it all back, when one is missing)."""
    rows = await PromotionTable.raw(
        "WITH spend AS (UPDATE pricing_promotion p SET spent_minor = p.spent_minor + c.minor, "
        "spent_units = p.spent_units + c.units "
        "FROM unnest({}::uuid[], {}::bigint[], {}::int[]) AS c(id, minor, units) "
        "WHERE p.id = c.id AND p.status = 'active' "
        "AND (p.budget_minor IS NULL OR p.spent_minor + c.minor <= p.budget_minor) "
        "AND (p.budget_units IS NULL OR p.spent_units + c.units <= p.budget_units) RETURNING p.id), "
        "used AS (INSERT INTO pricing_promotion_usage (promotion_id, buyer_id, uses) "
        "SELECT u, {}, 1 FROM unnest({}::uuid[]) AS u "
        "ON CONFLICT (promotion_id, buyer_id) DO UPDATE SET uses = pricing_promotion_usage.uses + 1 "
        "RETURNING 1) "
        "SELECT id FROM spend",
        [s[0] for s in spend],
        [s[1] for s in spend],
        [s[2] for s in spend],
        buyer_id,
        list(used),
    )
    return {UUID(str(r["id"])) for r in rows}


async def count_use(promotion_id: UUID, buyer_id: UUID) -> None:
    updated = (
        await PromotionUsageTable.update({PromotionUsageTable.uses: PromotionUsageTable.uses + 1})
        .where(
            (PromotionUsageTable.promotion_id == promotion_id) & (PromotionUsageTable.buyer_id == buyer_id)
        )
        .returning(PromotionUsageTable.id)
    )
    if not updated:
        await PromotionUsageTable.insert(
            PromotionUsageTable(promotion_id=promotion_id, buyer_id=buyer_id, uses=1)
        )


# --- quotes ---------------------------------------------------------------------------------------


def _quote(row: dict[str, Any], versions: list[schemas.QuoteVersionInfo] | None = None) -> schemas.Quote:
    latest = versions[-1] if versions else None
    return schemas.Quote(
        id=row["id"],
        number=row["number"],
        seller_id=row["seller_id"],
        status=row["status"],
        version=row["version"],
        currency=row["currency"],
        customer=msgspec.convert(row["customer"], schemas.QuoteCustomer),
        valid_until=row["valid_until"],
        terms=row["terms"],
        total=latest.priced.total if latest else Decimal(0),
        created_by=row["created_by"],
        decided_by=row["decided_by"],
        decision_note=row["decision_note"],
        created_at=row["created_at"],
        versions=versions or [],
        order_id=row.get("order_id"),
    )


def _version(row: dict[str, Any]) -> schemas.QuoteVersionInfo:
    return schemas.QuoteVersionInfo(
        version=row["version"],
        lines=msgspec.convert(row["lines"], list[schemas.CartLineRequest]),
        manual_discount_percent=_decimal(row["manual_discount_percent"]),
        priced=msgspec.convert(row["priced"], PricedCart),
        created_at=row["created_at"],
        created_by=row["created_by"],
        note=row["note"],
    )


async def quote_row(quote_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await QuoteTable.select().where(QuoteTable.id == quote_id).output(load_json=True).first()
    )
    return row


async def load_quote(row: dict[str, Any]) -> schemas.Quote:
    rows = (
        await QuoteVersionTable.select()
        .where(QuoteVersionTable.quote_id == row["id"])
        .order_by(QuoteVersionTable.version)
        .output(load_json=True)
    )
    return _quote(row, [_version(r) for r in rows])


async def list_quotes(paths: Scope) -> list[schemas.Quote]:
    rows = (
        await QuoteTable.select()
        .output(load_json=True)
        .order_by(QuoteTable.created_at, ascending=False)
        .limit(500)
    )
    visible = [r for r in rows if paths.includes(r["seller_path"])]
    return [await load_quote(r) for r in visible]


async def link_quote_order(quote_id: UUID, order_id: UUID) -> bool:
    """Record the order placed for an accepted quote, once."""
    changed = await (
        QuoteTable.update({QuoteTable.order_id: order_id})
        .where(
            (QuoteTable.id == quote_id) & (QuoteTable.status == "accepted") & QuoteTable.order_id.is_null()
        )
        .returning(QuoteTable.id)
    )
    return bool(changed)


async def next_quote_number(year: int) -> str:
    prefix = f"Q-{year}-"
    row = (
        await QuoteTable.select(QuoteTable.number)
        .where(QuoteTable.number.like(prefix + "%"))
        .order_by(QuoteTable.number, ascending=False)
        .first()
    )
    last = int(row["number"].rsplit("-", 1)[1]) if row else 0
    return f"{prefix}{last + 1:06d}"


async def insert_quote(values: dict[str, Any]) -> None:
    await QuoteTable.insert(QuoteTable(**values))


async def insert_quote_version(quote_id: UUID, version: schemas.QuoteVersionInfo) -> None:
    await QuoteVersionTable.insert(
        QuoteVersionTable(
            quote_id=quote_id,
            version=version.version,
            lines=msgspec.to_builtins(version.lines),
            manual_discount_percent=version.manual_discount_percent,
            priced=msgspec.to_builtins(version.priced),
            total_minor=amount_to_minor(version.priced.total, version.priced.currency),
            created_at=version.created_at,
            created_by=version.created_by,
            note=version.note,
        )
    )


async def update_quote(
    quote_id: UUID, changes: Mapping[str, Any], now: datetime, *, expect_status: Sequence[str]
) -> bool:
    changed = (
        await QuoteTable.update(column_values({**changes, "updated_at": now}))
        .where((QuoteTable.id == quote_id) & QuoteTable.status.is_in(list(expect_status)))
        .returning(QuoteTable.id)
    )
    return bool(changed)
