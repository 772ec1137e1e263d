"""Browser-test fixtures: the real ``myomap serve`` on a free port, and Debian's Chromium.

- ``myomap_server``: a running server (subprocess) over a temporary data dir, seeded with the
  personas of ``tests/conftest.py`` (password ``PASSWORD``); ``.url``, ``.people``, ``.database_url``.
- ``browser``: Chromium through Playwright's sync API, one per test module (skipped clearly when
  /usr/bin/chromium or Playwright is missing).
- ``page``: a fresh browser context and page per test (no shared cookies); console errors,
  including Content-Security-Policy violations, are collected in ``console_errors``; ``new_page``
  makes another such page (at another viewport, say).
- ``add_client``, ``add_drawing``: records made straight in the server's database, for a test to open.
- ``axe_scan``: the one axe-core scan of the browser tests (:class:`AxeScan`): serious and critical
  results fail, less the justified exceptions listed on the class.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import pytest

from tests.conftest import PASSWORD
from tests.served import server_env, serving

if TYPE_CHECKING:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser, Page, ViewportSize
    from sqlalchemy.orm import Session

    from myomap.records.accounts.models import User
    from tests.conftest import World

#: The two screens the tablet issue (#9) measures every page on: a tablet held upright and a laptop.
VIEWPORTS: dict[str, ViewportSize] = {"tablet": {"width": 820, "height": 1180}, "laptop": {"width": 1280, "height": 900}}

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class Server:
    url: str
    database_url: str
    data_dir: Path
    people: World
    log: Path


@pytest.fixture(scope="session")
def myomap_server(tmp_path_factory: pytest.TempPathFactory, world_builder: Callable[[Session], World]) -> Iterator[Server]:
    from myomap.records.db import Database
    from myomap.records.migrate import upgrade

    data_dir = tmp_path_factory.mktemp("myomap-server")
    database_url = f"sqlite:///{data_dir / 'myomap.db'}"
    db = Database(database_url)
    upgrade(db)
    with db.sessions() as session:
        people = world_builder(session)
    db.dispose()

    log = data_dir / "server.log"
    with serving(server_env(data_dir, database_url), log) as running:
        yield Server(url=running.url, database_url=database_url, data_dir=data_dir, people=people, log=log)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API allows one running instance per thread, and other test
    # modules here may start their own.
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`) to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright (Python) is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """The console errors of this test's ``page`` (CSP violations and script errors included)."""
    return []


def new_page(browser: Browser, errors: list[str], viewport: ViewportSize | None = None) -> Page:
    """A page in a fresh context (no shared cookies) whose console errors, CSP violations included,
    go to ``errors``; close it with ``page.context.close()``."""
    context = browser.new_context(viewport=viewport or {"width": 1024, "height": 900})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    return pg


@pytest.fixture
def page(browser: Browser, console_errors: list[str]) -> Iterator[Page]:
    pg = new_page(browser, console_errors)
    yield pg
    pg.context.close()


