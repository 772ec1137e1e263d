"""A server killed mid-write loses nothing it acknowledged and leaves nothing half-written.

A real ``myomap serve`` (subprocess, loopback, temporary data dir, SQLite) takes pain drawings of
40 marks each and client edits from a few threads through the JSON API; it is SIGKILLed in the
middle of that. Afterwards the file passes SQLite's integrity check and ``myomap db check``, every
drawing the API acknowledged with 201 is there with exactly its marks, no drawing has a partial set
of marks, every client holds an edit that was really sent, and a restarted server serves it all.

``myomap db backup`` killed mid-copy leaves no partial file at the target path (the copy is
written to a temporary file beside it and renamed), and an earlier backup there stays intact.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from myomap.cli import records_cmds
from tests.conftest import PASSWORD
from tests.served import myomap_command, server_env, start_server, stop

MARKS_PER_DRAWING = 40
WRITERS = 2  # threads posting pain drawings
EDITORS = 2  # threads editing clients (one client each)
LOAD_SECONDS = 2.0  # the most the load runs before the kill
HTTP_TIMEOUT = 5.0


@dataclass
class Seeded:
    data_dir: Path
    database_url: str
    path: Path
    token: str
    clients: list[int]


@pytest.fixture
def seeded(tmp_path: Path, _sqlite_template: Path) -> Seeded:
    """A migrated SQLite database with a clinic, a therapist, her API token and some clients."""
    import shutil

    from myomap.records.accounts.permissions import Actor
    from myomap.records.accounts.service import create_api_token, create_user
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.clinics.service import create_clinic
    from myomap.records.db import Database

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / "myomap.db"
    shutil.copyfile(_sqlite_template, path)
    database_url = f"sqlite:///{path}"
    db = Database(database_url)
    try:
        with db.transaction() as session:
            clinic = create_clinic(db=session, name="Riverside Neuromuscular Therapy")
            tara = create_user(db=session, clinic=clinic, email="tara@riverside.test", name="Tara Therapist",
                               role="therapist", password=PASSWORD, password_profile="fast")
            token, _ = create_api_token(db=session, user=tara, name="crash test")
            actor = Actor(tara, ip="127.0.0.1", via="api")
            clients = [
                create_client(db=session, actor=actor, data=ClientCreate(given_name=f"Client{i}", family_name="Crash")).id
                for i in range(max(WRITERS, EDITORS))
            ]
    finally:
        db.dispose()
    return Seeded(data_dir, database_url, path, token, clients)


@dataclass
class Ledger:
    """What the API acknowledged, and what was in flight when the server died."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    # drawing tag (its overall note) -> the marks sent, as {region: intensity}
    sent: dict[str, dict[str, int]] = field(default_factory=dict)
    # drawing id -> tag, for every 201
    acknowledged: dict[int, str] = field(default_factory=dict)
    # client id -> {version: notes} for every acknowledged edit, and the notes in flight
    edits: dict[int, dict[int, str]] = field(default_factory=dict)
    edits_sent: dict[int, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def post_drawings(url: str, token: str, client_id: int, worker: int, ledger: Ledger, stop_at: threading.Event) -> None:
    import httpx2

    from myomap.atlas.regions import load_atlas

    regions = sorted(load_atlas().regions)
    rng = random.Random(worker)
    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT) as http:
        for n in range(10_000):
            if stop_at.is_set():
                return
            tag = f"writer {worker} drawing {n}"
            marks = {r: rng.randint(0, 10) for r in rng.sample(regions, MARKS_PER_DRAWING)}
            with ledger.lock:
                ledger.sent[tag] = marks
            body = {
                "drawn_on": date.today().isoformat(),
                "overall_note": tag,
                "marks": [{"region_id": r, "intensity": i, "qualities": ["aching"]} for r, i in marks.items()],
            }
            try:
                response = http.post(f"/api/clients/{client_id}/pain-drawings", json=body)
            except httpx2.HTTPError:
                return  # the server is gone
            if response.status_code != 201:
                with ledger.lock:
                    ledger.errors.append(f"POST drawing: {response.status_code} {response.text[:300]}")
                return
            data = response.json()
            with ledger.lock:
                ledger.acknowledged[data["id"]] = tag
            got = {m["region_id"]: m["intensity"] for m in data["marks"]}
            if got != marks:
                with ledger.lock:
                    ledger.errors.append(f"drawing {data['id']} came back with other marks than were sent")


