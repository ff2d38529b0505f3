"""One monthly rollup row per partner, month and measure."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:04:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "monthly rollup uniqueness"

_STATEMENTS = [
    "CREATE UNIQUE INDEX reports_rollup_month_one ON reports_rollup_month (organisation_id, measure, month)",
    "CREATE INDEX reports_rollup_month_measure ON reports_rollup_month (month, measure)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
