"""One category rollup row per partner, month, category and measure; reads by month and category."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:04:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "category rollup uniqueness and its read index"

_STATEMENTS = [
    "CREATE UNIQUE INDEX reports_rollup_category_one ON reports_rollup_category "
    "(organisation_id, month, category_path, measure)",
]
# A category's months read from the index alone on PostgreSQL (SQLite has no INCLUDE).
_READ = "CREATE INDEX reports_rollup_category_read ON reports_rollup_category (category_path, month, measure)"
_COVERING = " INCLUDE (organisation_id, hundredths)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _STATEMENTS:
            await engine.run_ddl(statement)
        await engine.run_ddl(_READ + ("" if engine.engine_type == "sqlite" else _COVERING))

    manager.add_raw(run)
    return manager
