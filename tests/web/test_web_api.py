"""The JSON API: the same rules as the pages, bearer tokens for scripts, clear JSON errors, and an
OpenAPI document that describes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from myomap.records.audit.models import AuditEvent

if TYPE_CHECKING:
    from fastapi import FastAPI

    from myomap.records.accounts.models import User
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ApiToken, ClientOf, DrawingOf, SignedIn


Api = Callable[["User"], TestClient]


@pytest.fixture
def api(app: FastAPI, api_token: ApiToken) -> Api:
    """``api(user)``: an HTTP client sending that persona's bearer token."""

    def make(user: User) -> TestClient:
        return TestClient(app, headers={"Authorization": f"Bearer {api_token(user)}"})

    return make


def test_without_credentials_the_api_answers_401_in_json(app: FastAPI) -> None:
    http = TestClient(app)
    for response in (http.get("/api/clients"), http.get("/api/clients", headers={"Authorization": "Bearer mm_forged"})):
        assert response.status_code == 401
        assert "Sign in first" in response.json()["detail"]


def test_a_script_manages_clients_with_a_token(api: Api, people: World, web_db: Database) -> None:
    http = api(people.front_desk)
    created = http.post("/api/clients", json={"given_name": "Grace", "family_name": "Hopper", "phone": "0412 555 018"})
    assert created.status_code == 201
    client = created.json()
    assert client["version"] == 1 and client["is_archived"] is False
    assert http.get(f"/api/clients/{client['id']}").json()["phone"] == "0412 555 018"
    changed = http.patch(f"/api/clients/{client['id']}", json={"version": 1, "email": "grace@example.com"})
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["phone"] == "0412 555 018"
    stale = http.patch(f"/api/clients/{client['id']}", json={"version": 1, "phone": "999"})
    assert stale.status_code == 409
    body = stale.json()
    assert "changed by someone else" in body["detail"] and body["current_version"] == 2
    assert body["current"]["email"] == "grace@example.com"
    archived = http.post(f"/api/clients/{client['id']}/archive", json={"version": 2})
    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert http.get("/api/clients").json()["total"] == 0
    assert http.get("/api/clients", params={"status": "archived"}).json()["total"] == 1
    assert http.post(f"/api/clients/{client['id']}/restore").json()["is_archived"] is False
    with web_db.sessions() as s:
        vias = set(s.scalars(select(AuditEvent.via)).all())
    assert vias == {"api"}


def test_the_list_searches_and_pages_with_cursors(api: Api, people: World, client_of: ClientOf) -> None:
    for i in range(7):
        client_of(people.front_desk, given_name=f"P{i}", family_name="Page")
    client_of(people.front_desk, given_name="Grace", family_name="Hopper", date_of_birth="1980-04-03")
    http = api(people.therapist)
    assert [c["given_name"] for c in http.get("/api/clients", params={"q": "1980-04-03"}).json()["items"]] == ["Grace"]
    seen, after = [], None
    while True:
        page = http.get("/api/clients", params={"limit": 3, **({"after": after} if after else {})}).json()
        assert page["total"] == 8
        seen += [c["id"] for c in page["items"]]
        after = page["next_cursor"]
        if not after:
            break
    assert len(seen) == len(set(seen)) == 8
    bad = http.get("/api/clients", params={"after": "garbage!"})
    assert bad.status_code == 422 and "cursor" in bad.json()["detail"]


def test_invalid_input_gets_422_with_every_problem(api: Api, people: World) -> None:
    response = api(people.therapist).post("/api/clients", json={"given_name": "", "email": "nope"})
    assert response.status_code == 422
    body = response.json()
    assert {"given_name", "family_name", "email"} <= set(body["errors"]) and body["detail"]


def test_an_outsiders_token_cannot_reach_the_clinics_client(api: Api, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.therapist)
    http = api(people.outsider)
    assert http.get(f"/api/clients/{cid}").status_code == 404
    assert http.patch(f"/api/clients/{cid}", json={"version": 1, "phone": "1"}).status_code == 404
    assert http.get(f"/api/clients/{cid}/pain-drawings").status_code == 404
    assert http.get("/api/clients").json()["items"] == []


