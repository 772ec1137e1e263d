"""Benchmark: request latency on kept-alive and new connections, Myomap beside a bare FastAPI app.

Browsers keep connections alive, so the latency of a reused connection is what every page pays.
All servers run one after the other in the same run on this machine: the real ``myomap serve``
(a seeded temporary database, an API token, ``GET /api/clients?limit=20``, every read audited)
on SQLite, on PostgreSQL in one process and with ``--workers N`` (throwaway databases on the
server at --postgres; those columns are skipped when none answers), and a bare FastAPI app under
``uvicorn.run`` (one process) serving a fixed list of 20 client-like objects at the same path.
For each it prints:

- one client on one kept-alive connection: median and p90 latency;
- one client opening a new connection per request: median and p90 latency;
- 10 and 50 concurrent clients, each on its own kept-alive connection, for --seconds: throughput
  and median latency, and that rate as a share of the bare app's;
- the server's CPU time per request under that load (its processes' user + system time, from
  /proc), and the bare app's as a share of it: on a shared machine the rate moves with the
  neighbours' load, the CPU a request costs much less.

The load generator is Python (http.client, and a small asyncio HTTP/1.1 client for concurrency),
on the same CPUs as the servers, so throughput is a floor, comparable only within one run.
Prints, never asserts.

    .venv/bin/python bench/keepalive.py [--requests 200] [--seconds 3] [--workers 4] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the checker names bench modules by their path; run as a script, bench/ is on sys.path
    from bench.api_load import free_port, pct, seed, start_server, wait_up
else:
    from api_load import free_port, pct, seed, start_server, wait_up

PATH = "/api/clients?limit=20"
CONCURRENCY = (10, 50)
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


def serve_bare(port: int) -> None:
    """The bare app: FastAPI under uvicorn's own defaults, a fixed list, no database."""
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()
    clients = [{"id": i, "given_name": "Anna", "family_name": "Smith", "date_of_birth": "1980-01-01",
                "phone": "0412 345 678", "email": f"person{i}@example.com", "version": 1} for i in range(20)]

    @app.get("/api/clients")
    def list_clients(limit: int = 20) -> dict[str, object]:
        return {"items": clients[:limit], "next_cursor": None}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


