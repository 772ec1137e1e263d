"""The authorization matrix, generated from the app's route table.

Every API operation and page route has a rule in :data:`RULES`: who may use it (public, any
signed-in user, or the roles holding one permission of ``ROLE_PERMISSIONS``) and the request to
make. Each route is then requested as the owner, the therapist and the front desk of one clinic,
on that clinic's records and on another clinic's, and signed out:

- allowed, own clinic: anything but 401, 403, 404, a redirect to sign in, or a 5xx;
- allowed, another clinic's record: 404 (the record's existence is not revealed);
- not allowed: 403 (or 404 for another clinic's record);
- signed out: 401 from the API and from forms, a redirect to sign in for pages.

A route without a rule fails :func:`test_every_route_has_a_rule` with its name, so a new route
cannot ship without saying who may use it. A rule for a route that no longer exists fails too.

Requests that change something run on a fresh copy of the seeded SQLite database, so one case
never changes what the next one sees. The full matrix runs on SQLite; on PostgreSQL every
read-only case runs (:func:`test_reads_on_postgresql`), a sample that exercises the same access
checks on the other engine without re-seeding it for every write.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from myomap.config import Settings
from myomap.records.accounts.models import Role
from myomap.records.accounts.permissions import ROLE_PERMISSIONS, Permission
from myomap.records.db import Database
from myomap.records.migrate import upgrade
from myomap.web.security import CSRF_HEADER, SESSION_COOKIE
from tests.standing_photo import standing_front_photo

PASSWORD = "correct horse battery"
PHOTO = standing_front_photo()  # a client standing; the Warrior II photo is (rightly) refused
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
RECORD_PARAMS = ("client_id", "drawing_id", "assessment_id", "user_id", "token_id")
"""Path parameters that name one clinic's record (or one user's: an API token): such routes are
also tried on another clinic's."""

Needs = Permission | Literal["public", "signed in"]
PUBLIC: Needs = "public"
SIGNED_IN: Needs = "signed in"


@dataclass(frozen=True)
class Rule:
    """Who may use a route, and what to send. ``{client_id}``-style placeholders in the query,
    JSON or form values are filled with the ids of the clinic whose records are tried."""

    needs: Needs
    query: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, str] | None = None
    photo: bool = False  # send a (bad) file as ``photo``: access is checked before it is read
    login_form: bool = False  # open the sign-in page first, for its login CSRF cookie and token

    def roles(self) -> set[Role]:
        if self.needs in (PUBLIC, SIGNED_IN):
            return set(Role)
        return {role for role, granted in ROLE_PERMISSIONS.items() if self.needs in granted}


CLIENTS, CLINICAL, USERS, AUDIT = Permission.CLIENTS, Permission.CLINICAL, Permission.USERS, Permission.AUDIT
VERSION = {"version": "{version}"}
LANDMARKS = {"nose": {"x": 320.0, "y": 90.0}}

