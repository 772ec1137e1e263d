"""Several web processes over one PostgreSQL database: a browser signed in through one process is
served by any other (sign-in CSRF, session, CSRF token), and every process writes the audit log.

Real ``myomap serve`` processes: two on two ports (so the test decides which process answers
each request), and ``--workers 2`` on one port.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import select

from myomap.records.audit.models import AuditEvent
from myomap.records.db import Database
from myomap.records.migrate import upgrade
from tests.conftest import PASSWORD, PgServer, World, build_world
from tests.served import server_env, start_server, stop

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
HX_CSRF = re.compile(r'hx-headers=\'\{"X-CSRF-Token": "([^"]+)"\}\'')


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    if not pg_server.check():
        pytest.skip(pg_server.reason)
    url = pg_server.create_database("_workers")
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def world(pg_url: str) -> World:
    database = Database(pg_url)
    try:
        upgrade(database)
        with database.sessions() as session:
            return build_world(session)
    finally:
        database.dispose()


Serve = Callable[..., tuple[str, subprocess.Popen[bytes]]]


@pytest.fixture
def serve(tmp_path: Path, pg_url: str, world: World) -> Iterator[Serve]:
    """``serve(*options)``: start ``myomap serve`` on a free port over the test database (all
    servers share one data folder, as the servers of one clinic share their secret key)."""
    started: list[subprocess.Popen[bytes]] = []
    env = server_env(tmp_path / "data", pg_url, MYOMAP_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("MYOMAP_SECRET_KEY", None)

    def start(*options: str) -> tuple[str, subprocess.Popen[bytes]]:
        running = start_server(env, tmp_path / f"serve-{len(started)}.log", options)
        started.append(running.proc)
        return running.url, running.proc

    yield start
    for proc in started:
        stop(proc, signal.SIGINT)


def sign_in(http: httpx2.Client, form_from: str, post_to: str, email: str) -> None:
    """Sign in like a browser whose sign-in page came from ``form_from`` and whose form went to ``post_to``."""
    page = http.get(form_from + "/sign-in")
    match = CSRF_INPUT.search(page.text)
    assert match, "no CSRF token on the sign-in page"
    response = http.post(post_to + "/sign-in", data={"email": email, "password": PASSWORD, "next": "/",
                                                     "csrf_token": match.group(1)})
    assert response.status_code == 303, response.text[:300]
    assert response.headers["location"] == "/"


def session_csrf(http: httpx2.Client, base: str) -> str:
    page = http.get(base + "/")
    assert page.status_code == 200, page.status_code
    match = HX_CSRF.search(page.text)
    assert match, "no CSRF token on the signed-in page"
    return match.group(1)


def audit_actions(pg_url: str, email: str) -> list[str]:
    database = Database(pg_url)
    try:
        with database.sessions() as session:
            return list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor == email).order_by(AuditEvent.id)))
    finally:
        database.dispose()


def test_a_browser_moves_between_two_processes_freely(serve: Serve, world: World, pg_url: str) -> None:
    (a, _), (b, _) = serve(), serve()
    email = world.therapist.email
    with httpx2.Client(follow_redirects=False, timeout=10) as http:
        sign_in(http, form_from=a, post_to=b, email=email)  # the sign-in CSRF cookie signed by A, checked by B
        csrf = session_csrf(http, a)  # the session B started, known to A
        created = http.post(b + "/api/clients", json={"given_name": "Ada", "family_name": "Lovelace"},
                            headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201, created.text
        client_id = created.json()["id"]
        assert http.get(f"{a}/api/clients/{client_id}").json()["family_name"] == "Lovelace"
        refused = http.post(a + "/api/clients", json={"given_name": "No", "family_name": "Token"})
        assert refused.status_code == 403  # CSRF still enforced on the other process
        http.post(a + "/sign-out", data={"csrf_token": csrf})
        assert http.get(b + "/api/me").status_code == 401  # signed out everywhere
    actions = audit_actions(pg_url, email)
    assert "client.create" in actions and "client.view" in actions


def test_workers_share_one_port(serve: Serve, world: World, pg_url: str) -> None:
    base, proc = serve("--workers", "2")
    workers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent_of(p) == proc.pid
               and b"multiprocessing.spawn" in _cmdline(p)]
    assert len(workers) == 2
    email = world.owner.email
    with httpx2.Client(follow_redirects=False, timeout=10) as http:
        sign_in(http, form_from=base, post_to=base, email=email)
        csrf = session_csrf(http, base)
        ids = []
        for i in range(12):  # a new connection each time: the kernel hands them to either worker
            response = http.post(base + "/api/clients", json={"given_name": "Client", "family_name": f"No {i}"},
                                 headers={"X-CSRF-Token": csrf, "Connection": "close"})
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        for client_id in ids:
            assert http.get(f"{base}/api/clients/{client_id}", headers={"Connection": "close"}).status_code == 200
    actions = audit_actions(pg_url, email)
    assert actions.count("client.create") == 12 and actions.count("client.view") == 12


def _parent_of(proc_dir: Path) -> int | None:
    try:
        return int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _cmdline(proc_dir: Path) -> bytes:
    try:
        return (proc_dir / "cmdline").read_bytes()
    except OSError:
        return b""
