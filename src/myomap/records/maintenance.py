"""Database health, backups and restores, for ``myomap db check|backup|restore``.

A backup is one file: a self-contained SQLite database, or a PostgreSQL custom-format dump made
by ``pg_dump``. Posture photos are stored in the database (``posture_photos.image``), so every
backup holds them. Backups are written beside the target and renamed (a killed backup leaves no
partial file), owner-readable only. A restore replaces everything in one transaction, and only
into a database that holds no records unless forced.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import inspect, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError

from myomap.records.db import PRIVATE_FILE_MODE, Database, create_private_file, make_private_dir, sqlite_path
from myomap.records.migrate import alembic_config, revisions

if sys.platform != "win32":  # no flock on Windows: backups there take no lock
    import fcntl


@dataclass
class CheckReport:
    ok: bool
    engine: str
    location: str
    current_revision: str | None = None
    head_revision: str | None = None
    integrity: str | None = None
    problems: list[str] = field(default_factory=list)


def _safe_location(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def check(db: Database) -> CheckReport:
    """Connect, compare the schema revision with the newest one, and (SQLite) check integrity."""
    path = sqlite_path(db.url)
    report = CheckReport(ok=False, engine=db.engine.dialect.name, location=path or _safe_location(db.url))
    if path is not None and not Path(path).exists():
        report.problems.append(f"database file {path} does not exist; run `myomap db upgrade` to create it")
        return report
    if path is not None:
        try:
            with open(path, "rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            report.problems.append(f"cannot read {path}: {exc.strerror}")
            return report
        if header and header != b"SQLite format 3\x00":
            report.problems.append(f"{path} is not a SQLite database (corrupt or a different file)")
            return report
    try:
        state = revisions(db)
        report.current_revision, report.head_revision = state.current, state.head
        if state.current is None:
            report.problems.append("the database has no Myomap tables yet; run `myomap db upgrade`")
        elif not state.up_to_date:
            report.problems.append(f"the schema is at {state.current}, the newest is {state.head}; run `myomap db upgrade`")
        if path is not None:
            with db.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
                rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check")).fetchall()]
            report.integrity = "ok" if rows == ["ok"] else "; ".join(rows[:10])
            if report.integrity != "ok":
                report.problems.append(f"integrity check failed: {report.integrity}")
    except OperationalError as exc:
        message = str(exc.orig) if exc.orig else str(exc)
        if "locked" in message or "busy" in message:
            report.problems.append("the database is locked by another process; try again in a moment")
        elif "not a database" in message or "malformed" in message:
            report.problems.append(f"the database file is corrupt: {message}")
        elif "unable to open" in message and path is not None:
            report.problems.append(f"cannot open {path}: SQLite also writes files beside it, so check that its folder is writable")
        else:
            report.problems.append(f"cannot connect: {message}")
        return report
    except DBAPIError as exc:
        report.problems.append(f"database error: {exc.orig or exc}")
        return report
    report.ok = not report.problems
    return report


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why and what to do.
    Nothing was changed."""


class RestoreRefused(BackupError):
    """The database to restore into already holds records (restoring would replace them)."""


@dataclass(frozen=True)
class BackupResult:
    message: str
    path: Path


@dataclass(frozen=True)
class RestoreResult:
    message: str
    revision: str | None
    head_revision: str | None


SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
_LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal")


# ---- writing a backup ---------------------------------------------------------------------------


def backup(db: Database, target: Path) -> BackupResult:
    """A consistent copy of the database at ``target`` while the app keeps running: SQLite's
    online backup, or ``pg_dump`` for PostgreSQL. Written beside ``target``, then renamed."""
    target = target.expanduser().absolute()
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; give a file name, e.g. {target / 'myomap-backup.db'}")
    path = sqlite_path(db.url)
    if path is None:
        dump = _PgTools(db)
        _write_atomically(target, dump.dump)
        return BackupResult(message=f"backed up {_safe_location(db.url)} to {target}", path=target)
    if not Path(path).exists():
        raise BackupError(f"database file {path} does not exist")
    live = Path(path).resolve()
    if target.resolve() in {live.with_name(live.name + s) for s in _LIVE_SUFFIXES}:
        raise ValueError(f"{target} is the database itself (or one of its files); write the backup to another file")
    _write_atomically(target, lambda tmp: _copy_sqlite(path, tmp))
    return BackupResult(message=f"backed up {path} to {target}", path=target)


