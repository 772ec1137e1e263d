"""Shared plumbing for commands that use the database: settings, a transaction, clean errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from rich.console import Console

# Long paths and messages must stay on one line (copy-paste, grep), so no hard wrapping.
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error on stderr and exit non-zero, without a traceback."""
    err.print(f"[bold red]error:[/] {message}")
    raise SystemExit(code)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from myomap.config import Settings
    from myomap.records.db import Database


def settings(**overrides: object) -> Settings:
    from pydantic import ValidationError

    from myomap.config import Settings

    try:
        return Settings.from_env(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"MYOMAP_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        fail(f"invalid settings: {problems}")


def database(cfg: Settings) -> Database:
    from myomap.records.db import Database

    return Database.from_settings(cfg)


@contextmanager
def transaction(cfg: Settings) -> Iterator[Session]:
    """A committed-on-success session; database and validation errors exit with a clear message."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from myomap.records.errors import RecordsError

    db = database(cfg)
    try:
        with db.transaction() as session:
            yield session
    except RecordsError as exc:
        fail(str(exc))
    except (OperationalError, ProgrammingError) as exc:
        fail(f"database problem: {exc.orig or exc}\n(run `myomap db check` for details)")
    finally:
        db.dispose()
