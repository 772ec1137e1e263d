"""Records a therapist can tell apart and correct, in a real browser at tablet and laptop size:
same-day drawings told apart by time and author (list, compare menu, title), the postural
assessments beside the pain drawings, a drawing corrected, deleted with a reason and restored."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import VIEWPORTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import AxeScan, Server, SignIn

pytestmark = pytest.mark.browser



def _client_with_records(server: Server, family_name: str) -> tuple[int, list[int]]:
    """A client with two drawings of today (by two therapists) and a postural assessment."""
    from myomap.records.accounts.permissions import Actor
    from myomap.records.clients.schemas import ClientCreate
    from myomap.records.clients.service import create_client
    from myomap.records.db import Database
    from myomap.records.pain.schemas import PainDrawingCreate
    from myomap.records.pain.service import create_drawing
    from myomap.records.posture.schemas import PostureAssessmentCreate
    from myomap.records.posture.service import create_assessment

    db = Database(server.database_url)
    try:
        with db.transaction() as s:
            tara, colin = Actor(s.merge(server.people.therapist)), Actor(s.merge(server.people.colleague))
            client = create_client(db=s, actor=tara, data=ClientCreate(given_name="Sam", family_name=family_name))
            drawings = [
                create_drawing(db=s, actor=who, client_id=client.id, data=PainDrawingCreate.model_validate(
                    {"drawn_on": date.today(), "marks": [{"region_id": "sacrum", "intensity": level}]})).id
                for who, level in ((tara, 3), (colin, 5))
            ]
            create_assessment(db=s, actor=colin, client_id=client.id, data=PostureAssessmentCreate(assessed_on=date.today()))
            return client.id, drawings
    finally:
        db.dispose()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_same_day_records_are_told_apart_and_posture_is_listed_beside(
        page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn, axe_scan: AxeScan,
        viewport: str) -> None:
    from playwright.sync_api import expect

    size = VIEWPORTS[viewport]
    width = size["width"]
    page.set_viewport_size(size)
    cid, (first, second) = _client_with_records(myomap_server, f"Apart{viewport.title()}")
    sign_in(page, myomap_server, myomap_server.people.therapist.email)
    page.goto(f"{myomap_server.url}/clients/{cid}")

    rows = page.locator("#drawings-table tbody tr")
    expect(rows).to_have_count(2)
    labels = [rows.nth(i).locator("th").inner_text() for i in range(2)]
    assert re.search(r", \d\d:\d\d · Colin Colleague$", labels[0]), labels
    assert re.search(r", \d\d:\d\d · Tara Therapist$", labels[1]), labels
    options = page.locator("#cmp-a option").all_inner_texts()
    assert len(options) == 2 and len(set(options)) == 2 and all(" · " in o for o in options)

    pain, posture = page.locator("#pain-drawings").bounding_box(), page.locator("#posture-assessments").bounding_box()
    assert pain and posture
    expect(page.locator("#client-assessments-table tbody tr")).to_have_count(1)
    expect(page.locator("#client-assessments-table tbody tr th")).to_contain_text("· Colin Colleague")
    if viewport == "laptop":  # side by side: same top, posture to the right
        assert abs(posture["y"] - pain["y"]) < 2 and posture["x"] >= pain["x"] + pain["width"]
    else:  # one after the other, each the full width
        assert posture["y"] >= pain["y"] + pain["height"] and abs(posture["width"] - pain["width"]) < 2
    assert max(pain["x"] + pain["width"], posture["x"] + posture["width"]) <= width  # nothing cut off
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert "version" not in page.locator("main").inner_text().lower()
    assert axe_scan.problems(page) == ""

    # The drawing's own page names the time and author in its title and its compare menu.
    page.locator(f'#drawings-table a[href="/pain-drawings/{first}"]').click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^Pain drawing, .*\d\d:\d\d · Tara Therapist$"))
    assert " · Tara Therapist" in page.title()
    expect(page.locator("#cmp-other option")).to_have_text([re.compile(r"· Colin Colleague \(1 regions?\)$")])
    assert axe_scan.problems(page) == ""
    assert console_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_drawing_is_corrected_deleted_with_a_reason_and_restored_by_the_owner(
        page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn, axe_scan: AxeScan,
        viewport: str) -> None:
    from playwright.sync_api import expect

    size = VIEWPORTS[viewport]
    width = size["width"]
    page.set_viewport_size(size)
    cid, (first, _) = _client_with_records(myomap_server, f"Fix{viewport.title()}")
    sign_in(page, myomap_server, myomap_server.people.therapist.email)
    page.goto(f"{myomap_server.url}/pain-drawings/{first}")

    # Correct: one click to the form (the saved marks in it), one to save.
    correct = page.get_by_role("link", name="Correct", exact=True)
    expect(correct).to_be_in_viewport()
    correct.click()
    expect(page.locator("h1")).to_have_text("Correct pain drawing")
    intensity = page.locator('input[name="intensity__sacrum"]')
    expect(intensity).to_have_value("3")
    assert axe_scan.problems(page) == ""
    intensity.fill("6")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Corrections saved")
    expect(page.locator('#marks-table tr[data-region="sacrum"] .intensity')).to_have_text("6")

    # Delete: the reason is required; the drawing leaves the client's list.
    page.locator("details.delete-drawing > summary").click()
    reason = page.get_by_label("Why delete it?")
    expect(reason).to_be_visible()
    box = page.get_by_role("button", name="Delete drawing").bounding_box()
    assert box and box["height"] >= 36 and box["x"] + box["width"] <= width
    assert axe_scan.problems(page) == ""
    reason.fill("recorded for the wrong client")
    page.get_by_role("button", name="Delete drawing").click()
    expect(page).to_have_url(re.compile(rf"/clients/{cid}\?done=drawing_deleted$"))
    expect(page.locator("#drawings-table tbody tr")).to_have_count(1)
    expect(page.locator("#deleted-drawings")).to_have_count(0)  # only the owner sees deleted drawings

    # The owner sees it with who deleted it and why, and restores it in one click.
    page.context.clear_cookies()
    sign_in(page, myomap_server, myomap_server.people.owner.email)
    page.goto(f"{myomap_server.url}/clients/{cid}")
    row = page.locator(f'#deleted-table tr[data-deleted-drawing="{first}"]')
    expect(row).to_contain_text("by Tara Therapist")
    expect(row).to_contain_text("recorded for the wrong client")
    assert axe_scan.problems(page) == ""
    row.get_by_role("button", name=re.compile("^Restore")).click()
    expect(page.get_by_role("status")).to_contain_text("Pain drawing restored")
    expect(page.locator('#marks-table tr[data-region="sacrum"] .intensity')).to_have_text("6")  # as it was
    page.goto(f"{myomap_server.url}/clients/{cid}")
    expect(page.locator("#drawings-table tbody tr")).to_have_count(2)
    assert console_errors == []
