"""An automated accessibility scan (axe-core) of every page, in a real Chromium.

The therapist (and the owner, for the owner-only pages) signs in through the real form; a client
with two pain drawings (every intensity from 0 to 10 among them, so every badge colour is checked)
is created through the services against the running server's database. Each page is loaded, its
scripts are given time to run (and, where it matters, the page is used: a region marked on the
chart, a live search, a form sent with mistakes), then axe-core checks it.

A failure is any axe result of impact "serious" or "critical": a violation, or a "needs review"
result (axe could not decide) that no justified entry explains (``AxeScan`` in conftest.py). Each is printed with its rule
id, impact, help and first few target selectors. Every page must also have exactly one h1, a
``lang`` attribute, a title, no duplicate ids, legible text where axe cannot judge it (the body
chart's SVG labels, the arrows of the compare page), and no console
errors (script errors or Content-Security-Policy violations).

axe is injected with ``page.evaluate`` (a DevTools call, not a page script), so the strict CSP
stays on while the scan runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

    from tests.e2e.conftest import AxeScan, Server, SignIn

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# What fails the axe scan, and the justified exceptions: AxeScan in conftest.py (one scan for every
# browser test).

# The pages, as (test id, persona, path template, preparation). Paths take the fields of `Data`.
PageSpec = tuple[str, str, str, str | None]
PAGES: list[PageSpec] = [
    ("sign-in", "anonymous", "/sign-in", None),
    ("sign-in-error", "anonymous", "/sign-in", "bad-sign-in"),
    ("dashboard", "therapist", "/", None),
    ("clients-list", "therapist", "/clients?q=Whitlock", None),
    ("clients-live-search", "therapist", "/clients", "live-search"),
    ("client-detail", "therapist", "/clients/{client}", None),
    ("client-new", "therapist", "/clients/new", None),
    ("client-new-errors", "therapist", "/clients/new", "client-errors"),
    ("client-edit", "therapist", "/clients/{client}/edit", None),
    ("pain-new-chart", "therapist", "/clients/{client}/pain-drawings/new", "chart"),
    ("pain-new-full-list", "therapist", "/clients/{client}/pain-drawings/new", "full-list"),
    ("pain-new-errors", "therapist", "/clients/{client}/pain-drawings/new", "pain-errors"),
    ("pain-view", "therapist", "/pain-drawings/{first}", None),
    ("pain-edit", "therapist", "/pain-drawings/{first}/edit", None),
    ("pain-compare", "therapist", "/pain-drawings/compare?a={first}&b={second}", None),
    ("referral", "therapist", "/pain-drawings/{second}/referral", None),
    ("referral-show-on-chart", "therapist", "/pain-drawings/{second}/referral", "show-on-chart"),
    ("referral-palpation-finding", "therapist", "/pain-drawings/{second}/referral", "palpation-finding"),
    ("atlas-list", "therapist", "/atlas", None),
    ("atlas-search", "therapist", "/atlas?q=headache", None),
    ("atlas-muscle", "therapist", "/atlas/muscles/sternocleidomastoid", None),
    ("atlas-muscle-side", "therapist", "/atlas/muscles/upper_trapezius?side=left", None),
    ("users", "owner", "/users", None),
    ("users-errors", "owner", "/users", "user-errors"),
    ("account", "therapist", "/account", None),
    ("two-factor-enrol", "therapist", "/account/two-factor", None),
    ("audit", "owner", "/audit", None),
    ("api-docs", "therapist", "/api/docs", None),
    ("sign-out", "therapist", "/sign-out", None),
    ("not-found", "therapist", "/clients/99999999", None),
    # Without scripts (app.js, htmx and bodychart.js answer empty): the plain, server-rendered page.
    ("no-script-pain-new", "noscript", "/clients/{client}/pain-drawings/new", "open-areas"),
    ("no-script-pain-view", "noscript", "/pain-drawings/{second}", None),
    ("no-script-clients", "noscript", "/clients?q=Whitlock", None),
]
# Posture pages (their own templates, looked after separately): scanned too.
POSTURE_PAGES: list[PageSpec] = [
    ("posture-list", "therapist", "/clients/{client}/posture-assessments", None),
    ("posture-new", "therapist", "/clients/{client}/posture-assessments/new", None),
    ("posture-view", "therapist", "/posture-assessments/{assessment}", None),
]
NOT_FOUND_PATHS = {"/clients/99999999"}


@dataclass
class Data:
    client: int
    first: int
    second: int
    assessment: int | None


@pytest.fixture(scope="module")
def data(myomap_server: Server) -> Data:
    """A client with two pain drawings (and a postural assessment without photos)."""
    from myomap.records.accounts.permissions import Actor
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.db import Database
    from myomap.records.pain.schemas import PainDrawingCreate
    from myomap.records.pain.service import create_drawing

    every_intensity = ["temple.left", "temple.right", "occiput.left", "top_of_shoulder.right", "sacrum", "chin",
                       "jaw.left", "posterior_neck.right", "anterior_thigh.left", "cheek.right", "forehead.left"]
    db = Database(myomap_server.database_url)
    try:
        with db.transaction() as session:
            actor = Actor(session.merge(myomap_server.people.therapist))
            client = create_client(
                db=session, actor=actor,
                data=ClientCreate(given_name="Imogen", family_name="Whitlock", phone="0412 555 010", email="imogen@example.test"),
            )
            today = date.today()
            first = create_drawing(db=session, actor=actor, client_id=client.id, data=PainDrawingCreate.model_validate({
                "drawn_on": today - timedelta(days=14), "overall_note": "Neck pain after a long drive.",
                "marks": [
                    {"region_id": rid, "intensity": i, "qualities": ["throbbing"] if i % 2 else [], "note": "Worse at night" if i == 4 else None}
                    for i, rid in enumerate(every_intensity)
                ],
            }))
            second = create_drawing(db=session, actor=actor, client_id=client.id, data=PainDrawingCreate.model_validate({
                "drawn_on": today, "marks": [
                    {"region_id": "temple.left", "intensity": 3, "qualities": ["aching"]},
                    {"region_id": "top_of_shoulder.right", "intensity": 6, "qualities": ["aching"]},
                    {"region_id": "sacrum", "intensity": 5, "qualities": ["burning"]},
                ],
            }))
            assessment_id: int | None = None
            try:
                from myomap.records.posture.schemas import PostureAssessmentCreate
                from myomap.records.posture.service import create_assessment

                assessment_id = create_assessment(
                    db=session, actor=actor, client_id=client.id,
                    data=PostureAssessmentCreate(assessed_on=today, height_cm=172, note="Standing, relaxed."),
                ).id
            except ImportError:
                pass
            return Data(client=client.id, first=first.id, second=second.id, assessment=assessment_id)
    finally:
        db.dispose()


# ---- browser sessions, one per persona ----------------------------------------------------------


@dataclass
class Session:
    page: Page
    errors: list[str]


Sessions = Callable[[str], Session]


def _no_scripts(route: Route) -> None:
    route.fulfill(status=200, content_type="text/javascript", body="")


@pytest.fixture(scope="module")
def sessions(browser: Browser, myomap_server: Server, sign_in: SignIn) -> Iterator[Sessions]:
    """``sessions(persona)``: a browser page signed in as that persona ("anonymous": signed out;
    "noscript": the therapist, with every script of the app answering empty). Made once, shared by
    the module's scans; its console errors are cleared on each call."""
    made: dict[str, Session] = {}

    def get(persona: str) -> Session:
        if persona not in made:
            context = browser.new_context(viewport={"width": 1024, "height": 900})
            context.set_default_timeout(15_000)
            if persona == "noscript":
                context.route(re.compile(r"/static/.*\.js$"), _no_scripts)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            user = {"anonymous": None, "noscript": "therapist"}.get(persona, persona)
            if user:
                sign_in(page, myomap_server, getattr(myomap_server.people, user).email)
            made[persona] = Session(page, errors)
        made[persona].errors.clear()
        return made[persona]

    yield get
    for s in made.values():
        s.page.context.close()