def edit_client(url: str, token: str, client_id: int, worker: int, ledger: Ledger, stop_at: threading.Event) -> None:
    import httpx2

    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT) as http:
        try:
            version = http.get(f"/api/clients/{client_id}").json()["version"]
        except (httpx2.HTTPError, ValueError, KeyError):
            return
        for n in range(10_000):
            if stop_at.is_set():
                return
            notes = f"editor {worker} edit {n}"
            with ledger.lock:
                ledger.edits_sent.setdefault(client_id, []).append(notes)
            try:
                response = http.patch(f"/api/clients/{client_id}", json={"version": version, "notes": notes,
                                                                         "occupation": f"job {n}"})
            except httpx2.HTTPError:
                return
            if response.status_code != 200:
                with ledger.lock:
                    ledger.errors.append(f"PATCH client: {response.status_code} {response.text[:300]}")
                return
            version = response.json()["version"]
            with ledger.lock:
                ledger.edits.setdefault(client_id, {})[version] = notes


def drawings_on_disk(path: Path) -> dict[int, tuple[str | None, dict[str, int]]]:
    with sqlite3.connect(path) as conn:
        found: dict[int, tuple[str | None, dict[str, int]]] = {
            row[0]: (row[1], {}) for row in conn.execute("SELECT id, overall_note FROM pain_drawings")
        }
        for drawing_id, region, intensity in conn.execute("SELECT drawing_id, region_id, intensity FROM pain_marks"):
            assert drawing_id in found, f"mark of a drawing {drawing_id} that does not exist"
            found[drawing_id][1][region] = intensity
    return found


def cli_app() -> typer.Typer:
    app = typer.Typer()
    records_cmds.register(app)
    return app


