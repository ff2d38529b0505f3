"""One current report per partner, kind and day; one revision number each; fast reads by day."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report revisions unique, one current report per day, reported stock and reminders unique"

_STATEMENTS = [
    "CREATE UNIQUE INDEX reports_partner_report_revision ON reports_partner_report "
    "(organisation_id, kind, report_date, revision)",
    'CREATE UNIQUE INDEX reports_partner_report_current ON reports_partner_report '
    '(organisation_id, kind, report_date) WHERE "current"',
    "CREATE INDEX reports_partner_report_line_day ON reports_partner_report_line "
    "(organisation_id, kind, report_date)",
    "CREATE UNIQUE INDEX reports_reported_stock_one ON reports_reported_stock (organisation_id, sku)",
    "CREATE UNIQUE INDEX reports_reminder_once ON reports_reminder (organisation_id, due_date)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
