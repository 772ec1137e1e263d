"""Database health and backups, for ``myomap db check`` and ``myomap db backup``."""

from __future__ import annotations

import glob
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError

from myomap.records.db import Database, sqlite_path
from myomap.records.migrate import revisions

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


@dataclass
class BackupResult:
    ok: bool
    message: str
    path: Path | None = None


def pg_dump_command(url: str, target: Path) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return f"pg_dump --format=custom --file {target} '{parsed.render_as_string(hide_password=True)}'"


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


def backup(db: Database, target: Path) -> BackupResult:
    """A consistent copy of a SQLite database at ``target`` (written beside it, then renamed)."""
    path = sqlite_path(db.url)
    if path is None:
        return BackupResult(
            ok=False,
            message="PostgreSQL is backed up with its own tools. Run, for example:\n  "
            + pg_dump_command(db.url, target)
            + "\n(put the password in ~/.pgpass or PGPASSWORD; restore with pg_restore)",
        )
    if not Path(path).exists():
        return BackupResult(ok=False, message=f"database file {path} does not exist")
    target = target.expanduser().absolute()
    live = Path(path).resolve()
    if target.resolve() in {live, *(live.with_name(live.name + s) for s in ("-wal", "-shm", "-journal"))}:
        raise ValueError(f"{target} is the database itself (or one of its files); write the backup to another file")
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; give a file name, e.g. {target / 'myomap-backup.db'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_copies(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    _lock(fd)  # held until the copy is renamed: tells a later backup this file is not left over
    tmp = Path(tmp_name)
    try:
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
            raise RuntimeError(f"the copy failed its integrity check: {result}")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        os.close(fd)
    return BackupResult(ok=True, message=f"backed up {path} to {target}", path=target)
