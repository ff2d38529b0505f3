"""One stock level per organisation and product, and the stock ledger kept append-only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T09:26:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock level uniqueness, append-only ledger"

_POSTGRES = [
    "CREATE UNIQUE INDEX ordering_stock_level_one ON ordering_stock_level (organisation_id, sku)",
    """CREATE FUNCTION ordering_ledger_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the stock ledger is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER ordering_ledger_no_change BEFORE UPDATE OR DELETE ON ordering_stock_movement
    FOR EACH ROW EXECUTE FUNCTION ordering_ledger_append_only()""",
]
_SQLITE = [
    "CREATE UNIQUE INDEX ordering_stock_level_one ON ordering_stock_level (organisation_id, sku)",
    """CREATE TRIGGER ordering_ledger_no_update BEFORE UPDATE ON ordering_stock_movement
    BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END""",
    """CREATE TRIGGER ordering_ledger_no_delete BEFORE DELETE ON ordering_stock_movement
    BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ordering", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _SQLITE if engine.engine_type == "sqlite" else _POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
