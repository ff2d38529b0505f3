"""One counter per supplier and year, so the next order number is taken in one upsert."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "order number counter unique per supplier and year"

STATEMENTS = [
    "CREATE UNIQUE INDEX ordering_order_sequence_one ON ordering_order_sequence (supplier_id, year)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ordering", description=DESCRIPTION)

    async def run():
        for statement in STATEMENTS:
            await engine_finder().run_ddl(statement)

    manager.add_raw(run)
    return manager
