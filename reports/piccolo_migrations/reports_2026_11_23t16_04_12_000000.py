"""One category rollup row per partner, month, category and measure; reads by month and category;
the overview's reads of the monthly sums and of the last stock served from indexes alone."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:04:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "category rollup uniqueness and read index, covering indexes of the overview's reads"

_STATEMENTS = [
    "CREATE UNIQUE INDEX reports_rollup_category_one ON reports_rollup_category "
    "(organisation_id, month, category_path, measure)",
]
# Read from the index alone on PostgreSQL (SQLite has no INCLUDE, so the key columns only): a category's months, every
# partner's months of a period, and each partner's last stock day in a period.
_COVERED = [
    (
        "CREATE INDEX reports_rollup_category_read ON reports_rollup_category (category_path, month, measure)",
        " INCLUDE (organisation_id, hundredths)",
        "",
    ),
    (
        "CREATE INDEX reports_rollup_month_read ON reports_rollup_month (month)",
        " INCLUDE (measure, organisation_id, hundredths)",
        "",
    ),
    (
        "CREATE INDEX reports_rollup_stock ON reports_rollup (day, organisation_id)",
        " INCLUDE (hundredths) WHERE measure = 'stock_units'",
        " WHERE measure = 'stock_units'",
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _STATEMENTS:
            await engine.run_ddl(statement)
        for statement, postgres, sqlite in _COVERED:
            await engine.run_ddl(statement + (sqlite if engine.engine_type == "sqlite" else postgres))

    manager.add_raw(run)
    return manager
