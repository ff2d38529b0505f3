"""One rollup row per partner, day and measure; one target per partner, period and measure."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:31:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "rollup and target uniqueness"

_STATEMENTS = [
    "CREATE UNIQUE INDEX reports_rollup_one ON reports_rollup (organisation_id, measure, day)",
    "CREATE INDEX reports_rollup_measure_day ON reports_rollup (measure, day)",
    """CREATE UNIQUE INDEX reports_target_one
    ON reports_target (organisation_id, period, period_start, measure)""",
    "CREATE UNIQUE INDEX reports_scorecard_weight_one ON reports_scorecard_weight (partner_level, kpi)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
