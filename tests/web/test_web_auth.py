"""Signing in and out, sessions and cookies, CSRF on forms, and the headers every response carries."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from myomap.web.security import CONTENT_SECURITY_POLICY

if TYPE_CHECKING:
    from myomap.config import Settings
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ClientOf, DrawingOf, SignedIn, Visitor

PASSWORD = "correct horse battery"  # the personas' password (tests/conftest.py)


def test_signing_in_takes_the_therapist_where_she_was_going(visitor: Visitor, people: World) -> None:
    first = visitor.get("/clients?q=ada")
    assert first.status_code == 303 and first.headers["location"] == "/sign-in?next=%2Fclients%3Fq%3Dada"
    response = visitor.sign_in(people.therapist.email, next_url="/clients?q=ada")
    assert response.status_code == 303 and response.headers["location"] == "/clients?q=ada"
    page = visitor.get("/clients?q=ada")
    assert page.status_code == 200 and "Tara Therapist" in page.text


def test_the_session_cookie_is_httponly_samesite_and_expires(visitor: Visitor, people: World) -> None:
    response = visitor.sign_in(people.therapist.email)
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("myomap_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # served on 127.0.0.1 by default


def test_the_session_cookie_is_secure_when_not_on_loopback(web_settings: Settings, web_db: Database, people: World, visitor_for: type[Visitor]) -> None:
    from myomap.web.app import create_app

    app = create_app(web_settings.model_copy(update={"host": "0.0.0.0"}), database=web_db)
    visitor = visitor_for(app)
    visitor.http.base_url = "https://testserver"
    response = visitor.sign_in(people.therapist.email)
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("myomap_session="))
    assert "Secure" in cookie


def test_a_wrong_password_and_an_unknown_email_look_the_same(visitor: Visitor, people: World) -> None:
    wrong = visitor.sign_in(people.therapist.email, "not my password")
    unknown = visitor.sign_in("nobody@riverside.test", "not my password")
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert "Email or password is incorrect." in response.text
        assert "myomap_session=" not in response.headers.get("set-cookie", "")


def test_repeated_failures_make_the_account_wait_at_that_address(visitor: Visitor, people: World) -> None:
    for _ in range(5):
        assert visitor.sign_in(people.colleague.email, "guess").status_code == 200
    locked = visitor.sign_in(people.colleague.email, PASSWORD)
    assert locked.status_code == 200 and "Too many failed sign-in attempts" in locked.text
    assert visitor.get("/").status_code == 303  # still not signed in


def test_sign_in_needs_the_forms_csrf_token(visitor: Visitor, people: World) -> None:
    visitor.get("/sign-in")
    forged = visitor.http.post("/sign-in", data={"email": people.therapist.email, "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 403 and "security token" in forged.text
    assert visitor.get("/").status_code == 303


def test_signing_out_ends_the_session_on_the_server(visitor: Visitor, people: World) -> None:
    visitor.sign_in(people.therapist.email)
    cookie = visitor.http.cookies.get("myomap_session")
    assert cookie
    assert visitor.http.post("/sign-out").status_code == 403  # no CSRF token: refused
    response = visitor.submit("/", "/sign-out", {})
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?signed_out=1"
    # Replaying the old cookie gets nowhere.
    visitor.http.cookies.set("myomap_session", cookie)
    assert visitor.get("/").status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_it_never_redirects_off_site_after_sign_in(visitor: Visitor, people: World, target: str) -> None:
    response = visitor.sign_in(people.therapist.email, next_url=target)
    assert response.headers["location"] == "/"


def test_htmx_requests_are_redirected_to_sign_in_with_a_header(visitor: Visitor) -> None:
    response = visitor.get("/clients?q=x", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith("/sign-in")


@pytest.mark.parametrize("path", ["/", "/clients", "/sign-in", "/static/app.css", "/api/clients", "/no-such-page", "/api/docs"])
def test_every_response_carries_the_security_headers(signed_in: SignedIn, people: World, path: str) -> None:
    response = signed_in(people.therapist).get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    expected = "no-cache" if path.startswith("/static/") else "no-store"
    assert response.headers["cache-control"] == expected


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_pages_have_no_inline_scripts_or_styles_and_configure_htmx(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    a = drawing_of(people.therapist, cid, "2026-01-05", {"temple.left": 6})
    b = drawing_of(people.therapist, cid, "2026-02-05", {"temple.left": 3})
    visitor = signed_in(people.owner)
    pages = ["/", "/clients", f"/clients/{cid}", f"/clients/{cid}/edit", "/clients/new", f"/clients/{cid}/pain-drawings/new",
             f"/pain-drawings/{a}", f"/pain-drawings/compare?a={a}&b={b}", "/users", "/audit", "/api/docs", "/no-such-page"]
    for path in pages:
        response = visitor.get(path)
        assert response.status_code == (404 if path == "/no-such-page" else 200), path  # a page, not a redirect
        html = response.text
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_STYLE.search(html), path
        assert '"historyCacheSize":0' in html and '"includeIndicatorStyles":false' in html, path
        assert '<script src="/static/htmx.min.js"' in html, path
    assert "htmx" in visitor.get("/static/htmx.min.js").text[:200]


def test_a_form_sent_after_the_session_expired_says_so_and_saves_nothing(visitor: Visitor, people: World, web_db: Database) -> None:
    from sqlalchemy import delete

    from myomap.records.accounts.models import WebSession

    visitor.sign_in(people.front_desk.email)
    token = visitor.token_from("/clients/new", "/clients")
    with web_db.transaction() as s:
        s.execute(delete(WebSession))  # the session expires while the form is open
    response = visitor.http.post("/clients", data={"given_name": "Late", "family_name": "Form", "csrf_token": token})
    assert response.status_code == 401 and "nothing was saved" in response.text and "Sign in again" in response.text


def test_only_the_owner_manages_users_and_reads_the_audit_log(signed_in: SignedIn, people: World) -> None:
    for persona in (people.therapist, people.front_desk):
        visitor = signed_in(persona)
        assert visitor.get("/users").status_code == 403
        assert visitor.get("/audit").status_code == 403
    owner = signed_in(people.owner)
    added = owner.submit("/users", "/users", {"name": "Nina New", "email": "nina@riverside.test", "role": "therapist",
                                                "password": "a long password"})
    assert added.status_code == 303
    page = owner.get("/users")
    assert "Nina New" in page.text and "Colin Colleague" in page.text and "Oscar" not in page.text
    duplicate = owner.submit("/users", "/users", {"name": "Nina", "email": "NINA@riverside.test", "role": "therapist",
                                                  "password": "a long password"})
    assert duplicate.status_code == 200 and "already a user of this clinic" in duplicate.text
    assert signed_in(people.therapist).get("/").status_code == 200
    audit = owner.get("/audit")
    assert audit.status_code == 200 and "client.list" in audit.text
