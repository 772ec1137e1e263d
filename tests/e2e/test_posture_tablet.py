"""The posture pages on a tablet (820x1180) and a laptop (1280x900), measured (issue #9):

- the landmark editor keeps the metrics in view while a point is dragged (the table beside the photo
  on the laptop, a summary pinned under the photo on the tablet);
- every point has a visible label in a therapist's words, and a value is shown one way;
- the metrics table fits the page's width without cutting a column;
- the annotated image is the photo itself (no text panel beside it);
- axe finds nothing serious on either page at either size.

One assessment with a photo is made once for the module (the model runs once, in this process).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import VIEWPORTS, add_client
from tests.standing_photo import standing_front_photo

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Locator, Page, ViewportSize

    from tests.e2e.conftest import AxeScan, Server, SignIn

pytestmark = pytest.mark.browser

PHOTO = standing_front_photo()
WIDE_MIN = 1100  # posture.css: the editor is side by side from this width


@pytest.fixture(scope="module")
def assessment_id(myomap_server: Server) -> int:
    """A client's assessment with the standing front photo analysed (via the service, as the page does)."""
    if not PHOTO.exists():
        pytest.skip(f"fixture photo missing: {PHOTO}")
    from myomap.records.accounts.permissions import Actor
    from myomap.records.db import Database
    from myomap.records.posture.schemas import PostureAssessmentCreate
    from myomap.records.posture.service import create_assessment, upload_photo_releasing_lock

    cid = add_client(myomap_server, "Tab", "Lett")
    db = Database(myomap_server.database_url)
    try:
        with db.transaction() as session:
            actor = Actor(session.merge(myomap_server.people.therapist))
            aid = create_assessment(db=session, actor=actor, client_id=cid, data=PostureAssessmentCreate(assessed_on=date.today(), height_cm=168)).id
        with db.transaction() as session:
            actor = Actor(session.merge(myomap_server.people.therapist))
            upload_photo_releasing_lock(db=session, actor=actor, assessment_id=aid, view="anterior", data=PHOTO.read_bytes())
        return aid
    finally:
        db.dispose()


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, "the element is not rendered"
    return box


def _in_viewport(box: FloatRect, size: ViewportSize) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5 and box["y"] + box["height"] <= size["height"] + 0.5


def _open(page: Page, server: Server, sign_in: SignIn, size: ViewportSize, path: str) -> None:
    page.set_viewport_size(size)
    sign_in(page, server, server.people.therapist.email)
    page.goto(server.url + path)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_editor_keeps_the_metrics_in_view_while_a_point_is_dragged(
    device: str, page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn,
    assessment_id: int, axe_scan: AxeScan,
) -> None:
    from playwright.sync_api import expect

    size = VIEWPORTS[device]
    _open(page, myomap_server, sign_in, size, f"/posture-assessments/{assessment_id}/views/anterior/edit")
    editor = page.locator("#lm-editor")
    expect(editor).to_have_attribute("data-ready", "true")
    assert axe_scan.problems(page) == ""

    # Every point has a visible label in a therapist's words, inside the photo, near its point.
    labels = page.locator(".lm-point .lm-label")
    texts = [str(t) for t in labels.evaluate_all("els => els.map(e => e.textContent)")]
    assert len(texts) >= 21 and all(t and "_" not in t for t in texts), texts
    shoulder = page.locator('.lm-point[data-name="right_shoulder"]')
    label = shoulder.locator(".lm-label")
    expect(label).to_have_text("Right shoulder")
    photo, text, dot = _box(editor), _box(label), _box(shoulder.locator(".lm-dot"))
    assert text["height"] >= 10 and text["width"] >= 40, text  # legible, about 13 px
    assert photo["x"] <= text["x"] and text["x"] + text["width"] <= photo["x"] + photo["width"] + 1
    assert abs((text["y"] + text["height"] / 2) - (dot["y"] + dot["height"] / 2)) < 40  # beside its point

    # A value is shown one way: its size and the word for its sign, never a minus sign.
    values = page.locator('#metrics-editor [data-cell="value"]').all_inner_texts()
    assert values and not any(re.search(r"[-−]\s?\d", v) for v in values), values

    wide = size["width"] >= WIDE_MIN
    row = page.locator('#metrics-editor tr[data-metric="shoulder_height_difference"]')
    summary = page.locator("[data-summary]")
    summary_item = summary.locator('[data-summary-metric="shoulder_height_difference"]')
    if wide:  # side by side: the table's column starts right of the photo
        assert _box(page.locator(".lm-metrics"))["x"] >= photo["x"] + photo["width"]
        expect(summary).to_be_hidden()
        watched = row.locator('[data-cell="value"]')
    else:  # one column: the summary under the photo
        expect(summary).to_be_visible()
        assert _box(summary)["width"] >= 0.9 * photo["width"]
        watched = summary_item
    before = watched.inner_text()

    # Drag the right shoulder up with the mouse; while the button is down the metrics are in view.
    dot = _box(shoulder.locator(".lm-dot"))
    cx, cy = dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx, cy - 25, steps=4)
    page.mouse.move(cx, cy - 50, steps=4)
    during = _box(watched)
    assert _in_viewport(during, size), (device, during)
    assert _in_viewport(_box(shoulder.locator(".lm-dot")), size)
    with page.expect_response(lambda r: r.url.endswith("/api/posture/recompute")) as info:
        page.mouse.up()
    assert info.value.status == 200
    expect(watched).not_to_have_text(before)
    assert _in_viewport(_box(watched), size)
    after = watched.inner_text()
    if not wide:
        assert after.startswith("Shoulders ")  # the same words as on the annotated image
    # The label follows its point.
    moved_text, moved_dot = _box(label), _box(shoulder.locator(".lm-dot"))
    assert abs((moved_text["y"] + moved_text["height"] / 2) - (moved_dot["y"] + moved_dot["height"] / 2)) < 40
    assert axe_scan.problems(page) == ""
    assert console_errors == []


