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
    from fastapi import FastAPI

    from myomap.records.accounts.models import User
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ApiToken, ClientOf, DrawingOf, SignedIn


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


# ---- correcting a drawing: edit while unsigned, sign, delete with a reason, restore ------------


def _marks_of(web_db: Database, drawing_id: int) -> dict[str, int]:
    with web_db.sessions() as s:
        return {m.region_id: m.intensity for m in s.scalars(select(PainMark).where(PainMark.drawing_id == drawing_id))}


def test_the_edit_form_shows_the_saved_marks_and_saves_a_correction(
        signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf, web_db: Database) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, date.today().isoformat(), {"temple.left": 7, "sacrum": 3}, note="first")
    tara = signed_in(people.therapist)
    html = tara.get(f"/pain-drawings/{did}/edit").text
    assert "<h1>Correct pain drawing</h1>" in html and f'action="/pain-drawings/{did}/edit"' in html
    assert re.search(r'name="intensity__temple\.left"[^>]* value="7"', html)
    assert re.search(r'name="intensity__sacrum"[^>]* value="3"', html) and ">first</textarea>" in html
    assert '<input type="hidden" name="version" value="1">' in html
    saved = tara.submit(f"/pain-drawings/{did}/edit", f"/pain-drawings/{did}/edit", {
        "version": "1", "drawn_on": date.today().isoformat(), "overall_note": "corrected",
        "intensity__temple.left": "5", "intensity__jaw.right": "4"})
    assert saved.status_code == 303 and saved.headers["location"] == f"/pain-drawings/{did}?done=drawing_corrected"
    assert _marks_of(web_db, did) == {"temple.left": 5, "jaw.right": 4}
    page = tara.get(saved.headers["location"]).text
    assert "Corrections saved" in page and "corrected" in page


def test_a_stale_edit_gets_409_keeps_what_was_typed_and_shows_the_saved_drawing(
        signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf, web_db: Database) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, date.today().isoformat(), {"sacrum": 3})
    tara, colin = signed_in(people.therapist), signed_in(people.colleague)
    form = {"version": "1", "drawn_on": date.today().isoformat()}
    assert colin.submit(f"/pain-drawings/{did}/edit", f"/pain-drawings/{did}/edit",
                        {**form, "intensity__sacrum": "8"}).status_code == 303
    stale = tara.submit(f"/pain-drawings/{did}/edit", f"/pain-drawings/{did}/edit", {**form, "intensity__sacrum": "2"})
    assert stale.status_code == 409
    assert "Someone else changed this drawing" in stale.text and "Sacrum 8" in stale.text
    assert re.search(r'name="intensity__sacrum"[^>]* value="2"', stale.text)  # Tara's value, not lost
    assert '<input type="hidden" name="version" value="2">' in stale.text and "Save my version" in stale.text
    assert _marks_of(web_db, did) == {"sacrum": 8}


def test_a_signed_drawing_offers_no_correction(
        signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf, web_db: Database) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, date.today().isoformat(), {"sacrum": 3})
    tara = signed_in(people.therapist)
    page = tara.get(f"/pain-drawings/{did}").text
    assert f'href="/pain-drawings/{did}/edit"' in page and "Not signed yet" in page
    signed = tara.submit(f"/pain-drawings/{did}", f"/pain-drawings/{did}/sign", {"version": "1"})
    assert signed.status_code == 303
    page = tara.get(signed.headers["location"]).text
    assert "signed</span> by Tara Therapist" in page
    assert f'href="/pain-drawings/{did}/edit"' not in page and "/delete" not in page
    assert tara.get(f"/pain-drawings/{did}/edit").headers["location"] == f"/pain-drawings/{did}"


def test_a_drawing_is_deleted_with_a_reason_and_the_owner_restores_it(
        signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, date.today().isoformat(), {"sacrum": 3})
    tara = signed_in(people.therapist)
    blank = tara.submit(f"/pain-drawings/{did}", f"/pain-drawings/{did}/delete", {"version": "1", "reason": " "})
    assert blank.status_code == 200 and "say why this drawing is deleted" in blank.text
    gone = tara.submit(f"/pain-drawings/{did}", f"/pain-drawings/{did}/delete",
                       {"version": "1", "reason": "recorded for the wrong client"})
    assert gone.headers["location"] == f"/clients/{cid}?done=drawing_deleted"
    client_page = tara.get(gone.headers["location"]).text
    assert "Pain drawing deleted" in client_page and f'href="/pain-drawings/{did}"' not in client_page
    assert "Deleted pain drawings" not in client_page  # the therapist cannot restore
    assert tara.get(f"/pain-drawings/{did}").status_code == 404

    olivia = signed_in(people.owner)
    owners_page = olivia.get(f"/clients/{cid}").text
    assert "Deleted pain drawings" in owners_page and "recorded for the wrong client" in owners_page
    assert "by Tara Therapist" in owners_page
    restored = olivia.submit(f"/clients/{cid}", f"/pain-drawings/{did}/restore", {})
    assert restored.headers["location"] == f"/pain-drawings/{did}?done=drawing_restored"
    assert "Pain drawing restored" in olivia.get(restored.headers["location"]).text
    assert f'href="/pain-drawings/{did}"' in tara.get(f"/clients/{cid}").text


