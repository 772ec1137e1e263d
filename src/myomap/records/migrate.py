"""Run Alembic migrations from Python: no ``alembic.ini`` needed.

``upgrade(db)`` brings a database (empty or older) to the newest schema; ``revisions(db)`` tells
where it stands. Revision files live in ``migrations/versions`` and start with their date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from myomap.records.db import Database, make_private_dir, sqlite_path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", FILE_TEMPLATE)
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@dataclass(frozen=True)
class RevisionState:
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def revisions(db: Database) -> RevisionState:
    """Where ``db`` stands (a missing SQLite file is reported as empty, and not created)."""
    path = sqlite_path(db.url)
    if path is not None and not Path(path).exists():
        return RevisionState(None, head_revision())
    with db.engine.connect() as conn:
        return RevisionState(current_revision(conn), head_revision())


def upgrade(db: Database, revision: str = "head") -> RevisionState:
    """Upgrade ``db`` to ``revision`` (creating the SQLite file and its folder if needed)."""
    path = sqlite_path(db.url)
    if path is not None:
        make_private_dir(Path(path).parent)
    with db.engine.connect() as conn:
        command.upgrade(alembic_config(conn), revision)
        conn.commit()
    return revisions(db)
