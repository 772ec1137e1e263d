"""The pain drawing pages: a form that works with or without the chart, saved whole or not at all,
shown again as a heat map and a table, and compared side by side."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from myomap.atlas.regions import load_atlas
from myomap.records.pain.models import PainDrawing, PainMark
from myomap.records.pain.schemas import QUALITIES
from myomap.web import chart

if TYPE_CHECKING:
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ClientOf, DrawingOf, SignedIn


def test_the_form_has_an_accessible_row_for_every_region(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.therapist)
    html = signed_in(people.therapist).get(f"/clients/{cid}/pain-drawings/new").text
    atlas = load_atlas()
    for rid, region in atlas.regions.items():
        row = re.search(rf'<div class="region-row[^"]*" data-region-row="{re.escape(rid)}"[^>]*>', html)
        assert row, rid
        assert "hidden" not in row.group(0), "rows are visible without JavaScript"
        assert re.search(
            rf'<input class="intensity-input" id="i-{re.escape(rid)}" type="number" min="0" max="10"[^>]*'
            rf'name="intensity__{re.escape(rid)}" data-region-input="{re.escape(rid)}"', html,
        ), rid
        assert f'<label class="region-name" for="i-{rid}">{region.name}</label>' in html.replace("&#39;", "'")
        for quality in QUALITIES:
            assert f'name="qualities__{rid}" value="{quality}"' in html
        assert f'name="note__{rid}"' in html
    assert html.count('<details class="area"') == len(atlas.areas)
    assert html.count("<summary>") >= len(atlas.areas)


def test_the_form_still_works_without_the_chart_module(signed_in: SignedIn, people: World, client_of: ClientOf, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "_module", lambda: None)
    cid = client_of(people.therapist)
    html = signed_in(people.therapist).get(f"/clients/{cid}/pain-drawings/new").text
    assert 'class="bodychart"' not in html and 'data-region-row="temple.left"' in html


def test_the_therapist_records_three_regions_and_sees_them_again(signed_in: SignedIn, people: World, client_of: ClientOf, web_db: Database) -> None:
    cid = client_of(people.front_desk, given_name="Grace", family_name="Hopper")
    tara = signed_in(people.therapist)
    form = {
        "drawn_on": date.today().isoformat(), "overall_note": "Worse after long drives",
        "intensity__temple.left": "7", "qualities__temple.left": ["throbbing", "aching"], "note__temple.left": "behind the eye",
        "intensity__sacrum": "4",
        "intensity__lumbar_paraspinal.right": "0", "qualities__lumbar_paraspinal.right": ["numbness"],
        "intensity__jaw.left": "", "note__jaw.left": "",  # untouched rows are ignored
    }
    response = tara.submit(f"/clients/{cid}/pain-drawings/new", f"/clients/{cid}/pain-drawings", form)
    assert response.status_code == 303, response.text[:2000]
    page = tara.get(response.headers["location"])
    assert page.status_code == 200 and "Pain drawing saved" in page.text
    table = page.text[page.text.index('id="marks-table"'):]
    for text in ("Temple, left", "aching, throbbing", "behind the eye", "Sacrum", "numbness", "Worse after long drives"):
        assert text in page.text
    assert 'data-region="temple.left"' in table and 'intensity-7' in table
    if chart.available():
        assert 'class="bodychart"' in page.text
    client_page = tara.get(f"/clients/{cid}")
    assert "3</td>" in client_page.text  # three regions listed for the date


def test_a_bad_drawing_is_explained_and_nothing_is_saved(signed_in: SignedIn, people: World, client_of: ClientOf, web_db: Database) -> None:
    cid = client_of(people.therapist)
    tara = signed_in(people.therapist)
    form = {
        "drawn_on": date.today().isoformat(),
        "intensity__sacrum": "5",
        "intensity__tempel.left": "3",
        "intensity__jaw.left": "12",
        "intensity__occiput.right": "4", "qualities__occiput.right": ["zappy"],
        "note__chin": "sore",  # a note without an intensity
    }
    response = tara.submit(f"/clients/{cid}/pain-drawings/new", f"/clients/{cid}/pain-drawings", form)
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert "Chin: give an intensity" in response.text  # every problem in one answer
    assert "did you mean: temple.left" in response.text
    assert "between 0 and 10, not 12" in response.text
    assert "unknown quality &#39;zappy&#39;" in response.text
    assert 'name="intensity__sacrum" data-region-input="sacrum" value="5"' in response.text  # kept
    with web_db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PainDrawing)) == 0
        assert s.scalar(select(func.count()).select_from(PainMark)) == 0


def test_a_region_with_a_note_but_no_intensity_is_questioned(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.therapist)
    response = signed_in(people.therapist).submit(
        f"/clients/{cid}/pain-drawings/new", f"/clients/{cid}/pain-drawings",
        {"drawn_on": date.today().isoformat(), "note__chin": "sore", "intensity__sacrum": "abc"},
    )
    assert response.status_code == 200
    assert "Chin: give an intensity from 0 to 10" in response.text
    assert "Sacrum: intensity must be a whole number" in response.text


def test_two_drawings_are_compared_side_by_side(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    before = drawing_of(people.therapist, cid, "2026-01-10", {"temple.left": 7, "sacrum": 3})
    after = drawing_of(people.therapist, cid, "2026-02-10", {"temple.left": 2, "jaw.right": 4})
    tara = signed_in(people.therapist)
    assert "Compare two drawings" in tara.get(f"/clients/{cid}").text
    page = tara.get(f"/pain-drawings/compare?a={after}&b={before}")
    assert page.status_code == 200
    assert "10 Jan 2026 → 10 Feb 2026" in page.text and "Total intensity 10 → 6 (-4)" in page.text
    table = page.text[page.text.index('id="compare-table"'):]
    row = table[table.index('data-region="temple.left"'):table.index("</tr>", table.index('data-region="temple.left"'))]
    assert "intensity-7" in row and "intensity-2" in row and "-5" in row and "better" in row
    assert 'data-region="jaw.right"' in table and 'data-region="sacrum"' in table
    if chart.available():
        assert 'id="chart-before"' in page.text and 'id="chart-after"' in page.text


def test_the_front_desk_is_kept_out_of_clinical_pages(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-01-10", {"sacrum": 3})
    desk = signed_in(people.front_desk)
    assert desk.get(f"/pain-drawings/{did}").status_code == 403
    assert desk.get(f"/clients/{cid}/pain-drawings/new").status_code == 403
    assert "New pain drawing" not in desk.get(f"/clients/{cid}").text


def test_an_outsider_cannot_open_a_drawing_by_url(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-01-10", {"sacrum": 3})
    outsider = signed_in(people.outsider)
    assert outsider.get(f"/pain-drawings/{did}").status_code == 404
    assert outsider.get(f"/pain-drawings/compare?a={did}&b={did}").status_code == 404
