"""After a create or save, the page it leads to says so, once, from one table of messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from myomap.web.notices import NOTICES, see_other

if TYPE_CHECKING:
    from tests.conftest import World
    from tests.web.conftest import SignedIn

STATUS = re.compile(r'<p class="notice flash" role="status">([^<]*)</p>')


def test_creating_and_saving_a_client_each_say_so(signed_in: SignedIn, people: World) -> None:
    desk = signed_in(people.front_desk)
    created = desk.submit("/clients/new", "/clients", {"given_name": "Grace", "family_name": "Hopper"})
    assert created.status_code == 303 and created.headers["location"].endswith("?done=client_added")
    assert STATUS.findall(desk.get(created.headers["location"]).text) == ["Client added."]
    page = created.headers["location"].split("?")[0]
    assert STATUS.findall(desk.get(page).text) == []  # the same page reached another way says nothing
    archived = desk.submit(page, f"{page}/archive", {})
    assert STATUS.findall(desk.get(archived.headers["location"]).text) == [NOTICES["client_archived"]]


def test_only_known_messages_are_shown(signed_in: SignedIn, people: World) -> None:
    page = signed_in(people.therapist).get("/clients?done=<b>you+won</b>")
    assert page.status_code == 200 and not STATUS.search(page.text) and "you won" not in page.text
    with pytest.raises(KeyError):
        see_other("/clients", "no_such_notice")


def test_see_other_keeps_the_query_and_the_fragment() -> None:
    assert see_other("/a?x=1#view-left", "photo_analysed").headers["location"] == "/a?x=1&done=photo_analysed#view-left"


def test_every_message_is_used_by_a_page() -> None:
    views = "\n".join(p.read_text() for p in Path("src/myomap/web/views").glob("*.py"))
    unused = [key for key in NOTICES if f'"{key}")' not in views]
    assert unused == []