RULES: dict[str, Rule] = {
    # public: the API description and signing in or out
    "GET /openapi.json": Rule(PUBLIC),
    "GET /api/docs": Rule(PUBLIC),
    "GET /sign-in": Rule(PUBLIC),
    "POST /sign-in": Rule(PUBLIC, form={"email": "nobody@example.test", "password": "wrong"}, login_form=True),
    "GET /sign-out": Rule(PUBLIC),
    # the second step of signing in (a code, or enrolling in two-factor): the half-signed-in session decides
    "GET /sign-in/code": Rule(PUBLIC),
    "POST /sign-in/code": Rule(PUBLIC, form={"code": "000000"}),
    "GET /sign-in/enrol": Rule(PUBLIC),
    "POST /sign-in/enrol": Rule(PUBLIC, form={"code": "000000"}),
    # any signed-in user: signing out, who am I, one's own account and API tokens, the dashboard,
    # the trigger-point atlas (knowledge only, no client record)
    "POST /sign-out": Rule(SIGNED_IN, form={}),
    "GET /api/me": Rule(SIGNED_IN),
    "GET /api/tokens": Rule(SIGNED_IN),
    "POST /api/tokens": Rule(SIGNED_IN, json={"name": "a script", "expires_in_days": 30}),
    "DELETE /api/tokens/{token_id}": Rule(SIGNED_IN),
    "GET /account": Rule(SIGNED_IN),
    "POST /account/tokens": Rule(SIGNED_IN, form={"name": "a script", "expires_in_days": "30"}),
    "POST /account/tokens/{token_id}/revoke": Rule(SIGNED_IN, form={}),
    "GET /account/two-factor": Rule(SIGNED_IN),
    "POST /account/two-factor": Rule(SIGNED_IN, form={"code": "000000"}),
    "POST /account/two-factor/off": Rule(SIGNED_IN, form={"code": "000000"}),
    "GET /": Rule(SIGNED_IN),
    "GET /atlas": Rule(SIGNED_IN),
    "GET /atlas/muscles/{muscle_id}": Rule(SIGNED_IN),
    "GET /api/muscles": Rule(SIGNED_IN),
    "GET /api/muscles/{muscle}": Rule(SIGNED_IN),
    # client details: every role (front desk registers clients)
    "GET /api/clients": Rule(CLIENTS),
    "POST /api/clients": Rule(CLIENTS, json={"given_name": "New", "family_name": "Client"}),
    "GET /api/clients/{client_id}": Rule(CLIENTS),
    "PATCH /api/clients/{client_id}": Rule(CLIENTS, json={"version": 1, "phone": "0400 000 000"}),
    "POST /api/clients/{client_id}/archive": Rule(CLIENTS),
    "POST /api/clients/{client_id}/restore": Rule(CLIENTS),
    "GET /clients": Rule(CLIENTS),
    "GET /clients/new": Rule(CLIENTS),
    "POST /clients": Rule(CLIENTS, form={"given_name": "New", "family_name": "Client"}),
    "GET /clients/{client_id}": Rule(CLIENTS),
    "GET /clients/{client_id}/edit": Rule(CLIENTS),
    "POST /clients/{client_id}": Rule(CLIENTS, form={"given_name": "Ada", "family_name": "Lovelace", "version": "1"}),
    "POST /clients/{client_id}/archive": Rule(CLIENTS, form={}),
    "POST /clients/{client_id}/restore": Rule(CLIENTS, form={}),
    # clinical records and clinical decision support (ranking muscles for pain, posture analysis):
    # therapists and owners
    "POST /api/refer": Rule(CLINICAL, json={"regions": [{"region": "temple.right", "intensity": 6}]}),
    "GET /api/clients/{client_id}/pain-drawings": Rule(CLINICAL),
    "POST /api/clients/{client_id}/pain-drawings": Rule(
        CLINICAL, json={"drawn_on": "2026-11-02", "marks": [{"region_id": "temple.right", "intensity": 4}]}),
    "GET /api/pain-drawings/compare": Rule(CLINICAL, query={"a": "{drawing_id}", "b": "{drawing2_id}"}),
    "GET /api/pain-drawings/{drawing_id}": Rule(CLINICAL),
    "PUT /api/pain-drawings/{drawing_id}": Rule(
        CLINICAL, json={"version": 1, "drawn_on": "2026-10-01", "marks": [{"region_id": "temple.right", "intensity": 5}]}),
    "POST /api/pain-drawings/{drawing_id}/sign": Rule(CLINICAL, json={"version": 1}),
    "POST /api/pain-drawings/{drawing_id}/delete": Rule(CLINICAL, json={"version": 1, "reason": "wrong client"}),
    # deleted drawings are the clinic owner's to see and restore (as the audit log is)
    "GET /api/clients/{client_id}/pain-drawings/deleted": Rule(AUDIT),
    "POST /api/pain-drawings/{drawing_id}/restore": Rule(AUDIT),
    "GET /api/pain-drawings/{drawing_id}/referral": Rule(CLINICAL),
    "PUT /api/pain-drawings/{drawing_id}/palpation/{muscle}": Rule(CLINICAL, json={"side": "right", "tender": True}),
    "POST /api/posture": Rule(CLINICAL, form={"view": "anterior"}, photo=True),
    "POST /api/posture/recompute": Rule(
        CLINICAL, json={"view": "anterior", "image_size": [640, 480], "landmarks": LANDMARKS}),
    "GET /api/clients/{client_id}/posture-assessments": Rule(CLINICAL),
    "POST /api/clients/{client_id}/posture-assessments": Rule(CLINICAL, json={"assessed_on": "2026-11-02"}),
    "GET /api/posture-assessments/compare": Rule(CLINICAL, query={"a": "{assessment_id}", "b": "{assessment2_id}"}),
    "GET /api/posture-assessments/{assessment_id}": Rule(CLINICAL),
    "PATCH /api/posture-assessments/{assessment_id}": Rule(CLINICAL, json={"version": "{version}", "note": "x"}),
    "PUT /api/posture-assessments/{assessment_id}/views/{view}": Rule(CLINICAL, photo=True),
    "DELETE /api/posture-assessments/{assessment_id}/views/{view}": Rule(CLINICAL),
    "PUT /api/posture-assessments/{assessment_id}/views/{view}/landmarks": Rule(
        CLINICAL, json={"version": "{version}", "landmarks": LANDMARKS}),
    "GET /api/posture-assessments/{assessment_id}/views/{view}/annotated.jpg": Rule(CLINICAL),
    "GET /api/posture-assessments/{assessment_id}/views/{view}/annotated.png": Rule(CLINICAL),
    "GET /api/posture-assessments/{assessment_id}/views/{view}/photo": Rule(CLINICAL),
    "GET /clients/{client_id}/pain-drawings/new": Rule(CLINICAL),
    "POST /clients/{client_id}/pain-drawings": Rule(CLINICAL, form={"drawn_on": "2026-11-02", "i_temple.right": "4"}),
    "GET /pain-drawings/compare": Rule(CLINICAL, query={"a": "{drawing_id}", "b": "{drawing2_id}"}),
    "GET /pain-drawings/{drawing_id}": Rule(CLINICAL),
    "GET /pain-drawings/{drawing_id}/edit": Rule(CLINICAL),
    "POST /pain-drawings/{drawing_id}/edit": Rule(
        CLINICAL, form={"version": "1", "drawn_on": "2026-10-01", "intensity__temple.right": "5"}),
    "POST /pain-drawings/{drawing_id}/sign": Rule(CLINICAL, form={"version": "1"}),
    "POST /pain-drawings/{drawing_id}/delete": Rule(CLINICAL, form={"version": "1", "reason": "wrong client"}),
    "POST /pain-drawings/{drawing_id}/restore": Rule(AUDIT, form={}),
    "GET /pain-drawings/{drawing_id}/referral": Rule(CLINICAL),
    "POST /pain-drawings/{drawing_id}/palpate": Rule(CLINICAL, form={"muscle": "levator_scapulae", "side": "right"}),
    "POST /pain-drawings/{drawing_id}/palpation/{muscle}": Rule(CLINICAL, form={"side": "right", "tender": "yes"}),
    "GET /clients/{client_id}/posture-assessments": Rule(CLINICAL),
    "GET /clients/{client_id}/posture-assessments/new": Rule(CLINICAL),
    "POST /clients/{client_id}/posture-assessments": Rule(CLINICAL, form={"assessed_on": "2026-11-02"}),
    "GET /posture-assessments/compare": Rule(CLINICAL, query={"a": "{assessment_id}", "b": "{assessment2_id}"}),
    "GET /posture-assessments/{assessment_id}": Rule(CLINICAL),
    "POST /posture-assessments/{assessment_id}/details": Rule(CLINICAL, form={**VERSION, "assessed_on": "2026-11-01"}),
    "POST /posture-assessments/{assessment_id}/views/{view}": Rule(CLINICAL, form=VERSION, photo=True),
    "POST /posture-assessments/{assessment_id}/views/{view}/delete": Rule(CLINICAL, form=VERSION),
    "GET /posture-assessments/{assessment_id}/views/{view}/photo": Rule(CLINICAL),
    "GET /posture-assessments/{assessment_id}/views/{view}/annotated.{extension}": Rule(CLINICAL),
    "GET /posture-assessments/{assessment_id}/views/{view}/edit": Rule(CLINICAL),
    "POST /posture-assessments/{assessment_id}/views/{view}/landmarks": Rule(
        CLINICAL, form={**VERSION, "landmarks": '{"nose": {"x": 320, "y": 90}}'}),
    # the clinic's users and audit log: owners
    "GET /users": Rule(USERS),
    "POST /users": Rule(USERS, form={"email": "new.person@clinic.test", "name": "New Person", "role": "therapist",
                                     "password": "a long enough password"}),
    "POST /users/{user_id}/deactivate": Rule(USERS, form={}),
    "POST /users/{user_id}/activate": Rule(USERS, form={}),
    "POST /users/{user_id}/password": Rule(USERS, form={"password": "a long enough new password"}),
    "POST /users/{user_id}/two-factor/reset": Rule(USERS, form={}),
    "POST /users/two-factor-requirement": Rule(USERS, form={}),
    "POST /users/locale": Rule(USERS, form={"locale": "en-US"}),
    "GET /audit": Rule(AUDIT),
    "GET /audit.csv": Rule(AUDIT),
}