# ---- checks -------------------------------------------------------------------------------------


DUPLICATE_IDS = """() => {
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}"""

# WCAG contrast of every visible element matching the selector against its nearest painted
# background (SVG text: its fill; anything else: its colour).
TEXT_CONTRAST = """(selector) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const t of document.querySelectorAll(selector)) {
    const style = getComputedStyle(t);
    if (style.display === "none" || style.visibility === "hidden" || !t.getClientRects().length) continue;
    const a = lum(rgb(t instanceof SVGElement ? style.fill : style.color)), b = lum(background(t));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.push([t.textContent, Math.round(ratio * 100) / 100]);
  }
  return out;
}"""


def _console_errors(session: Session, expected_status: int = 200) -> list[str]:
    """Console errors, less Chromium's own note about a page that was meant to answer 4xx."""
    expected = f"Failed to load resource: the server responded with a status of {expected_status} "
    return [e for e in session.errors if not (expected_status >= 400 and e.startswith(expected))]


def _prepare(page: Page, how: str | None, server: Server) -> int:
    """Use the page as a person would before the scan; returns the status the page should have."""
    from playwright.sync_api import expect

    if how == "bad-sign-in":
        page.get_by_label("Email").fill("nobody@example.test")
        page.get_by_label("Password").fill("not the password")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_be_visible()
        return 200  # the form again with its errors: no failed resource in the console
    if how == "live-search":
        with page.expect_response(lambda r: "q=whit" in r.url and r.request.headers.get("hx-request") == "true"):
            page.get_by_label("Search clients").press_sequentially("whit")
        expect(page.locator("#client-results")).to_contain_text("Whitlock, Imogen")
        expect(page.locator("#client-results")).not_to_have_attribute("aria-busy", "true")
    if how == "client-errors":
        page.get_by_label("Email").fill("not an email")
        with page.expect_navigation():
            page.get_by_role("button", name="Create client").click()
        expect(page.locator(".error-summary")).to_be_visible()
        return 200  # the form again with its errors: no failed resource in the console
    if how in ("chart", "full-list"):
        # The chart enhances the form once its script has loaded; mark one region on it.
        expect(page.locator("html")).to_have_class(re.compile(r"\bchart-mode\b"))
        page.locator('figure.bodychart .region[data-region="sacrum"]').click()
        page.locator('input[data-region-input="sacrum"]').fill("5")
    if how == "full-list":
        page.get_by_role("button", name="Show the full region list").click()
        expect(page.locator("html")).not_to_have_class(re.compile(r"\bchart-mode\b"))
    if how in ("full-list", "open-areas"):
        closed = page.locator("details.area:not([open]) > summary")
        while closed.count():
            closed.first.click()
    if how == "pain-errors":
        expect(page.locator("html")).to_have_class(re.compile(r"\bchart-mode\b"))
        page.locator('figure.bodychart .region[data-region="sacrum"]').click()
        page.locator('input[data-region-input="sacrum"]').fill("12")
        page.locator("#pain-form").evaluate("form => { form.noValidate = true; }")
        with page.expect_navigation():
            page.get_by_role("button", name="Save pain drawing").click()
        expect(page.locator(".error-summary")).to_be_visible()
        return 200  # the form again with its errors: no failed resource in the console
    if how == "show-on-chart":
        with page.expect_response(lambda r: "show=" in r.url and r.request.headers.get("hx-request") == "true"):
            page.locator(".candidate").nth(1).get_by_role("link", name=re.compile("^Show on chart")).click()
        second = page.locator(".candidate").nth(1).locator(".candidate-name").inner_text()
        expect(page.locator("#overlay-status")).to_contain_text(second)
        expect(page.locator("#referral-chart figure.bodychart")).to_have_count(1)
        expect(page.locator("#referral-chart")).not_to_have_attribute("aria-busy", "true")
    if how == "palpation-finding":
        # Mark the top candidate "to palpate" and save a finding with its htmx form.
        with page.expect_response(lambda r: r.url.endswith("/palpate") and r.request.headers.get("hx-request") == "true"):
            page.locator(".candidate").first.get_by_role("button", name=re.compile("^To palpate")).click()
        entry = page.locator(".palpate-item").first
        entry.get_by_role("group", name=re.compile("^Tender")).get_by_label("yes").check()
        with page.expect_response(lambda r: "/referral?saved=" in r.url):
            entry.get_by_role("button", name=re.compile("^Save finding")).click()
        expect(page.locator("#palpate-list .notice")).to_be_visible()
        expect(page.locator("#referral-body")).not_to_have_attribute("aria-busy", "true")
    if how == "user-errors":
        page.locator("#f-name").fill("New Person")
        page.locator("#f-email").fill("not an email")
        page.locator("#f-password").fill("short")
        with page.expect_navigation():
            page.get_by_role("button", name="Add user").click()
        expect(page.locator(".error-summary")).to_be_visible()
        return 200  # the form again with its errors: no failed resource in the console
    return 200


