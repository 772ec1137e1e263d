"""Shared fixtures: databases on both engines, settings, and the personas of the clinic tests.

``db_url`` is parametrized over ``sqlite`` (a temporary file per test) and ``postgresql`` (a
throwaway database ``myomap_test_<random>`` on the local server, created once per test session,
emptied between tests and dropped at the end). When no PostgreSQL server answers at
``MYOMAP_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``), the PostgreSQL half
is skipped with a message saying so.

Personas (see ``world``): a therapist and her colleague in the same clinic, the clinic's owner and
front-desk user, and an outsider who works for another clinic.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
import pytest

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy.orm import Session

    from myomap.config import Settings
    from myomap.records.accounts.models import User
    from myomap.records.accounts.permissions import Actor, Via
    from myomap.records.clients.models import Client
    from myomap.records.clinics.models import Clinic
    from myomap.records.db import Database

PG_ADMIN_URL = os.environ.get("MYOMAP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery"


# ---- PostgreSQL server (once per test session) -----------------------------------------------


class PgServer:
    def __init__(self) -> None:
        self.available: bool | None = None
        self.reason = ""
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection[tuple[Any, ...]]:
        import psycopg

        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)

    def check(self) -> bool:
        if self.available is None:
            try:
                with self._admin() as conn:
                    conn.execute("SELECT 1")
                self.available = True
            except Exception as exc:  # noqa: BLE001 - any failure means "no server"
                self.available = False
                self.reason = f"no PostgreSQL server at {PG_ADMIN_URL} ({type(exc).__name__}: {exc}); skipping the PostgreSQL half"
        return self.available

    def create_database(self, suffix: str = "") -> str:
        name = f"myomap_test_{secrets.token_hex(4)}{suffix}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        return f"{base}/{name}"

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(self.created):
            try:
                with self._admin() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:  # noqa: BLE001
                pass
        self.created.clear()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer()
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def _pg_migrated_url(pg_server: PgServer) -> Iterator[str]:
    """One migrated PostgreSQL database for the whole test session."""
    if not pg_server.check():
        pytest.skip(pg_server.reason)
    from myomap.records.db import Database
    from myomap.records.migrate import upgrade

    url = pg_server.create_database()
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time would be slower)."""
    from myomap.records.db import Database
    from myomap.records.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    import sqlite3

    with sqlite3.connect(path) as conn:  # fold the WAL into the file, so copying the file is enough
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _truncate_all(url: str) -> None:
    from sqlalchemy import create_engine, text

    from myomap.records.models import Base

    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        target = tmp_path / "myomap.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("_pg_migrated_url")
    _truncate_all(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A migrated, empty SQLite database (for tests that only need one engine, e.g. web tests)."""
    target = tmp_path / "myomap.db"
    shutil.copyfile(_sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    from myomap.records.db import Database

    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session for the test; tests commit when they mean to (services never do)."""
    with database.sessions() as session:
        yield session
        session.rollback()


def second_writer_after_commit(first: Session, write: Callable[[], object]) -> BaseException | None:
    """SQLite serialises writers: run ``write`` (a second writer, on its own session) in a thread
    while ``first`` holds the write lock, check that it waits, commit ``first``, and return what
    ``write`` raised once it could go on (None when it succeeded)."""
    import threading
    import time

    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            write()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive(), "the second writer should be waiting for the first"
    first.commit()
    thread.join(10)
    return outcome[0]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    from myomap.config import Settings

    return Settings(data_dir=tmp_path / "data", password_hash_profile="fast", secret_key="test-secret-key")


# ---- personas -----------------------------------------------------------------------------------


@dataclass
class World:
    """A clinic with its people, and an outsider from another clinic."""

    clinic: Clinic
    other_clinic: Clinic
    owner: User
    therapist: User
    colleague: User
    front_desk: User
    outsider: User

    def actor(self, user: User, via: Via = "web") -> Actor:
        from myomap.records.accounts.permissions import Actor

        return Actor(user, ip="192.0.2.10", via=via)


def build_world(db: Session) -> World:
    from myomap.records.accounts.service import create_user
    from myomap.records.clinics.service import create_clinic

    clinic = create_clinic(db=db, name="Riverside Neuromuscular Therapy")
    other = create_clinic(db=db, name="Hilltop Massage Clinic")

    def user(c: Clinic, email: str, name: str, role: str) -> User:
        return create_user(db=db, clinic=c, email=email, name=name, role=role, password=PASSWORD, password_profile="fast")

    world = World(
        clinic=clinic,
        other_clinic=other,
        owner=user(clinic, "olivia.owner@riverside.test", "Olivia Owner", "owner"),
        therapist=user(clinic, "tara.therapist@riverside.test", "Tara Therapist", "therapist"),
        colleague=user(clinic, "colin.colleague@riverside.test", "Colin Colleague", "therapist"),
        front_desk=user(clinic, "frances.desk@riverside.test", "Frances Desk", "front_desk"),
        outsider=user(other, "oscar.outsider@hilltop.test", "Oscar Outsider", "therapist"),
    )
    db.commit()
    return world


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


@pytest.fixture(scope="session")
def world_builder() -> Callable[[Session], World]:
    """``build_world(session)``, for fixtures with a database of their own (web, e2e)."""
    return build_world


class MakeClient(Protocol):
    """The ``make_client`` fixture's signature."""

    def __call__(self, actor: Actor | None = None, **fields: Any) -> Client: ...


@pytest.fixture
def make_client(db: Session, world: World) -> MakeClient:
    """``make_client(actor=None, **fields)``: a client created through the service, committed.

    The default actor is the front-desk persona (who registers clients in real life)."""
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client

    def make(actor: Actor | None = None, **fields: Any) -> Client:
        data = {"given_name": "Ada", "family_name": "Lovelace", **fields}
        client = create_client(db=db, actor=actor or world.actor(world.front_desk), data=ClientCreate.model_validate(data))
        db.commit()
        return client

    return make


# ---- shared photo fixtures (../shared/fixtures beside the repository) --------------------------

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def squat_frame(index: int) -> npt.NDArray[np.uint8]:
    """Frame ``index`` of the squat video as an RGB array (the test is skipped when it cannot be read)."""
    import cv2

    video = SHARED_FIXTURES / "tfjs_pose_squats.mp4"
    if not video.exists():
        pytest.skip(f"fixture video missing: {video} (the shared fixtures folder is not checked out)")
    cap = cv2.VideoCapture(str(video))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = cap.read()
    finally:
        cap.release()
    if not ok:
        pytest.skip("could not read a frame from tfjs_pose_squats.mp4 (no video codec?)")
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), dtype=np.uint8)


@pytest.fixture(scope="session")
def squat_frame0() -> npt.NDArray[np.uint8]:
    """Frame 0 of the squat video (a woman standing, anterior view), as an RGB array."""
    return squat_frame(0)


@pytest.fixture(scope="session")
def two_people_jpeg(squat_frame0: npt.NDArray[np.uint8]) -> tuple[bytes, int, int]:
    """Two standing people side by side (frame 0 of the squat video, twice): JPEG, width, height.

    (The Warrior II pose of tfjs_pose.jpg, arms and legs spread, is not found by the HOG people
    detector, so that photo doubled would not count as two people.)"""
    import io

    from PIL import Image

    one = Image.fromarray(squat_frame0)
    pair = Image.new("RGB", (2 * one.width, one.height))
    pair.paste(one, (0, 0))
    pair.paste(one, (one.width, 0))
    out = io.BytesIO()
    pair.save(out, format="JPEG", quality=90)
    return out.getvalue(), pair.width, pair.height