PATH_VALUES = {"view": "anterior", "muscle": "upper_trapezius", "muscle_id": "upper_trapezius", "extension": "png"}


# ---- the route table ------------------------------------------------------------------------------


def route_keys(app: FastAPI) -> list[str]:
    """``METHOD path`` of every API operation and page (HEAD and static files left out)."""
    keys = []
    for route in iter_route_contexts(app.routes):
        for method in sorted((route.methods or set()) - {"HEAD"}):
            keys.append(f"{method} {route.path}")
    return keys


def test_every_route_has_a_rule(tmp_path: Path) -> None:
    from myomap.web.app import create_app

    app = create_app(Settings(data_dir=tmp_path, secret_key="k"), database=Database(f"sqlite:///{tmp_path / 'x.db'}"))
    keys = route_keys(app)
    assert len(keys) > 60 and "GET /clients/{client_id}" in keys  # the table was really read
    missing = [k for k in keys if k not in RULES]
    assert not missing, "routes without an authorization rule in tests/web/test_authorization_matrix.py: " + ", ".join(missing)
    stale = [k for k in RULES if k not in keys]
    assert not stale, "rules for routes that no longer exist: " + ", ".join(stale)


# ---- the seeded world: two clinics, three roles each, and their records ---------------------------


@dataclass
class Persona:
    role: Role
    cookie: str
    csrf: str
    ids: dict[str, str] = field(default_factory=dict)  # records of one's own (an API token)


