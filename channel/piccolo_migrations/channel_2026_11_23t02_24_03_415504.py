"""Indexes and triggers Piccolo's table classes cannot express on both engines.

- one assignment per (channel manager, partner), one stored answer per idempotency key;
- the audit trail is append-only: UPDATE and DELETE are refused by the database itself;
- on PostgreSQL, materialised paths compare byte by byte (COLLATE "C"), as SQLite's do, so a subtree
  is the index range [path, path || '~') whatever the database's default collation.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T02:24:03:415504"
VERSION = "1.38.0"
DESCRIPTION = "indexes and triggers"

COMMON = [
    "CREATE UNIQUE INDEX channel_manager_assignment_pair "
    "ON channel_manager_assignment (manager, partner)",
    "CREATE UNIQUE INDEX channel_idempotency_record_key "
    "ON channel_idempotency_record (organisation_id, route, key)",
]

SQLITE = [
    "CREATE TRIGGER channel_audit_entry_no_update BEFORE UPDATE ON channel_audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'channel_audit_entry is append-only'); END",
    "CREATE TRIGGER channel_audit_entry_no_delete BEFORE DELETE ON channel_audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'channel_audit_entry is append-only'); END",
]

POSTGRES = [
    'ALTER TABLE channel_organisation ALTER COLUMN path TYPE varchar(400) COLLATE "C"',
    'ALTER TABLE channel_audit_entry ALTER COLUMN organisation_path TYPE varchar(400) COLLATE "C"',
    "CREATE FUNCTION channel_audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'channel_audit_entry is append-only'; END $$",
    "CREATE TRIGGER channel_audit_entry_append_only BEFORE UPDATE OR DELETE ON channel_audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION channel_audit_entry_append_only()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="channel", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        specific = POSTGRES if engine.engine_type == "postgres" else SQLITE
        for statement in COMMON + specific:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