def _cut_cells(page: Page, table_id: str) -> dict[str, Any]:
    return dict(page.evaluate(
        """(id) => {
          const table = document.getElementById(id);
          const wrap = table.closest('.table-wrap');
          const right = wrap.getBoundingClientRect().right + 0.5;
          const cut = [...table.querySelectorAll('tbody th, tbody td')].filter((c) => {
            const r = c.getBoundingClientRect();
            return r.width > 0 && (r.right > right || c.scrollWidth > c.clientWidth + 1);
          }).map((c) => c.textContent.trim().slice(0, 40));
          return {scroll: wrap.scrollWidth, client: wrap.clientWidth, page: document.documentElement.scrollWidth,
                  viewport: window.innerWidth, cut};
        }""",
        table_id,
    ))


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_metrics_table_fits_the_width_and_the_image_has_no_text_panel(
    device: str, page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn,
    assessment_id: int, axe_scan: AxeScan,
) -> None:
    from playwright.sync_api import expect

    size = VIEWPORTS[device]
    _open(page, myomap_server, sign_in, size, f"/posture-assessments/{assessment_id}")
    table = page.locator("#metrics-anterior")
    expect(table).to_contain_text("Shoulder height difference")
    fit = _cut_cells(page, "metrics-anterior")
    assert fit["scroll"] <= fit["client"], fit  # no sideways scrolling inside the table
    assert fit["page"] <= fit["viewport"], fit  # nor of the page
    assert fit["cut"] == [], fit
    # Every column's content is shown: the range, the tier and how it was found, for the shoulder row.
    row = table.locator('tr[data-metric="shoulder_height_difference"]')
    for cell in ("value", "status", "threshold", "source", "reason"):
        assert _box(row.locator(f'[data-cell="{cell}"]'))["width"] > 0, cell
    # The annotated image is the photo with marks: as wide as the photo, no legend panel beside it.
    image = page.locator('#view-anterior img[src$="annotated.jpg"]')
    expect(image).to_be_visible()
    natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    from PIL import Image

    with Image.open(PHOTO) as photo:
        assert natural == [photo.width, photo.height]
    key = page.locator("#view-anterior .annotation-key")  # the key to the marks is words in the page
    expect(key).to_contain_text("reference line, not a norm")
    assert _box(key)["width"] <= size["width"]
    assert axe_scan.problems(page) == ""
    assert console_errors == []
