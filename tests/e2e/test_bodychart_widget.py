"""bodychart.js in a real Chromium: clicking, typing and keyboard use on a generated page.

The page is served from a temporary directory by a tiny HTTP server on 127.0.0.1 (module scripts
do not load from file://) under the app's Content-Security-Policy, with the chart's CSS and JS as
files, and a few intensity inputs that follow the pain-drawing form's contract.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from myomap.atlas.bodychart import heat_colour, render_chart

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FloatRect, Locator, Page

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "src" / "myomap" / "web" / "static"
CSP = "default-src 'self'; style-src 'self'"


def row(region: str, value: str = "", hidden: bool = True) -> str:
    return (
        f'<tr data-region-row="{region}"{" hidden" if hidden else ""}><th>{region}</th>'
        f'<td><input type="number" min="0" max="10" step="1" name="pain-{region}" '
        f'data-region-input="{region}" value="{value}"></td></tr>'
    )


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>body chart widget</title>
<link rel="stylesheet" href="bodychart.css">
<script type="module" src="bodychart.js"></script>
</head><body>
<form id="pain" action="#" method="post">
{chart}
<table>{rows}</table>
</form>
<div id="later"></div>
</body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("bodychart-site")
    rows = "".join(
        [
            row("anterior_thigh.left"),
            row("umbilical"),
            row("posterior_thigh.right", value="3", hidden=False),
            row("temple.right", value="0"),
        ]
    )
    (root / "index.html").write_text(
        PAGE.format(csp=CSP, chart=render_chart(interactive=True, dom_id="painchart"), rows=rows), encoding="utf-8"
    )
    for name in ("bodychart.js", "bodychart.css"):
        shutil.copyfile(STATIC / name, root / name)
    (root / "favicon.ico").write_bytes(b"")  # keeps the console free of 404s

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=os.fspath(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    """The generated page, bound by the script; fails the test on any script error or CSP violation."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type in ("error", "warning") else None)
    pg.goto(site)
    pg.wait_for_function("document.querySelector('#painchart').dataset.bodychartBound === '1'")
    yield pg
    context.close()
    assert not problems, problems  # no script errors, no CSP violations


def region(pg: Page, rid: str, chart: str = "#painchart") -> Locator:
    return pg.locator(f'{chart} [data-region="{rid}"]')


def input_for(pg: Page, rid: str) -> Locator:
    return pg.locator(f'input[data-region-input="{rid}"]')


def choose(pg: Page, value: str, chart: str = "#painchart") -> None:
    """Press an intensity in the chart's open panel."""
    pg.locator(f"{chart} .bodychart-panel").get_by_role("button", name=value, exact=True).click()


def test_click_reveals_the_row_and_opens_the_panel_and_a_choice_paints(page: Page) -> None:
    assert region(page, "anterior_thigh.left").get_attribute("aria-pressed") == "false"
    assert page.locator('[data-region-row="anterior_thigh.left"]').is_hidden()
    region(page, "anterior_thigh.left").click()
    field = input_for(page, "anterior_thigh.left")
    assert field.input_value() == ""  # the click itself sets nothing
    assert page.locator('[data-region-row="anterior_thigh.left"]').is_visible()
    assert page.locator("#painchart .bodychart-panel").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('intensity-choice')")
    choose(page, "5")
    assert field.input_value() == "5"
    el = region(page, "anterior_thigh.left")
    assert el.get_attribute("fill") == heat_colour(5)
    assert el.get_attribute("aria-pressed") == "true"
    assert "heat" in (el.get_attribute("class") or "").split()
    assert el.locator("title").text_content() == "Front of thigh, left: 5/10"
    # the stylesheet must not override the heat colour (waits for the short fill transition)
    r, g, b = (int(heat_colour(5)[i : i + 2], 16) for i in (1, 3, 5))
    page.wait_for_function(
        "([sel, want]) => getComputedStyle(document.querySelector(sel)).fill === want",
        arg=['#painchart [data-region="anterior_thigh.left"]', f"rgb({r}, {g}, {b})"],
        timeout=3000,
    )


def test_typing_repaints(page: Page) -> None:
    region(page, "umbilical").click()  # reveals the row
    field = input_for(page, "umbilical")
    field.fill("7")
    assert region(page, "umbilical").get_attribute("fill") == heat_colour(7)
    field.fill("9")
    assert region(page, "umbilical").get_attribute("fill") == heat_colour(9)
    assert region(page, "umbilical").get_attribute("aria-label") == "Around the navel: 9/10"
    field.fill("0")
    assert region(page, "umbilical").get_attribute("fill") is None
    assert region(page, "umbilical").get_attribute("aria-pressed") == "false"
    field.fill("")
    assert region(page, "umbilical").get_attribute("fill") is None