@dataclass
class ClinicRecords:
    personas: dict[Role, Persona]
    ids: dict[str, str]


@dataclass
class Seeded:
    path: Path
    settings: Settings
    clinics: dict[str, ClinicRecords]  # "own" and "other"


def _sign_in(http: TestClient, email: str) -> tuple[str, str]:
    page = http.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    done = http.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    assert done.status_code == 303, (email, done.status_code, done.text[:300])
    cookie = http.cookies.get(SESSION_COOKIE)
    assert cookie, "no session cookie after signing in"
    home = http.get("/", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text)
    assert csrf, "no session CSRF token on the dashboard"
    return cookie, csrf.group(1)


def _seed_clinic(app: FastAPI, name: str, tag: str, database: Database, *, photo: bool = True) -> ClinicRecords:
    """A clinic with its three roles (signed in), a colleague, a client with two pain drawings (one
    with a muscle to palpate) and two postural assessments (one with a front photo, if ``photo``),
    made through the app as its therapist would."""
    from myomap.records.accounts.service import create_user
    from myomap.records.clinics.service import create_clinic

    with database.transaction() as db:
        clinic = create_clinic(db=db, name=name)
        emails = {role: f"{role.value}@{tag}.test" for role in Role}
        for role, email in emails.items():
            create_user(db=db, clinic=clinic, email=email, name=f"{role.value} {tag}", role=role,
                        password=PASSWORD, password_profile="fast")
        staff = create_user(db=db, clinic=clinic, email=f"staff@{tag}.test", name=f"Staff {tag}",
                            role=Role.THERAPIST, password=PASSWORD, password_profile="fast")
        staff_id = staff.id
    personas = {}
    for role, email in emails.items():
        cookie, csrf = _sign_in(TestClient(app, follow_redirects=False), email)
        personas[role] = Persona(role, cookie, csrf)
    for persona in personas.values():
        mine = TestClient(app, headers={"Cookie": f"{SESSION_COOKIE}={persona.cookie}", CSRF_HEADER: persona.csrf})
        made = mine.post("/api/tokens", json={"name": "seeded"})
        assert made.status_code == 201, made.text
        persona.ids["token_id"] = str(made.json()["id"])
    therapist = personas[Role.THERAPIST]
    http = TestClient(app, follow_redirects=False,
                      headers={"Cookie": f"{SESSION_COOKIE}={therapist.cookie}", CSRF_HEADER: therapist.csrf})

    def ok(response: Any) -> dict[str, Any]:
        assert response.status_code in (200, 201, 303), (response.request.url, response.status_code, response.text[:400])
        return response.json() if response.headers.get("content-type", "").startswith("application/json") else {}

    client = ok(http.post("/api/clients", json={"given_name": "Ada", "family_name": "Lovelace"}))["id"]
    drawings = [
        ok(http.post(f"/api/clients/{client}/pain-drawings",
                     json={"drawn_on": day, "marks": [{"region_id": "temple.right", "intensity": 6}]}))["id"]
        for day in ("2026-10-01", "2026-10-15")
    ]
    ok(http.post(f"/pain-drawings/{drawings[0]}/palpate", data={"muscle": "upper_trapezius", "side": "right"}))
    assessments = [ok(http.post(f"/api/clients/{client}/posture-assessments", json={"assessed_on": day}))["id"]
                   for day in ("2026-10-01", "2026-10-15")]
    version = 1
    if photo:
        version = ok(http.put(f"/api/posture-assessments/{assessments[0]}/views/anterior",
                              files={"photo": ("front.jpg", PHOTO.read_bytes(), "image/jpeg")}))["version"]
    ids = {"client_id": client, "drawing_id": drawings[0], "drawing2_id": drawings[1], "assessment_id": assessments[0],
           "assessment2_id": assessments[1], "user_id": staff_id, "version": version}
    return ClinicRecords(personas, {k: str(v) for k, v in ids.items()})


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """Two clinics seeded through the app, saved as a SQLite file to copy for each case."""
    if not PHOTO.exists():
        pytest.skip(f"fixture photo missing: {PHOTO} (the shared fixtures folder sits next to the repository)")
    from myomap.web.app import create_app

    root = tmp_path_factory.mktemp("authz")
    path = root / "seed.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    settings = Settings(data_dir=root / "data", password_hash_profile="fast", secret_key="test-secret-key")
    app = create_app(settings, database=database)
    clinics = {"own": _seed_clinic(app, "Riverside", "riverside", database),
               "other": _seed_clinic(app, "Hilltop", "hilltop", database)}
    database.dispose()
    with sqlite3.connect(path) as conn:  # fold the WAL in, so that copying the file is enough
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Seeded(path, settings, clinics)