def sign_in(page: Page, server: Server, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and wait for the dashboard."""
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


class SignIn(Protocol):
    """The ``sign_in`` fixture's signature."""

    def __call__(self, page: Page, server: Server, email: str, password: str = PASSWORD) -> None: ...


@pytest.fixture(name="sign_in", scope="session")
def sign_in_fixture() -> SignIn:
    """``sign_in(page, server, email, password=PASSWORD)`` (test modules cannot import conftest)."""
    return sign_in


@pytest.fixture
def signed_in_page(page: Page, myomap_server: Server) -> Callable[[User], Page]:
    """``signed_in_page(user)``: the page, signed in as that persona."""

    def make(user: User) -> Page:
        sign_in(page, myomap_server, user.email)
        return page

    return make


# ---- records made straight in the server's database ----------------------------------------------


def add_client(server: Server, given_name: str, family_name: str) -> int:
    """A new client of the therapist, made through the records service."""
    from myomap.records.accounts.permissions import Actor
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.db import Database

    db = Database(server.database_url)
    try:
        with db.transaction() as session:
            actor = Actor(session.merge(server.people.therapist))
            return create_client(db=session, actor=actor, data=ClientCreate(given_name=given_name, family_name=family_name)).id
    finally:
        db.dispose()


def add_drawing(server: Server, client_id: int, pain: Mapping[str, int]) -> int:
    """A pain drawing of today for the client, by the therapist: ``pain`` maps region id to intensity."""
    from datetime import date

    from myomap.records.accounts.permissions import Actor
    from myomap.records.db import Database
    from myomap.records.pain.schemas import PainDrawingCreate
    from myomap.records.pain.service import create_drawing

    data = PainDrawingCreate.model_validate(
        {"drawn_on": date.today(), "marks": [{"region_id": r, "intensity": i} for r, i in pain.items()]})
    db = Database(server.database_url)
    try:
        with db.transaction() as session:
            actor = Actor(session.merge(server.people.therapist))
            return create_drawing(db=session, actor=actor, client_id=client_id, data=data).id
    finally:
        db.dispose()


# ---- accessibility ------------------------------------------------------------------------------


class AxeScan:
    """axe-core run in a page. A failure is a result of impact "serious" or "critical": a violation,
    or a "needs review" result (axe could not decide) that no justified entry below explains.

    axe is injected with ``page.evaluate`` (a DevTools call, not a page script), so the strict CSP
    stays on while the scan runs.
    """

    failing_impacts: ClassVar[frozenset[str]] = frozenset({"serious", "critical"})
    # Violations switched off: none. (Add a rule id here only with the reason it is a false positive,
    # never to hide a real problem.)
    allowed_violations: ClassVar[dict[str, str]] = {}
    # "Needs review" results that are explained, as (rule id, CSS scope of the nodes, reason). Each
    # scope is also in ``measured``: the accessibility test measures those texts' contrast itself (>= 4.5:1).
    allowed_needs_review: ClassVar[list[tuple[str, str, str]]] = [
        (
            "color-contrast",
            "figure.bodychart svg text",
            # axe cannot work out the background behind SVG <text>. The chart's labels are dark on the
            # chart's own light background (13.9:1 for the view titles, 6.4:1 for the side labels,
            # 9.8:1 for the rest), and every one is measured on every page.
            "axe cannot compute the background of SVG text; measured by the test instead",
        ),
        (
            "color-contrast",
            "td.change > span[aria-hidden='true']",
            # The ↑/↓ arrow next to a change on the compare pages: axe does not judge a glyph that is
            # "only non-text characters". It has the colour of the number beside it, which axe checks
            # (about 6:1 on white), and it is measured too.
            "axe does not rate the contrast of a lone arrow glyph; measured by the test instead",
        ),
        (
            "color-contrast",
            ".lm-point .lm-label",
            # The landmark editor's point names lie on the client's photo: white text with a black halo
            # (SVG paint-order stroke), the photo on the editor's near-black background (about 18:1).
            "axe cannot compute the background of SVG text over a photo; measured by the test instead",
        ),
    ]
    measured: ClassVar[str] = ", ".join(scope for rule, scope, _ in allowed_needs_review if rule == "color-contrast")

    def __init__(self, axe: Axe) -> None:
        self.axe = axe

    def results(self, page: Page) -> list[dict[str, Any]]:
        """The failing results on the page as it is now (empty when it passes)."""
        options: dict[str, Any] = {"resultTypes": ["violations", "incomplete"]}
        if self.allowed_violations:
            options["rules"] = {rule: {"enabled": False} for rule in self.allowed_violations}
        response = self.axe.run(page, options=options).response
        found = [v for v in response["violations"] if v.get("impact") in self.failing_impacts]
        for result in response["incomplete"]:
            if result.get("impact") not in self.failing_impacts:
                continue
            scopes = [scope for rule, scope, _ in self.allowed_needs_review if rule == result["id"]]
            nodes = [n for n in result["nodes"] if not any(_in_scope(page, n, s) for s in scopes)]
            if nodes:
                found.append({**result, "id": result["id"] + " (needs review)", "nodes": nodes})
        return found

    def problems(self, page: Page) -> str:
        """The failing results, one line each with the rule, impact, help and first targets ('' when none)."""
        return _describe_axe(self.results(page))


def _in_scope(page: Page, node: dict[str, Any], scope: str) -> bool:
    target = node.get("target") or []
    if len(target) != 1 or not isinstance(target[0], str):
        return False  # inside a shadow root or a frame: not ours to explain
    return bool(page.evaluate("([sel, scope]) => { const el = document.querySelector(sel); return !!(el && el.closest(scope)); }",
                              [target[0], scope]))


def _describe_axe(results: list[dict[str, Any]]) -> str:
    lines = []
    for v in results:
        targets = [" ".join(map(str, node.get("target", []))) for node in v["nodes"][:4]]
        more = f" (+{len(v['nodes']) - 4} more)" if len(v["nodes"]) > 4 else ""
        node = v["nodes"][0] if v["nodes"] else {}
        why = "; ".join(c.get("message", "") for c in (node.get("any") or []) + (node.get("all") or []) + (node.get("none") or []))
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {json.dumps(targets)}{more}" + (f"\n    ({why})" if why else ""))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe_scan() -> AxeScan:
    """The scan (skipped clearly when axe-playwright-python is missing)."""
    module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
    return AxeScan(module.Axe())
