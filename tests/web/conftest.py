"""Web fixtures: the real app over a SQLite file, and visitors that sign in through the real forms."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from myomap.config import Settings
from myomap.records.accounts.models import User
from myomap.records.db import Database
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from starlette.routing import BaseRoute

    from tests.conftest import World

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, including those of included routers (FastAPI >= 0.16x nests them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


class Visitor:
    """A browser-like test client: keeps cookies, reads CSRF tokens from the pages it fetched."""

    def __init__(self, app: FastAPI) -> None:
        self.http = TestClient(app, follow_redirects=False)

    def get(self, path: str, **kw: Any) -> httpx2.Response:
        return self.http.get(path, **kw)

    def token_from(self, path: str, action: str | None = None) -> str:
        """The CSRF token in the form posting to ``action`` on ``path`` (default: the first form)."""
        page = self.http.get(path)
        assert page.status_code == 200, (path, page.status_code)
        html = page.text
        if action is not None:
            forms = re.findall(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html, re.S)
            bodies = [body for target, body in forms if target == action]
            assert bodies, f"no form posting to {action} on {path}"
            html = bodies[0]
        match = CSRF_INPUT.search(html)
        assert match, f"no CSRF token in the form on {path}"
        assert match.group(1), f"empty CSRF token in the form on {path}"
        return match.group(1)

    def submit(self, page: str, action: str, data: dict[str, Any] | list[tuple[str, str]], **kw: Any) -> httpx2.Response:
        """Open ``page``, then post ``data`` to ``action`` with that form's CSRF token, like a browser."""
        token = self.token_from(page, action)
        items = list(data.items()) if isinstance(data, dict) else list(data)
        form: dict[str, list[str]] = {}
        for key, value in [*items, ("csrf_token", token)]:
            form.setdefault(key, []).extend(value if isinstance(value, list) else [str(value)])
        return self.http.post(action, data=form, **kw)

    def sign_in(self, email: str, password: str = PASSWORD, next_url: str = "/") -> httpx2.Response:
        response = self.submit("/sign-in", "/sign-in", {"email": email, "password": password, "next": next_url})
        return response

    def session_csrf(self) -> str:
        """The signed-in session's CSRF token, as htmx sends it (``hx-headers`` on <body>)."""
        page = self.http.get("/")
        match = re.search(r'hx-headers=\'\{"X-CSRF-Token": "([^"]+)"\}\'', page.text)
        assert match, "no hx-headers on the page"
        return match.group(1)


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", password_hash_profile="fast", secret_key="test-secret-key")


@pytest.fixture
def web_db(sqlite_url: str) -> Iterator[Database]:
    db = Database(sqlite_url)
    yield db
    db.dispose()


@pytest.fixture
def people(web_db: Database, world_builder: Callable[[Session], World]) -> World:
    """The personas (see tests/conftest.py), in the web app's database."""
    with web_db.sessions() as session:
        return world_builder(session)


@pytest.fixture
def app(web_settings: Settings, web_db: Database, people: World) -> FastAPI:
    from myomap.web.app import create_app

    return create_app(web_settings, database=web_db)


@pytest.fixture
def visitor(app: FastAPI) -> Visitor:
    return Visitor(app)


@pytest.fixture
def visitor_for() -> type[Visitor]:
    """``visitor_for(app)``: a visitor of another app instance (test modules cannot import conftest)."""
    return Visitor


SignedIn = Callable[[User], Visitor]
"""The ``signed_in`` fixture: a visitor already signed in as that persona."""
ApiToken = Callable[[User], str]
"""The ``api_token`` fixture: a bearer token for the persona."""


@pytest.fixture
def signed_in(app: FastAPI) -> SignedIn:
    """``signed_in(user)``: a visitor already signed in as that persona."""

    def make(user: User) -> Visitor:
        v = Visitor(app)
        response = v.sign_in(user.email)
        assert response.status_code == 303, response.text
        return v

    return make


@pytest.fixture
def api_token(web_db: Database) -> ApiToken:
    """``api_token(user)``: a bearer token for the persona."""
    from myomap.records.accounts.service import create_api_token

    def make(user: User) -> str:
        with web_db.transaction() as session:
            token, _ = create_api_token(db=session, user=session.merge(user), name="tests")
        return token

    return make


def create_client(web_db: Database, user: User, **fields: Any) -> int:
    from myomap.records.accounts.permissions import Actor
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client as create

    with web_db.transaction() as session:
        actor = Actor(session.merge(user))
        client = create(db=session, actor=actor, data=ClientCreate.model_validate({"given_name": "Ada", "family_name": "Lovelace", **fields}))
        return client.id


class ClientOf(Protocol):
    """The ``client_of`` fixture's signature."""

    def __call__(self, user: User, **fields: Any) -> int: ...


class DrawingOf(Protocol):
    """The ``drawing_of`` fixture's signature."""

    def __call__(self, user: User, client_id: int, drawn_on: str, marks: dict[str, int], note: str | None = None) -> int: ...


@pytest.fixture
def client_of(web_db: Database) -> ClientOf:
    """``client_of(user, **fields)``: id of a new client created by that persona."""

    def make(user: User, **fields: Any) -> int:
        return create_client(web_db, user, **fields)

    return make


@pytest.fixture
def drawing_of(web_db: Database) -> DrawingOf:
    """``drawing_of(user, client_id, drawn_on, {region: intensity})``: id of a new pain drawing."""
    from myomap.records.accounts.permissions import Actor
    from myomap.records.pain.schemas import PainDrawingCreate
    from myomap.records.pain.service import create_drawing

    def make(user: User, client_id: int, drawn_on: str, marks: dict[str, int], note: str | None = None) -> int:
        with web_db.transaction() as session:
            data = PainDrawingCreate.model_validate(
                {"drawn_on": drawn_on, "overall_note": note,
                 "marks": [{"region_id": r, "intensity": i} for r, i in marks.items()]}
            )
            return create_drawing(db=session, actor=Actor(session.merge(user)), client_id=client_id, data=data).id

    return make