@dataclass(frozen=True)
class Case:
    persona: Persona | None  # None: signed out
    target: Literal["own", "other"]

    def __str__(self) -> str:
        return f"{self.persona.role.value if self.persona else 'signed out'} on {self.target} clinic's records"


def names_record(key: str, rule: Rule) -> bool:
    return any("{" + p + "}" in key for p in RECORD_PARAMS) or any("_id}" in v for v in rule.query.values())


def cases(key: str, rule: Rule, clinics: Mapping[str, ClinicRecords]) -> Iterator[Case]:
    """Every role on its own clinic's records (and on another clinic's where the route names
    a record), then signed out."""
    for role in Role:
        yield Case(clinics["own"].personas[role], "own")
        if names_record(key, rule):
            yield Case(clinics["own"].personas[role], "other")
    yield Case(None, "own")


def _fill(value: Any, ids: Mapping[str, str], as_json: bool) -> Any:
    """``value`` with ``{name}`` placeholders replaced by ids (numbers, in JSON)."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in ids:
            return int(ids[whole.group(1)]) if as_json else ids[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _fill(v, ids, as_json) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids, as_json) for v in value]
    return value


def send(app: FastAPI, key: str, rule: Rule, case: Case, ids: Mapping[str, str]) -> Any:
    """Make the route's request as ``case`` says, with the ids of the clinic tried."""
    method, template = key.split(" ", 1)
    path = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1)) or PATH_VALUES[m.group(1)], template)
    headers: dict[str, str] = {}
    if case.persona is not None:
        headers = {"Cookie": f"{SESSION_COOKIE}={case.persona.cookie}", CSRF_HEADER: case.persona.csrf}
    form = dict(rule.form or {})
    if rule.login_form:  # the sign-in page's token and cookie, as a browser would have them
        fresh = TestClient(app)
        token = re.search(r'name="csrf_token" value="([^"]+)"', fresh.get("/sign-in").text)
        assert token, "no CSRF token on the sign-in page"
        form["csrf_token"] = token.group(1)
        cookies = "; ".join(f"{k}={v}" for k, v in fresh.cookies.items())
        headers["Cookie"] = "; ".join(filter(None, [headers.get("Cookie"), cookies]))
    http = TestClient(app, follow_redirects=False, headers=headers)
    kwargs: dict[str, Any] = {"params": _fill(dict(rule.query), ids, False)}
    if rule.json is not None:
        kwargs["json"] = _fill(rule.json, ids, True)
    if rule.form is not None or rule.photo:
        kwargs["data"] = _fill(form, ids, False)
    if rule.photo:
        kwargs["files"] = {"photo": ("notes.jpg", b"not a photo at all", "image/jpeg")}
    return http.request(method, path, **kwargs)


