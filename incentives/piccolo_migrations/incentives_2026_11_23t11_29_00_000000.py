"""The rebate fund's ledger is append-only; one fund per partner and one settled figure per period
and settlement are enforced by the database."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:29:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only fund ledger"

_COMMON = [
    "CREATE INDEX incentives_settled_amount_period "
    "ON incentives_settled_amount (programme_id, partner_id, period_start)",
    "CREATE INDEX incentives_fund_entry_order ON incentives_fund_entry (account_id, order_reference)",
]
_POSTGRES = [
    'ALTER TABLE incentives_programme ALTER COLUMN owner_path TYPE varchar(400) COLLATE "C"',
    'ALTER TABLE incentives_settlement ALTER COLUMN partner_path TYPE varchar(400) COLLATE "C"',
    'ALTER TABLE incentives_fund_account ALTER COLUMN partner_path TYPE varchar(400) COLLATE "C"',
    """CREATE FUNCTION incentives_fund_ledger_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the rebate fund ledger is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER incentives_fund_ledger_no_change BEFORE UPDATE OR DELETE ON incentives_fund_entry
    FOR EACH ROW EXECUTE FUNCTION incentives_fund_ledger_append_only()""",
]
_SQLITE = [
    """CREATE TRIGGER incentives_fund_ledger_no_update BEFORE UPDATE ON incentives_fund_entry
    BEGIN SELECT RAISE(ABORT, 'the rebate fund ledger is append-only'); END""",
    """CREATE TRIGGER incentives_fund_ledger_no_delete BEFORE DELETE ON incentives_fund_entry
    BEGIN SELECT RAISE(ABORT, 'the rebate fund ledger is append-only'); END""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="incentives", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        specific = _SQLITE if engine.engine_type == "sqlite" else _POSTGRES
        for statement in _COMMON + specific:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
