"""Benchmark: the JSON API under load from many concurrent clients.

Starts the real server (`myomap serve`) on a free loopback port over a seeded temporary SQLite
database (one clinic, 500 clients, a few pain drawings each) and an API token, then runs
--clients concurrent clients (httpx2.AsyncClient, one connection each) for --seconds against the
API with a mix of calls:

    35% list a page of clients          GET  /api/clients?limit=25
    25% search                          GET  /api/clients?q=...
    25% read one client                 GET  /api/clients/{id}
    15% record a pain drawing           POST /api/clients/{id}/pain-drawings

Bounded and self-stopping (every request has a 10 s timeout; clients stop at the deadline; the
server is stopped at the end). Prints requests, errors, throughput and p50/p95/p99 latency per
call and overall. Prints, never asserts.

    .venv/bin/python bench/api_load.py [--seconds 30] [--clients 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

SEARCHES = ["smith", "anna", "0412", "1980", "@example.com", "lee", "o'", "jo"]
GIVEN = ["Anna", "Ben", "Chloe", "Daniel", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kai", "Lena", "Milo", "Nora"]
FAMILY = ["Smith", "Nguyen", "Brown", "Wilson", "Lee", "O'Brien", "Taylor", "Martin", "Khan", "Garcia", "Rossi", "Jones"]
REGIONS = ["temple.left", "temple.right", "sacrum", "lumbar_paraspinal.left", "top_of_shoulder.right", "anterior_thigh.left",
           "suboccipital.left", "jaw.right", "plantar_heel.right", "lateral_elbow.left"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(data_dir: Path, n_clients: int, database_url: str | None = None) -> tuple[str, list[int]]:
    from myomap.config import Settings
    from myomap.records.accounts.permissions import Actor
    from myomap.records.accounts.service import create_api_token, create_user
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.clinics.service import create_clinic
    from myomap.records.db import Database
    from myomap.records.migrate import upgrade
    from myomap.records.pain.schemas import PainDrawingCreate, PainMarkIn
    from myomap.records.pain.service import create_drawing

    settings = Settings(data_dir=data_dir, password_hash_profile="fast", database_url=database_url)
    db = Database.from_settings(settings)
    upgrade(db)
    rng = random.Random(11)
    with db.transaction() as s:
        clinic = create_clinic(db=s, name="Load Test Clinic")
        user = create_user(db=s, clinic=clinic, email="load@clinic.test", name="Load Tester", role="therapist",
                           password="load test password", password_profile="fast")
        token, _ = create_api_token(db=s, user=user, name="api_load bench")
        actor = Actor(user, via="cli")
        ids = []
        for i in range(n_clients):
            c = create_client(db=s, actor=actor, data=ClientCreate(
                given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY),
                date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000)),
                phone=f"0412 {rng.randint(100, 999)} {rng.randint(100, 999)}", email=f"person{i}@example.com"))
            ids.append(c.id)
            if i % 5 == 0:
                for k in range(3):
                    create_drawing(db=s, actor=actor, client_id=c.id, data=PainDrawingCreate(
                        drawn_on=date.today() - timedelta(days=30 * k),
                        marks=[PainMarkIn(region_id=r, intensity=rng.randint(0, 10)) for r in rng.sample(REGIONS, 4)]))
    db.dispose()
    return token, ids


def start_server(data_dir: Path, port: int, database_url: str | None = None, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MYOMAP_DATA_DIR": str(data_dir), "MYOMAP_PASSWORD_HASH_PROFILE": "fast"}
    env.pop("MYOMAP_DATABASE_URL", None)
    if database_url:
        env["MYOMAP_DATABASE_URL"] = database_url
    exe = Path(sys.executable).with_name("myomap")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from myomap.cli import main; main()"]
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([*cmd, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)


async def wait_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 30, path: str = "/sign-in") -> None:
    import httpx2

    deadline = time.monotonic() + timeout
    async with httpx2.AsyncClient() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                if (await http.get(base + path, timeout=1)).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not start")


async def one_client(base: str, token: str, ids: list[int], deadline: float, seed_: int,
                     lat: dict[str, list[float]], errors: dict[str, int], samples: list[str]) -> None:
    import httpx2

    rng = random.Random(seed_)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(base_url=base, headers=headers, timeout=10.0) as http:
        while time.monotonic() < deadline:
            roll = rng.random()
            try:
                t0 = time.perf_counter()
                if roll < 0.35:
                    kind, r = "list", await http.get("/api/clients", params={"limit": 25})
                elif roll < 0.60:
                    kind, r = "search", await http.get("/api/clients", params={"q": rng.choice(SEARCHES), "limit": 25})
                elif roll < 0.85:
                    kind, r = "get", await http.get(f"/api/clients/{rng.choice(ids)}")
                else:
                    kind = "create drawing"
                    body = {"drawn_on": date.today().isoformat(),
                            "marks": [{"region_id": reg, "intensity": rng.randint(0, 10)} for reg in rng.sample(REGIONS, 3)]}
                    r = await http.post(f"/api/clients/{rng.choice(ids)}/pain-drawings", json=body)
                elapsed = (time.perf_counter() - t0) * 1000
                lat[kind].append(elapsed)
                if r.status_code >= 400:
                    errors[kind] += 1
                    if len(samples) < 5:
                        samples.append(f"{kind}: {r.status_code} {r.text[:120]}")
            except httpx2.HTTPError as exc:
                errors["transport"] += 1
                if len(samples) < 5:
                    samples.append(f"transport: {type(exc).__name__}: {exc}")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        t0 = time.perf_counter()
        token, ids = seed(data_dir, args.seed_clients)
        print(f"seeded {len(ids)} clients in {time.perf_counter() - t0:.1f} s")
        port = free_port()
        proc = start_server(data_dir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_up(base, proc)
            lat: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            samples: list[str] = []
            start = time.monotonic()
            deadline = start + args.seconds
            await asyncio.gather(*(one_client(base, token, ids, deadline, i, lat, errors, samples) for i in range(args.clients)))
            wall = time.monotonic() - start
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        total = sum(len(v) for v in lat.values())
        all_lat = [x for v in lat.values() for x in v]
        print(f"{args.clients} concurrent clients for {wall:.1f} s against {base} (uvicorn, SQLite WAL, {os.cpu_count()} CPUs shared with the load generator)")
        print(f"{'call':16} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for kind in ("list", "search", "get", "create drawing"):
            v = lat.get(kind, [])
            print(f"{kind:16} {len(v):9d} {errors.get(kind, 0):7d} {pct(v, 50):8.1f} {pct(v, 95):8.1f} {pct(v, 99):8.1f}")
        print(f"{'all':16} {total:9d} {sum(errors.values()):7d} {pct(all_lat, 50):8.1f} {pct(all_lat, 95):8.1f} {pct(all_lat, 99):8.1f}")
        print(f"throughput: {total / wall:.0f} requests/s; transport errors: {errors.get('transport', 0)}")
        if all_lat:
            print(f"mean latency {statistics.fmean(all_lat):.1f} ms")
        for s in samples:
            print("  sample error:", s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run the load (default 30)")
    parser.add_argument("--clients", type=int, default=100, help="concurrent clients (default 100)")
    parser.add_argument("--seed-clients", type=int, default=500, help="clients in the seeded database (default 500)")
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
