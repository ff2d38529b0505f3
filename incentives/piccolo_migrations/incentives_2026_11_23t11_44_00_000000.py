"""One allocation per partner and budget; paths compare byte by byte on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:44:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "mdf allocation uniqueness"

_COMMON = [
    "CREATE UNIQUE INDEX incentives_mdf_allocation_one ON incentives_mdf_allocation (budget_id, partner_id)",
]
_POSTGRES = [
    'ALTER TABLE incentives_mdf_budget ALTER COLUMN owner_path TYPE varchar(400) COLLATE "C"',
    'ALTER TABLE incentives_mdf_allocation ALTER COLUMN partner_path TYPE varchar(400) COLLATE "C"',
    'ALTER TABLE incentives_mdf_request ALTER COLUMN partner_path TYPE varchar(400) COLLATE "C"',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="incentives", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _COMMON + (_POSTGRES if engine.engine_type == "postgres" else []):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