def test_same_day_drawings_are_told_apart_by_time_and_author(
        signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    today = date.today().isoformat()
    first = drawing_of(people.therapist, cid, today, {"sacrum": 3})
    second = drawing_of(people.colleague, cid, today, {"sacrum": 5})
    olivia = signed_in(people.owner)
    page = olivia.get(f"/clients/{cid}").text
    rows = re.findall(r'<tr data-drawing="(\d+)">\s*<th scope="row"><a [^>]*>([^<]*)</a>', page)
    assert [int(i) for i, _ in rows] == [second, first]
    labels = [label for _, label in rows]
    assert labels[0].endswith("· Colin Colleague") and labels[1].endswith("· Tara Therapist")
    assert all(re.search(r", \d\d:\d\d · ", label) for label in labels)  # the time it was recorded
    options = re.findall(r'<select id="cmp-a" name="a">(.*?)</select>', page, re.S)[0]
    assert len(set(re.findall(r">([^<]+)</option>", options))) == 2  # the compare menu tells them apart
    view = olivia.get(f"/pain-drawings/{first}").text
    assert re.search(r"<h1>Pain drawing, [^<]*\d\d:\d\d · Tara Therapist</h1>", view)
    assert re.search(rf'<option value="{second}">[^<]*· Colin Colleague', view)


def test_the_client_page_lists_posture_assessments_beside_the_drawings(
        signed_in: SignedIn, people: World, client_of: ClientOf, web_db: Database) -> None:
    from myomap.records.accounts.permissions import Actor
    from myomap.records.posture.schemas import PostureAssessmentCreate
    from myomap.records.posture.service import create_assessment

    cid = client_of(people.therapist)
    with web_db.transaction() as s:
        aid = create_assessment(db=s, actor=Actor(s.merge(people.colleague)), client_id=cid,
                                data=PostureAssessmentCreate(assessed_on=date.today())).id
    page = signed_in(people.therapist).get(f"/clients/{cid}").text
    row = re.search(rf'<tr data-assessment="{aid}">(.*?)</tr>', page, re.S)
    assert row and "· Colin Colleague" in row.group(1) and "none yet" in row.group(1)
    assert page.index('id="drawings-title"') < page.index('id="assessments-title"')
    assert "version" not in re.sub(r"<[^>]+>", "", page).lower()  # no internal words shown
    desk = signed_in(people.front_desk).get(f"/clients/{cid}").text
    assert "Postural assessments" not in desk and "Pain drawings" not in desk


def test_corrections_through_the_api(app: FastAPI, api_token: ApiToken, people: World, client_of: ClientOf,
                                     drawing_of: DrawingOf) -> None:
    from fastapi.testclient import TestClient

    def api(user: User) -> TestClient:
        return TestClient(app, headers={"Authorization": f"Bearer {api_token(user)}"})

    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, date.today().isoformat(), {"sacrum": 3})
    tara = api(people.therapist)
    body = {"drawn_on": date.today().isoformat(), "marks": [{"region_id": "sacrum", "intensity": 6}]}
    updated = tara.put(f"/api/pain-drawings/{did}", json={**body, "version": 1})
    assert updated.status_code == 200 and updated.json()["version"] == 2 and updated.json()["max_intensity"] == 6
    stale = tara.put(f"/api/pain-drawings/{did}", json={**body, "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert tara.post(f"/api/pain-drawings/{did}/delete", json={"reason": "", "version": 2}).status_code == 422
    deleted = tara.post(f"/api/pain-drawings/{did}/delete", json={"reason": "duplicate", "version": 2})
    assert deleted.status_code == 200 and deleted.json()["deleted_reason"] == "duplicate"
    assert tara.get(f"/api/pain-drawings/{did}").status_code == 404
    assert tara.get(f"/api/clients/{cid}/pain-drawings/deleted").status_code == 403
    olivia = api(people.owner)
    assert [d["id"] for d in olivia.get(f"/api/clients/{cid}/pain-drawings/deleted").json()] == [did]
    assert olivia.post(f"/api/pain-drawings/{did}/restore").json()["id"] == did
    signed = tara.post(f"/api/pain-drawings/{did}/sign", json={"version": 4})
    assert signed.status_code == 200 and signed.json()["signed_by"] == "Tara Therapist"
    refused = tara.put(f"/api/pain-drawings/{did}", json={**body, "version": 5})
    assert refused.status_code == 422 and "signed by Tara Therapist" in refused.text
