"""Trigger-point pages: the atlas, 'Which trigger points?' for a drawing, the to-palpate list,
and the JSON API for referral and muscles."""

from __future__ import annotations

import re

from sqlalchemy import select

from myomap.records.audit.models import AuditEvent
from myomap.records.palpation.models import PalpationTarget

HEADACHE = {"temple.right": 7, "posterior_neck.right": 5, "mastoid.right": 4}


def test_the_atlas_finds_muscles_by_symptom_and_shows_a_referral_map(signed_in, people) -> None:  # type: ignore[no-untyped-def]
    tara = signed_in(people.therapist)
    page = tara.get("/atlas?q=carpal tunnel")
    assert page.status_code == 200 and "/atlas/muscles/flexor_carpi_radialis" in page.text
    muscle = tara.get("/atlas/muscles/upper_trapezius?side=left")
    assert muscle.status_code == 200
    html = muscle.text
    assert re.search(r'class="region[^"]*essential[^"]*" data-region="temple\.left"', html)
    assert re.search(r'class="region[^"]*spillover[^"]*" data-region="jaw\.left"', html)
    assert "Travell" in html and "Self-care" in html


def test_the_atlas_search_answers_htmx_with_a_fragment(signed_in, people) -> None:  # type: ignore[no-untyped-def]
    tara = signed_in(people.therapist)
    fragment = tara.get("/atlas?q=SCM", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Sternocleidomastoid" in fragment.text


def test_an_unknown_muscle_is_a_404(signed_in, people) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(people.therapist).get("/atlas/muscles/no_such_muscle").status_code == 404


def test_which_trigger_points_ranks_muscles_for_the_drawing_with_reasons(signed_in, people, client_of, drawing_of, web_db) -> None:  # type: ignore[no-untyped-def]
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    page = signed_in(people.therapist).get(f"/pain-drawings/{did}/referral")
    assert page.status_code == 200
    first = page.text.index('class="candidate')
    assert "Upper trapezius" in page.text[first: first + 600]
    assert "essential referral zone covers" in page.text
    # the drawing's pain is painted as heat, and the top candidate's unpainted zones as its pattern
    assert re.search(r'class="region heat" data-region="temple\.right"[^>]*data-intensity="7"', page.text)
    assert re.search(r'class="region spillover" data-region="jaw\.right"', page.text)
    assert not re.search(r'class="region[^"]*" data-region="temple\.left"[^>]*data-intensity', page.text)
    with web_db.sessions() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "pain_drawing.referral")).first()


def test_the_therapist_marks_a_candidate_to_palpate_and_can_take_it_back(signed_in, people, client_of, drawing_of, web_db) -> None:  # type: ignore[no-untyped-def]
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    page = f"/pain-drawings/{did}/referral"
    action = f"/pain-drawings/{did}/palpate"
    response = tara.submit(page, action, {"muscle": "upper_trapezius", "side": "right", "action": "add"})
    assert response.status_code == 303
    assert "✓ To palpate" in tara.get(page).text
    with web_db.sessions() as s:
        assert [(t.muscle_id, t.side) for t in s.scalars(select(PalpationTarget))] == [("upper_trapezius", "right")]
    tara.submit(page, action, {"muscle": "upper_trapezius", "side": "right", "action": "remove"})
    with web_db.sessions() as s:
        assert s.scalars(select(PalpationTarget)).first() is None


def test_to_palpate_needs_the_csrf_token_and_a_real_muscle(signed_in, people, client_of, drawing_of) -> None:  # type: ignore[no-untyped-def]
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    no_token = tara.http.post(f"/pain-drawings/{did}/palpate", data={"muscle": "upper_trapezius", "side": "right"})
    assert no_token.status_code == 403
    bad = tara.submit(f"/pain-drawings/{did}/referral", f"/pain-drawings/{did}/palpate",
                      {"muscle": "upper trapezus", "side": "right"})
    assert bad.status_code in (400, 422) and "upper_trapezius" in bad.text


def test_another_clinic_cannot_see_the_ranking(signed_in, people, client_of, drawing_of) -> None:  # type: ignore[no-untyped-def]
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    assert signed_in(people.outsider).get(f"/pain-drawings/{did}/referral").status_code == 404
    assert signed_in(people.front_desk).get(f"/pain-drawings/{did}/referral").status_code == 403


def test_api_refer_ranks_a_drawing_given_by_names(app, people, api_token) -> None:  # type: ignore[no-untyped-def]
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


def test_api_muscles_lists_searches_and_shows(app, people, api_token) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    http = TestClient(app)
    auth = {"Authorization": f"Bearer {api_token(people.therapist)}"}
    assert len(http.get("/api/muscles", headers=auth).json()) >= 140
    assert http.get("/api/muscles", params={"q": "SCM"}, headers=auth).json()[0]["id"] == "sternocleidomastoid"
    one = http.get("/api/muscles/SCM", headers=auth).json()
    assert one["id"] == "sternocleidomastoid" and one["essential_zones"] and one["trigger_points"]
    assert http.get("/api/muscles/nothing", headers=auth).status_code == 404
    assert http.get("/api/muscles").status_code == 401


def test_a_postural_assessment_raises_the_muscles_its_patterns_implicate(signed_in, people, client_of, drawing_of, web_db) -> None:  # type: ignore[no-untyped-def]
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
    assert "forward head posture (postural assessment of 18 Nov 2026) suggests it is short/overactive" in after


def test_show_on_chart_swaps_the_chart_and_announces_the_muscle(signed_in, people, client_of, drawing_of) -> None:  # type: ignore[no-untyped-def]
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    page = tara.get(f"/pain-drawings/{did}/referral").text
    assert 'id="overlay-status" class="overlay-title" role="status"' in page
    fragment = tara.get(f"/pain-drawings/{did}/referral?show=sternocleidomastoid:right",
                        headers={"HX-Request": "true", "HX-Target": "referral-chart"}).text
    assert "<html" not in fragment and 'class="bodychart"' in fragment
    assert 'id="overlay-status" hx-swap-oob="innerHTML"' in fragment and "Sternocleidomastoid" in fragment


def test_the_drawing_page_lists_what_to_palpate(signed_in, people, client_of, drawing_of) -> None:  # type: ignore[no-untyped-def]
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    assert "To palpate this session" not in tara.get(f"/pain-drawings/{did}").text
    tara.submit(f"/pain-drawings/{did}/referral", f"/pain-drawings/{did}/palpate",
                {"muscle": "upper_trapezius", "side": "right", "action": "add"})
    page = tara.get(f"/pain-drawings/{did}").text
    assert "To palpate this session" in page and "Upper trapezius (right)" in page


def test_removing_an_unknown_muscle_is_a_clear_error_not_a_crash(signed_in, people, client_of, drawing_of) -> None:  # type: ignore[no-untyped-def]
    cid = client_of(people.therapist)
    did = drawing_of(people.therapist, cid, "2026-11-20", HEADACHE)
    tara = signed_in(people.therapist)
    bad = tara.http.post(f"/pain-drawings/{did}/palpate", data={"muscle": "no_such", "side": "right", "action": "remove"},
                         headers={"HX-Request": "true", "X-CSRF-Token": tara.session_csrf()})
    assert bad.status_code == 400 and "unknown muscle" in bad.text


def test_api_refer_reads_areas_qualities_and_side_findings_like_the_cli(app, people, api_token) -> None:  # type: ignore[no-untyped-def]
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
