"""Alembic environment: migrates the connection handed over by ``myomap.records.migrate``.

Run through ``myomap db upgrade`` (or ``myomap serve``), which passes an open connection in
``config.attributes["connection"]``. Without one (plain ``alembic`` use) the engine comes from the
settings (``MYOMAP_DATABASE_URL`` / ``MYOMAP_DATA_DIR``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from alembic import context
from sqlalchemy import Connection

from myomap.records.base import UTCDateTime
from myomap.records.models import Base

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write UTCDateTime as a plain timestamp column, so migrations don't import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Batch migrations recreate tables; with foreign keys on, dropping the old copy would cascade.
    The pragma only works outside a transaction, so it is set on the driver's own connection."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the migration's database connection is closed")
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _run(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER by copying tables
        compare_type=True,
        render_item=_render_item,
        transaction_per_migration=True,
    )
    if is_sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        with context.begin_transaction():
            context.run_migrations()
        if is_sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            if problems:
                raise RuntimeError(f"foreign key check failed after migration: {problems[:5]}")
    finally:
        if is_sqlite:
            _sqlite_foreign_keys(connection, on=True)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from myomap.config import get_settings
    from myomap.records.db import make_engine

    engine = make_engine(get_settings().resolved_database_url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `myomap db upgrade`")
run_migrations_online()