def problem(key: str, rule: Rule, case: Case, response: Any) -> str | None:
    """What is wrong with ``response`` for this case, or None."""
    method, path = key.split(" ", 1)
    status = response.status_code
    location = response.headers.get("location", "")
    to_sign_in = status == 303 and (location == "/sign-in" or location.startswith("/sign-in?next="))
    seen = f"{status}" + (f" -> {response.headers['location']}" if "location" in response.headers else "")
    if status >= 500:
        return f"{case}: server error {seen}"
    if case.persona is None:
        if rule.needs == PUBLIC:
            return f"signed out: refused a public route ({seen})" if status in (401, 403, 404) else None
        if path.startswith("/api/") or method in UNSAFE:
            return None if status == 401 else f"signed out: expected 401, got {seen}"
        return None if to_sign_in else f"signed out: expected a redirect to /sign-in, got {seen}"
    allowed = case.persona.role in rule.roles()
    if allowed and case.target == "own":
        return f"{case}: allowed, but got {seen}" if status in (401, 403, 404) or to_sign_in else None
    if allowed:
        return None if status == 404 else f"{case}: another clinic's record must be 404, got {seen}"
    expected = (403,) if case.target == "own" else (403, 404)
    return None if status in expected else f"{case}: not allowed, expected {' or '.join(map(str, expected))}, got {seen}"


