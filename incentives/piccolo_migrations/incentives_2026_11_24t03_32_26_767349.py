from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-24T03:32:26:767349"
VERSION = "1.38.0"
DESCRIPTION = "Rebate fund credit with a last usable day"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="incentives", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="FundAccount",
        tablename="incentives_fund_account",
        column_name="credits_lapse",
        db_column_name="credits_lapse",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="FundAccount",
        tablename="incentives_fund_account",
        column_name="next_lapse_on",
        db_column_name="next_lapse_on",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="FundEntry",
        tablename="incentives_fund_entry",
        column_name="usable_until",
        db_column_name="usable_until",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
