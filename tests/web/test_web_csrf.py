"""Every state-changing request needs the session's CSRF token (or an API token): no exceptions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.conftest import api_routes

if TYPE_CHECKING:
    from fastapi import FastAPI

    from tests.conftest import World
    from tests.web.conftest import ClientOf, SignedIn

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for route in api_routes(app.routes):
        for method in (route.methods or set()) & UNSAFE:
            out.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return sorted(out)


def test_there_are_unsafe_routes_to_check(app: FastAPI) -> None:
    routes = unsafe_routes(app)
    assert ("POST", "/clients") in routes and ("PATCH", "/api/clients/1") in routes and len(routes) >= 12


def test_a_signed_in_request_without_the_token_is_refused_everywhere(app: FastAPI, signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    client_of(people.owner)
    visitor = signed_in(people.owner)
    for method, path in unsafe_routes(app):
        if path in ("/sign-in", "/sign-in/code", "/sign-in/enrol"):
            continue  # protected by their own pre-session tokens (test_web_auth, test_web_account_security)
        response = visitor.http.request(method, path, data={"csrf_token": "wrong"} if not path.startswith("/api") else None,
                                        json={} if path.startswith("/api") else None)
        assert response.status_code == 403, (method, path, response.status_code)


def test_the_same_request_with_the_token_goes_through(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.front_desk)
    visitor = signed_in(people.front_desk)
    token = visitor.session_csrf()
    by_header = visitor.http.post(f"/clients/{cid}/archive", headers={"X-CSRF-Token": token})
    assert by_header.status_code == 303
    by_field = visitor.http.post(f"/clients/{cid}/restore", data={"csrf_token": token})
    assert by_field.status_code == 303


def test_another_sessions_token_does_not_work(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.therapist)
    mine, theirs = signed_in(people.therapist), signed_in(people.colleague)
    response = mine.http.post(f"/clients/{cid}/archive", data={"csrf_token": theirs.session_csrf()})
    assert response.status_code == 403
