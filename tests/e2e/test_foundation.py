"""The foundation in a real browser: sign in, register a client, record a pain drawing on the
chart, see it again after a reload; and a user of another clinic cannot open it by URL."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.e2e.conftest import Server, SignIn

pytestmark = pytest.mark.browser

REGIONS = {"anterior_thigh.left": "6", "sacrum": "8", "top_of_shoulder.right": "3"}


def test_a_therapist_records_a_pain_drawing_on_the_chart(page: Page, console_errors: list[str], myomap_server: Server, browser: Browser,
                                                         sign_in: SignIn) -> None:
    from playwright.sync_api import expect

    server, people = myomap_server, myomap_server.people
    sign_in(page, server, people.therapist.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Tara")

    # Register a client.
    page.get_by_role("link", name="New client").first.click()
    page.get_by_label("Given name").fill("Marguerite")
    page.get_by_label("Family name").fill("Quennell")
    page.get_by_label("Phone").fill("0412 555 777")
    with page.expect_navigation(url=re.compile(r"/clients/\d+\?done=client_added$")):
        page.get_by_role("button", name="Create client").click()
    client_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Marguerite Quennell")

    # Live search (htmx): wait for the search response itself, not for a timeout.
    page.goto(server.url + "/clients")
    with page.expect_response(lambda r: "/clients?" in r.url and "q=quenn" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Search clients").press_sequentially("quenn")
    expect(page.locator("#client-results")).to_contain_text("Quennell, Marguerite")
    assert "q=quenn" in page.url  # the search is in the address bar (hx-push-url)

    # A new pain drawing: the chart enhances the form (only marked regions are listed).
    page.goto(client_url)
    page.get_by_role("link", name="New pain drawing").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bchart-mode\b"))
    expect(page.locator('[data-region-row="sacrum"]')).to_be_hidden()
    for region, intensity in REGIONS.items():
        page.locator(f'figure.bodychart .region[data-region="{region}"]').click()
        row = page.locator(f'[data-region-row="{region}"]')
        expect(row).to_be_visible()
        panel = page.locator("figure.bodychart .bodychart-panel")
        panel.get_by_role("button", name=intensity, exact=True).click()
        panel.get_by_role("button", name="Done").click()
        expect(row.locator(f'input[data-region-input="{region}"]')).to_have_value(intensity)
        expect(page.locator(f'figure.bodychart .region[data-region="{region}"]')).to_have_class(re.compile(r"\bheat\b"))
    page.locator('[data-region-row="sacrum"]').get_by_text("burning").click()
    expect(page.locator("[data-marked-summary]")).to_have_text("3 regions marked.")
    with page.expect_navigation(url=re.compile(r"/pain-drawings/\d+")):
        page.get_by_role("button", name="Save pain drawing").click()
    expect(page.get_by_role("status")).to_have_text("Pain drawing saved.")

    # After a reload the drawing is still there: on the chart and in the table.
    drawing_url = page.url.split("?")[0]
    page.goto(drawing_url)
    for region, intensity in REGIONS.items():
        expect(page.locator(f'figure.bodychart .region.heat[data-region="{region}"]')).to_have_attribute("data-intensity", intensity)
        expect(page.locator(f'#marks-table tr[data-region="{region}"]')).to_contain_text(intensity)
    expect(page.locator('#marks-table tr[data-region="sacrum"]')).to_contain_text("burning")
    assert console_errors == []  # no CSP violations, no script errors

    # A user of another clinic cannot open the client or the drawing by URL.
    other = browser.new_context()
    try:
        intruder = other.new_page()
        sign_in(intruder, server, people.outsider.email)
        for url in (client_url, drawing_url):
            response = intruder.goto(url)
            assert response is not None and response.status == 404
            expect(intruder.get_by_role("heading", level=1)).to_have_text("Not found")
            expect(intruder.locator("body")).not_to_contain_text("Quennell")
    finally:
        other.close()


def test_the_pain_form_works_without_javascript(browser: Browser, myomap_server: Server, sign_in: SignIn) -> None:
    """With JavaScript off the chart is inert and the grouped region checklist does the job."""
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, myomap_server, myomap_server.people.colleague.email)
        page.goto(myomap_server.url + "/clients/new")
        page.get_by_label("Given name").fill("Nojs")
        page.get_by_label("Family name").fill("Person")
        with page.expect_navigation(url=re.compile(r"/clients/\d+\?done=client_added$")):
            page.get_by_role("button", name="Create client").click()
        page.get_by_role("link", name="New pain drawing").click()
        page.locator("details.area", has_text="Head and face").locator("summary").click()
        page.get_by_role("spinbutton", name="Temple, left", exact=True).fill("4")
        with page.expect_navigation(url=re.compile(r"/pain-drawings/\d+")):
            page.get_by_role("button", name="Save pain drawing").click()
        expect(page.locator('#marks-table tr[data-region="temple.left"]')).to_contain_text("4")
    finally:
        context.close()
