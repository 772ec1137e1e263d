"""The administrator's commands: clinics, users, tokens, and the database's health and backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from myomap.cli import records_cmds
from myomap.records.migrate import head_revision


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    records_cmds.register(app)
    return app


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "MYOMAP_DATA_DIR": str(tmp_path / "data"),
        "MYOMAP_DATABASE_URL": db_url,
        "MYOMAP_PASSWORD_HASH_PROFILE": "fast",
    }


def run(cli: typer.Typer, env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=input)


@pytest.mark.storage
def test_an_administrator_sets_up_a_clinic_and_its_people(cli: typer.Typer, env: dict[str, str]) -> None:
    result = run(cli, env, "clinic", "create", "Riverside NMT")
    assert result.exit_code == 0, result.output
    assert "created clinic 1: Riverside NMT" in result.output
    result = run(cli, env, "user", "create", "--clinic", "riverside nmt", "--email", "Tara@Riverside.test",
                 "--name", "Tara", "--role", "therapist", "--password", "long enough pw")
    assert result.exit_code == 0, result.output
    assert "tara@riverside.test" in result.output
    # The password can be typed at a prompt instead (twice).
    result = run(cli, env, "user", "create", "--clinic", "1", "--email", "olivia@riverside.test", "--name", "Olivia",
                 "--role", "owner", input="another long pw\nanother long pw\n")
    assert result.exit_code == 0, result.output
    listing = run(cli, env, "user", "list", "--clinic", "1")
    assert "olivia@riverside.test" in listing.output and "therapist" in listing.output


@pytest.mark.storage
def test_duplicates_get_a_clear_error(cli: typer.Typer, env: dict[str, str]) -> None:
    assert run(cli, env, "clinic", "create", "Riverside NMT").exit_code == 0
    again = run(cli, env, "clinic", "create", "riverside  nmt")
    assert again.exit_code != 0 and "already exists" in again.output
    args = ("user", "create", "--clinic", "Riverside NMT", "--email", "tara@riverside.test", "--name", "Tara",
            "--role", "therapist", "--password", "long enough pw")
    assert run(cli, env, *args).exit_code == 0
    dup = run(cli, env, *args)
    assert dup.exit_code != 0 and "tara@riverside.test is already a user of this clinic" in dup.output
    assert "Traceback" not in dup.output


def test_bad_input_is_explained(cli: typer.Typer, env: dict[str, str]) -> None:
    assert run(cli, env, "clinic", "create", "Riverside").exit_code == 0
    bad_role = run(cli, env, "user", "create", "--clinic", "Riverside", "--email", "a@b.test", "--name", "A",
                   "--role", "boss", "--password", "long enough pw")
    assert bad_role.exit_code != 0 and "owner, therapist, front_desk" in bad_role.output
    short = run(cli, env, "user", "create", "--clinic", "Riverside", "--email", "a@b.test", "--name", "A",
                "--role", "owner", "--password", "short")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    no_clinic = run(cli, env, "user", "create", "--clinic", "Nowhere", "--email", "a@b.test", "--name", "A",
                    "--role", "owner", "--password", "long enough pw")
    assert no_clinic.exit_code != 0 and "clinic 'Nowhere' not found" in no_clinic.output


def test_a_token_is_printed_once_for_scripts(cli: typer.Typer, env: dict[str, str]) -> None:
    run(cli, env, "clinic", "create", "Riverside")
    run(cli, env, "user", "create", "--clinic", "Riverside", "--email", "bot@riverside.test", "--name", "Bot",
        "--role", "therapist", "--password", "long enough pw")
    result = run(cli, env, "user", "token", "bot@riverside.test", "--name", "nightly export")
    assert result.exit_code == 0 and result.output.strip().startswith("mm_")
    missing = run(cli, env, "user", "token", "nobody@riverside.test")
    assert missing.exit_code != 0 and "user nobody@riverside.test not found" in missing.output


@pytest.mark.storage
def test_tokens_are_listed_expire_and_are_revoked(cli: typer.Typer, env: dict[str, str], db_url: str) -> None:
    from myomap.records.accounts.service import user_for_api_token
    from myomap.records.db import Database

    run(cli, env, "clinic", "create", "Riverside")
    run(cli, env, "user", "create", "--clinic", "Riverside", "--email", "bot@riverside.test", "--name", "Bot",
        "--role", "therapist", "--password", "long enough pw")
    first = run(cli, env, "user", "token", "bot@riverside.test", "--name", "nightly export", "--expires-days", "30")
    second = run(cli, env, "user", "token", "bot@riverside.test", "--name", "dashboard")
    assert first.exit_code == second.exit_code == 0, first.output
    bad = run(cli, env, "user", "token", "bot@riverside.test", "--expires-days", "0")
    assert bad.exit_code != 0 and "expires_in_days" in bad.output
    listing = run(cli, env, "user", "tokens", "bot@riverside.test", "--json")
    rows = {row["name"]: row for row in __import__("json").loads(listing.output)}
    assert set(rows) == {"nightly export", "dashboard"} and rows["nightly export"]["expires_at"]
    assert rows["dashboard"]["expires_at"] is None and all(r["active"] for r in rows.values())
    assert first.output.strip() not in listing.output
    revoked = run(cli, env, "user", "revoke-token", str(rows["nightly export"]["id"]))
    assert revoked.exit_code == 0 and "revoked token" in revoked.output
    db = Database(db_url)
    try:
        with db.sessions() as s:
            assert user_for_api_token(db=s, token=first.output.strip()) is None
            assert user_for_api_token(db=s, token=second.output.strip()) is not None
        changed = run(cli, env, "user", "set-password", "bot@riverside.test", "--password", "a new long password")
        assert changed.exit_code == 0 and "revoked" in changed.output
        with db.sessions() as s:
            assert user_for_api_token(db=s, token=second.output.strip()) is None
    finally:
        db.dispose()
    assert run(cli, env, "user", "revoke-token", "999").exit_code != 0


@pytest.mark.storage
def test_an_email_in_two_clinics_needs_the_clinic_named(cli: typer.Typer, env: dict[str, str]) -> None:
    for clinic in ("Riverside", "Hilltop"):
        run(cli, env, "clinic", "create", clinic)
        made = run(cli, env, "user", "create", "--clinic", clinic, "--email", "sam@x.test", "--name", "Sam",
                   "--role", "therapist", "--password", "long enough pw")
        assert made.exit_code == 0, made.output
    ambiguous = run(cli, env, "user", "token", "sam@x.test")
    assert ambiguous.exit_code != 0 and "several clinics" in ambiguous.output and "--clinic" in ambiguous.output
    assert run(cli, env, "user", "token", "sam@x.test", "--clinic", "Hilltop").output.startswith("mm_")


@pytest.mark.storage
def test_db_check_reports_the_revision(cli: typer.Typer, env: dict[str, str]) -> None:
    result = run(cli, env, "db", "check")
    assert result.exit_code == 0, result.output
    head = head_revision()
    assert f"revision:  {head} (newest: {head})" in result.output and "ok" in result.output


def sqlite_env(tmp_path: Path, name: str = "myomap.db") -> dict[str, str]:
    return {"MYOMAP_DATA_DIR": str(tmp_path), "MYOMAP_DATABASE_URL": f"sqlite:///{tmp_path / name}",
            "MYOMAP_PASSWORD_HASH_PROFILE": "fast"}


def test_db_check_explains_a_missing_or_corrupt_file(cli: typer.Typer, tmp_path: Path) -> None:
    missing = run(cli, sqlite_env(tmp_path), "db", "check")
    assert missing.exit_code == 1 and "does not exist" in missing.output and "myomap db upgrade" in missing.output
    (tmp_path / "junk.db").write_bytes(b"this is not a database at all" * 100)
    corrupt = run(cli, sqlite_env(tmp_path, "junk.db"), "db", "check")
    assert corrupt.exit_code == 1 and "not a SQLite database" in corrupt.output


def test_db_check_explains_a_locked_database(cli: typer.Typer, tmp_path: Path) -> None:
    env = {**sqlite_env(tmp_path), "MYOMAP_SQLITE_BUSY_TIMEOUT_MS": "100"}
    assert run(cli, env, "db", "upgrade").exit_code == 0
    holder = sqlite3.connect(tmp_path / "myomap.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run(cli, env, "db", "check")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1 and "locked" in result.output


def test_db_upgrade_creates_the_database(cli: typer.Typer, tmp_path: Path) -> None:
    env = sqlite_env(tmp_path / "new-folder")
    result = run(cli, env, "db", "upgrade")
    assert result.exit_code == 0 and f"at revision {head_revision()}" in result.output
    assert (tmp_path / "new-folder" / "myomap.db").exists()
    assert run(cli, env, "db", "check").exit_code == 0


def test_db_backup_writes_a_readable_copy(cli: typer.Typer, tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    run(cli, env, "db", "upgrade")
    run(cli, env, "clinic", "create", "Riverside")
    target = tmp_path / "backups" / "monday.db"
    result = run(cli, env, "db", "backup", str(target))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT name FROM clinics").fetchall() == [("Riverside",)]
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in target.parent.iterdir()] == ["monday.db"]  # no temp files left behind
    # Running it again replaces the file atomically.
    assert run(cli, env, "db", "backup", str(target)).exit_code == 0


def test_db_backup_of_an_unreachable_postgresql_says_so_without_the_password(cli: typer.Typer, tmp_path: Path) -> None:
    env = {**sqlite_env(tmp_path), "MYOMAP_DATABASE_URL": "postgresql://clinic:s3cret-pw@127.0.0.1:1/myomap"}
    result = run(cli, env, "db", "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 2 and "nothing was written" in result.output, result.output
    assert "s3cret-pw" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.dump").exists()
