"""Hostile input is a clear 4xx, never a 500 or a frozen server (issue #8, availability)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from myomap.records.pain.schemas import MAX_MARKS
from myomap.records.validation import MAX_RECORD_ID
from tests.web.conftest import api_routes

if TYPE_CHECKING:
    from tests.conftest import World
    from tests.web.conftest import ApiToken, ClientOf, SignedIn, Visitor

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


def _api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False)


def _secure(response: httpx2.Response) -> bool:
    headers = response.headers
    return all(h in headers for h in SECURITY_HEADERS) and headers.get("cache-control") == "no-store"


@pytest.mark.parametrize("bad_id", [0, -1, MAX_RECORD_ID + 1, 2**63, 10**30])
def test_an_id_outside_the_integer_range_is_refused_on_every_route(app: FastAPI, people: World, api_token: ApiToken,
                                                                    signed_in: SignedIn, bad_id: int) -> None:
    api = _api(app, api_token(people.owner))
    page = signed_in(people.owner)
    page.http = TestClient(app, cookies=page.http.cookies, raise_server_exceptions=False, follow_redirects=False)
    checked = 0
    for route in api_routes(app.routes):
        names = _names(route.path)
        if not RECORD_IDS & set(names):
            continue
        url = route.path.format_map({k: bad_id if k in RECORD_IDS else SAMPLE[k] for k in names})
        for method in (route.methods or set()) - {"HEAD"}:
            client = api if route.path.startswith("/api") else page.http
            response = client.request(method, url)
            assert response.status_code in (400, 403, 422), (method, url, response.status_code, response.text[:200])
            assert _secure(response)
            checked += 1
    assert checked > 20


RECORD_IDS = {"client_id", "drawing_id", "assessment_id", "user_id"}
SAMPLE = {"view": "anterior", "muscle": "upper_trapezius", "extension": "png", "muscle_id": "upper_trapezius"}
"""Other path parameters, with a valid value (a new one fails the test until it is listed here)."""


def _names(path: str) -> list[str]:
    return [part.split("}")[0] for part in path.split("{")[1:]]


def test_a_nul_character_anywhere_is_a_clear_4xx(app: FastAPI, people: World, api_token: ApiToken, client_of: ClientOf,
                                                 visitor_for: type[Visitor]) -> None:
    api = _api(app, api_token(people.therapist))
    cid = client_of(people.therapist)
    body = api.post("/api/clients", json={"given_name": "A\x00da", "family_name": "L"})
    assert body.status_code == 422 and "NUL" in body.json()["detail"] and _secure(body)
    drawing = api.post(f"/api/clients/{cid}/pain-drawings",
                       json={"drawn_on": "2026-01-02", "marks": [{"region_id": "sacrum", "intensity": 3, "note": "x\x00"}]})
    assert drawing.status_code == 422 and "NUL" in drawing.text
    query = api.get("/api/clients", params={"q": "a\x00b"})
    assert query.status_code == 422 and "NUL" in query.json()["detail"]
    cursor = api.get("/api/clients", params={"after": "WyJhXHUwMDAwIiwxXQ"})  # ["a\u0000",1]
    assert cursor.status_code == 422
    stranger = visitor_for(app)
    sign_in = stranger.submit("/sign-in", "/sign-in", {"email": "a\x00@b.c", "password": "x\x00"})
    assert sign_in.status_code == 200 and "NUL" in sign_in.text and _secure(sign_in)
    assert api.get(f"/api/clients/{cid}").json()["given_name"] == "Ada"  # nothing was lost


def test_malformed_json_is_a_documented_422(app: FastAPI, people: World, api_token: ApiToken) -> None:
    api = _api(app, api_token(people.therapist))
    response = api.post("/api/clients", content=b'{"given_name": "Ada", ', headers={"content-type": "application/json"})
    assert response.status_code == 422 and "JSON" in response.json()["detail"] and _secure(response)
    documented = app.openapi()["paths"]["/api/clients"]["post"]["responses"]
    assert documented["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorDetail")


def test_a_server_error_and_the_frameworks_413_carry_the_security_headers(app: FastAPI, people: World,
                                                                          api_token: ApiToken) -> None:
    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/explode", explode)
    app.middleware_stack = None  # rebuilt with the new route
    crash = _api(app, api_token(people.therapist)).get("/api/explode")
    assert crash.status_code == 500 and _secure(crash)
    assert crash.json()["detail"].startswith("Something went wrong on the server") and "boom" not in crash.text

    def chunks() -> Iterator[bytes]:  # a body sent without a length: only the framework's limit sees it
        for _ in range(100):
            yield b"x" * (1024 * 1024)

    big = _api(app, api_token(people.therapist)).post("/api/clients", content=chunks(),
                                                      headers={"content-type": "application/json"})
    assert big.status_code == 413 and _secure(big)


def test_a_drawing_has_at_most_one_mark_per_chart_region_and_is_refused_before_the_database(
    app: FastAPI, people: World, api_token: ApiToken, client_of: ClientOf,
) -> None:
    api = _api(app, api_token(people.therapist))
    cid = client_of(people.therapist)
    too_many = [{"region_id": "sacrum", "intensity": 1}] * (MAX_MARKS + 1)
    response = api.post(f"/api/clients/{cid}/pain-drawings", json={"drawn_on": "2026-01-02", "marks": too_many})
    assert response.status_code == 422 and "marks" in response.json()["errors"]
    # Every mark an unknown phrase: only the first few are looked up for suggestions, the rest counted.
    words = ["mid trap side temple mid trap web", "angle pain mid shoulder", "deltoid left shoulder pain the temple"]
    marks = [{"region_id": f"{words[i % 3]} {i}", "intensity": 1} for i in range(MAX_MARKS)]
    started = time.perf_counter()
    refused = api.post(f"/api/clients/{cid}/pain-drawings", json={"drawn_on": "2026-01-02", "marks": marks})
    elapsed = time.perf_counter() - started
    assert refused.status_code == 422 and "not looked up" in refused.json()["errors"]["marks"]
    assert elapsed < 3.0, elapsed  # about 0.2 s here; before the cap, several seconds
