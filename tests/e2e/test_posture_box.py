"""The posture pages in a real browser: a photo of two people is refused with a pointer to the
"Several people in the photo?" step, then uploaded again with a rectangle dragged around the client
on the preview; and an axe-core scan of every posture page (list, new, an assessment without and
with photos, an upload error, the landmark editor, compare) with the shared scan (``AxeScan`` in
conftest.py: serious or critical results fail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.standing_photo import standing_front_photo

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.e2e.conftest import AxeScan, Server, SignIn

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
PHOTO = standing_front_photo()  # a client standing; the Warrior II photo is (rightly) refused


def _number(element: Locator, attribute: str) -> float:
    """A numeric attribute the page must have set (fails the test, not float(), when it is missing)."""
    value = element.get_attribute(attribute)
    assert value is not None, f"no {attribute} on the element"
    return float(value)


@pytest.fixture(scope="module")
def two_people(tmp_path_factory: pytest.TempPathFactory, two_people_jpeg: tuple[bytes, int, int]) -> tuple[Path, int, int]:
    """The two-person photo (tests/conftest.py) as a file to upload."""
    data, width, height = two_people_jpeg
    path = tmp_path_factory.mktemp("photos") / "two_people.jpg"
    path.write_bytes(data)
    return path, width, height


@dataclass
class Data:
    client: int
    empty: int  # an assessment without photos
    boxed: int  # without photos, for the two-people upload
    before: int  # with a front photo
    after: int  # with a front photo, later


@pytest.fixture(scope="module")
def data(myomap_server: Server) -> Data:
    """A client with four assessments; the last two have the fixture photo as their front view (one model run)."""
    from myomap.records.accounts.permissions import Actor
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.db import Database
    from myomap.records.posture.photos import prepare_photo
    from myomap.records.posture.schemas import PostureAssessmentCreate
    from myomap.records.posture.service import create_assessment, save_photo

    if not PHOTO.exists():
        pytest.skip(f"fixture photo missing: {PHOTO}")
    analysis = prepare_photo(PHOTO.read_bytes(), view="anterior", height_cm=172)
    db = Database(myomap_server.database_url)
    try:
        with db.transaction() as session:
            actor = Actor(session.merge(myomap_server.people.therapist))
            client = create_client(db=session, actor=actor, data=ClientCreate(given_name="Axel", family_name="Boxer"))
            today = date.today()
            ids = []
            for days in (0, 0, 28, 0):
                ids.append(create_assessment(
                    db=session, actor=actor, client_id=client.id,
                    data=PostureAssessmentCreate(assessed_on=today - timedelta(days=days), height_cm=172, note="Relaxed stance."),
                ).id)
            for aid in ids[2:]:
                save_photo(db=session, actor=actor, assessment_id=aid, view="anterior", analysis=analysis)
            return Data(client=client.id, empty=ids[0], boxed=ids[1], before=ids[2], after=ids[3])
    finally:
        db.dispose()


def test_a_photo_of_two_people_is_uploaded_with_a_box_dragged_around_the_client(
    page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn, data: Data,
    two_people: tuple[Path, int, int], axe_scan: AxeScan,
) -> None:
    from playwright.sync_api import expect

    path, width, height = two_people
    half = width // 2
    server = myomap_server
    sign_in(page, server, server.people.therapist.email)
    page.goto(f"{server.url}/posture-assessments/{data.boxed}")
    front = page.locator("#view-anterior")
    preview = front.locator("[data-box-preview]")
    expect(preview).to_be_hidden()

    # Without a box: refused, and the message points to the box step, which is open.
    front.locator('input[type="file"]').set_input_files(str(path))
    expect(preview).to_be_visible()
    with page.expect_navigation(timeout=60_000):
        front.get_by_role("button", name="Upload and analyse").click()
    error = page.locator("#upload-error-anterior")
    expect(error).to_contain_text("2 people found in the photo")
    expect(error).to_contain_text("Several people in the photo?")
    expect(front.locator("details.box-step")).to_have_attribute("open", "")
    problems = axe_scan.problems(page)
    assert not problems, "assessment page with an upload error:\n" + problems

    # Choose the photo again: its preview appears, and a rectangle is dragged around the right-hand person.
    front.locator('input[type="file"]').set_input_files(str(path))
    image = front.locator("[data-box-image]")
    overlay = front.locator("[data-box-overlay]")
    expect(image).to_have_js_property("naturalWidth", width)
    expect(overlay).to_have_attribute("viewBox", f"0 0 {width} {height}")
    overlay.scroll_into_view_if_needed()
    img_box, svg_box = image.bounding_box(), overlay.bounding_box()
    assert img_box and svg_box
    for key in ("x", "y", "width", "height"):  # the drawing layer lies exactly on the photo
        assert abs(img_box[key] - svg_box[key]) < 1.0, (key, img_box, svg_box)
    scale = svg_box["width"] / width
    assert scale < 1  # the preview is scaled down: the box must come back in photo pixels
    start = (svg_box["x"] + (half + 12) * scale, svg_box["y"] + 4 * scale)
    end = (svg_box["x"] + svg_box["width"] + 30, svg_box["y"] + svg_box["height"] + 30)  # past the corner: clamped
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 40, start[1] + 60, steps=3)
    page.mouse.move(*end, steps=5)
    page.mouse.up()
    values = [int(front.locator(f'input[name="{n}"]').input_value()) for n in ("box_x", "box_y", "box_w", "box_h")]
    tolerance = 2 / scale + 1
    assert abs(values[0] - (half + 12)) <= tolerance and abs(values[1] - 4) <= tolerance, values
    assert values[0] + values[2] == width and values[1] + values[3] == height, values
    rect = front.locator("[data-box-rect]")
    assert [round(_number(rect, a)) for a in ("x", "y", "width", "height")] == values
    expect(front.locator("[data-box-status]")).to_contain_text(f"x {values[0]}, y {values[1]}")

    # The number fields are the keyboard path: typing redraws the rectangle.
    box_x = front.get_by_label("x (left edge)")
    box_x.fill(str(half))
    box_w = front.get_by_label("Width")
    box_w.fill(str(half))
    expect(rect).to_have_attribute("x", str(half))
    expect(rect).to_have_attribute("width", str(half))

    with page.expect_navigation(url=re.compile(r"done=photo_analysed#view-anterior"), timeout=60_000):
        front.get_by_role("button", name="Upload and analyse").click()
    caption = page.locator("#view-anterior figcaption")
    expect(caption).to_contain_text(f"Analysed inside the client's box (outlined in yellow): x {half}, y {values[1]}")
    expect(page.locator("#metrics-anterior")).to_contain_text("Shoulder height difference")

    # The landmarks lie inside the box, in whole-photo pixels.
    page.locator("#view-anterior").get_by_role("link", name="Check and correct landmarks").click()
    expect(page.locator("#lm-editor")).to_have_attribute("data-ready", "true")
    xs = [float(x) for x in page.locator(".lm-point").evaluate_all("els => els.map(e => e.dataset.x)")]
    assert xs and all(half <= x <= width for x in xs)
    # No CSP violations, no script errors, and no failed resource: the refused upload answers 200 with the page.
    assert console_errors == []


def test_the_box_fields_work_without_a_preview(page: Page, myomap_server: Server, sign_in: SignIn, data: Data) -> None:
    """Keyboard users reach the fields in order: file, box step, the four numbers, the button."""
    from playwright.sync_api import expect

    sign_in(page, myomap_server, myomap_server.people.therapist.email)
    page.goto(f"{myomap_server.url}/posture-assessments/{data.empty}")
    back = page.locator("#view-posterior")
    summary = back.locator("details.box-step > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(back.locator("details.box-step")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(back.get_by_label("x (left edge)")).to_be_focused()
    for label in ("y (top edge)", "Width", "Height"):
        page.keyboard.press("Tab")
        expect(back.get_by_label(label)).to_be_focused()
    page.keyboard.press("Tab")
    expect(back.get_by_role("button", name="Upload and analyse")).to_be_focused()


PAGES = [
    ("list", "/clients/{client}/posture-assessments"),
    ("new", "/clients/{client}/posture-assessments/new"),
    ("assessment without photos", "/posture-assessments/{empty}"),
    ("assessment with a photo", "/posture-assessments/{after}"),
    ("editor", "/posture-assessments/{after}/views/anterior/edit"),
    ("compare", "/posture-assessments/compare?a={before}&b={after}"),
]


def test_the_posture_pages_pass_axe(
    page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn, data: Data, axe_scan: AxeScan,
) -> None:
    from playwright.sync_api import expect

    sign_in(page, myomap_server, myomap_server.people.therapist.email)
    failures: list[str] = []
    for name, template in PAGES:
        url = myomap_server.url + template.format(**vars(data))
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, response and response.status)
        page.wait_for_load_state("networkidle")
        if name == "editor":
            expect(page.locator("#lm-editor")).to_have_attribute("data-ready", "true")
        if name.startswith("assessment"):
            # With a photo chosen, the preview and the open box step are part of the page too.
            page.locator("#view-left details.box-step > summary").click()
            page.locator("#view-left input[type='file']").set_input_files(str(PHOTO))
            expect(page.locator("#view-left [data-box-image]")).to_have_js_property("complete", True)
        if page.locator("h1").count() != 1:
            failures.append(f"{name}: {page.locator('h1').count()} h1 elements")
        problems = axe_scan.problems(page)
        if problems:
            failures.append(f"{name} ({url}):\n{problems}")
    # The editor with a clinical point being placed and a point selected.
    page.goto(myomap_server.url + f"/posture-assessments/{data.after}/views/anterior/edit")
    expect(page.locator("#lm-editor")).to_have_attribute("data-ready", "true")
    page.locator('.lm-point[data-name="left_shoulder"]').focus()
    page.get_by_role("button", name="Left acromion").click()
    problems = axe_scan.problems(page)
    if problems:
        failures.append(f"editor while placing a point:\n{problems}")
    assert not failures, "\n".join(failures)
    assert console_errors == []


def test_every_editor_point_has_a_name(page: Page, myomap_server: Server, sign_in: SignIn, data: Data) -> None:
    """Screen readers announce each point (name, who placed it, where), and the SVG as a whole."""
    from playwright.sync_api import expect

    sign_in(page, myomap_server, myomap_server.people.therapist.email)
    page.goto(myomap_server.url + f"/posture-assessments/{data.after}/views/anterior/edit")
    names: list[Any] = page.locator(".lm-point").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert len(names) == 21 and all(n and re.search(r", at \d+, \d+$", n) for n in names), names
    assert page.get_by_role("button", name=re.compile(r"^Left shoulder, model point")).count() == 1
    # A clinical point added from the keyboard is named too; deleting it puts the focus back on its button.
    add = page.get_by_role("button", name="Tragus")
    if add.count() == 0:  # not suggested for the front view: under "Other points"
        page.locator("details.lm-more > summary").click()
    add = page.get_by_role("button", name="Tragus", exact=True)
    add.focus()
    page.keyboard.press("Enter")
    point = page.locator('.lm-point[data-name="tragus"]')
    expect(point).to_be_focused()
    expect(point).to_have_attribute("aria-label", re.compile(r"^Tragus, placed by a therapist, at \d+, \d+$"))
    page.keyboard.press("Delete")
    expect(point).to_have_count(0)
    expect(add).to_be_focused()
