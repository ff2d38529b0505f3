"""The partner network as a Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = Path(__file__).resolve().parent

APP_CONFIG = AppConfig(
    app_name="channel",
    migrations_folder_path=str(CURRENT_DIRECTORY / "piccolo_migrations"),
    table_classes=table_finder(modules=["channel.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
