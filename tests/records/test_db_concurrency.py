"""SQLite readers run side by side; only writers queue. Every read still leaves its audit row."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from myomap.config import Settings
from myomap.records.accounts.models import ApiToken
from myomap.records.accounts.permissions import Actor
from myomap.records.accounts.service import create_api_token
from myomap.records.audit.models import AuditEvent
from myomap.records.audit.service import record
from myomap.records.clients.models import Client
from myomap.records.clients.schemas import ClientCreate
from myomap.records.clients.service import create_client
from myomap.records.db import Database, UnsupportedReadWrite, take_writes
from tests.conftest import World


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    database = Database(sqlite_url, busy_timeout_ms=100)
    yield database
    database.dispose()


@pytest.fixture
def people(sqlite_db: Database) -> World:
    from tests.conftest import build_world

    with sqlite_db.sessions() as session:
        return build_world(session)


def audit_count(database: Database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_a_reader_is_not_blocked_by_a_writer_holding_the_lock(sqlite_db: Database, people: World) -> None:
    with sqlite_db.sessions() as writer:
        writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: holds SQLite's one write lock
        with sqlite_db.sessions() as second_writer, pytest.raises(OperationalError, match="locked"):
            second_writer.execute(text("SELECT 1"))  # control: a second writer must wait (and times out)
        reader = sqlite_db.read_session()
        try:
            assert reader.scalar(select(func.count()).select_from(AuditEvent)) is not None
            assert take_writes(reader) == []
        finally:
            reader.close()
        writer.rollback()


def test_a_read_sessions_audit_row_is_written_after_it_by_apply_writes(sqlite_db: Database, people: World) -> None:
    before = audit_count(sqlite_db)
    reader = sqlite_db.read_session()
    actor = Actor(reader.merge(people.therapist), ip="192.0.2.7", via="api")
    record(db=reader, actor=actor, action="client.list", object_type="client", detail={"recent": 3})
    record(db=reader, actor=actor, action="client.view", object_type="client", object_id=5)
    reader.scalar(select(func.count()).select_from(Client))  # no autoflush: reading does not write
    writes = take_writes(reader)
    assert len(writes) == 2
    assert audit_count(sqlite_db) == before  # the read session itself wrote nothing

    sqlite_db.apply_writes(writes)
    with sqlite_db.sessions() as session:
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)))
    assert [(r.action, r.object_id, r.detail, r.ip, r.via) for r in reversed(rows)] == [
        ("client.list", None, {"recent": 3}, "192.0.2.7", "api"), ("client.view", 5, None, "192.0.2.7", "api")]
    assert all(abs((datetime.now(UTC) - r.at).total_seconds()) < 60 for r in rows)  # the column default applied


def test_bookkeeping_changes_of_a_read_are_replayed_by_primary_key(sqlite_db: Database, people: World) -> None:
    with sqlite_db.transaction() as session:
        _, token = create_api_token(db=session, user=session.merge(people.therapist), name="script")
        token_id = token.id
    used = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    reader = sqlite_db.read_session()
    row = reader.get(ApiToken, token_id)
    assert row is not None
    row.last_used_at = used
    sqlite_db.apply_writes(take_writes(reader))
    with sqlite_db.sessions() as session:
        assert session.get_one(ApiToken, token_id).last_used_at == used


def test_a_real_edit_in_a_read_request_is_refused_not_replayed(sqlite_db: Database, people: World) -> None:
    with sqlite_db.transaction() as session:
        client_id = create_client(db=session, actor=Actor(session.merge(people.therapist)),
                                  data=ClientCreate(given_name="Ada", family_name="Lovelace")).id
    reader = sqlite_db.read_session()
    client = reader.get(Client, client_id)
    assert client is not None
    client.family_name = "Byron"
    with pytest.raises(UnsupportedReadWrite, match="versioned Client"):
        take_writes(reader)
    with sqlite_db.sessions() as session:
        assert session.get_one(Client, client_id).family_name == "Lovelace"


# ---- through the web app ---------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path, sqlite_db: Database, people: World) -> FastAPI:
    from myomap.web.app import create_app

    settings = Settings(data_dir=tmp_path / "data", password_hash_profile="fast", secret_key="k", request_deadline_s=15)
    return create_app(settings, database=sqlite_db)


class HeldSearch:
    """Stands in for the client search of ``GET /api/clients``: the first call waits until released."""

    def __init__(self, real: Any) -> None:
        self.real, self.entered, self.release, self.calls = real, threading.Event(), threading.Event(), 0

    def __call__(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            assert self.release.wait(20), "never released"
        return self.real(**kwargs)


def test_a_slow_read_does_not_hold_up_other_reads_and_both_are_audited(
    app: FastAPI, sqlite_db: Database, people: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import myomap.web.api.clients as api_clients

    with sqlite_db.transaction() as session:
        token, _ = create_api_token(db=session, user=session.merge(people.therapist), name="t")
        client_id = create_client(db=session, actor=Actor(session.merge(people.therapist)),
                                  data=ClientCreate(given_name="Ada", family_name="Lovelace")).id
    held = HeldSearch(getattr(api_clients, "search_clients"))  # noqa: B009 - the name the route module calls
    monkeypatch.setattr(api_clients, "search_clients", held)
    before = audit_count(sqlite_db)

    async def scenario() -> tuple[int, int]:
        transport = httpx2.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx2.AsyncClient(transport=transport, base_url="http://test", headers=headers) as http:
            slow = asyncio.create_task(http.get("/api/clients?limit=5"))
            while not held.entered.is_set():
                await asyncio.sleep(0.01)
            try:  # while the first read is still inside its handler:
                fast = await asyncio.wait_for(http.get(f"/api/clients/{client_id}"), timeout=10)
            finally:
                held.release.set()
            return fast.status_code, (await slow).status_code

    assert asyncio.run(scenario()) == (200, 200)
    with sqlite_db.sessions() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.id > 0).order_by(AuditEvent.id)))
    assert audit_count(sqlite_db) == before + 2
    assert actions[-2:] == ["client.view", "client.list"]  # the fast read finished (and was audited) first


def test_many_concurrent_reads_are_each_audited_once(app: FastAPI, sqlite_db: Database, people: World) -> None:
    """Reads side by side each leave exactly one audit row: none lost, none written twice."""
    with sqlite_db.transaction() as session:
        token, _ = create_api_token(db=session, user=session.merge(people.therapist), name="t")
    before = audit_count(sqlite_db)

    async def scenario() -> list[int]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test",
                                      headers={"Authorization": f"Bearer {token}"}) as http:
            answers = await asyncio.gather(*(http.get(f"/api/clients?limit={n}") for n in range(1, 25)))
        return [a.status_code for a in answers]

    assert asyncio.run(scenario()) == [200] * 24
    with sqlite_db.sessions() as session:
        shown = list(session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "client.list")))
    assert audit_count(sqlite_db) == before + 24 and len(shown) >= 24
