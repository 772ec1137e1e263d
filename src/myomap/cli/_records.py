"""Shared plumbing for commands that use the database: settings, a transaction, clean errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from rich.console import Console
from rich.markup import escape

# Long paths and messages must stay on one line (copy-paste, grep), so no hard wrapping.
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error on stderr and exit non-zero, without a traceback.

    ``message`` is plain text: square brackets in it (a clinic's name, a path) are printed as they
    are, never read as Rich markup."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise SystemExit(code)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from myomap.config import Settings
    from myomap.records.db import Database


def settings(**overrides: object) -> Settings:
    from pydantic import ValidationError

    from myomap.config import Settings

    try:
        return Settings.from_env(None, **overrides)
    except ValidationError as exc:
        problems = "; ".join(f"MYOMAP_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        fail(f"invalid settings: {problems}")


def database(cfg: Settings) -> Database:
    from myomap.records.db import Database

    return Database.from_settings(cfg)


def os_problem(exc: OSError) -> str:
    """``Permission denied: /some/path`` rather than ``[Errno 13] Permission denied: '/some/path'``."""
    import os

    if isinstance(exc, FileExistsError) and exc.filename and not os.path.isdir(exc.filename):
        return f"{exc.filename} is a file, not a folder"  # mkdir of a folder on the way
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)


def explain(exc: Exception, cfg: Settings) -> str:
    """One line telling the administrator what is wrong with the database and what to do."""
    from myomap.records.db import sqlite_path

    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    message = lines[0] if lines else type(orig).__name__
    lower = message.lower()
    where = sqlite_path(cfg.resolved_database_url) or "the database"
    if "locked" in lower or "busy" in lower:
        return "the database is locked by another process; try again in a moment"
    if "no such table" in lower or ("relation" in lower and "does not exist" in lower):
        return f"{where} has no Myomap tables yet (or an old schema); run `myomap db upgrade`"
    if "not a database" in lower or "malformed" in lower:
        return f"{where} is not a usable SQLite database ({message}); run `myomap db check`"
    if "readonly" in lower or "read-only" in lower:
        return f"{where} cannot be written (the file or its folder is read-only)"
    if "unable to open database file" in lower:
        return f"cannot open or create {where}: check that its folder exists and is writable"
    return f"database problem: {message} (run `myomap db check` for details)"


def require_database_file(cfg: Settings) -> None:
    """Stop with a clear message when the SQLite file is missing (instead of creating an empty one)."""
    from pathlib import Path

    from myomap.records.db import sqlite_path

    path = sqlite_path(cfg.resolved_database_url)
    if path is not None and not Path(path).exists():
        fail(f"database file {path} does not exist; run `myomap db upgrade` to create it")


@contextmanager
def transaction(cfg: Settings) -> Iterator[Session]:
    """A committed-on-success session; database and validation errors exit with a clear message."""
    from sqlalchemy.exc import DBAPIError

    from myomap.records.errors import RecordsError

    require_database_file(cfg)
    db = database(cfg)
    try:
        with db.transaction() as session:
            yield session
    except RecordsError as exc:
        fail(str(exc))
    except DBAPIError as exc:
        fail(explain(exc, cfg))
    finally:
        db.dispose()