def _copy_sqlite(path: str, tmp: Path) -> None:
    source = sqlite3.connect(path, timeout=30)
    dest = sqlite3.connect(tmp)
    try:
        source.backup(dest, pages=1024)
        dest.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        result = dest.execute("PRAGMA integrity_check").fetchone()
    finally:
        dest.close()
        source.close()
    if result is None or result[0] != "ok":
        raise BackupError(f"the copy failed its integrity check: {result}")


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a private temporary file beside ``target``, then rename it over ``target``."""
    make_private_dir(target.parent)
    _remove_dead_copies(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)  # mode 0600
    _lock(fd)  # held until the copy is renamed: tells a later backup this file is not left over
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        os.close(fd)


def _lock(fd: int, *, wait: bool = True) -> bool:
    """Take an exclusive ``flock`` on ``fd`` (released when the process ends, even when killed)."""
    if sys.platform == "win32":  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _remove_dead_copies(target: Path) -> None:
    """Delete the temporary copies that killed backups to ``target`` left beside it (a running
    backup holds a lock on its copy, so it is left alone)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        try:
            fd = os.open(leftover, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _lock(fd, wait=False):
                for suffix in ("-journal", "-wal", "-shm"):  # SQLite's files beside the copy
                    leftover.with_name(leftover.name + suffix).unlink(missing_ok=True)
                leftover.unlink(missing_ok=True)
        finally:
            os.close(fd)


# ---- restoring one -----------------------------------------------------------------------------


def restore(db: Database, source: Path, *, force: bool = False) -> RestoreResult:
    """Replace the database's contents with the backup ``source``, all or nothing.

    The backup is checked first (its kind, that it is whole, that this Myomap knows its schema).
    A database holding records is refused unless ``force``: restoring replaces every record."""
    source = source.expanduser().absolute()
    kind = _backup_kind(source)
    path = sqlite_path(db.url)
    engine = "SQLite" if path is not None else "PostgreSQL"
    if kind != engine:
        raise BackupError(f"{source} is a {kind} backup but the database is {engine}; "
                          f"restore it into a {kind} database (set MYOMAP_DATABASE_URL)")
    if path is not None:
        if Path(path).resolve() == source.resolve():
            raise BackupError(f"{source} is the database itself; give the backup file")
        _sqlite_backup_revision(source)
        _refuse_unless_empty(db, force)
        make_private_dir(Path(path).parent)
        create_private_file(path)
        _restore_sqlite(source, path)
    else:
        tools = _PgTools(db)
        tools.backup_revision(source)
        _refuse_unless_empty(db, force)
        tools.restore(source, clean=bool(_user_tables(db)))
    state = revisions(db)
    message = f"restored {source} into {path or _safe_location(db.url)} (schema revision {state.current})"
    if state.current != state.head:
        message += f"; run `myomap db upgrade` to bring it to {state.head}"
    return RestoreResult(message=message, revision=state.current, head_revision=state.head)


def _backup_kind(source: Path) -> str:
    if source.is_dir():
        raise BackupError(f"{source} is a folder; give the backup file made by `myomap db backup`")
    try:
        with open(source, "rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"backup file {source} does not exist") from None
    if header == SQLITE_MAGIC:
        return "SQLite"
    if header.startswith(PG_DUMP_MAGIC):
        return "PostgreSQL"
    raise BackupError(f"{source} is not a Myomap backup (neither a SQLite database nor a pg_dump custom-format file)")


def _check_revision(revision: str | None, source: Path) -> str:
    if revision is None:
        raise BackupError(f"{source} holds no Myomap schema (no alembic_version row): not a Myomap backup")
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except (CommandError, RevisionError):
        raise BackupError(f"{source} was made by a newer Myomap (schema revision {revision} is unknown here); "
                          "restore it with that version or newer") from None
    return revision


def _sqlite_backup_revision(source: Path) -> str:
    """The schema revision of a SQLite backup, after checking that the file is whole."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"{source} is damaged (integrity check: {check}); use another backup")
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} cannot be read as a Myomap backup: {exc}") from None
    return _check_revision(rows[0][0] if len(rows) == 1 else None, source)


def _restore_sqlite(source: Path, path: str) -> None:
    """Copy every page of ``source`` into the database in one write transaction: readers and a
    running app see either the old database or the restored one, and a crash leaves the old one."""
    src = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
    dest = sqlite3.connect(path, timeout=30)
    try:
        src.backup(dest)  # pages=-1: all at once, one transaction
    finally:
        dest.close()
        src.close()


def _user_tables(db: Database) -> list[str]:
    path = sqlite_path(db.url)
    if path is not None and (not Path(path).exists() or Path(path).stat().st_size == 0):
        return []
    with db.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:  # a reader: no write lock
        return [t for t in inspect(conn).get_table_names() if t != "alembic_version"]


def _refuse_unless_empty(db: Database, force: bool) -> None:
    """Stop unless the database holds no records (no tables, or only empty ones) or ``force``."""
    tables = _user_tables(db)
    if force or not tables:
        return
    with db.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        holding = [t for t in tables if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{t}")')).scalar()]
    if holding:
        where = sqlite_path(db.url) or _safe_location(db.url)
        raise RestoreRefused(
            f"{where} already holds records ({', '.join(sorted(holding)[:5])}{', ...' if len(holding) > 5 else ''}); "
            "restoring would replace all of them. Back it up first (`myomap db backup`), stop the web app, "
            "then run the restore again with --force"
        )


# ---- PostgreSQL through its own tools ----------------------------------------------------------


class _PgTools:
    """``pg_dump`` and ``pg_restore`` as new as the server (older ones refuse a newer server), with
    the password passed in the environment, never on the command line where ``ps`` shows it."""

    def __init__(self, db: Database) -> None:
        parsed = make_url(db.url)
        self.dsn = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        self.env = {**os.environ}
        if parsed.password is not None:
            self.env["PGPASSWORD"] = str(parsed.password)
        with db.engine.connect() as conn:
            self.server_major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000

    def tool(self, name: str) -> str:
        found: list[str] = []
        candidates = [f"/usr/lib/postgresql/{self.server_major}/bin/{name}", shutil.which(name),
                      *sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)]
        for candidate in dict.fromkeys(c for c in candidates if c and os.access(c, os.X_OK)):
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
            match = re.search(r"\)\s+(\d+)", version)
            if match and int(match.group(1)) >= self.server_major:
                return candidate
            found.append(f"{candidate} ({version.strip() or 'unknown version'})")
        raise BackupError(
            f"{name} {self.server_major} or newer is needed for this PostgreSQL {self.server_major} server; "
            f"found {', '.join(found) or 'none'}. Install the PostgreSQL {self.server_major} client tools "
            f"(e.g. `apt install postgresql-client-{self.server_major}`) or put them first on PATH"
        )

    def run(self, name: str, *args: str) -> str:
        done = subprocess.run([self.tool(name), "--no-password", *args], env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            detail = " ".join(done.stderr.strip().splitlines()[-3:]) or f"exit status {done.returncode}"
            raise BackupError(f"{name} failed, nothing was changed: {detail}")
        return done.stdout

    def dump(self, tmp: Path) -> None:
        self.run("pg_dump", "--format=custom", f"--file={tmp}", self.dsn)

    def backup_revision(self, source: Path) -> str:
        """The schema revision inside a dump, read without restoring it (also proves it is whole)."""
        sql = self.run("pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(source))
        match = re.search(r"^COPY [^\n]*alembic_version[^\n]*FROM stdin;\n([^\n\\]+)\n\\\.", sql, re.MULTILINE)
        return _check_revision(match.group(1).strip() if match else None, source)

    def restore(self, source: Path, *, clean: bool) -> None:
        """``pg_restore`` in a single transaction: the database is replaced whole or not at all.
        ``clean`` drops the tables already there (a schema-only or forced database) first."""
        args = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
        if clean:
            args += ["--clean", "--if-exists"]
        self.run("pg_restore", *args, f"--dbname={self.dsn}", str(source))
