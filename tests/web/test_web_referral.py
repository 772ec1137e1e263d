"""Trigger-point pages: the atlas, 'Which trigger points?' for a drawing, the to-palpate list,
and the JSON API for referral and muscles."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from myomap.records.audit.models import AuditEvent
from myomap.records.palpation.models import PalpationTarget

if TYPE_CHECKING:
    from fastapi import FastAPI

    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ApiToken, ClientOf, DrawingOf, SignedIn

HEADACHE = {"temple.right": 7, "posterior_neck.right": 5, "mastoid.right": 4}


def test_the_atlas_finds_muscles_by_symptom_and_shows_a_referral_map(signed_in: SignedIn, people: World) -> None:
    tara = signed_in(people.therapist)
    page = tara.get("/atlas?q=carpal tunnel")
    assert page.status_code == 200 and "/atlas/muscles/flexor_carpi_radialis" in page.text
    muscle = tara.get("/atlas/muscles/upper_trapezius?side=left")
    assert muscle.status_code == 200
    html = muscle.text
    assert re.search(r'class="region[^"]*essential[^"]*" data-region="temple\.left"', html)
    assert re.search(r'class="region[^"]*spillover[^"]*" data-region="jaw\.left"', html)
    assert "Travell" in html and "Self-care" in html


def test_the_atlas_search_answers_htmx_with_a_fragment(signed_in: SignedIn, people: World) -> None:
    tara = signed_in(people.therapist)
    fragment = tara.get("/atlas?q=SCM", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Sternocleidomastoid" in fragment.text


def test_an_unknown_muscle_is_a_404(signed_in: SignedIn, people: World) -> None:
    assert signed_in(people.therapist).get("/atlas/muscles/no_such_muscle").status_code == 404


def test_which_trigger_points_ranks_muscles_for_the_drawing_with_reasons(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf, web_db: Database) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    page = signed_in(people.therapist).get(f"/pain-drawings/{did}/referral")
    assert page.status_code == 200
    first = page.text.index('class="candidate')
    assert "Upper trapezius" in page.text[first: first + 600]
    assert "essential referral zone covers" in page.text
    # the drawing's pain is painted as heat, outlined where it lies in the top candidate's zone (both
    # stay visible), and the candidate's unpainted zones as its pattern
    assert re.search(r'class="region heat in-essential" data-region="temple\.right"[^>]*data-intensity="7"[^>]*stroke=', page.text)
    assert "Pain in the zone" in page.text  # the key says what the outline means
    assert re.search(r'class="region spillover" data-region="jaw\.right"', page.text)
    assert not re.search(r'class="region[^"]*" data-region="temple\.left"[^>]*data-intensity', page.text)
    with web_db.sessions() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "pain_drawing.referral")).first()


def test_the_therapist_marks_a_candidate_to_palpate_and_can_take_it_back(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf, web_db: Database) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    page = f"/pain-drawings/{did}/referral"
    action = f"/pain-drawings/{did}/palpate"
    response = tara.submit(page, action, {"muscle": "upper_trapezius", "side": "right", "action": "add"})
    assert response.status_code == 303 and response.headers["location"] == f"{page}?done=palpate_added"
    landed = tara.get(response.headers["location"]).text
    assert "✓ To palpate" in landed and "Added to the list to palpate this session." in landed
    with web_db.sessions() as s:
        assert [(t.muscle_id, t.side) for t in s.scalars(select(PalpationTarget))] == [("upper_trapezius", "right")]
    removed = tara.submit(page, action, {"muscle": "upper_trapezius", "side": "right", "action": "remove"})
    assert "Removed from the list to palpate this session." in tara.get(removed.headers["location"]).text
    with web_db.sessions() as s:
        assert s.scalars(select(PalpationTarget)).first() is None


def test_to_palpate_needs_the_csrf_token_and_a_real_muscle(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    no_token = tara.http.post(f"/pain-drawings/{did}/palpate", data={"muscle": "upper_trapezius", "side": "right"})
    assert no_token.status_code == 403
    bad = tara.submit(f"/pain-drawings/{did}/referral", f"/pain-drawings/{did}/palpate",
                      {"muscle": "upper trapezus", "side": "right"})
    assert bad.status_code == 200 and "upper_trapezius" in bad.text


def test_another_clinic_cannot_see_the_ranking(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    assert signed_in(people.outsider).get(f"/pain-drawings/{did}/referral").status_code == 404
    assert signed_in(people.front_desk).get(f"/pain-drawings/{did}/referral").status_code == 403


def test_api_refer_ranks_a_drawing_given_by_names(app: FastAPI, people: World, api_token: ApiToken) -> None:
    from fastapi.testclient import TestClient

    http = TestClient(app)
    auth = {"Authorization": f"Bearer {api_token(people.therapist)}"}
    body = {"regions": [{"region": "temple", "side": "right", "intensity": 7},
                        {"region": "posterior_neck.right", "intensity": 5}], "top": 3}
    data = http.post("/api/refer", json=body, headers=auth).json()
    assert data["candidates"][0]["muscle"] == "upper_trapezius" and len(data["groups"]) <= 3
    assert data["cover"] == ["upper_trapezius"] and data["unexplained"] == []
    bad = http.post("/api/refer", json={"regions": [{"region": "zzqx", "side": "right"}]}, headers=auth)
    assert bad.status_code == 422 and "regions.0.region" in bad.text
    typo = http.post("/api/refer", json={"regions": [{"region": "tempel", "side": "right"}]}, headers=auth).json()
    assert typo["readings"] == [{"text": "tempel", "regions": ["temple.right"], "expanded_from": None, "corrected": "temple"}]
    empty = http.post("/api/refer", json={"regions": []}, headers=auth)
    assert empty.status_code == 422 and "empty" in empty.text


def test_api_muscles_lists_searches_and_shows(app: FastAPI, people: World, api_token: ApiToken) -> None:
    from fastapi.testclient import TestClient

    http = TestClient(app)
    auth = {"Authorization": f"Bearer {api_token(people.therapist)}"}
    assert len(http.get("/api/muscles", headers=auth).json()) >= 140
    assert http.get("/api/muscles", params={"q": "SCM"}, headers=auth).json()[0]["id"] == "sternocleidomastoid"
    one = http.get("/api/muscles/SCM", headers=auth).json()
    assert one["id"] == "sternocleidomastoid" and one["essential_zones"] and one["trigger_points"]
    assert http.get("/api/muscles/nothing", headers=auth).status_code == 404
    assert http.get("/api/muscles").status_code == 401


def test_a_postural_assessment_raises_the_muscles_its_patterns_implicate(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf, web_db: Database) -> None:
    from datetime import date

    from myomap.records.accounts.permissions import Actor
    from myomap.records.posture.schemas import PostureAssessmentCreate
    from myomap.records.posture.service import create_assessment

    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    before = tara.get(f"/pain-drawings/{did}/referral").text
    assert "forward head posture" not in before
    with web_db.transaction() as s:
        a = create_assessment(db=s, actor=Actor(s.merge(people.therapist)), client_id=cid,
                              data=PostureAssessmentCreate(assessed_on=date(2026, 11, 18)))
        a.patterns = [{"id": "forward_head", "name": "Forward head posture", "kind": "pattern",
                       "shortened": [{"muscle": "upper_trapezius", "side": None}], "lengthened": []}]
    after = tara.get(f"/pain-drawings/{did}/referral").text
    assert "forward head posture (postural assessment of 18 Nov 2026) suggests it is short and tight" in after


def test_show_on_chart_swaps_the_chart_and_announces_the_muscle(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    page = tara.get(f"/pain-drawings/{did}/referral").text
    assert 'id="overlay-status" class="overlay-title" role="status"' in page
    fragment = tara.get(f"/pain-drawings/{did}/referral?show=sternocleidomastoid:right",
                        headers={"HX-Request": "true", "HX-Target": "referral-chart"}).text
    assert "<html" not in fragment and 'class="bodychart"' in fragment
    assert 'id="overlay-status" hx-swap-oob="innerHTML"' in fragment and "Sternocleidomastoid" in fragment


def test_the_drawing_page_lists_what_to_palpate(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    assert "To palpate this session" not in tara.get(f"/pain-drawings/{did}").text
    tara.submit(f"/pain-drawings/{did}/referral", f"/pain-drawings/{did}/palpate",
                {"muscle": "upper_trapezius", "side": "right", "action": "add"})
    page = tara.get(f"/pain-drawings/{did}").text
    assert "To palpate this session" in page and "Upper trapezius (right)" in page


def test_removing_an_unknown_muscle_is_a_clear_error_not_a_crash(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    bad = tara.http.post(f"/pain-drawings/{did}/palpate", data={"muscle": "no_such", "side": "right", "action": "remove"},
                         headers={"HX-Request": "true", "X-CSRF-Token": tara.session_csrf()})
    assert bad.status_code == 400 and "unknown muscle" in bad.text


def test_api_refer_reads_areas_qualities_and_side_findings_like_the_cli(app: FastAPI, people: World, api_token: ApiToken) -> None:
    from fastapi.testclient import TestClient

    from myomap.referral.drawing import parse_phrase, refer_phrases

    http = TestClient(app)
    auth = {"Authorization": f"Bearer {api_token(people.therapist)}"}
    body = {"regions": [{"region": "thenar", "side": "right", "intensity": 6, "qualities": ["tingling"]},
                        {"region": "wrist", "side": "right", "intensity": 4}],
            "findings": {"pronator_teres.right": 1.0}, "top": 5}
    data = http.post("/api/refer", json=body, headers=auth).json()
    same = refer_phrases([parse_phrase("thenar=6:tingling"), parse_phrase("wrist=4")], side="right",
                         findings={"pronator_teres.right": 1.0}).to_json(5)
    assert data == same  # one reading of the words for both faces
    wrist = data["readings"][1]
    assert wrist["expanded_from"] and set(wrist["regions"]) == {"volar_wrist.right", "dorsal_wrist.right"}
    assert any(e["muscle"] == "pronator_teres" and e["test"] == "pronator_compression" for e in data["entrapments"])
    bad = http.post("/api/refer", json={"regions": [{"region": "thenar", "side": "right", "qualities": ["fizzy"]}],
                                        "findings": {"upper_trapezius.up": 1}}, headers=auth)
    assert bad.status_code == 422 and "fizzy" in bad.text and "findings.upper_trapezius.up" in bad.text


def test_api_refer_looks_up_close_matches_for_the_first_few_unknown_places_only(app: FastAPI, people: World, api_token: ApiToken) -> None:
    from fastapi.testclient import TestClient

    from myomap.records.pain.schemas import MAX_MARKS
    from myomap.referral.drawing import MAX_UNKNOWN_PHRASES

    http = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.therapist)}"})
    nonsense = [{"region": f"mid trap side temple web {i}", "side": "left"} for i in range(MAX_MARKS - 1)]
    refused = http.post("/api/refer", json={"regions": [{"region": "temple.right"}, *nonsense]})
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    looked_up = [k for k in errors if k.startswith("regions.")]
    assert looked_up == [f"regions.{i}.region" for i in range(1, MAX_UNKNOWN_PHRASES + 1)]  # temple.right was read
    assert errors["regions"].startswith(f"{MAX_MARKS - 1 - MAX_UNKNOWN_PHRASES} more places were not read")


def test_api_refer_reads_the_drawing_before_taking_a_database_slot(app: FastAPI, people: World, api_token: ApiToken) -> None:
    """With every database slot taken, a drawing that cannot be read is still refused at once:
    the words are read in a worker thread before the sign-in check queues for the database."""
    import anyio
    from fastapi.testclient import TestClient

    http = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.therapist)}"}, raise_server_exceptions=False)
    assert http.get("/api/me").status_code == 200  # the app's database gates exist now
    gates = app.state.db_gates
    busy = anyio.Semaphore(0)  # no slot free
    app.state.db_gates = type(gates)(busy, busy)
    try:
        refused = http.post("/api/refer", json={"regions": [{"region": "no such place"}]})
        assert refused.status_code == 422 and "no such place" in refused.text
    finally:
        app.state.db_gates = gates


# ---- palpation findings feed back into the ranking ---------------------------------------------

def _first(page: str) -> str:
    """The muscle id of the first candidate row on the referral page (or fragment)."""
    found = re.search(r'class="candidate[^"]*" id="cand-([a-z0-9_]+)-', page)
    assert found, "no candidate on the page"
    return str(found.group(1))


def _third(signed_in: SignedIn, people: World, did: int) -> str:
    page = signed_in(people.therapist).get(f"/pain-drawings/{did}/referral").text
    ids = re.findall(r'class="candidate[^"]*" id="cand-([a-z0-9_]+)-right"', page)
    assert len(ids) >= 3
    return str(ids[2])


def test_a_finding_saved_without_script_re_ranks_the_drawing(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    did = drawing_of(people.therapist, client_of(people.therapist), "2026-11-20", HEADACHE)
    muscle = _third(signed_in, people, did)
    tara = signed_in(people.therapist)
    page = f"/pain-drawings/{did}/referral"
    tara.submit(page, f"/pain-drawings/{did}/palpate", {"muscle": muscle, "side": "right", "action": "add"})
    assert _first(tara.get(page).text) != muscle
    saved = tara.submit(page, f"/pain-drawings/{did}/palpation/{muscle}",
                        {"side": "right", "version": "1", "tender": "yes", "taut_band": "", "referral_reproduced": "yes",
                         "trigger_point": "", "note": "recognised her headache"})
    assert saved.status_code == 303 and saved.headers["location"].startswith(f"{page}?saved={muscle}:right")
    after = tara.get(saved.headers["location"]).text
    assert _first(after) == muscle and "reproduced the referred pain" in after
    assert re.search(r"Smallest set explaining the whole drawing:</strong> [^<]*", after)
    assert "Finding saved for" in after and "recognised her headache" in after
    assert re.search(r'name="referral_reproduced" value="yes" checked', after)
    assert re.search(r'name="taut_band" value="" checked', after)


def test_the_htmx_form_gets_the_re_ranked_body_in_place(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    did = drawing_of(people.therapist, client_of(people.therapist), "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    top = _first(tara.get(f"/pain-drawings/{did}/referral").text)
    htmx = {"HX-Request": "true", "HX-Target": "referral-body", "X-CSRF-Token": tara.session_csrf()}
    # Marking it "to palpate" brings its finding form along (out of band), without a reload.
    button = tara.http.post(f"/pain-drawings/{did}/palpate", data={"muscle": top, "side": "right"}, headers=htmx).text
    assert 'id="palpate-list" hx-swap-oob="true"' in button and f'id="finding-{top}-right"' in button
    # Not tender: htmx follows the redirect and gets only the re-ranked body.
    response = tara.http.post(f"/pain-drawings/{did}/palpation/{top}", follow_redirects=True, headers=htmx,
                              data={"side": "right", "version": "1", "tender": "no"})
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="referral-body">')
    assert _first(response.text) != top and "and not tender" in response.text
    # A stale version: the message goes into that entry's slot, the typed form stays as it was.
    stale = tara.http.post(f"/pain-drawings/{did}/palpation/{top}", headers=htmx,
                           data={"side": "right", "version": "1", "tender": "yes"})
    assert stale.status_code == 200 and stale.headers["HX-Retarget"] == f"#problem-{top}-right"
    assert "changed by someone else (you edited version 1, it is now version 2); nothing was saved" in stale.text
    assert _first(tara.get(f"/pain-drawings/{did}/referral").text) != top


def test_recording_a_finding_is_refused_without_token_role_or_clinic(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    did = drawing_of(people.therapist, client_of(people.therapist), "2026-11-20", HEADACHE)
    form = {"side": "right", "tender": "yes"}
    tara = signed_in(people.therapist)
    assert tara.http.post(f"/pain-drawings/{did}/palpation/upper_trapezius", data=form).status_code == 403
    for person, status in ((people.front_desk, 403), (people.outsider, 404)):
        visitor = signed_in(person)
        sent = visitor.http.post(f"/pain-drawings/{did}/palpation/upper_trapezius", data=form,
                                 headers={"X-CSRF-Token": visitor.session_csrf()})
        assert sent.status_code == status
    bad = tara.http.post(f"/pain-drawings/{did}/palpation/upper_trapezus", data=form,
                         headers={"X-CSRF-Token": tara.session_csrf()})
    assert bad.status_code == 200 and "upper_trapezius" in bad.text and "Nothing was saved" in bad.text
    assert "reproduced" not in tara.get(f"/pain-drawings/{did}/referral").text


def test_api_records_a_finding_and_the_referral_shows_it(app: FastAPI, people: World, api_token: ApiToken, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    from fastapi.testclient import TestClient

    did = drawing_of(people.therapist, client_of(people.therapist), "2026-11-20", HEADACHE)
    http = TestClient(app)
    auth = {"Authorization": f"Bearer {api_token(people.therapist)}"}
    before = http.get(f"/api/pain-drawings/{did}/referral", headers=auth).json()
    third = before["candidates"][2]["muscle"]
    assert before["palpation"] == [] and before["cover"][0] != third
    url = f"/api/pain-drawings/{did}/palpation/{third}"
    put = http.put(url, json={"side": "right", "tender": True, "referral_reproduced": True, "note": "recognised"},
                   headers=auth)
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["muscle"] == third and body["version"] == 1 and body["palpated"] and body["palpated_by"] == "Tara Therapist"
    after = http.get(f"/api/pain-drawings/{did}/referral", headers=auth).json()
    assert after["candidates"][0]["muscle"] == third and after["cover"][0] == third
    assert any("reproduced" in r for r in after["candidates"][0]["reasons"])
    assert [(p["muscle"], p["referral_reproduced"], p["note"]) for p in after["palpation"]] == [(third, True, "recognised")]
    stale = http.put(url, json={"side": "right", "version": 0, "tender": False}, headers=auth)
    assert stale.status_code == 409 and stale.json()["current_version"] == 1 and stale.json()["current"]["tender"] is True
    unversioned = http.put(url, json={"side": "right", "tender": False}, headers=auth)
    assert unversioned.status_code == 422 and "version" in unversioned.json()["errors"]
    unknown = http.put(f"/api/pain-drawings/{did}/palpation/upper_trapezus", json={"side": "right"}, headers=auth)
    assert unknown.status_code == 422 and "upper_trapezius" in unknown.json()["errors"]["muscle"]
    desk = {"Authorization": f"Bearer {api_token(people.front_desk)}"}
    assert http.put(url, json={"side": "right", "version": 1, "tender": False}, headers=desk).status_code == 403
    outsider = {"Authorization": f"Bearer {api_token(people.outsider)}"}
    assert http.put(url, json={"side": "right", "version": 1, "tender": False}, headers=outsider).status_code == 404
    assert http.get(f"/api/pain-drawings/{did}/referral", headers=auth).json()["candidates"][0]["muscle"] == third


# ---- more rows, finding a muscle, the score explained ------------------------------------------

def test_show_more_adds_rows_and_find_names_a_muscles_place_score_and_reasons(signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf) -> None:
    from myomap.referral import SCORE_MEANING

    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    first = tara.get(f"/pain-drawings/{did}/referral").text
    rows = len(re.findall(r'<li class="candidate[^"]*" id="cand-', first))
    assert rows == 10 and re.search(r"Show \d+ more", first) and "10 of " in first
    assert SCORE_MEANING.replace("'", "&#39;") in first and "red flags" not in first
    shown = re.search(r"10 of (\d+) shown", first)
    assert shown, "the page says how many candidates there are"
    total = int(shown.group(1))
    more = tara.get(f"/pain-drawings/{did}/referral?rows=20", headers={"HX-Request": "true", "HX-Target": "referral-body"}).text
    assert "<html" not in more and len(re.findall(r'<li class="candidate[^"]*" id="cand-', more)) == min(20, total)
    assert 'id="cand-' in more and "autofocus" in more  # the first new row takes the focus
    last = re.findall(r'id="cand-([a-z0-9_]+)-(\w+)"', more)[-1]
    found = tara.get(f"/pain-drawings/{did}/referral?find={last[0].replace('_', ' ')}",
                     headers={"HX-Request": "true", "HX-Target": "ranking-found"}).text
    assert f"No. {min(20, total)} of {total}" in found and "score " in found and '<ul class="reasons"><li>' in found
    assert "<html" not in found
    unranked = tara.get(f"/pain-drawings/{did}/referral?find=soleus", headers={"HX-Request": "true", "HX-Target": "ranking-found"}).text
    assert "Not in this ranking: Soleus" in unranked
    unknown = tara.get(f"/pain-drawings/{did}/referral?find=wobblius", headers={"HX-Request": "true", "HX-Target": "ranking-found"}).text
    assert "No muscle in the atlas is called “wobblius”" in unknown


def test_the_api_description_explains_the_score(app: FastAPI) -> None:
    from myomap.referral import SCORE_MEANING

    paths = app.openapi()["paths"]
    assert SCORE_MEANING in paths["/api/refer"]["post"]["description"]
    assert SCORE_MEANING in paths["/api/pain-drawings/{drawing_id}/referral"]["get"]["description"]
    assert app.openapi()["components"]["schemas"]["CandidateOut"]["properties"]["score"]["description"] == SCORE_MEANING
