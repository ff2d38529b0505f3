"""An order keeps what its buyer paid of it from the rebate fund."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Numeric
from piccolo.columns.indexes import IndexMethod
import decimal

ID = "2026-11-23T16:04:39:317549"
VERSION = "1.38.0"
DESCRIPTION = "the part of an order paid from the buyer's rebate fund"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="ordering", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Order",
        tablename="ordering_order",
        column_name="fund_amount",
        db_column_name="fund_amount",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": decimal.Decimal("0"),
            "digits": (14, 2),
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

    return manager
