"""Engine and session factories.

SQLite (the default) gets WAL journaling, a busy timeout, enforced foreign keys and
``BEGIN IMMEDIATE`` transactions: every request may write (the audit log records reads too), and a
transaction that starts as a reader and later writes can fail at once with "database is locked"
under WAL, whereas ``BEGIN IMMEDIATE`` waits its turn for up to the busy timeout. PostgreSQL uses
psycopg 3 with pre-ping.

The SQLite file is created readable by its owner only (clinical records), before SQLite opens it:
SQLite gives its ``-wal``, ``-shm`` and ``-journal`` files the database file's mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from myomap.config import Settings

PRIVATE_FILE_MODE = 0o600  # databases, their WAL and shared-memory files, backups
PRIVATE_DIR_MODE = 0o700  # folders Myomap creates for them


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> str | None:
    """The file path of a SQLite URL, or None for in-memory databases and other engines."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def create_private_file(path: str | Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist yet; leave an existing file alone.

    An empty file is a valid empty SQLite database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except OSError:  # exists already, or cannot be created: SQLite reports the latter in its own words
        return
    os.close(fd)


def make_private_dir(path: str | Path) -> None:
    """Create the folder ``path`` (and its parents) with mode 0700 where it does not exist."""
    Path(path).mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def make_engine(url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> Engine:
    """An engine for ``url`` with the connection settings Myomap relies on."""
    if not is_sqlite_url(url):
        return create_engine(url, pool_pre_ping=True, echo=echo)

    engine = create_engine(url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000})
    path = sqlite_path(url)

    if path is not None and not path.startswith("file:"):

        @event.listens_for(engine, "do_connect")
        def _create_private(*_args: Any) -> None:
            create_private_file(path)  # before SQLite creates it with the process's umask

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (the "begin" hook below) issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An engine with its session factory: the one object faces need to reach the records."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout_ms=busy_timeout_ms)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def max_concurrent_requests(self) -> int:
        """How many web requests should use the database at once: SQLite has one writer at a
        time (and every request writes its audit row), PostgreSQL as many as the pool holds."""
        if self.is_sqlite:
            return 1
        pool = self.engine.pool
        size = getattr(pool, "size", lambda: 5)()
        return max(1, size + max(0, getattr(pool, "_max_overflow", 10)))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.resolved_database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed when the block ends, or rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