def _check_page(axe_scan: AxeScan, session: Session, server: Server, path: str, how: str | None) -> None:
    page = session.page
    expected_status = 404 if path in NOT_FOUND_PATHS else 200
    response = page.goto(server.url + path)
    assert response is not None and response.status == expected_status, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    expected_status = max(expected_status, _prepare(page, how, server))

    problems: list[str] = []
    h1s = page.locator("h1").count()
    if h1s != 1:
        problems.append(f"{h1s} h1 elements (want exactly one)")
    if not (page.locator("html").get_attribute("lang") or "").strip():
        problems.append("no lang attribute on <html>")
    if not page.title().strip():
        problems.append("no <title>")
    if duplicates := page.evaluate(DUPLICATE_IDS):
        problems.append(f"duplicate ids: {duplicates}")
    if faint := [(text, ratio) for text, ratio in page.evaluate(TEXT_CONTRAST, axe_scan.measured) if ratio < 4.5]:
        problems.append(f"text under 4.5:1 contrast ({axe_scan.measured}): {faint}")
    if found := axe_scan.problems(page):
        problems.append("axe (serious or critical):\n" + found)
    if errors := _console_errors(session, expected_status):
        problems.append(f"console errors: {errors}")
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


# ---- the scans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "path", "how"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_the_page_passes_axe(myomap_server: Server, sessions: Sessions, axe_scan: AxeScan, data: Data, persona: str, path: str, how: str | None) -> None:
    _check_page(axe_scan, sessions(persona), myomap_server, path.format(**vars(data)), how)


