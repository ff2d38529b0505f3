"""The commission ledger is append-only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only commission ledger"

_POSTGRES = [
    'ALTER TABLE incentives_commission_plan ALTER COLUMN owner_path TYPE varchar(400) COLLATE "C"',
    'ALTER TABLE incentives_commission_entry ALTER COLUMN partner_path TYPE varchar(400) COLLATE "C"',
    """CREATE FUNCTION incentives_commission_ledger_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the commission ledger is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER incentives_commission_ledger_no_change BEFORE UPDATE OR DELETE
    ON incentives_commission_entry FOR EACH ROW EXECUTE FUNCTION incentives_commission_ledger_append_only()""",
]
_SQLITE = [
    """CREATE TRIGGER incentives_commission_ledger_no_update BEFORE UPDATE ON incentives_commission_entry
    BEGIN SELECT RAISE(ABORT, 'the commission ledger is append-only'); END""",
    """CREATE TRIGGER incentives_commission_ledger_no_delete BEFORE DELETE ON incentives_commission_entry
    BEGIN SELECT RAISE(ABORT, 'the commission ledger is append-only'); END""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="incentives", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in _SQLITE if engine.engine_type == "sqlite" else _POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