@dataclass
class Figures:
    keepalive: list[float]
    new_connection: list[float]
    concurrent: dict[int, tuple[float, list[float], int]]  # clients -> (requests/s, latencies, errors)
    cpu_ms: dict[int, float]  # clients -> server CPU milliseconds per request


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its descendants (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = " ".join(p.read_text() for p in Path(f"/proc/{pid}/task").glob("*/children")).split()
    except (OSError, ValueError, IndexError):
        return 0.0
    return total + sum(cpu_seconds(int(child)) for child in children)


def sequential(port: int, headers: dict[str, str], n: int, *, reuse: bool) -> list[float]:
    """Latencies (ms) of ``n`` requests, one at a time, on one connection or a new one each."""
    latencies: list[float] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for i in range(n + 5):  # the first five warm up
        if not reuse:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        started = time.perf_counter()
        conn.request("GET", PATH, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{PATH} answered {response.status} on port {port}")
        if i >= 5:
            latencies.append((time.perf_counter() - started) * 1000)
        if not reuse:
            conn.close()
    conn.close()
    return latencies


async def concurrent(port: int, headers: dict[str, str], clients: int, seconds: float) -> tuple[float, list[float], int]:
    request = (f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    latencies: list[float] = []
    errors = 0

    async def one(deadline: float) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                match = CONTENT_LENGTH.search(head)
                await reader.readexactly(int(match.group(1)) if match else 0)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(one(started + seconds) for _ in range(clients)))
    return len(latencies) / (time.monotonic() - started), latencies, errors


def measure(port: int, headers: dict[str, str], args: argparse.Namespace, pid: int) -> Figures:
    figures = Figures(
        keepalive=sequential(port, headers, args.requests, reuse=True),
        new_connection=sequential(port, headers, args.requests // 2, reuse=False),
        concurrent={}, cpu_ms={},
    )
    for n in CONCURRENCY:
        before = cpu_seconds(pid)
        figures.concurrent[n] = asyncio.run(concurrent(port, headers, n, args.seconds))
        served = len(figures.concurrent[n][1])
        figures.cpu_ms[n] = 1000 * (cpu_seconds(pid) - before) / max(1, served)
    return figures


@dataclass
class Target:
    label: str
    database_url: str | None = None  # None: SQLite in the temporary folder
    workers: int = 1


def report(columns: list[tuple[str, Figures]]) -> None:
    rows: list[tuple[str, list[float], str]] = [
        ("kept-alive, 1 client: median ms", [statistics.median(f.keepalive) for _, f in columns], ".1f"),
        ("kept-alive, 1 client: p90 ms", [pct(f.keepalive, 90) for _, f in columns], ".1f"),
        ("new connection each: median ms", [statistics.median(f.new_connection) for _, f in columns], ".1f"),
        ("new connection each: p90 ms", [pct(f.new_connection, 90) for _, f in columns], ".1f"),
    ]
    for n in CONCURRENCY:
        rows += [(f"{n} clients: requests/s", [f.concurrent[n][0] for _, f in columns], ".0f"),
                 (f"{n} clients: median ms", [statistics.median(f.concurrent[n][1]) for _, f in columns], ".1f"),
                 (f"{n} clients: errors", [f.concurrent[n][2] for _, f in columns], ".0f")]
    rows += [(f"{n} clients: server CPU ms/request", [f.cpu_ms[n] for _, f in columns], ".2f") for n in CONCURRENCY]
    bare = columns[-1][1]
    for n in CONCURRENCY:
        rows.append((f"{n} clients: share of bare rate %",
                     [100 * f.concurrent[n][0] / bare.concurrent[n][0] for _, f in columns], ".0f"))
    for n in CONCURRENCY:
        rows.append((f"{n} clients: bare CPU/request as % of this",
                     [100 * bare.cpu_ms[n] / f.cpu_ms[n] if f.cpu_ms[n] else 0.0 for _, f in columns], ".0f"))
    print(f"GET {PATH}; {os.cpu_count()} CPUs shared by the servers and the load generator")
    width = max(14, *(len(label) + 1 for label, _ in columns))
    print(f"{'':36}" + "".join(f"{label:>{width}}" for label, _ in columns))
    for label, values, fmt in rows:
        print(f"{label:36}" + "".join(f"{v:>{width}{fmt}}" for v in values))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def measure_myomap(target: Target, tmp: Path, args: argparse.Namespace) -> Figures:
    folder = tmp / target.label.replace(" ", "_")
    folder.mkdir()
    token, _ = seed(folder, 100, target.database_url)
    port = free_port()
    server = start_server(folder, port, target.database_url, target.workers)
    try:
        asyncio.run(wait_up(f"http://127.0.0.1:{port}", server))
        return measure(port, {"Authorization": f"Bearer {token}"}, args, server.pid)
    finally:
        _stop(server)


def measure_bare(args: argparse.Namespace) -> Figures:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(port)])
    try:
        asyncio.run(wait_up(f"http://127.0.0.1:{port}", server, path="/api/clients"))
        return measure(port, {}, args, server.pid)
    finally:
        _stop(server)


def postgres_database(admin_url: str) -> tuple[str, Callable[[], None]] | None:
    """A new empty database on the server at ``admin_url`` and a function dropping it, or None
    when no server answers there."""
    import psycopg

    name = f"myomap_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL columns skipped: no server at {admin_url} ({exc})")
        return None

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}", drop


def run(args: argparse.Namespace) -> None:
    targets = [Target("Myomap SQLite")]
    drops: list[Callable[[], None]] = []
    if args.postgres:
        for workers in sorted({1, args.workers}):
            made = postgres_database(args.postgres)
            if made is None:
                break
            url, drop = made
            drops.append(drop)
            targets.append(Target(f"Myomap PG x{workers}" if workers > 1 else "Myomap PG", url, workers))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            columns = [(t.label, measure_myomap(t, Path(tmp), args)) for t in targets]
        columns.append(("bare FastAPI", measure_bare(args)))
    finally:
        for drop in drops:
            drop()
    report(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential requests on one connection (default 200)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per concurrency level (default 3)")
    parser.add_argument("--postgres", default=os.environ.get("MYOMAP_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="PostgreSQL server to create throwaway databases on ('' to skip; default: local server)")
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1),
                        help="processes of the multi-process PostgreSQL column (default: CPUs, at most 4)")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
    else:
        run(args)


if __name__ == "__main__":
    main()