def test_a_server_killed_mid_write_loses_nothing_it_acknowledged(seeded: Seeded) -> None:
    import httpx2

    first = start_server(server_env(seeded.data_dir, seeded.database_url), seeded.data_dir / "first.log")
    ledger = Ledger()
    stop_at = threading.Event()
    threads = [
        threading.Thread(target=post_drawings, args=(first.url, seeded.token, seeded.clients[i], i, ledger, stop_at), daemon=True)
        for i in range(WRITERS)
    ] + [
        threading.Thread(target=edit_client, args=(first.url, seeded.token, seeded.clients[i], i, ledger, stop_at), daemon=True)
        for i in range(EDITORS)
    ]
    try:
        for t in threads:
            t.start()
        # Kill once some work has been acknowledged (so the kill lands mid-stream), at the latest
        # after LOAD_SECONDS.
        started = time.monotonic()
        kill_after = random.uniform(0.8, LOAD_SECONDS)
        while time.monotonic() - started < kill_after or len(ledger.acknowledged) < 3 or not ledger.edits:
            if time.monotonic() - started > LOAD_SECONDS + 5 or ledger.errors:
                break
            time.sleep(0.02)
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
        stop_at.set()
        for t in threads:
            t.join(timeout=HTTP_TIMEOUT + 2)
        assert not any(t.is_alive() for t in threads), "a load thread did not stop"
    finally:
        stop_at.set()
        if first.proc.poll() is None:
            first.proc.kill()
            first.proc.wait()
    assert first.proc.returncode == -signal.SIGKILL
    assert not ledger.errors, ledger.errors
    assert len(ledger.acknowledged) >= 3, f"too little was saved before the kill:\n{first.log.read_text(errors='replace')}"
    assert ledger.edits, "no client edit was acknowledged before the kill"

    # The file is sound (opening it replays the write-ahead log, as the next server would).
    with sqlite3.connect(seeded.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    # Every acknowledged drawing is there with exactly its marks; nothing is half-written.
    on_disk = drawings_on_disk(seeded.path)
    for drawing_id, tag in ledger.acknowledged.items():
        assert drawing_id in on_disk, f"acknowledged drawing {drawing_id} ({tag}) was lost"
        note, marks = on_disk[drawing_id]
        assert note == tag and marks == ledger.sent[tag], f"drawing {drawing_id} does not hold what was acknowledged"
    unacknowledged = set(on_disk) - set(ledger.acknowledged)
    assert len(unacknowledged) <= WRITERS  # at most the one in flight per writer
    for drawing_id in unacknowledged:  # saved, but the answer never arrived: still complete
        note, marks = on_disk[drawing_id]
        assert note in ledger.sent and marks == ledger.sent[note], f"drawing {drawing_id} has a partial set of marks"

    # Each edited client holds its last acknowledged edit, or the one in flight when the server died.
    with sqlite3.connect(seeded.path) as conn:
        for client_id, acked in ledger.edits.items():
            version, notes, occupation = conn.execute(
                "SELECT version, notes, occupation FROM clients WHERE id = ?", (client_id,)
            ).fetchone()
            last = max(acked)
            if version == last:
                assert notes == acked[last]
            else:
                assert version == last + 1 and notes == ledger.edits_sent[client_id][-1], (client_id, version, last)
            assert occupation == "job " + notes.rsplit(" ", 1)[1]  # both fields of one edit, never one alone

    # `myomap db check` agrees.
    env = {"MYOMAP_DATA_DIR": str(seeded.data_dir), "MYOMAP_DATABASE_URL": seeded.database_url}
    result = CliRunner().invoke(cli_app(), ["db", "check"], env=env)
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.output and result.output.rstrip().endswith("ok")

    # A restarted server on the same data serves what was saved.
    second = start_server(server_env(seeded.data_dir, seeded.database_url), seeded.data_dir / "second.log")
    try:
        with httpx2.Client(base_url=second.url, headers={"Authorization": f"Bearer {seeded.token}"}, timeout=HTTP_TIMEOUT) as http:
            some = sorted(ledger.acknowledged)[-3:]
            for drawing_id in some:
                response = http.get(f"/api/pain-drawings/{drawing_id}")
                assert response.status_code == 200, response.text
                got = {m["region_id"]: m["intensity"] for m in response.json()["marks"]}
                assert got == ledger.sent[ledger.acknowledged[drawing_id]]
            for client_id in ledger.edits:
                listed = http.get(f"/api/clients/{client_id}/pain-drawings")
                assert listed.status_code == 200, listed.text
                assert {d["id"] for d in listed.json()} == {i for i, d in on_disk.items() if d[0] and d[0].startswith(f"writer {seeded.clients.index(client_id)} ")}
                client = http.get(f"/api/clients/{client_id}").json()
                # The server still takes edits on top of what survived.
                changed = http.patch(f"/api/clients/{client_id}", json={"version": client["version"], "notes": "after restart"})
                assert changed.status_code == 200, changed.text
    finally:
        stop(second.proc)


# ---- myomap db backup ------------------------------------------------------------------------


def _fill(path: Path, megabytes: int) -> None:
    """Make the database big enough that copying it takes a moment."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS crash_filler (b BLOB)")
        conn.executemany("INSERT INTO crash_filler VALUES (randomblob(1048576))", [()] * megabytes)
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _kill_backup_mid_copy(seeded: Seeded, target: Path) -> bool:
    """Start `myomap db backup`, SIGKILL it as soon as its temporary file appears.

    Returns whether the kill landed before the copy was renamed into place."""
    def temps() -> set[Path]:
        return {p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.") and p.name.endswith(".tmp")}

    earlier = temps()  # left by an earlier killed backup
    proc = subprocess.Popen(
        [*myomap_command(), "db", "backup", str(target)],
        env=server_env(seeded.data_dir, seeded.database_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    caught = False
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            # Kill once the copy has started: its temporary file has some pages in it.
            if any(_size(p) > 0 for p in temps() - earlier):
                os.kill(proc.pid, signal.SIGKILL)
                caught = True
                break
            time.sleep(0.001)
    finally:
        if proc.poll() is None and not caught:
            proc.kill()
        proc.wait(timeout=10)
    return caught and proc.returncode == -signal.SIGKILL


def test_a_backup_killed_mid_copy_leaves_no_partial_file(seeded: Seeded, tmp_path: Path) -> None:
    _fill(seeded.path, 24)
    backups = tmp_path / "backups"
    backups.mkdir()
    target = backups / "monday.db"

    # Killed during the very first backup: nothing at all at the target path.
    assert _kill_backup_mid_copy(seeded, target), "the backup finished before it could be killed"
    assert not target.exists()
    assert any(p.name.endswith(".tmp") for p in backups.iterdir())  # the half-written copy is elsewhere

    # A complete backup (which clears the dead one's temporary file); then one killed on top of it
    # leaves the complete one untouched.
    app = cli_app()
    env = {"MYOMAP_DATA_DIR": str(seeded.data_dir), "MYOMAP_DATABASE_URL": seeded.database_url}
    result = CliRunner().invoke(app, ["db", "backup", str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert [p.name for p in backups.iterdir()] == ["monday.db"]
    good = target.read_bytes()
    with sqlite3.connect(seeded.path) as conn:
        conn.execute("INSERT INTO crash_filler VALUES (randomblob(1000))")
    assert _kill_backup_mid_copy(seeded, target), "the backup finished before it could be killed"
    assert target.read_bytes() == good
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT name FROM clinics").fetchall() == [("Riverside Neuromuscular Therapy",)]

    # The source is unharmed and `myomap db check` still passes.
    result = CliRunner().invoke(app, ["db", "check"], env=env)
    assert result.exit_code == 0, result.output
