"""The pricing data's stamp changes with the data, in the database itself: a trigger on every table
the pricing engine reads gives ``pricing_stamp`` a new random value in the changing transaction.
Spending a promotion's budget (``spent_minor``, ``spent_units``) is read fresh by every order and
does not count. PostgreSQL fires once per statement (a 10,000-row price book is one change);
SQLite, which has row triggers only, once per row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:12:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers that change the pricing data stamp"

# Every table the pricing data is read from, and for promotions the columns that are its rules.
TABLES = (
    "pricing_category",
    "pricing_product",
    "pricing_price_book",
    "pricing_price_book_entry",
    "pricing_price_control",
)
PROMOTION_COLUMNS = "code, name, issuer_id, issuer_path, status, currency, rule, budget_minor, budget_units"

POSTGRES = [
    "INSERT INTO pricing_stamp (id, stamp) VALUES (1, md5(random()::text || clock_timestamp()::text))",
    "CREATE FUNCTION pricing_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO pricing_stamp (id, stamp) VALUES (1, md5(random()::text || clock_timestamp()::text)) "
    "ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION pricing_stamp_change()"
        for table in TABLES
    ),
    "CREATE TRIGGER pricing_promotion_stamp AFTER INSERT OR DELETE OR TRUNCATE ON pricing_promotion "
    "FOR EACH STATEMENT EXECUTE FUNCTION pricing_stamp_change()",
    f"CREATE TRIGGER pricing_promotion_rule_stamp AFTER UPDATE OF {PROMOTION_COLUMNS} ON pricing_promotion "
    "FOR EACH STATEMENT EXECUTE FUNCTION pricing_stamp_change()",
]

_SQLITE_CHANGE = "BEGIN INSERT OR REPLACE INTO pricing_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))); END"

SQLITE = [
    "INSERT INTO pricing_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16))))",
    *(
        f"CREATE TRIGGER {table}_stamp_{event.lower()} AFTER {event} ON {table} FOR EACH ROW {_SQLITE_CHANGE}"
        for table in TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    *(
        f"CREATE TRIGGER pricing_promotion_stamp_{event.lower()} AFTER {event} ON pricing_promotion "
        f"FOR EACH ROW {_SQLITE_CHANGE}"
        for event in ("INSERT", "DELETE")
    ),
    f"CREATE TRIGGER pricing_promotion_stamp_update AFTER UPDATE OF {PROMOTION_COLUMNS} ON pricing_promotion "
    f"FOR EACH ROW {_SQLITE_CHANGE}",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pricing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
