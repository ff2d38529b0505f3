"""Persistence of the catalogue: categories, products and bundles."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, BigSerial, Integer, Numeric, Text, Timestamptz, Varchar
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


class PriceBook(Table, tablename="pricing_price_book"):
    """A price book: the list price, a tier's or level's book, or a distributor's own sell prices."""

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=32, unique=True)
    name = Varchar(length=200, default="")
    currency = Varchar(length=3)
    kind = Varchar(length=8, default="book")  # list | book
    owner_id = UUID(index=True)  # who keeps it: the manufacturer, or the distributor selling at it
    seller_id = UUID(null=True, default=None)
    buyer_ids = JSON(default=[])
    partner_levels = JSON(default=[])
    tiers = JSON(default=[])
    buyer_kinds = JSON(default=[])
    percent_off_list = Numeric(digits=(7, 4), null=True, default=None)
    valid_from = Timestamptz(null=True, default=None)
    valid_to = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PriceBookEntry(Table, tablename="pricing_price_book_entry"):
    """A unit price of one SKU in one book, from a quantity on (a volume break).

    Prices are kept in ten-thousandths of the currency unit (an integer), so SQLite, which has no
    exact decimal type, never turns a price into a float.
    """

    id = BigSerial(primary_key=True)
    book_id = UUID(index=True)
    sku = Varchar(length=64, index=True)
    min_quantity = Integer(default=1)
    unit_price_e4 = BigInt()


class PriceControl(Table, tablename="pricing_price_control"):
    """The manufacturer's floor and ceiling for what distributors charge their own buyers."""

    id = BigSerial(primary_key=True)
    sku = Varchar(length=64)
    currency = Varchar(length=3)
    floor_e4 = BigInt(null=True, default=None)
    ceiling_e4 = BigInt(null=True, default=None)


class Promotion(Table, tablename="pricing_promotion"):
    """A promotion: its rule as validated JSON, who issued it, and what its budget has left.

    Budgets are counted in the currency's minor units (integers) so a conditional
    ``spent + amount <= budget`` update is exact and atomic on both databases.
    """

    id = UUID(primary_key=True, default=UUID4())
    code = Varchar(length=32, unique=True)
    name = Varchar(length=200, default="")
    issuer_id = UUID(index=True)
    issuer_path = Varchar(length=400, index_method=IndexMethod.btree)
    status = Varchar(length=12, default="draft")  # draft | active | ended
    currency = Varchar(length=3)
    rule = JSON()
    budget_minor = BigInt(null=True, default=None)
    spent_minor = BigInt(default=0)
    budget_units = Integer(null=True, default=None)
    spent_units = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PromotionUsage(Table, tablename="pricing_promotion_usage"):
    """How often a buyer has used a promotion (per-partner limits)."""

    id = BigSerial(primary_key=True)
    promotion_id = UUID(index=True)
    buyer_id = UUID(index=True)
    uses = Integer(default=0)


class Quote(Table, tablename="pricing_quote"):
    """A seller's offer to an end customer; every revision is a new version, the old ones kept."""

    id = UUID(primary_key=True, default=UUID4())
    number = Varchar(length=24, unique=True)
    seller_id = UUID(index=True)
    seller_path = Varchar(length=400, index_method=IndexMethod.btree)
    status = Varchar(length=20, default="draft")
    version = Integer(default=1)
    currency = Varchar(length=3)
    customer = JSON()
    valid_until = Timestamptz()
    terms = Text(default="")
    created_by = Varchar(length=254, default="")
    decided_by = Varchar(length=254, default="")  # who approved, or the customer who accepted/declined
    decision_note = Text(default="")
    order_id = UUID(null=True, default=None)  # the seller's order placed to fill the accepted quote
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class QuoteVersion(Table, tablename="pricing_quote_version"):
    id = BigSerial(primary_key=True)
    quote_id = UUID(index=True)
    version = Integer()
    lines = JSON()  # the request lines
    manual_discount_percent = Numeric(digits=(7, 4), null=True, default=None)
    priced = JSON()  # the priced cart with its waterfall, kept so later price changes never rewrite it
    total_minor = BigInt()
    created_at = Timestamptz()
    created_by = Varchar(length=254, default="")
    note = Text(default="")


class PricingStamp(Table, tablename="pricing_stamp"):
    """One row whose ``stamp`` takes a new random value in the same transaction as any change to what
    the pricing engine reads from the catalogue, the price books, the price controls or the
    promotions' rules (database triggers, so no write path can forget it; spending a promotion's
    budget does not count). Each process keeps that data in memory with the stamp it was read at,
    and reads only the stamp to know whether it is still current."""

    id = Integer(primary_key=True)
    stamp = Varchar(length=32, default="")
