"""Error pages say what happened and that nothing was lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from myomap.records.db import Database

if TYPE_CHECKING:
    from fastapi import FastAPI

    from myomap.config import Settings
    from tests.conftest import World
    from tests.web.conftest import ApiToken, ClientOf, SignedIn, Visitor


@pytest.fixture
def impatient_app(web_settings: Settings, sqlite_url: str, people: World) -> Iterator[tuple[FastAPI, str]]:
    """The app with a 100 ms SQLite busy timeout, so a held lock shows up at once."""
    from myomap.web.app import create_app

    settings = web_settings.model_copy(update={"sqlite_busy_timeout_ms": 100})
    db = Database(sqlite_url, busy_timeout_ms=100)
    yield create_app(settings, database=db), sqlite_url.removeprefix("sqlite:///")
    db.dispose()


def test_a_locked_database_gets_a_503_that_says_nothing_was_lost(impatient_app: tuple[FastAPI, str], people: World, client_of: ClientOf, visitor_for: type[Visitor]) -> None:
    app, path = impatient_app
    cid = client_of(people.front_desk)
    visitor = visitor_for(app)
    visitor.sign_in(people.front_desk.email)
    token = visitor.session_csrf()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        page = visitor.http.post(f"/clients/{cid}/archive", data={"csrf_token": token})
        assert page.status_code == 503 and "Nothing was lost" in page.text and "try again" in page.text
        api = visitor.http.get("/api/clients")
        assert api.status_code == 503 and "try again" in api.json()["detail"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert visitor.http.post(f"/clients/{cid}/archive", data={"csrf_token": token}).status_code == 303


def test_unknown_addresses_get_a_404_page_or_json(signed_in: SignedIn, people: World) -> None:
    visitor = signed_in(people.therapist)
    page = visitor.get("/no-such-page")
    assert page.status_code == 404 and "There is no page at this address." in page.text
    api = visitor.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "There is no page at this address."}


def test_a_page_with_bad_query_parameters_says_what_to_correct_without_a_4xx(signed_in: SignedIn, people: World) -> None:
    # A browser logs a 4xx page as a failed resource; what a person typed in a filter is not one.
    page = signed_in(people.therapist).get("/clients?status=deleted")
    assert page.status_code == 200 and "Please check what was entered" in page.text and "Error 200" not in page.text
    # The field and the values it accepts (autoescaped quotes).
    assert "status: Input should be &#39;active&#39;, &#39;archived&#39; or &#39;all&#39;" in page.text


def test_an_oversized_request_is_refused(app: FastAPI, signed_in: SignedIn, people: World, web_settings: Settings) -> None:
    visitor = signed_in(people.therapist)
    big = "x" * (web_settings.upload_max_bytes + 10)
    response = visitor.http.post("/clients", content=big, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert "the largest accepted is" in response.text and "Nothing was saved" in response.text
    assert "Content-Security-Policy" in response.headers
    api = visitor.http.post("/api/clients", content=big, headers={"content-type": "application/json"})
    assert api.status_code == 413 and "the largest accepted is" in api.json()["detail"]


def test_an_address_no_link_makes_and_an_htmx_request_keep_their_400(signed_in: SignedIn, people: World) -> None:
    visitor = signed_in(people.therapist)
    address = visitor.get("/clients/0")  # a record id out of range: no form made it
    assert address.status_code == 400 and "Error 400" in address.text
    fragment = visitor.http.get("/clients?status=deleted", headers={"HX-Request": "true"})
    assert fragment.status_code == 400  # htmx swaps only 2xx answers, so the list it would replace stays


def test_a_form_sent_with_a_bad_value_is_answered_200_with_the_errors_and_the_api_422(
    signed_in: SignedIn, people: World, api_token: ApiToken, app: FastAPI,
) -> None:
    from fastapi.testclient import TestClient

    desk = signed_in(people.front_desk)
    page = desk.submit("/clients/new", "/clients", {"given_name": "", "family_name": "Hopper"})
    assert page.status_code == 200 and "Nothing was saved" in page.text and 'aria-invalid="true"' in page.text
    api = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.front_desk)}"})
    answer = api.post("/api/clients", json={"given_name": "", "family_name": "Hopper"})
    assert answer.status_code == 422 and "given_name" in answer.json()["errors"]
