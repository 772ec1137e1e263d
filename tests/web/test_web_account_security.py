"""Security controls in the pages and the API: API tokens (create, list, revoke), owner password
reset, two-factor sign-in and the clinic's requirement, the idle timeout, the client address
behind a proxy, and adding a user whose email another clinic uses."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from myomap.records.accounts import totp
from myomap.records.accounts.models import User, WebSession
from myomap.records.audit.models import AuditEvent
from myomap.records.base import utcnow

if TYPE_CHECKING:
    from fastapi import FastAPI

    from myomap.config import Settings
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ApiToken, SignedIn, Visitor

PASSWORD = "correct horse battery"
NEW_TOKEN = re.compile(r'<code class="secret" id="new-token">(mm_[^<]+)</code>')
SECRET = re.compile(r'<code class="secret" id="totp-secret">([A-Z2-7]+)</code>')


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def now_code(secret: str) -> str:
    return totp.code_at(secret, utcnow().timestamp())


# ---- API tokens ---------------------------------------------------------------------------------


def test_a_therapist_makes_names_and_revokes_a_token_in_the_page(signed_in: SignedIn, people: World) -> None:
    tara = signed_in(people.therapist)
    made = tara.submit("/account", "/account/tokens", {"name": "monthly report", "expires_in_days": "30"})
    assert made.status_code == 200
    match = NEW_TOKEN.search(made.text)
    assert match, "the new token is shown once"
    token = match.group(1)
    assert tara.get("/api/me", headers=bearer(token)).json()["email"] == people.therapist.email
    page = tara.get("/account")
    assert "monthly report" in page.text and token not in page.text and "active" in page.text
    row_id = re.search(r'action="/account/tokens/(\d+)/revoke"', page.text)
    assert row_id
    revoked = tara.submit("/account", f"/account/tokens/{row_id.group(1)}/revoke", {})
    assert revoked.status_code == 303
    assert tara.get("/api/me", headers=bearer(token)).status_code == 401
    assert "revoked" in tara.get("/account").text


def test_a_nameless_token_is_refused_with_a_message(signed_in: SignedIn, people: World) -> None:
    response = signed_in(people.therapist).submit("/account", "/account/tokens", {"name": " ", "expires_in_days": "30"})
    assert response.status_code == 200 and "Nothing was saved" in response.text and not NEW_TOKEN.search(response.text)


def test_tokens_through_the_api(visitor: Visitor, people: World, api_token: ApiToken) -> None:
    admin = api_token(people.therapist)
    made = visitor.http.post("/api/tokens", json={"name": "backup script", "expires_in_days": 7}, headers=bearer(admin))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["token"].startswith("mm_") and body["name"] == "backup script" and body["expires_at"]
    listed = visitor.get("/api/tokens", headers=bearer(admin)).json()
    assert {t["name"] for t in listed} == {"tests", "backup script"} and all("token" not in t for t in listed)
    # Someone else's token looks like none.
    other = api_token(people.colleague)
    assert visitor.http.delete(f"/api/tokens/{body['id']}", headers=bearer(other)).status_code == 404
    assert visitor.http.delete(f"/api/tokens/{body['id']}", headers=bearer(admin)).status_code == 204
    assert visitor.get("/api/me", headers=bearer(body["token"])).status_code == 401
    bad = visitor.http.post("/api/tokens", json={"name": "x", "expires_in_days": 0}, headers=bearer(admin))
    assert bad.status_code == 422


def test_the_owner_resets_a_password_in_the_page(signed_in: SignedIn, people: World, api_token: ApiToken,
                                                visitor_for: type[Visitor], app: FastAPI) -> None:
    colin = signed_in(people.colleague)
    token = api_token(people.colleague)
    owner = signed_in(people.owner)
    short = owner.submit("/users", f"/users/{people.colleague.id}/password", {f"password-{people.colleague.id}": "short"})
    assert short.status_code == 200 and "at least 10 characters" in short.text
    done = owner.submit("/users", f"/users/{people.colleague.id}/password",
                        {f"password-{people.colleague.id}": "told in person 2026"})
    assert done.status_code == 200 and "New password set for Colin Colleague" in done.text
    assert colin.get("/").status_code == 303  # signed out everywhere
    assert colin.get("/api/me", headers=bearer(token)).status_code == 401  # tokens revoked
    fresh = visitor_for(app)
    assert fresh.sign_in(people.colleague.email).status_code == 200
    assert fresh.sign_in(people.colleague.email, "told in person 2026").status_code == 303
    outsider = owner.http.post(f"/users/{people.outsider.id}/password",
                               data={f"password-{people.outsider.id}": "told in person 2026",
                                     "csrf_token": owner.token_from("/users", "/users")})
    assert outsider.status_code == 404


def test_reactivating_a_user_in_the_page_does_not_revive_their_token(signed_in: SignedIn, people: World,
                                                                    api_token: ApiToken) -> None:
    token = api_token(people.colleague)
    owner = signed_in(people.owner)
    owner.submit("/users", f"/users/{people.colleague.id}/deactivate", {})
    owner.submit("/users", f"/users/{people.colleague.id}/activate", {})
    assert owner.get("/api/me", headers=bearer(token)).status_code == 401


# ---- two-factor ---------------------------------------------------------------------------------


def enrol_in_page(visitor: Visitor) -> tuple[str, list[str]]:
    page = visitor.get("/account/two-factor")
    match = SECRET.search(page.text)
    assert match and "otpauth://totp/" in page.text
    secret = match.group(1)
    wrong = visitor.submit("/account/two-factor", "/account/two-factor", {"code": "000000"})
    assert wrong.status_code == 200 and "does not match" in wrong.text
    done = visitor.submit("/account/two-factor", "/account/two-factor", {"code": now_code(secret)})
    assert done.status_code == 200 and "shown only now" in done.text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(codes) == 10
    return secret, codes


def test_with_two_factor_on_sign_in_asks_for_a_code(signed_in: SignedIn, people: World, app: FastAPI,
                                                    visitor_for: type[Visitor]) -> None:
    secret, codes = enrol_in_page(signed_in(people.therapist))
    visitor = visitor_for(app)
    first = visitor.sign_in(people.therapist.email, next_url="/clients")
    assert first.status_code == 303 and first.headers["location"] == "/sign-in/code?next=%2Fclients"
    assert visitor.get("/clients").status_code == 303  # the password alone opens nothing
    wrong = visitor.submit("/sign-in/code", "/sign-in/code", {"code": "123456", "next": "/clients"})
    assert wrong.status_code == 200 and "not right" in wrong.text
    # The enrolment used this step's code, and a code works once: the next step's (within the drift).
    next_code = totp.code_at(secret, utcnow().timestamp() + totp.STEP_SECONDS)
    forged = visitor.http.post("/sign-in/code", data={"code": next_code, "csrf_token": "forged"})
    assert forged.status_code == 403
    done = visitor.submit("/sign-in/code", "/sign-in/code", {"code": next_code, "next": "/clients"})
    assert done.status_code == 303 and done.headers["location"] == "/clients"
    assert visitor.get("/clients").status_code == 200
    # A recovery code also works, once.
    other = visitor_for(app)
    other.sign_in(people.therapist.email)
    assert other.submit("/sign-in/code", "/sign-in/code", {"code": codes[0]}).status_code == 303
    again = visitor_for(app)
    again.sign_in(people.therapist.email)
    assert again.submit("/sign-in/code", "/sign-in/code", {"code": codes[0]}).status_code == 200


def test_a_clinic_requirement_sends_therapists_to_enrol(signed_in: SignedIn, people: World, app: FastAPI,
                                                        visitor_for: type[Visitor]) -> None:
    owner = signed_in(people.owner)
    refused = owner.submit("/users", "/users/two-factor-requirement", {"require_two_factor": "on"})
    assert refused.status_code == 200 and "your own account first" in refused.text
    enrol_in_page(owner)
    assert owner.submit("/users", "/users/two-factor-requirement", {"require_two_factor": "on"}).status_code == 303
    tara = visitor_for(app)
    first = tara.sign_in(people.therapist.email)
    assert first.headers["location"] == "/sign-in/enrol?next=%2F"
    assert tara.get("/").status_code == 303
    page = tara.get("/sign-in/enrol")
    match = SECRET.search(page.text)
    assert match and "requires a second step" in page.text
    done = tara.submit("/sign-in/enrol", "/sign-in/enrol", {"code": now_code(match.group(1)), "next": "/"})
    assert done.status_code == 200 and "shown only now" in done.text
    assert tara.get("/").status_code == 200
    desk = visitor_for(app)
    assert desk.sign_in(people.front_desk.email).headers["location"] == "/"  # front desk need not


def test_a_clinic_requirement_refuses_the_tokens_of_the_unenrolled_until_they_enrol(
    signed_in: SignedIn, people: World, app: FastAPI, visitor_for: type[Visitor], api_token: ApiToken
) -> None:
    tara_token, desk_token = api_token(people.therapist), api_token(people.front_desk)
    owner = signed_in(people.owner)
    enrol_in_page(owner)
    assert owner.get("/api/me", headers=bearer(tara_token)).status_code == 200
    assert owner.submit("/users", "/users/two-factor-requirement", {"require_two_factor": "on"}).status_code == 303
    refused = owner.get("/api/clients", headers=bearer(tara_token))
    assert refused.status_code == 403
    assert "two-factor sign-in is required by your clinic: enrol in the web app first" in refused.json()["detail"].lower()
    assert owner.get("/api/me", headers=bearer(desk_token)).status_code == 200  # front desk need not
    tara = visitor_for(app)
    tara.sign_in(people.therapist.email)
    match = SECRET.search(tara.get("/sign-in/enrol").text)
    assert match
    tara.submit("/sign-in/enrol", "/sign-in/enrol", {"code": now_code(match.group(1)), "next": "/"})
    assert owner.get("/api/me", headers=bearer(tara_token)).json()["email"] == people.therapist.email


# ---- sessions, addresses, emails ----------------------------------------------------------------


def test_a_session_left_idle_ends(signed_in: SignedIn, people: World, web_db: Database, web_settings: Settings) -> None:
    tara = signed_in(people.therapist)
    assert tara.get("/").status_code == 200
    idle = timedelta(minutes=web_settings.session_idle_minutes + 1)
    with web_db.transaction() as s:
        s.execute(update(WebSession).values(last_seen_at=utcnow() - idle))
    assert tara.get("/").status_code == 303


def audit_ips(web_db: Database) -> set[str | None]:
    with web_db.sessions() as s:
        return set(s.scalars(select(AuditEvent.ip)))


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(visitor: Visitor, people: World,
                                                                   api_token: ApiToken, web_db: Database) -> None:
    token = api_token(people.therapist)
    visitor.get("/api/clients", headers={**bearer(token), "X-Forwarded-For": "203.0.113.99"})
    assert "203.0.113.99" not in audit_ips(web_db) and "testclient" in audit_ips(web_db)


def test_forwarded_for_is_read_from_a_trusted_proxy(web_settings: Settings, web_db: Database, people: World,
                                                    api_token: ApiToken) -> None:
    from fastapi.testclient import TestClient

    from myomap.web.app import create_app

    app = create_app(web_settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"}), database=web_db)
    token = api_token(people.therapist)
    via_proxy = TestClient(app, client=("10.1.2.3", 4000))
    via_proxy.get("/api/clients", headers={**bearer(token), "X-Forwarded-For": "198.51.100.23, 10.9.9.9"})
    direct = TestClient(app, client=("192.0.2.8", 4000))
    direct.get("/api/clients", headers={**bearer(token), "X-Forwarded-For": "203.0.113.99"})
    assert audit_ips(web_db) == {"198.51.100.23", "192.0.2.8"}


def test_adding_an_email_another_clinic_uses_looks_like_any_new_email(signed_in: SignedIn, people: World,
                                                                      web_db: Database) -> None:
    owner = signed_in(people.owner)
    taken = owner.submit("/users", "/users", {"name": "Oscar Again", "email": people.outsider.email, "role": "therapist",
                                              "password": "a long password"})
    unused = owner.submit("/users", "/users", {"name": "Una Unused", "email": "una@elsewhere.test", "role": "therapist",
                                               "password": "a long password"})
    assert taken.status_code == unused.status_code == 303 and taken.headers["location"] == unused.headers["location"]
    with web_db.sessions() as s:
        clinics = set(s.scalars(select(User.clinic_id).where(User.email == people.outsider.email)))
    assert clinics == {people.clinic.id, people.other_clinic.id}
