"""The index conflict detection looks candidates up by: (kind, value) of registration keys."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration key lookup index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="deal_registration", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX dealreg_registration_key_lookup ON dealreg_registration_key (kind, value)"
        )

    manager.add_raw(run)
    return manager
