"""Engine and session factories, and how requests share the database.

SQLite (the default) gets WAL journaling, a busy timeout, enforced foreign keys and
``BEGIN IMMEDIATE`` transactions for work that writes: a transaction that starts as a reader and
later writes can fail at once with "database is locked" under WAL (its snapshot went stale while
another connection wrote), whereas ``BEGIN IMMEDIATE`` waits its turn for up to the busy timeout.
PostgreSQL uses psycopg 3 with pre-ping.

Readers run concurrently, writers one at a time (SQLite). Every request writes, though: reading a
client record adds an audit row. A read request therefore runs in a :meth:`Database.read_session`
(``BEGIN DEFERRED``, no autoflush: a plain WAL reader that blocks no one and that no one blocks),
and what it wrote is taken out of the session at the end (:func:`take_writes`: the audit rows,
plus bookkeeping such as an API token's last use) and applied in a short ``BEGIN IMMEDIATE``
transaction of its own (:meth:`Database.apply_writes`), queued behind the other writers. (Reads
ending together sharing one write transaction, a group commit, was measured: no less CPU per
request, more system time; not kept.) The
trade-off: the audit row is committed a moment after the read it records, from a later snapshot,
instead of atomically with it. It is still never lost: the caller answers only once that write
has committed, and a request whose audit row cannot be written fails (the data is not shown).
Changes made this way are replayed by primary key, so a read request may only add rows and set
columns that need no read-modify-write (a version check, a counter): real edits belong in a
POST/PUT/PATCH/DELETE, which runs in one ``BEGIN IMMEDIATE`` transaction from the start.
PostgreSQL needs none of this (MVCC): every request is one transaction, as many at once as the
connection pool holds.

The SQLite file is created readable by its owner only (clinical records), before SQLite opens it:
SQLite gives its ``-wal``, ``-shm`` and ``-journal`` files the database file's mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Table,
    and_,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    make_url,
    update,
)
from sqlalchemy.orm import ColumnProperty, Session, sessionmaker
from sqlalchemy.sql import Executable

if TYPE_CHECKING:
    from myomap.config import Settings

POOL_SIZE = 15
"""Database connections each process keeps open, all of them (no overflow): as many requests as
this use the database at once. A connection opened for a burst and closed after it costs far more
than the request (a PostgreSQL backend started; SQLite's file, WAL and pragmas set up again)."""

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
        return create_engine(url, pool_pre_ping=True, echo=echo, pool_size=POOL_SIZE, max_overflow=0)

    path = sqlite_path(url)
    pooling: dict[str, Any] = {"pool_size": POOL_SIZE, "max_overflow": 0} if path is not None else {}
    engine = create_engine(url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000}, **pooling)

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
        reader = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        self._read_sessions = sessionmaker(reader, expire_on_commit=False, autoflush=False)

    @property
    def max_concurrent_requests(self) -> int:
        """How many web requests should use the database at once: as many as the connection
        pool holds (for SQLite only readers run side by side; see :attr:`max_concurrent_writers`)."""
        pool = self.engine.pool
        size = getattr(pool, "size", lambda: 5)()
        return max(1, size + max(0, getattr(pool, "_max_overflow", 10)))

    @property
    def max_concurrent_writers(self) -> int:
        """SQLite has one writer at a time; PostgreSQL takes as many as the pool holds."""
        return 1 if self.is_sqlite else self.max_concurrent_requests

    @property
    def separates_reads(self) -> bool:
        """Whether read requests use :meth:`read_session` and hand their writes to
        :meth:`apply_writes` (SQLite), rather than one transaction for everything (PostgreSQL)."""
        return self.is_sqlite

    def read_session(self) -> Session:
        """A session for a request that only reads: SQLite ``BEGIN DEFERRED`` and no autoflush, so
        it never takes the write lock; end it with :func:`take_writes` and :meth:`apply_writes`."""
        return self._read_sessions()

    def apply_writes(self, writes: list[Executable]) -> None:
        """Run the statements :func:`take_writes` took from read sessions, in one write transaction."""
        if writes:
            with self.engine.begin() as connection:  # BEGIN IMMEDIATE on SQLite
                for statement in writes:
                    connection.execute(statement)

    def finish_read(self, session: Session) -> None:
        """End a :meth:`read_session` and write what it added or changed (hold the writer slot)."""
        self.apply_writes(take_writes(session))

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


class UnsupportedReadWrite(RuntimeError):
    """A read request changed the records in a way that cannot be replayed by primary key."""


def take_writes(session: Session) -> list[Executable]:
    """End a read session: its pending changes as INSERT/UPDATE/DELETE statements on the tables,
    by primary key (for :meth:`Database.apply_writes`); the session is closed (its transaction
    rolled back) having written nothing. The loaded objects stay readable, detached."""
    try:
        writes = [*map(_insert_of, session.new), *map(_update_of, session.dirty), *map(_delete_of, session.deleted)]
        return [w for w in writes if w is not None]
    finally:
        session.close()


def _columns(obj: object, keys: Iterable[str], what: str) -> dict[str, Any]:
    """Attribute name -> value, as table column name -> value; a relationship is refused."""
    state = inspect(obj)
    out: dict[str, Any] = {}
    for key in keys:
        prop = state.mapper.attrs[key]
        if not isinstance(prop, ColumnProperty):
            raise UnsupportedReadWrite(f"a read request {what} {key!r} of a {type(obj).__name__} (a relationship); "
                                       "set the id column instead, or make it a write request")
        out[prop.columns[0].key] = state.dict.get(key)
    return out


def _insert_of(obj: object) -> Executable:
    state = inspect(obj)
    linked = [a.key for a in state.attrs if a.key in state.dict and a.history.added]
    return insert(state.mapper.local_table).values(_columns(obj, linked, "linked a new row through"))


def _where_primary_key(obj: object, what: str) -> tuple[Table, ColumnElement[bool]]:
    state = inspect(obj)
    mapper = state.mapper
    if mapper.version_id_col is not None:
        raise UnsupportedReadWrite(f"a read request {what} a versioned {type(obj).__name__}; make it a write request")
    if state.identity is None:
        raise UnsupportedReadWrite(f"a read request {what} a {type(obj).__name__} that has no identity")
    table = mapper.local_table
    assert isinstance(table, Table)
    return table, and_(*(col == value for col, value in zip(mapper.primary_key, state.identity, strict=True)))


def _update_of(obj: object) -> Executable | None:
    state = inspect(obj)
    changed = [a.key for a in state.attrs if a.history.added or a.history.deleted]
    if not changed:
        return None
    values = _columns(obj, changed, "changed")
    table, where = _where_primary_key(obj, "changed")
    return update(table).where(where).values(values)


def _delete_of(obj: object) -> Executable:
    table, where = _where_primary_key(obj, "deleted")
    return delete(table).where(where)
