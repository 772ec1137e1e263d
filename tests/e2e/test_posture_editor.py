"""The landmark editor in a real browser: create a postural assessment, upload the front photo,
drag a shoulder point with the mouse, watch the shoulder metric change, move a point with the
keyboard, add a clinical point from the palette, save, and find the points again after a reload."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import add_client
from tests.standing_photo import standing_front_photo

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.e2e.conftest import Server, SignIn

pytestmark = pytest.mark.browser

PHOTO = standing_front_photo()  # a client standing; the Warrior II photo is (rightly) refused


def _number(element: Locator, attribute: str) -> float:
    """A numeric attribute the page must have set (fails the test, not float(), when it is missing)."""
    value = element.get_attribute(attribute)
    assert value is not None, f"no {attribute} on the element"
    return float(value)


def test_a_therapist_drags_a_shoulder_point_and_saves_it(
    page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn,
) -> None:
    from playwright.sync_api import expect

    if not PHOTO.exists():
        pytest.skip(f"fixture photo missing: {PHOTO}")
    server, people = myomap_server, myomap_server.people
    cid = add_client(server, "Posey", "Stance")
    sign_in(page, server, people.therapist.email)

    # A new assessment from the client's list of assessments.
    page.goto(f"{server.url}/clients/{cid}/posture-assessments")
    page.get_by_role("link", name="New postural assessment").click()
    page.get_by_label("Client's height in cm").fill("175")
    with page.expect_navigation(url=re.compile(r"/posture-assessments/\d+\?done=assessment_created")):
        page.get_by_role("button", name="Create assessment").click()
    assessment_url = page.url.split("?")[0]

    # Upload the front photo through the plain form (the model runs on the server).
    front = page.locator("#view-anterior")
    front.locator('input[type="file"]').set_input_files(str(PHOTO))
    with page.expect_navigation(url=re.compile(r"done=photo_analysed#view-anterior"), timeout=60_000):
        front.get_by_role("button", name="Upload and analyse").click()
    expect(page.locator("#metrics-anterior")).to_contain_text("Shoulder height difference")
    expect(page.locator('#view-anterior img[src$="annotated.jpg"]')).to_be_visible()

    # The editor: drag the right shoulder upwards with the mouse.
    page.locator("#view-anterior").get_by_role("link", name="Check and correct landmarks").click()
    editor = page.locator("#lm-editor")
    expect(editor).to_have_attribute("data-ready", "true")
    point = page.locator('.lm-point[data-name="right_shoulder"]')
    value = page.locator('#metrics-editor tr[data-metric="shoulder_height_difference"] [data-cell="value"]')
    before_value = value.inner_text()
    before_y = _number(point, "data-y")
    box = point.locator(".lm-dot").bounding_box()  # the point itself, not its label beside it
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx, cy - 20, steps=4)
    page.mouse.move(cx, cy - 40, steps=4)
    with page.expect_response(lambda r: r.url.endswith("/api/posture/recompute") and r.request.method == "POST") as info:
        page.mouse.up()
    assert info.value.status == 200
    expect(value).not_to_have_text(before_value)
    expect(point).to_have_attribute("data-source", "therapist")
    moved_y = _number(point, "data-y")
    assert moved_y < before_y - 20
    expect(page.locator("[data-dirty-note]")).to_contain_text("Unsaved changes")

    # The keyboard moves a focused point (Shift: ten steps) ...
    left = page.locator('.lm-point[data-name="left_shoulder"]')
    left_y = _number(left, "data-y")
    left.focus()
    with page.expect_response(lambda r: r.url.endswith("/api/posture/recompute")):
        page.keyboard.press("Shift+ArrowUp")
    assert _number(left, "data-y") <= left_y - 10
    # ... and a clinical point comes from the palette, then a tap on the photo.
    page.get_by_role("button", name="Left acromion").click()
    expect(editor).to_have_class(re.compile(r"\bis-placing\b"))
    left.locator(".lm-dot").scroll_into_view_if_needed()  # below 1100 px the palette is under the photo
    shoulder_box = left.locator(".lm-dot").bounding_box()
    assert shoulder_box is not None
    with page.expect_response(lambda r: r.url.endswith("/api/posture/recompute")):
        page.mouse.click(shoulder_box["x"] + shoulder_box["width"] / 2 + 6, shoulder_box["y"] + shoulder_box["height"] / 2 - 4)
    expect(page.locator('.lm-point[data-name="acromion_left"]')).to_have_attribute("data-source", "therapist")

    # Save, reload, and the point is where it was dropped.
    with page.expect_navigation(url=re.compile(r"/edit\?done=landmarks_saved")):
        page.get_by_role("button", name="Save landmarks").click()
    expect(page.get_by_role("status").first).to_contain_text("Landmarks saved")
    page.reload()
    saved = page.locator('.lm-point[data-name="right_shoulder"]')
    expect(saved).to_have_attribute("data-source", "therapist")
    assert abs(_number(saved, "data-y") - moved_y) < 0.02
    expect(page.locator('#metrics-editor tr[data-metric="shoulder_height_difference"] [data-cell="value"]')).not_to_have_text(before_value)
    expect(page.locator('.lm-point[data-name="acromion_left"]')).to_have_attribute("data-source", "therapist")

    # The assessment page now draws the corrected point (the annotated image is rendered from it).
    page.goto(assessment_url)
    expect(page.locator("#view-anterior figcaption")).to_contain_text("3 points placed or moved by a therapist")
    assert console_errors == []  # no CSP violations, no script errors
