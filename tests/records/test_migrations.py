"""Migrations: an empty database upgrades to the newest schema on both engines, and the schema
they build is exactly the one the models describe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from myomap.records.db import Database
from myomap.records.migrate import MIGRATIONS_DIR, head_revision, revisions, upgrade
from myomap.records.models import Base

if TYPE_CHECKING:
    from tests.conftest import PgServer

pytestmark = pytest.mark.storage


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'sub' / 'fresh.db'}")
        yield db
        db.dispose()
        return
    server: PgServer = request.getfixturevalue("pg_server")
    if not server.check():
        pytest.skip(server.reason)
    url = server.create_database("_empty")
    db = Database(url)
    yield db
    db.dispose()
    server.drop_database(url)


def test_an_empty_database_upgrades_to_the_newest_revision(empty_database: Database) -> None:
    assert revisions(empty_database).current is None
    state = upgrade(empty_database)
    assert state.current == head_revision() and state.up_to_date
    tables = set(inspect(empty_database.engine).get_table_names())
    assert {"clinics", "users", "clients", "pain_drawings", "pain_marks", "audit_events", "web_sessions"} <= tables


def test_upgrading_twice_changes_nothing(empty_database: Database) -> None:
    upgrade(empty_database)
    assert upgrade(empty_database).up_to_date


def test_the_migrated_schema_matches_the_models(empty_database: Database) -> None:
    upgrade(empty_database)
    with empty_database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_revision_files_start_with_their_date() -> None:
    files = [p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py") if p.name != "__init__.py"]
    assert files
    for name in files:
        assert re.match(r"20\d\d_(0[1-9]|1[0-2])_(0[1-9]|[12]\d|3[01])_", name), name


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=1234)
    upgrade(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 1234
    db.dispose()
