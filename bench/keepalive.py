"""Benchmark: request latency on kept-alive and new connections, Myomap beside a bare FastAPI app.

Browsers keep connections alive, so the latency of a reused connection is what every page pays.
Both servers run in the same run on this machine: the real ``myomap serve`` (seeded temporary
SQLite database, an API token, ``GET /api/clients?limit=20``) and a bare FastAPI app under
``uvicorn.run`` serving a fixed list of 20 client-like objects at the same path. For each it prints:

- one client on one kept-alive connection: median and p90 latency;
- one client opening a new connection per request: median and p90 latency;
- 10 and 50 concurrent clients, each on its own kept-alive connection, for --seconds: throughput
  and median latency.

The load generator is Python (http.client, and a small asyncio HTTP/1.1 client for concurrency),
on the same CPUs as the servers, so throughput is a floor, comparable only within one run.
Prints, never asserts.

    .venv/bin/python bench/keepalive.py [--requests 200] [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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


def measure(port: int, headers: dict[str, str], args: argparse.Namespace) -> Figures:
    return Figures(
        keepalive=sequential(port, headers, args.requests, reuse=True),
        new_connection=sequential(port, headers, args.requests // 2, reuse=False),
        concurrent={n: asyncio.run(concurrent(port, headers, n, args.seconds)) for n in CONCURRENCY},
    )


def report(myomap: Figures, bare: Figures) -> None:
    rows: list[tuple[str, float, float, str]] = [
        ("kept-alive, 1 client: median ms", statistics.median(myomap.keepalive), statistics.median(bare.keepalive), ".1f"),
        ("kept-alive, 1 client: p90 ms", pct(myomap.keepalive, 90), pct(bare.keepalive, 90), ".1f"),
        ("new connection each: median ms", statistics.median(myomap.new_connection),
         statistics.median(bare.new_connection), ".1f"),
        ("new connection each: p90 ms", pct(myomap.new_connection, 90), pct(bare.new_connection, 90), ".1f"),
    ]
    for n in CONCURRENCY:
        (m_rate, m_lat, m_err), (b_rate, b_lat, b_err) = myomap.concurrent[n], bare.concurrent[n]
        rows += [(f"{n} clients: requests/s", m_rate, b_rate, ".0f"),
                 (f"{n} clients: median ms", statistics.median(m_lat), statistics.median(b_lat), ".1f"),
                 (f"{n} clients: errors", m_err, b_err, ".0f")]
    print(f"GET {PATH}; {os.cpu_count()} CPUs shared by both servers and the load generator")
    print(f"{'':34} {'Myomap':>10} {'bare FastAPI':>13}")
    for label, mine, theirs, fmt in rows:
        print(f"{label:34} {mine:>10{fmt}} {theirs:>13{fmt}}")


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        token, _ = seed(Path(tmp), 100)
        myomap_port, bare_port = free_port(), free_port()
        servers = [start_server(Path(tmp), myomap_port),
                   subprocess.Popen([sys.executable, __file__, "--serve-bare", str(bare_port)])]
        try:
            asyncio.run(wait_up(f"http://127.0.0.1:{myomap_port}", servers[0]))
            asyncio.run(wait_up(f"http://127.0.0.1:{bare_port}", servers[1], path="/api/clients"))
            myomap = measure(myomap_port, {"Authorization": f"Bearer {token}"}, args)
            bare = measure(bare_port, {}, args)
        finally:
            for proc in servers:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        report(myomap, bare)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential requests on one connection (default 200)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per concurrency level (default 3)")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
    else:
        run(args)


if __name__ == "__main__":
    main()
