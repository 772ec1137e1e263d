"""The real ``myomap serve`` as a subprocess on a free loopback port, for tests that need a real
server (browser tests, load, memory, crash safety, several workers).

One place knows how to start it, wait until it answers and stop it, so every such test starts it
the same way and a failure to start always shows the server's log. ``seed_database`` makes the
data such a server starts with.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2


@dataclass
class Seeded:
    database_url: str
    token: str  # the therapist's API token
    client_id: int  # a client of hers


def seed_database(data_dir: Path) -> Seeded:
    """A migrated SQLite database in ``data_dir`` with the personas of ``tests/conftest.py``, an API
    token of the therapist and one client of hers."""
    from myomap.records.accounts.permissions import Actor
    from myomap.records.accounts.service import create_api_token
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.db import Database
    from myomap.records.migrate import upgrade
    from tests.conftest import build_world

    database_url = f"sqlite:///{data_dir / 'myomap.db'}"
    database = Database(database_url)
    try:
        upgrade(database)
        with database.transaction() as session:
            therapist = session.merge(build_world(session).therapist)
            token, _ = create_api_token(db=session, user=therapist)
            client = create_client(db=session, actor=Actor(therapist), data=ClientCreate(given_name="Ada", family_name="Load"))
            return Seeded(database_url, token, client.id)
    finally:
        database.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def myomap_command() -> list[str]:
    """The installed ``myomap`` script, or the CLI through this interpreter when it is not installed."""
    script = Path(sys.executable).with_name("myomap")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from myomap.cli import main; main()"]


def server_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a test server: its data folder and database, fast password hashing,
    unbuffered output (so the log is complete when it is read), plus ``extra`` (``MYOMAP_*`` names)."""
    return {
        **os.environ,
        "MYOMAP_DATA_DIR": str(data_dir),
        "MYOMAP_DATABASE_URL": database_url,
        "MYOMAP_PASSWORD_HASH_PROFILE": "fast",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path


def start_server(env: Mapping[str, str], log: Path, options: Sequence[str] = (), timeout: float = 60.0) -> Running:
    """Start ``myomap serve *options`` with ``env`` on a free port and wait until its sign-in page
    answers; its output goes to ``log``, which the error quotes when it exits or does not answer."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([*myomap_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *options],
                                env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"myomap serve exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx2.get(url + "/sign-in", timeout=1.0).status_code == 200:
                return Running(proc, url, log)
        except httpx2.HTTPError:
            pass
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError(f"myomap serve did not answer within {timeout} s:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> None:
    """Send ``sig`` (when it still runs) and wait; kill it when it has not stopped within 15 s."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serving(env: Mapping[str, str], log: Path, options: Sequence[str] = ()) -> Iterator[Running]:
    """:func:`start_server` for the ``with`` block, stopped after it."""
    running = start_server(env, log, options)
    try:
        yield running
    finally:
        stop(running.proc)