@pytest.mark.parametrize(("persona", "path", "how"), [p[1:] for p in POSTURE_PAGES], ids=[p[0] for p in POSTURE_PAGES])
def test_the_posture_page_passes_axe(myomap_server: Server, sessions: Sessions, axe_scan: AxeScan, data: Data, persona: str, path: str, how: str | None) -> None:
    if "{assessment}" in path and data.assessment is None:
        pytest.skip("no postural assessment could be created")
    _check_page(axe_scan, sessions(persona), myomap_server, path.format(**vars(data)), how)


def test_the_allow_lists_are_justified(axe_scan: AxeScan) -> None:
    """Every exception carries its reason, and "needs review" exceptions are scoped to a selector."""
    assert all(reason.strip() for reason in axe_scan.allowed_violations.values())
    assert all(rule and scope.strip() and reason.strip() for rule, scope, reason in axe_scan.allowed_needs_review)


def test_the_scan_would_catch_a_real_problem(myomap_server: Server, sessions: Sessions, axe_scan: AxeScan) -> None:
    """The checks are live: an image without alt text and a duplicate id are reported."""
    page = sessions("anonymous").page
    page.goto(myomap_server.url + "/sign-in")
    page.evaluate("""() => document.querySelector("main").insertAdjacentHTML("beforeend",
        '<img src="/static/favicon.svg"><span id="email">again</span>')""")
    assert "image-alt" in {v["id"] for v in axe_scan.results(page)}
    assert page.evaluate(DUPLICATE_IDS) == ["email"]


def test_keyboard_users_can_skip_the_chart(myomap_server: Server, sessions: Sessions, data: Data) -> None:
    """The pain form's chart has a tab stop per region; a skip link jumps past all of them."""
    from playwright.sync_api import expect

    page = sessions("therapist").page
    page.goto(f"{myomap_server.url}/clients/{data.client}/pain-drawings/new")
    expect(page.locator("html")).to_have_class(re.compile(r"\bchart-mode\b"))
    page.locator("figure.bodychart [data-zoom-bar] button:not([disabled])").first.focus()
    page.keyboard.press("Shift+Tab")  # the link comes right before the chart (its zoom bar, then its regions)
    skip = page.get_by_role("link", name="Skip the chart, go to the region list")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show the full region list")).to_be_focused()
