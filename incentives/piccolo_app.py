"""Rebate programmes, the rebate fund, commissions and market development funds as a Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = Path(__file__).resolve().parent

APP_CONFIG = AppConfig(
    app_name="incentives",
    migrations_folder_path=str(CURRENT_DIRECTORY / "piccolo_migrations"),
    table_classes=table_finder(modules=["incentives.tables"], exclude_imported=True),
    migration_dependencies=[
        "channel.piccolo_app",
        "pricing.piccolo_app",
        "ordering.piccolo_app",
        "reports.piccolo_app",
    ],
    commands=[],
)
