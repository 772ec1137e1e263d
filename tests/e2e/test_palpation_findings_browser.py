"""Palpation feeds back, in a real browser: a finding saved with the htmx form on the to-palpate
list re-ranks the drawing in place, without a page load."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import add_client, add_drawing

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import Server, SignIn

pytestmark = pytest.mark.browser

HEADACHE = {"temple.right": 7, "posterior_neck.right": 5, "mastoid.right": 4}


def _drawing(server: Server) -> int:
    return add_drawing(server, add_client(server, "Palma", "Tion"), HEADACHE)


def test_a_reproduced_referral_moves_the_muscle_first_without_a_reload(page: Page, console_errors: list[str], myomap_server: Server,
                                                                      sign_in: SignIn) -> None:
    from playwright.sync_api import expect

    did = _drawing(myomap_server)
    sign_in(page, myomap_server, myomap_server.people.therapist.email)
    page.goto(f"{myomap_server.url}/pain-drawings/{did}/referral")
    third = page.locator(".candidate").nth(2)
    name = third.locator(".candidate-name").inner_text()
    expect(page.locator(".candidate").first.locator(".candidate-name")).not_to_have_text(name)
    page.evaluate("window.__sameDocument = true")

    # Mark it "to palpate": its finding form appears in the list below (out of band).
    with page.expect_response(lambda r: r.url.endswith("/palpate") and r.request.headers.get("hx-request") == "true"):
        third.get_by_role("button", name=re.compile(r"^To palpate")).click()
    entry = page.locator(".palpate-item", has=page.get_by_role("group", name=re.compile(f"^{re.escape(name)}")))
    expect(entry).to_have_count(1)

    # Tender, referral reproduced; save with htmx.
    entry.get_by_role("group", name=re.compile("^Tender")).get_by_label("yes").check()
    entry.get_by_role("group", name=re.compile("^Referral reproduced")).get_by_label("yes").check()
    entry.get_by_label("Note").fill("recognised her temple headache")
    # htmx follows the POST's redirect (the browser keeps its headers) and swaps the re-ranked body.
    with page.expect_response(lambda r: "/referral?saved=" in r.url):
        entry.get_by_role("button", name=re.compile("^Save finding")).click()

    expect(page.locator(".candidate").first.locator(".candidate-name")).to_have_text(name)
    expect(page.locator(".candidate").first).to_contain_text("reproduced the referred pain")
    expect(page.locator("#palpate-list .notice")).to_contain_text(f"Finding saved for {name}")
    expect(page.locator("#palpate-list .notice")).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, not a page load
    expect(page.locator("h1")).to_have_count(1)  # the fragment, not a page inside the page
    assert console_errors == []
