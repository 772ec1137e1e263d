"""Benchmark: server time of a client's chart pages (in-process, SQLite).

Seeds a temporary SQLite database with one clinic, one therapist and one client with 20 pain
drawings (6-12 regions each), then times N requests of each page through the ASGI app in-process
(FastAPI's TestClient, real middleware, real templates, real audit writes):

- the client page (details + the list of 20 drawings),
- the latest drawing page (heat-map chart + table),
- the comparison of the first and the latest drawing (two charts + change table),
- the new-drawing form (interactive chart + a row for every atlas region);

and, apart from the pages, drawing the interactive chart SVG alone with 20 regions filled.

Prints the median and 90th percentile in ms. Target: median < 30 ms for the chart pages.
Prints, never asserts.

    .venv/bin/python bench/bodychart_page.py [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient


def seed(tmp: Path) -> tuple[FastAPI, int, list[int]]:
    from myomap.atlas.regions import load_atlas
    from myomap.config import Settings
    from myomap.records.accounts.permissions import Actor
    from myomap.records.accounts.service import create_user
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.clinics.service import create_clinic
    from myomap.records.db import Database
    from myomap.records.migrate import upgrade
    from myomap.records.pain.schemas import QUALITIES, PainDrawingCreate, PainMarkIn
    from myomap.records.pain.service import create_drawing
    from myomap.web.app import create_app

    settings = Settings(data_dir=tmp, password_hash_profile="fast", secret_key="bench")
    db = Database.from_settings(settings)
    upgrade(db)
    rng = random.Random(7)
    regions = list(load_atlas().regions)
    with db.transaction() as s:
        clinic = create_clinic(db=s, name="Bench Clinic")
        user = create_user(db=s, clinic=clinic, email="bench@clinic.test", name="Bench Therapist", role="therapist",
                           password="bench password", password_profile="fast")
        actor = Actor(user, via="cli")
        client = create_client(db=s, actor=actor, data=ClientCreate(given_name="Bench", family_name="Client",
                                                                     date_of_birth=date(1980, 4, 3), phone="0412 555 000"))
        drawings = []
        for i in range(20):
            marks = [
                PainMarkIn(region_id=r, intensity=rng.randint(0, 10), qualities=rng.sample(QUALITIES, rng.randint(0, 2)),
                           note=rng.choice([None, "worse in the morning", "after driving"]))
                for r in rng.sample(regions, rng.randint(6, 12))
            ]
            d = create_drawing(db=s, actor=actor, client_id=client.id, data=PainDrawingCreate(
                drawn_on=date.today() - timedelta(days=7 * (20 - i)), overall_note=f"visit {i + 1}", marks=marks))
            drawings.append(d.id)
        client_id = client.id
    return create_app(settings, database=db), client_id, drawings


def sign_in(http: TestClient) -> None:
    import re

    page = http.get("/sign-in")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF token on the sign-in page"
    token = found.group(1)
    r = http.post("/sign-in", data={"email": "bench@clinic.test", "password": "bench password", "csrf_token": token})
    assert r.status_code == 303, r.status_code


def time_page(http: TestClient, path: str, n: int) -> list[float]:
    for _ in range(5):  # warm-up
        assert http.get(path).status_code == 200, path
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = http.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    return out


def time_render(n: int) -> list[float]:
    """Milliseconds to draw the interactive chart with 20 regions filled (geometry cache warm)."""
    from myomap.atlas.bodychart import RegionFill, render_chart
    from myomap.atlas.regions import load_atlas

    ids = sorted(load_atlas().regions)[::10][:20]
    fills = {rid: RegionFill(i % 10 + 1) for i, rid in enumerate(ids)}
    render_chart(fills=fills)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        render_chart(fills=fills, interactive=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from myomap.web import chart

    with tempfile.TemporaryDirectory() as tmp:
        app, client_id, drawings = seed(Path(tmp))
        with TestClient(app, follow_redirects=False) as http:
            sign_in(http)
            pages = {
                "client page (20 drawings listed)": f"/clients/{client_id}",
                "latest drawing (heat-map chart + table)": f"/pain-drawings/{drawings[-1]}",
                "compare first vs latest (2 charts)": f"/pain-drawings/compare?a={drawings[0]}&b={drawings[-1]}",
                "new drawing form (chart + all regions)": f"/clients/{client_id}/pain-drawings/new",
            }
            print(f"Python {sys.version.split()[0]}, SQLite, in-process ASGI, {args.requests} requests per page; "
                  f"body chart module {'present' if chart.available() else 'MISSING (checklist only)'}")
            print(f"{'page':45} {'median ms':>10} {'p90 ms':>8} {'KiB':>7}")
            for label, path in pages.items():
                times = time_page(http, path, args.requests)
                size = len(http.get(path).content) / 1024
                print(f"{label:45} {statistics.median(times):10.1f} {p90(times):8.1f} {size:7.0f}")
            print("target: median < 30 ms for the chart pages")
        render = time_render(args.requests)
        print(f"{'chart SVG alone (20 regions filled)':45} {statistics.median(render):10.2f} {p90(render):8.2f}")
        print("target: median < 5 ms for the chart SVG")
        app.state.database.dispose()


if __name__ == "__main__":
    main()
