"""Backups that restore: the drill on both engines (back up, write more, restore into an empty
database, find exactly the backed-up records and photo bytes), refusals, and private file modes."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from myomap.cli import records_cmds
from myomap.records.db import Database
from myomap.records.maintenance import BackupError, RestoreRefused, backup, restore
from myomap.records.migrate import head_revision, upgrade
from myomap.records.models import Base
from myomap.records.posture.models import PostureAssessment, PosturePhoto
from tests.conftest import MakeClient, PgServer, World

pytestmark = pytest.mark.storage


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with database.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def add_photo(db: Session, world: World, client_id: int, image: bytes) -> PosturePhoto:
    assessment = PostureAssessment(clinic_id=world.clinic.id, client_id=client_id, assessed_on=date(2026, 11, 2),
                                   patterns=[], created_by_id=world.therapist.id)
    photo = PosturePhoto(view="anterior", content_type="image/jpeg", width=64, height=48, size_bytes=len(image),
                         image=image, landmarks={}, result={})
    assessment.photos.append(photo)
    db.add(assessment)
    db.commit()
    return photo


@pytest.fixture
def empty_url(database: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with nothing in it, on the same engine as ``database``."""
    if database.is_sqlite:
        yield f"sqlite:///{tmp_path / 'restored' / 'myomap.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create_database("_restore")
    yield url
    server.drop_database(url)


def test_the_restore_drill_finds_exactly_what_was_backed_up(
    database: Database, db: Session, world: World, make_client: MakeClient, empty_url: str, tmp_path: Path
) -> None:
    from myomap.records.pain.schemas import PainDrawingCreate, PainMarkIn
    from myomap.records.pain.service import create_drawing

    ada = make_client(given_name="Ada", family_name="Backed-Up")
    create_drawing(db=db, actor=world.actor(world.therapist), client_id=ada.id, data=PainDrawingCreate(
        drawn_on=date(2026, 11, 1), marks=[PainMarkIn(region_id="temple.right", intensity=7)]))
    db.commit()
    image = random.Random(8).randbytes(300_000)  # every byte value, as in a JPEG
    photo = add_photo(db, world, ada.id, image)

    target = tmp_path / "backups" / "monday.backup"
    result = backup(database, target)
    assert result.path == target and oct(target.stat().st_mode & 0o777) == "0o600"
    backed_up = snapshot(database)

    # Work goes on after the backup: a new client, a replaced photo.
    make_client(given_name="Written", family_name="After-Backup")
    photo.image = b"a later photo"
    db.commit()

    restored_db = Database(empty_url)
    try:
        outcome = restore(restored_db, target)
        assert outcome.revision == head_revision() and "restored" in outcome.message
        restored = snapshot(restored_db)
        assert restored == backed_up
        assert restored["posture_photos"][0][list(PosturePhoto.__table__.columns.keys()).index("image")] == image
        with restored_db.sessions() as session:
            names = [row.family_name for row in session.execute(select(Base.metadata.tables["clients"]))]
        assert "After-Backup" not in names and "Backed-Up" in names

        # It now holds records: a second restore is refused, and changes nothing.
        with pytest.raises(RestoreRefused, match="already holds records.*--force"):
            restore(restored_db, target)
        assert snapshot(restored_db) == backed_up
    finally:
        restored_db.dispose()

    # Forced, the live database goes back to the backup: the later writes are gone.
    db.close()
    restore(database, target, force=True)
    assert snapshot(database) == backed_up


def test_a_backup_restores_into_a_database_that_only_has_the_schema(
    database: Database, world: World, make_client: MakeClient, empty_url: str, tmp_path: Path
) -> None:
    make_client(family_name="Schema-Only")
    target = tmp_path / "b.backup"
    backup(database, target)
    fresh = Database(empty_url)
    try:
        upgrade(fresh)  # e.g. `myomap serve` ran once before the restore: tables, no records
        restore(fresh, target)
        assert snapshot(fresh) == snapshot(database)
    finally:
        fresh.dispose()


def test_bad_backups_are_refused_before_anything_changes(
    database: Database, make_client: MakeClient, tmp_path: Path
) -> None:
    make_client(family_name="Still-Here")
    before = snapshot(database)
    whole = tmp_path / "whole.backup"
    backup(database, whole)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(BackupError):
        restore(database, truncated, force=True)
    assert snapshot(database) == before
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(BackupError, match="not a Myomap backup"):
        restore(database, junk)
    with pytest.raises(BackupError, match="does not exist"):
        restore(database, tmp_path / "missing.db")
    other_kind = tmp_path / "other.backup"
    if database.is_sqlite:
        other_kind.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
        expected = "PostgreSQL backup but the database is SQLite"
    else:
        sqlite3.connect(other_kind).execute("CREATE TABLE t (x)").connection.close()
        expected = "SQLite backup but the database is PostgreSQL"
    with pytest.raises(BackupError, match=expected):
        restore(database, other_kind)


def test_a_backup_from_a_newer_myomap_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    conn.close()
    database = Database(sqlite_url)
    try:
        with pytest.raises(BackupError, match="newer Myomap"):
            restore(database, newer)
    finally:
        database.dispose()


def test_the_cli_restores_and_refuses_clearly(db_url: str, tmp_path: Path, world: World) -> None:
    cli = typer.Typer()
    records_cmds.register(cli)
    env = {"MYOMAP_DATA_DIR": str(tmp_path / "data"), "MYOMAP_DATABASE_URL": db_url, "MYOMAP_PASSWORD_HASH_PROFILE": "fast"}
    target = tmp_path / "cli.backup"
    made = CliRunner().invoke(cli, ["db", "backup", str(target)], env=env)
    assert made.exit_code == 0, made.output
    refused = CliRunner().invoke(cli, ["db", "restore", str(target)], env=env)
    assert refused.exit_code == 2 and "already holds records" in refused.output and "Traceback" not in refused.output
    forced = CliRunner().invoke(cli, ["db", "restore", "--force", str(target)], env=env)
    assert forced.exit_code == 0 and "restored" in forced.output, forced.output


def test_the_database_and_its_files_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask, which would give 0644 files and 0755 folders
    try:
        folder = tmp_path / "data"
        database = Database(f"sqlite:///{folder / 'myomap.db'}")
        upgrade(database)
        with database.engine.connect():  # WAL and shared memory exist while a connection is open
            modes = {p.name: oct(p.stat().st_mode & 0o777) for p in folder.iterdir()}
        database.dispose()
    finally:
        os.umask(previous)
    assert modes == {"myomap.db": "0o600", "myomap.db-wal": "0o600", "myomap.db-shm": "0o600"}
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