def test_existing_values_are_painted_on_load_and_never_discarded_by_a_click(page: Page) -> None:
    el = region(page, "posterior_thigh.right")
    assert el.get_attribute("fill") == heat_colour(3)
    assert el.get_attribute("aria-pressed") == "true"
    el.click()
    assert input_for(page, "posterior_thigh.right").input_value() == "3"
    assert el.get_attribute("fill") == heat_colour(3)
    # a stored 0 is kept too: the panel opens on it
    assert region(page, "temple.right").get_attribute("fill") is None
    region(page, "temple.right").click()
    assert input_for(page, "temple.right").input_value() == "0"
    assert page.locator("#painchart .bodychart-panel button[aria-pressed=true]").text_content() == "0"


def test_keyboard_users_can_tab_to_regions_and_press_enter_or_space(page: Page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.zoom") == "in"  # the zoom bar first ("out" is disabled)
    page.locator('#painchart [data-inset="feet"]').focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('region')")
    region(page, "umbilical").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.textContent") == "0"  # the panel, on its first choice
    for _ in range(7):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert input_for(page, "umbilical").input_value() == "7"
    assert region(page, "umbilical").get_attribute("fill") == heat_colour(7)
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.region") == "umbilical"
    region(page, "anterior_thigh.left").focus()
    page.keyboard.press(" ")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert input_for(page, "anterior_thigh.left").input_value() == "1"
    assert region(page, "anterior_thigh.left").get_attribute("fill") == heat_colour(1)


def test_focus_is_visible(page: Page) -> None:
    el = region(page, "umbilical")
    before = el.evaluate("el => getComputedStyle(el).strokeWidth")
    el.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    after = page.evaluate("getComputedStyle(document.activeElement).strokeWidth")
    assert float(after.rstrip("px")) > float(before.rstrip("px"))


def test_charts_swapped_in_by_htmx_are_enhanced_once(page: Page) -> None:
    page.evaluate(
        """() => {
          const html = document.querySelector('#painchart').outerHTML
            .replace('id="painchart"', 'id="later-chart"')
            .replace(/ data-bodychart-bound="1"/, '');
          const later = document.querySelector('#later');
          later.innerHTML = html;
          window.regionEvents = 0;
          document.addEventListener('bodychart:region', () => { window.regionEvents += 1; });
          for (let i = 0; i < 2; i += 1) {
            document.dispatchEvent(new CustomEvent('htmx:load', { detail: { elt: later } }));
          }
        }"""
    )
    # the new chart picks up values already in the form
    assert region(page, "posterior_thigh.right", "#later-chart").get_attribute("fill") == heat_colour(3)
    # a region without an input only announces itself, once (no double binding)
    region(page, "sacrum", "#later-chart").click()
    assert page.evaluate("window.regionEvents") == 1
    # a region with an input works from the new chart too, and every chart is repainted
    region(page, "anterior_thigh.left", "#later-chart").click()
    choose(page, "5", "#later-chart")
    assert input_for(page, "anterior_thigh.left").input_value() == "5"
    assert region(page, "anterior_thigh.left", "#later-chart").get_attribute("fill") == heat_colour(5)
    assert region(page, "anterior_thigh.left").get_attribute("fill") == heat_colour(5)


def test_javascript_heat_scale_matches_python(page: Page) -> None:
    values = [i / 4 for i in range(41)] + [-1, 11, 6.3, 2.71]
    js = page.evaluate(
        "async (values) => { const m = await import('./bodychart.js'); return values.map((v) => m.heatColour(v)); }",
        values,
    )
    assert js == [heat_colour(v) for v in values]


def test_views_sit_side_by_side_and_stack_on_narrow_screens(page: Page) -> None:
    def boxes() -> tuple[FloatRect, FloatRect]:
        front, back = (page.locator(f"#painchart svg[data-view={v}]").bounding_box() for v in ("anterior", "posterior"))
        assert front is not None and back is not None, "a view of the chart is not shown"
        return front, back

    front, back = boxes()
    assert back["x"] > front["x"] + front["width"] - 1 and abs(back["y"] - front["y"]) < 1
    assert front["width"] > 300
    page.set_viewport_size({"width": 420, "height": 800})
    front, back = boxes()
    assert back["y"] >= front["y"] + front["height"] - 1
