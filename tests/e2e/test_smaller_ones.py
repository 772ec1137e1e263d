"""The smaller ones of a session on a tablet and a laptop (#9), in a real browser at both sizes:
atlas search ranked with reasons, a form with mistakes answered 200 (no failed resource in the
console) with the form again, a success message after saving, phone numbers on one line, dates
the clinic's way."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import VIEWPORTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import AxeScan, Server, SignIn

pytestmark = pytest.mark.browser

PHONE = "+44 (0)20 7946 0958 ext 1234"
DATE_TIME_EN_GB = r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}"  # the server's default locale


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_atlas_search_puts_the_muscles_referring_to_the_head_first_with_reasons(
    page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn, axe_scan: AxeScan, viewport: str,
) -> None:
    from playwright.sync_api import expect

    size = VIEWPORTS[viewport]
    width, height = size["width"], size["height"]
    page.set_viewport_size(size)
    sign_in(page, myomap_server, myomap_server.people.therapist.email)
    page.goto(f"{myomap_server.url}/atlas")
    with page.expect_response(lambda r: "q=headache" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Search muscles by name, symptom, condition or painful area").fill("headache")
    results = page.locator("#atlas-results")
    expect(results).not_to_have_attribute("aria-busy", "true")
    expect(results.locator(".result-count")).to_contain_text("most relevant first")
    rows = results.locator("tbody tr")
    assert rows.count() >= 10
    reasons = [rows.nth(i).locator(".reasons").inner_text() for i in range(rows.count())]
    head = re.compile(r"refers pain to the [^\n]*(head|temple|forehead)[^\n]*\(essential zone\)")
    on_head = [bool(head.search(r)) for r in reasons]
    assert on_head[0] and on_head.count(True) >= 8
    assert on_head == sorted(on_head, reverse=True)  # every head-zone muscle before the others
    assert not on_head[-1] and re.search(r"symptom: |condition: ", reasons[-1])
    # The first result and its reason are on screen without scrolling, and nothing runs off the side.
    first = rows.first.locator(".reasons").bounding_box()
    assert first and first["y"] + first["height"] <= height and first["x"] + first["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_scan.problems(page) == ""
    assert console_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_client_form_with_a_mistake_then_saved_says_so_and_the_phone_stays_on_one_line(
    page: Page, console_errors: list[str], myomap_server: Server, sign_in: SignIn, axe_scan: AxeScan, viewport: str,
) -> None:
    from playwright.sync_api import expect

    size = VIEWPORTS[viewport]
    height = size["height"]
    page.set_viewport_size(size)
    sign_in(page, myomap_server, myomap_server.people.front_desk.email)
    page.goto(f"{myomap_server.url}/clients/new")
    page.locator("#f-given_name").fill("Wrapless")
    page.locator("#f-family_name").fill(f"Phone{viewport.title()}")
    page.locator("#f-phone").fill(PHONE)
    page.locator("#f-email").fill("not an email")
    page.locator("form").first.evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Create client").click()
    response = sent.value
    assert response is not None and response.status == 200  # not 400: the browser logs no failed resource
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Nothing was saved")
    expect(page.locator("#f-phone")).to_have_value(PHONE)  # what was typed is kept
    assert axe_scan.problems(page) == ""

    page.locator("#f-email").fill("wrapless@example.test")
    with page.expect_navigation(url=re.compile(r"/clients/\d+\?done=client_added$")):
        page.get_by_role("button", name="Create client").click()
    notice = page.get_by_role("status").filter(has_text="Client added.")
    expect(notice).to_have_count(1)
    box = notice.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= height / 3  # at the top, in view
    # The phone number is one line: one box, as tall as one line of its text.
    phone = page.locator("a.phone", has_text=PHONE)
    expect(phone).to_have_count(1)
    assert phone.evaluate("a => a.getClientRects().length") == 1
    assert phone.get_attribute("href") == "tel:+442079460958ext1234"  # "(0)" and spaces are not dialled
    assert phone.evaluate("a => getComputedStyle(a).whiteSpace") == "nowrap"  # nor split at a narrower width
    added = page.locator("text=/^Added /").inner_text()
    assert re.search(rf"Added {DATE_TIME_EN_GB} · last changed {DATE_TIME_EN_GB}", added)
    assert axe_scan.problems(page) == ""

    # The clients list (narrowest at tablet width): the phone cell still holds the number on one line.
    page.goto(f"{myomap_server.url}/clients?q=Wrapless")
    cell = page.locator("#client-results a.phone", has_text=PHONE).first
    expect(cell).to_be_visible()
    assert cell.evaluate("a => a.getClientRects().length") == 1
    assert console_errors == []  # no "status of 400" for the form with a mistake