# ---- running the matrix -----------------------------------------------------------------------------


def copy_database(seeded: Seeded, target: Path) -> Database:
    shutil.copyfile(seeded.path, target)
    return Database(f"sqlite:///{target}")


@pytest.fixture(scope="module")
def reads_app(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """One app over a copy of the seed, shared by the read-only cases (they change nothing others see)."""
    from myomap.web.app import create_app

    database = copy_database(seeded, tmp_path_factory.mktemp("authz-reads") / "reads.db")
    yield create_app(seeded.settings, database=database)
    database.dispose()


def run_matrix(key: str, clinics: Mapping[str, ClinicRecords], app_for: Any) -> list[str]:
    """Every case of ``key``'s rule, each on the app ``app_for()`` gives; the problems found."""
    rule = RULES[key]
    found = []
    for case in cases(key, rule, clinics):
        with app_for() as app:
            clinic = clinics[case.target]
            mine = clinic.personas[case.persona.role if case.persona else Role.THERAPIST].ids
            response = send(app, key, rule, case, {**clinic.ids, **mine})
        issue = problem(key, rule, case, response)
        if issue:
            found.append(issue)
    return found


@pytest.mark.parametrize("key", sorted(RULES))
def test_route_follows_its_rule(key: str, seeded: Seeded, reads_app: FastAPI, tmp_path: Path) -> None:
    from contextlib import contextmanager

    from myomap.web.app import create_app

    counter = iter(range(1000))

    @contextmanager
    def app_for() -> Iterator[FastAPI]:
        if key.split(" ", 1)[0] not in UNSAFE:
            yield reads_app
            return
        database = copy_database(seeded, tmp_path / f"case{next(counter)}.db")  # a write never leaks into the next case
        try:
            yield create_app(seeded.settings, database=database)
        finally:
            database.dispose()

    found = run_matrix(key, seeded.clinics, app_for)
    assert not found, f"{key}:\n  " + "\n  ".join(found)


# ---- a sample on PostgreSQL ---------------------------------------------------------------------

PG_SAMPLE = sorted(k for k, r in RULES.items() if k.startswith("GET ") and names_record(k, r) and "/views/" not in k)
"""Every read of a clinic's record, photos aside (seeding a photo runs the pose model)."""


def _empty(url: str) -> None:
    from sqlalchemy import create_engine, text

    from myomap.records.models import Base

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(t.name for t in Base.metadata.sorted_tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="module")
def pg_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[FastAPI, dict[str, ClinicRecords]]]:
    from myomap.web.app import create_app

    url: str = request.getfixturevalue("_pg_migrated_url")  # skips when no PostgreSQL server answers
    _empty(url)
    database = Database(url)
    settings = Settings(data_dir=tmp_path_factory.mktemp("authz-pg"), password_hash_profile="fast",
                        secret_key="test-secret-key")
    app = create_app(settings, database=database)
    clinics = {"own": _seed_clinic(app, "Riverside", "riverside", database, photo=False),
               "other": _seed_clinic(app, "Hilltop", "hilltop", database, photo=False)}
    yield app, clinics
    database.dispose()
    _empty(url)


@pytest.mark.storage
@pytest.mark.parametrize("key", PG_SAMPLE)
def test_reads_on_postgresql(key: str, pg_world: tuple[FastAPI, dict[str, ClinicRecords]]) -> None:
    from contextlib import nullcontext

    app, clinics = pg_world
    found = run_matrix(key, clinics, lambda: nullcontext(app))
    assert not found, f"{key} (PostgreSQL):\n  " + "\n  ".join(found)
