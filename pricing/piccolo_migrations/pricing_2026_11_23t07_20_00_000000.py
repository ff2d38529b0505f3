"""Unique keys Piccolo's table classes cannot express: one price per (book, SKU, break), one usage row
per (promotion, buyer), one control per (SKU, currency)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T07:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique keys of price books and promotions"

STATEMENTS = [
    "CREATE UNIQUE INDEX pricing_price_book_entry_key ON pricing_price_book_entry (book_id, sku, min_quantity)",
    "CREATE UNIQUE INDEX pricing_promotion_usage_key ON pricing_promotion_usage (promotion_id, buyer_id)",
    "CREATE UNIQUE INDEX pricing_price_control_key ON pricing_price_control (sku, currency)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pricing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
