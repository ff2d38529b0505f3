"""Order lists page by (created_at, id), newest first, for a supplier's inbox and a buyer's orders."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "order list keyset indexes"

STATEMENTS = [
    "CREATE INDEX ordering_order_supplier_page ON ordering_order (supplier_id, created_at, id)",
    "CREATE INDEX ordering_order_buyer_page ON ordering_order (buyer_id, created_at, id)",
    "CREATE INDEX ordering_order_page ON ordering_order (created_at, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ordering", description=DESCRIPTION)

    async def run():
        for statement in STATEMENTS:
            await engine_finder().run_ddl(statement)

    manager.add_raw(run)
    return manager