def test_pain_drawings_through_the_api(api: Api, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.therapist)
    http = api(people.therapist)
    first = http.post(f"/api/clients/{cid}/pain-drawings", json={
        "drawn_on": "2026-01-10", "overall_note": "Headaches",
        "marks": [{"region_id": "temple.left", "intensity": 7, "qualities": ["throbbing"], "note": "afternoons"},
                  {"region_id": "sacrum", "intensity": 3}],
    })
    assert first.status_code == 201, first.text
    drawing = first.json()
    assert drawing["region_count"] == 2 and drawing["max_intensity"] == 7 and drawing["created_by"] == "Tara Therapist"
    assert drawing["marks"][0] == {"region_id": "temple.left", "region_name": "Temple, left", "intensity": 7,
                                   "qualities": ["throbbing"], "note": "afternoons"}
    second = http.post(f"/api/clients/{cid}/pain-drawings", json={
        "drawn_on": date.today().isoformat(), "marks": [{"region_id": "temple.left", "intensity": 2}],
    }).json()
    listed = http.get(f"/api/clients/{cid}/pain-drawings").json()
    assert [d["id"] for d in listed] == [second["id"], drawing["id"]]
    assert http.get(f"/api/pain-drawings/{drawing['id']}").json()["overall_note"] == "Headaches"
    compared = http.get("/api/pain-drawings/compare", params={"a": second["id"], "b": drawing["id"]}).json()
    assert compared["before"]["id"] == drawing["id"]
    assert {c["region_id"]: c["change"] for c in compared["changes"]} == {"temple.left": -5, "sacrum": -3}


def test_a_bad_drawing_gets_422_and_nothing_is_saved(api: Api, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.therapist)
    http = api(people.therapist)
    response = http.post(f"/api/clients/{cid}/pain-drawings", json={
        "drawn_on": "2026-01-10",
        "marks": [{"region_id": "sacrum", "intensity": 5}, {"region_id": "tempel.left", "intensity": 3},
                  {"region_id": "jaw.left", "intensity": 11, "qualities": ["zappy"]}],
    })
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "did you mean: temple.left" in errors["marks.tempel.left"]
    assert "between 0 and 10" in errors["marks.jaw.left.intensity"]
    assert "zappy" in errors["marks.jaw.left.qualities"]
    assert http.get(f"/api/clients/{cid}/pain-drawings").json() == []


def test_the_front_desks_token_cannot_read_drawings(api: Api, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-01-10", {"sacrum": 3})
    http = api(people.front_desk)
    assert http.get(f"/api/pain-drawings/{did}").status_code == 403
    assert http.get(f"/api/clients/{cid}/pain-drawings").status_code == 403
    assert http.get(f"/api/clients/{cid}").status_code == 200


def test_a_browser_session_needs_the_csrf_header_for_api_writes(signed_in: SignedIn, people: World) -> None:
    visitor = signed_in(people.front_desk)
    assert visitor.get("/api/clients").status_code == 200  # reads are fine with the cookie
    refused = visitor.http.post("/api/clients", json={"given_name": "A", "family_name": "B"})
    assert refused.status_code == 403 and "security token" in refused.json()["detail"]
    accepted = visitor.http.post("/api/clients", json={"given_name": "A", "family_name": "B"},
                                 headers={"X-CSRF-Token": visitor.session_csrf()})
    assert accepted.status_code == 201


def test_the_openapi_document_describes_the_api(app: FastAPI) -> None:
    http = TestClient(app)
    spec = http.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("ClientCreate", "ClientUpdate", "ClientRead", "ClientPage", "PainDrawingCreate", "PainDrawingRead", "PainComparison"):
        assert name in schemas, name
    assert {"APIToken", "SessionCookie"} <= set(spec["components"]["securitySchemes"])
    assert "/api/clients/{client_id}" in spec["paths"] and "409" in spec["paths"]["/api/clients/{client_id}"]["patch"]["responses"]
    assert not any(p.startswith("/clients") for p in spec["paths"])  # pages are not part of the API
    docs = http.get("/api/docs")
    assert docs.status_code == 200 and "/api/clients/{client_id}/pain-drawings" in docs.text and "ClientUpdate" in docs.text


def test_the_front_desks_token_gets_no_clinical_notes_and_cannot_write_them(
    api: Api, people: World, client_of: ClientOf, web_db: Database
) -> None:
    from myomap.records.clients.models import Client

    cid = client_of(people.therapist, notes="Taut band in upper trapezius", admin_notes="Pays by card")
    desk = api(people.front_desk)
    one = desk.get(f"/api/clients/{cid}").json()
    assert one["admin_notes"] == "Pays by card" and one["notes"] is None
    listed = desk.get("/api/clients").json()["items"]
    assert [c["notes"] for c in listed] == [None] and "Taut band" not in desk.get("/api/clients").text
    for body in ({"version": 1, "notes": "edited"}, {"version": 1, "notes": None}):
        refused = desk.patch(f"/api/clients/{cid}", json=body)
        assert refused.status_code == 403 and "clinical notes" in refused.json()["detail"]
    stale = desk.patch(f"/api/clients/{cid}", json={"version": 0, "phone": "1"})
    assert stale.status_code == 409 and "notes" not in stale.json()["current"] and "Taut band" not in stale.text
    assert desk.patch(f"/api/clients/{cid}", json={"version": 1, "admin_notes": "Pays cash"}).status_code == 200
    with web_db.sessions() as s:
        assert s.get_one(Client, cid).notes == "Taut band in upper trapezius"
    assert api(people.therapist).get(f"/api/clients/{cid}").json()["notes"] == "Taut band in upper trapezius"
