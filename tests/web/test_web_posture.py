"""The postural assessment pages and API: create an assessment, upload a view (a plain multipart
form with the CSRF token), see metrics and patterns, correct landmarks, compare; bad and oversized
uploads explained; images access-checked; a photo of two people refused until the client's box is
given (API field ``box``, the page's four box fields).

The pose model runs once for the module on the fixture photo (uploads of it reuse that analysis)
and once per (photo, box) on anything else.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2
import pytest
from sqlalchemy import func, select

from myomap.posture import CAPTURE_STEPS, PhotoError, PostureAnalysis, analyse_photo
from myomap.records.posture import photos
from myomap.records.posture.models import PosturePhoto
from tests.standing_photo import standing_front_photo

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
PHOTO = standing_front_photo()  # a client standing; the Warrior II photo is (rightly) refused
PDF = b"%PDF-1.7\n" + b"0" * 500

if TYPE_CHECKING:
    from fastapi import FastAPI

    from myomap.config import Settings
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ApiToken, ClientOf, SignedIn, Visitor

ModelRuns = dict[tuple[str, tuple[int, ...] | None], PostureAnalysis | PhotoError]
"""Analyses (or the PhotoError) of photos other than the fixture, by (photo digest, box)."""


@pytest.fixture(scope="module")
def front_jpeg() -> bytes:
    if not PHOTO.exists():
        pytest.skip(f"fixture photo missing: {PHOTO} (the shared fixtures folder sits next to the repository)")
    return PHOTO.read_bytes()


@pytest.fixture(scope="module")
def front_analysis(front_jpeg: bytes) -> PostureAnalysis:
    return photos.prepare_photo(front_jpeg, view="anterior")


@pytest.fixture(scope="module")
def model_runs() -> ModelRuns:
    """Analyses (or PhotoErrors) of photos other than the fixture, by (photo, box): one run each."""
    return {}


@pytest.fixture(autouse=True)
def one_model_run(monkeypatch: pytest.MonkeyPatch, front_jpeg: bytes, front_analysis: PostureAnalysis, model_runs: ModelRuns) -> None:
    """Uploads of the fixture photo reuse the module's analysis; anything else is really decoded
    (and analysed once per photo and box)."""
    def analyse(data: bytes, **kw: Any) -> PostureAnalysis:
        if data == front_jpeg:
            return replace(front_analysis, view=kw["view"], height_cm=kw.get("height_cm"))
        key = (hashlib.sha256(data).hexdigest(), tuple(kw["box"]) if kw.get("box") else None)
        if key not in model_runs:
            try:
                model_runs[key] = analyse_photo(data, **kw)  # the real one, from the core
            except PhotoError as exc:
                model_runs[key] = exc
        found = model_runs[key]
        if isinstance(found, PhotoError):
            raise found
        return replace(found, view=kw["view"], height_cm=kw.get("height_cm"))

    monkeypatch.setattr(photos, "analyse_photo", analyse)


def _create(visitor: Visitor, cid: int, **fields: str) -> int:
    data = {"assessed_on": date.today().isoformat(), "height_cm": "175", "note": "", **fields}
    response = visitor.submit(f"/clients/{cid}/posture-assessments/new", f"/clients/{cid}/posture-assessments", data)
    assert response.status_code == 303, response.text[:1000]
    match = re.fullmatch(r"/posture-assessments/(\d+)\?done=assessment_created", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def _upload(visitor: Visitor, aid: int, view: str, data: bytes, name: str = "photo.jpg") -> httpx2.Response:
    action = f"/posture-assessments/{aid}/views/{view}"
    token = visitor.token_from(f"/posture-assessments/{aid}", action)
    return visitor.http.post(action, data={"csrf_token": token}, files={"photo": (name, data, "image/jpeg")})


def _editor_state(visitor: Visitor, aid: int, view: str = "anterior") -> tuple[dict[str, dict[str, Any]], int, str]:
    page = visitor.get(f"/posture-assessments/{aid}/views/{view}/edit")
    assert page.status_code == 200, page.text[:500]
    landmarks_field = re.search(r'name="landmarks" value="([^"]*)"', page.text)
    version_field = re.search(r'name="version" value="(\d+)"', page.text)
    assert landmarks_field and version_field, "the editor form lost its landmarks or version field"
    landmarks = json.loads(html.unescape(landmarks_field.group(1)))
    version = int(version_field.group(1))
    return landmarks, version, page.text


def test_the_therapist_creates_an_assessment_uploads_a_photo_and_sees_the_results(signed_in: SignedIn, people: World, client_of: ClientOf, front_jpeg: bytes) -> None:
    cid = client_of(people.front_desk, given_name="Grace", family_name="Hopper")
    tara = signed_in(people.therapist)
    listing = tara.get(f"/clients/{cid}/posture-assessments")
    assert listing.status_code == 200 and "No postural assessments yet" in listing.text
    assert f'href="/clients/{cid}/posture-assessments/new"' in listing.text

    wrong = tara.submit(f"/clients/{cid}/posture-assessments/new", f"/clients/{cid}/posture-assessments",
                        {"assessed_on": date.today().isoformat(), "height_cm": "1.72", "note": ""})
    assert wrong.status_code == 200 and "give the height in centimetres (e.g. 172)" in html.unescape(wrong.text)
    aid = _create(tara, cid, note="baseline before treatment")
    page = tara.get(f"/posture-assessments/{aid}?done=assessment_created")
    assert page.status_code == 200 and "Assessment created" in page.text
    text = html.unescape(page.text)
    assert "Photo capture protocol" in text and CAPTURE_STEPS[0] in text  # the protocol is shown
    for view in ("anterior", "posterior", "left", "right"):
        form = re.search(rf'<form method="post" action="/posture-assessments/{aid}/views/{view}" enctype="multipart/form-data"[^>]*>(.*?)</form>', page.text, re.DOTALL)
        assert form, view
        assert 'type="file" accept="image/*" capture="environment"' in form.group(1)
        assert 'name="csrf_token"' in form.group(1)
    assert 'href="/static/posture.css"' in page.text and 'src="/static/landmarks.js"' in page.text

    response = _upload(tara, aid, "anterior", front_jpeg)
    assert response.status_code == 303 and response.headers["location"].endswith("?done=photo_analysed#view-anterior")
    page = tara.get(f"/posture-assessments/{aid}?done=photo_analysed")
    text = html.unescape(page.text)
    table = text[text.index('id="metrics-anterior"'):]
    table = table[: table.index("</table>")]
    assert 'data-metric="shoulder_height_difference"' in table and "Shoulder height difference" in table
    assert "pose estimate" in table and "deviation" in table and "°" in table
    assert "not measured: " in table  # the Q angle needs therapist points, and says so
    assert f'src="/posture-assessments/{aid}/views/anterior/annotated.jpg"' in page.text
    assert "Elevated shoulder" in text and 'href="/atlas/muscles/upper_trapezius' in page.text
    assert "referral flag, not a diagnosis" in text
    assert f'href="/posture-assessments/{aid}/views/anterior/edit"' in page.text

    png = tara.get(f"/posture-assessments/{aid}/views/anterior/annotated.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.headers["cache-control"] == "no-store" and png.content.startswith(b"\x89PNG")
    jpeg = tara.get(f"/posture-assessments/{aid}/views/anterior/annotated.jpg")
    assert jpeg.status_code == 200 and jpeg.headers["content-type"] == "image/jpeg"
    assert jpeg.content.startswith(b"\xff\xd8\xff")
    assert tara.get(f"/posture-assessments/{aid}/views/anterior/annotated.gif").status_code == 404
    photo = tara.get(f"/posture-assessments/{aid}/views/anterior/photo")
    assert photo.headers["content-type"] == "image/jpeg" and photo.headers["cache-control"] == "no-store"
    assert b"Exif" not in photo.content[:4096]

    landmarks, version, editor = _editor_state(tara, aid)
    assert version == 2 and landmarks["left_hip"]["source"] == "model"
    assert 'data-name="left_shoulder"' in editor and 'data-add="acromion_left"' in editor and 'data-add="c7"' in editor
    assert 'data-recompute-url="/api/posture/recompute"' in editor


def test_the_editor_saves_moved_points_and_refuses_a_stale_version(signed_in: SignedIn, people: World, client_of: ClientOf, front_jpeg: bytes) -> None:
    cid = client_of(people.therapist)
    tara = signed_in(people.therapist)
    aid = _create(tara, cid)
    assert _upload(tara, aid, "anterior", front_jpeg).status_code == 303
    landmarks, version, _ = _editor_state(tara, aid)
    landmarks["right_shoulder"]["y"] -= 30
    landmarks["acromion_left"] = {"x": 550, "y": 312, "visibility": 1, "source": "therapist"}
    action = f"/posture-assessments/{aid}/views/anterior/landmarks"
    saved = tara.submit(f"/posture-assessments/{aid}/views/anterior/edit", action,
                        {"version": version, "landmarks": json.dumps(landmarks)})
    assert saved.status_code == 303 and saved.headers["location"].endswith("/edit?done=landmarks_saved")
    after, new_version, editor = _editor_state(tara, aid)
    assert new_version == version + 1 and "Landmarks saved" in tara.get(saved.headers["location"]).text
    assert after["right_shoulder"]["source"] == "therapist" and after["acromion_left"]["source"] == "therapist"
    assert re.search(r'data-name="right_shoulder"[^>]*data-source="therapist"', editor)

    stale = tara.submit(f"/posture-assessments/{aid}/views/anterior/edit", action,
                        {"version": version, "landmarks": json.dumps(landmarks)})
    assert stale.status_code == 409 and "changed by someone else" in stale.text and "Nothing was saved" in stale.text
    garbled = tara.submit(f"/posture-assessments/{aid}/views/anterior/edit", action, {"version": new_version, "landmarks": "{not json"})
    assert garbled.status_code == 200 and "not readable" in garbled.text
    outside = tara.submit(f"/posture-assessments/{aid}/views/anterior/edit", action,
                          {"version": new_version, "landmarks": json.dumps({**after, "c7": {"x": 99999, "y": 1}})})
    assert outside.status_code == 200 and "outside the 720×1280 photo" in html.unescape(outside.text)


def test_the_recompute_api_follows_the_points_and_needs_the_csrf_header(signed_in: SignedIn, people: World, client_of: ClientOf, front_analysis: PostureAnalysis) -> None:
    tara = signed_in(people.therapist)
    token = tara.session_csrf()
    landmarks = front_analysis.to_json()["landmarks"]
    body = {"view": "anterior", "image_size": [720, 1280], "height_cm": 175, "landmarks": landmarks}
    first = tara.http.post("/api/posture/recompute", json=body, headers={"X-CSRF-Token": token})
    assert first.status_code == 200, first.text
    shoulder = next(m for m in first.json()["metrics"] if m["id"] == "shoulder_height_difference")
    level = (landmarks["left_shoulder"]["y"] + landmarks["right_shoulder"]["y"]) / 2  # the therapist levels both shoulder points
    moved = {**landmarks, **{n: {**landmarks[n], "y": level} for n in ("left_shoulder", "right_shoulder")}}
    second = tara.http.post("/api/posture/recompute", json={**body, "landmarks": moved}, headers={"X-CSRF-Token": token})
    level = next(m for m in second.json()["metrics"] if m["id"] == "shoulder_height_difference")
    assert shoulder["status"] == "deviation" and level["status"] == "normal" and level["value"] < shoulder["value"]

    assert tara.http.post("/api/posture/recompute", json=body).status_code == 403  # no CSRF header
    bad = tara.http.post("/api/posture/recompute", json={**body, "landmarks": {"navel": {"x": 1, "y": 2}}},
                         headers={"X-CSRF-Token": token})
    assert bad.status_code == 422 and "navel" in bad.json()["detail"]
    desk = signed_in(people.front_desk)
    refused = desk.http.post("/api/posture/recompute", json=body, headers={"X-CSRF-Token": desk.session_csrf()})
    assert refused.status_code == 403


def test_the_api_creates_uploads_corrects_and_compares(app: FastAPI, people: World, client_of: ClientOf, api_token: ApiToken, web_db: Database, front_jpeg: bytes) -> None:
    from fastapi.testclient import TestClient

    http = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.therapist)}"})
    cid = client_of(people.therapist)
    earlier = http.post(f"/api/clients/{cid}/posture-assessments",
                        json={"assessed_on": (date.today() - timedelta(days=28)).isoformat(), "height_cm": 175})
    assert earlier.status_code == 201 and earlier.json()["version"] == 1 and earlier.json()["photos"] == {}
    aid = earlier.json()["id"]
    uploaded = http.put(f"/api/posture-assessments/{aid}/views/anterior", files={"photo": ("f.jpg", front_jpeg, "image/jpeg")})
    assert uploaded.status_code == 200, uploaded.text
    data = uploaded.json()
    assert data["views"] == ["anterior"] and data["version"] == 2 and data["patterns"]
    front = data["photos"]["anterior"]
    assert front["width"] == 720 and front["landmarks"]["nose"]["source"] == "model" and front["metrics"]

    landmarks = front["landmarks"]
    landmarks["left_shoulder"]["y"] = landmarks["right_shoulder"]["y"] = (landmarks["left_shoulder"]["y"] + landmarks["right_shoulder"]["y"]) / 2
    put = http.put(f"/api/posture-assessments/{aid}/views/anterior/landmarks", json={"version": 2, "landmarks": landmarks})
    assert put.status_code == 200 and put.json()["version"] == 3
    assert put.json()["photos"]["anterior"]["landmarks"]["right_shoulder"]["source"] == "therapist"
    conflict = http.put(f"/api/posture-assessments/{aid}/views/anterior/landmarks", json={"version": 2, "landmarks": landmarks})
    assert conflict.status_code == 409 and conflict.json()["current_version"] == 3 and conflict.json()["detail"]

    later = http.post(f"/api/clients/{cid}/posture-assessments", json={"assessed_on": date.today().isoformat(), "height_cm": 175}).json()
    http.put(f"/api/posture-assessments/{later['id']}/views/anterior", files={"photo": ("f.jpg", front_jpeg, "image/jpeg")})
    cmp = http.get("/api/posture-assessments/compare", params={"a": later["id"], "b": aid})
    assert cmp.status_code == 200 and cmp.json()["before"]["id"] == aid
    shoulder = next(c for c in cmp.json()["changes"] if c["id"] == "shoulder_height_difference")
    assert shoulder["trend"] == "worse" and shoulder["change"] > 0
    listed = http.get(f"/api/clients/{cid}/posture-assessments").json()
    assert [a["id"] for a in listed] == [later["id"], aid]

    patched = http.patch(f"/api/posture-assessments/{aid}", json={"version": 3, "height_cm": None})
    assert patched.status_code == 200 and patched.json()["height_cm"] is None and patched.json()["version"] == 4
    assert http.get(f"/api/posture-assessments/{aid}/views/anterior/annotated.png").content.startswith(b"\x89PNG")
    removed = http.delete(f"/api/posture-assessments/{aid}/views/anterior", params={"version": 4})
    assert removed.status_code == 200 and removed.json()["views"] == []

    with web_db.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(PosturePhoto))
    analysed = http.post("/api/posture", files={"photo": ("f.jpg", front_jpeg, "image/jpeg")}, data={"view": "anterior", "height_cm": "180"})
    assert analysed.status_code == 200, analysed.text
    body = analysed.json()
    assert set(body) == {"view", "landmarks", "metrics", "patterns", "details"}
    assert body["details"]["image_size"] == [720, 1280] and body["details"]["height_cm"] == 180
    with web_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PosturePhoto)) == stored  # nothing stored


def test_bad_and_oversized_uploads_are_explained_and_nothing_is_stored(
    app: FastAPI, signed_in: SignedIn, people: World, client_of: ClientOf, api_token: ApiToken, web_db: Database,
    front_jpeg: bytes, monkeypatch: pytest.MonkeyPatch, web_settings: Settings,
) -> None:
    from fastapi.testclient import TestClient

    cid = client_of(people.therapist)
    tara = signed_in(people.therapist)
    aid = _create(tara, cid)
    page = _upload(tara, aid, "posterior", PDF, name="report.pdf")
    assert page.status_code == 200
    assert "This photo could not be used" in page.text and "unsupported file type: PDF" in page.text
    no_file = tara.http.post(f"/posture-assessments/{aid}/views/left", data={"csrf_token": tara.session_csrf()},
                             files={"photo": ("", b"", "application/octet-stream")})
    assert no_file.status_code == 200 and "no photo was received" in no_file.text
    no_token = tara.http.post(f"/posture-assessments/{aid}/views/anterior", files={"photo": ("f.jpg", front_jpeg, "image/jpeg")})
    assert no_token.status_code == 403

    http = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.therapist)}"})
    api = http.put(f"/api/posture-assessments/{aid}/views/anterior", files={"photo": ("t.txt", b"just some text", "text/plain")})
    assert api.status_code == 422 and "unsupported file type" in api.json()["detail"]
    assert http.post("/api/posture", files={"photo": ("f.jpg", front_jpeg, "image/jpeg")}, data={"view": "up"}).status_code == 422

    # A photo over the limit: a clear 413 from the posture faces ...
    monkeypatch.setattr(app.state, "settings", app.state.settings.model_copy(update={"upload_max_bytes": 10_000}))
    big = http.put(f"/api/posture-assessments/{aid}/views/anterior", files={"photo": ("f.jpg", front_jpeg, "image/jpeg")})
    assert big.status_code == 413 and "the photo is 83 KB; the largest accepted is 10 KB" in big.json()["detail"]
    too_big_page = _upload(tara, aid, "anterior", front_jpeg)
    assert too_big_page.status_code == 413 and "the largest accepted is 10 KB" in too_big_page.text
    # ... and a request over the app's body limit is refused before it is read.
    from myomap.web.app import create_app

    small = create_app(web_settings.model_copy(update={"upload_max_bytes": 20_000}), database=web_db)
    refused = TestClient(small, headers={"Authorization": f"Bearer {api_token(people.therapist)}"}).put(
        f"/api/posture-assessments/{aid}/views/anterior", files={"photo": ("f.jpg", front_jpeg, "image/jpeg")})
    assert refused.status_code == 413, refused.text
    assert "the largest accepted is" in refused.json()["detail"]

    with web_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PosturePhoto)) == 0


def test_pages_and_images_are_access_checked(app: FastAPI, signed_in: SignedIn, people: World, client_of: ClientOf, api_token: ApiToken, front_jpeg: bytes, visitor: Visitor) -> None:
    from fastapi.testclient import TestClient

    cid = client_of(people.therapist)
    tara = signed_in(people.therapist)
    aid = _create(tara, cid)
    assert _upload(tara, aid, "anterior", front_jpeg).status_code == 303
    urls = [f"/posture-assessments/{aid}", f"/posture-assessments/{aid}/views/anterior/annotated.png",
            f"/posture-assessments/{aid}/views/anterior/photo", f"/posture-assessments/{aid}/views/anterior/edit",
            f"/clients/{cid}/posture-assessments"]
    oscar = signed_in(people.outsider)
    for url in urls:
        response = oscar.get(url)
        assert response.status_code == 404, url
        assert b"\x89PNG" not in response.content[:8]
    desk = signed_in(people.front_desk)
    for url in urls:
        assert desk.get(url).status_code == 403, url
    anonymous = visitor.get(urls[1])
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
    outsider_api = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.outsider)}"})
    assert outsider_api.get(f"/api/posture-assessments/{aid}").status_code == 404
    assert outsider_api.get(f"/api/posture-assessments/{aid}/views/anterior/annotated.png").status_code == 404
    assert TestClient(app).get(f"/api/posture-assessments/{aid}").status_code == 401


def test_two_assessments_side_by_side(signed_in: SignedIn, people: World, client_of: ClientOf, front_jpeg: bytes) -> None:
    cid = client_of(people.therapist)
    tara = signed_in(people.therapist)
    first = _create(tara, cid, assessed_on=(date.today() - timedelta(days=14)).isoformat())
    second = _create(tara, cid)
    for aid in (first, second):
        assert _upload(tara, aid, "anterior", front_jpeg).status_code == 303
    landmarks, version, _ = _editor_state(tara, second)
    landmarks["left_shoulder"]["y"] = landmarks["right_shoulder"]["y"] = (landmarks["left_shoulder"]["y"] + landmarks["right_shoulder"]["y"]) / 2
    tara.submit(f"/posture-assessments/{second}/views/anterior/edit", f"/posture-assessments/{second}/views/anterior/landmarks",
                {"version": version, "landmarks": json.dumps(landmarks)})
    listing = tara.get(f"/clients/{cid}/posture-assessments")
    assert "Compare two assessments" in listing.text
    page = tara.get(f"/posture-assessments/compare?a={second}&b={first}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    row = re.search(r'<tr data-metric="shoulder_height_difference">(.*?)</tr>', text, re.DOTALL)
    assert row and "deviation → normal" in row.group(1) and "better" in row.group(1)
    assert f'src="/posture-assessments/{first}/views/anterior/annotated.jpg"' in page.text
    assert f'src="/posture-assessments/{second}/views/anterior/annotated.jpg"' in page.text


# ---- several people: the client's box ---------------------------------------------------------


def test_the_api_asks_for_a_box_when_two_people_are_in_the_photo_and_analyses_the_one_inside(
    app: FastAPI, people: World, client_of: ClientOf, api_token: ApiToken, web_db: Database,
    two_people_jpeg: tuple[bytes, int, int],
) -> None:
    from fastapi.testclient import TestClient
    from PIL import Image

    photo, width, height = two_people_jpeg
    half = width // 2
    http = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.therapist)}"})
    cid = client_of(people.therapist)
    aid = http.post(f"/api/clients/{cid}/posture-assessments",
                    json={"assessed_on": date.today().isoformat(), "height_cm": 175}).json()["id"]
    url = f"/api/posture-assessments/{aid}/views/anterior"

    refused = http.put(url, files={"photo": ("two.jpg", photo, "image/jpeg")})
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert "2 people found in the photo" in detail and "`box`" in detail and "X,Y,W,H" in detail
    assert "box" in refused.json()["errors"]
    with web_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PosturePhoto)) == 0

    # A box around the right-hand person: landmarks inside it, in whole-photo pixels.
    box = [half, 0, half, height]
    boxed = http.put(url, files={"photo": ("two.jpg", photo, "image/jpeg")}, data={"box": ",".join(map(str, box))})
    assert boxed.status_code == 200, boxed.text
    front = boxed.json()["photos"]["anterior"]
    assert front["box"] == box and (front["width"], front["height"]) == (width, height)
    for name, lm in front["landmarks"].items():
        assert half <= lm["x"] <= width and 0 <= lm["y"] <= height, (name, lm)
    assert http.get(f"/api/posture-assessments/{aid}").json()["photos"]["anterior"]["box"] == box
    # The box is drawn (yellow) on the annotated image, and kept when the landmarks are corrected.
    png = Image.open(io.BytesIO(http.get(f"{url}/annotated.png").content)).convert("RGB")
    assert png.height == height  # the photo at full size, with the legend beside it
    pixel = png.getpixel((half + 1, height // 2))
    assert isinstance(pixel, tuple), pixel  # an RGB image gives (r, g, b)
    r, g, b = pixel
    assert r > 200 and 170 < g < 240 and b < 80, (r, g, b)
    landmarks = front["landmarks"]
    corrected = http.put(f"{url}/landmarks", json={"version": boxed.json()["version"], "landmarks": landmarks})
    assert corrected.status_code == 200 and corrected.json()["photos"]["anterior"]["box"] == box

    analysed = http.post("/api/posture", files={"photo": ("two.jpg", photo, "image/jpeg")},
                         data={"view": "anterior", "box": f"{half}, 0, {half}, {height}"})
    assert analysed.status_code == 200, analysed.text
    assert analysed.json()["details"]["box"] == box
    assert all(lm["x"] >= half for lm in analysed.json()["landmarks"].values())
    alone = http.post("/api/posture", files={"photo": ("two.jpg", photo, "image/jpeg")}, data={"view": "anterior"})
    assert alone.status_code == 422 and "`box`" in alone.json()["detail"]


@pytest.mark.parametrize(("box", "message"), [
    ("1,2,3", "four whole numbers X,Y,W,H"),
    ("a,b,c,d", "four whole numbers"),
    ("-5,0,720,1280", "0 or more, no decimals or signs"),
    ("10.5,0,720,1280", "no decimals"),
    ("0,0,20,1280", "it must be at least 32 wide and 64 high"),
    ("800,0,720,1280", "reaches beyond the 1440×1280 photo"),
    ("0,100,720,1280", "y + height at most 1280"),
])
def test_bad_boxes_are_refused_clearly(app: FastAPI, people: World, client_of: ClientOf, api_token: ApiToken, two_people_jpeg: tuple[bytes, int, int], box: str, message: str) -> None:
    from fastapi.testclient import TestClient

    photo = two_people_jpeg[0]
    http = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.therapist)}"})
    cid = client_of(people.therapist)
    aid = http.post(f"/api/clients/{cid}/posture-assessments", json={"assessed_on": date.today().isoformat()}).json()["id"]
    response = http.put(f"/api/posture-assessments/{aid}/views/left", files={"photo": ("two.jpg", photo, "image/jpeg")},
                        data={"box": box})
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"] and response.json()["detail"].startswith("Nothing was saved: box: ")
    assert http.get(f"/api/posture-assessments/{aid}").json()["photos"] == {}


def test_the_page_points_to_the_box_step_and_takes_the_box_fields(signed_in: SignedIn, people: World, client_of: ClientOf, two_people_jpeg: tuple[bytes, int, int]) -> None:
    photo, width, height = two_people_jpeg
    half = width // 2
    cid = client_of(people.therapist)
    tara = signed_in(people.therapist)
    aid = _create(tara, cid)
    page = tara.get(f"/posture-assessments/{aid}")
    form = re.search(rf'<form method="post" action="/posture-assessments/{aid}/views/anterior" enctype[^>]*>(.*?)</form>', page.text, re.DOTALL)
    assert form
    assert "<summary>Several people in the photo?</summary>" in form.group(1)
    for name in ("box_x", "box_y", "box_w", "box_h"):
        assert re.search(rf'<label for="{name}-anterior">', form.group(1)) and f'name="{name}" type="number"' in form.group(1)
    assert "data-box-preview hidden" in form.group(1)

    action = f"/posture-assessments/{aid}/views/anterior"

    def upload(**box: str) -> httpx2.Response:
        token = tara.token_from(f"/posture-assessments/{aid}", action)
        return tara.http.post(action, data={"csrf_token": token, **box}, files={"photo": ("two.jpg", photo, "image/jpeg")})

    refused = upload()
    assert refused.status_code == 200
    text = html.unescape(refused.text)
    assert "2 people found in the photo" in text and "use “Several people in the photo?” below" in text
    assert re.search(r'<details class="box-step" data-box-step open>', refused.text)

    partial = upload(box_x=str(half), box_y="0", box_w=str(half))
    assert partial.status_code == 200 and "missing: height" in html.unescape(partial.text)
    assert 'aria-invalid="true"' in partial.text and f'value="{half}"' in partial.text  # the numbers are kept
    beyond = upload(box_x=str(half + 100), box_y="0", box_w=str(half), box_h=str(height))
    assert beyond.status_code == 200 and f"reaches beyond the {width}×{height} photo" in html.unescape(beyond.text)

    saved = upload(box_x=str(half), box_y="0", box_w=str(half), box_h=str(height))
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=photo_analysed#view-anterior")
    shown = html.unescape(tara.get(f"/posture-assessments/{aid}").text)
    assert f"Analysed inside the client's box (outlined in yellow): x {half}, y 0, {half}×{height} pixels." in shown
    landmarks, _, _ = _editor_state(tara, aid)
    assert all(half <= lm["x"] <= width for lm in landmarks.values())


def test_a_front_photo_uploaded_as_the_back_view_is_refused_with_what_to_retake_and_nothing_is_stored(
    app: FastAPI, signed_in: SignedIn, people: World, client_of: ClientOf, api_token: ApiToken, front_jpeg: bytes,
) -> None:
    from fastapi.testclient import TestClient

    from myomap.posture import decode_photo
    from myomap.posture.images import encode_clean

    # Other bytes than the fixture's, so that the model really runs (one_model_run reuses the fixture's analysis).
    front = encode_clean(decode_photo(front_jpeg).rgb, "jpeg", quality=90)
    cid = client_of(people.therapist)
    tara = signed_in(people.therapist)
    aid = _create(tara, cid)
    page = _upload(tara, aid, "posterior", front)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "looks like a front view" in text and "Retake the photo with the client's back to the camera" in text
    http = TestClient(app, headers={"Authorization": f"Bearer {api_token(people.therapist)}"})
    api = http.put(f"/api/posture-assessments/{aid}/views/posterior", files={"photo": ("f.jpg", front, "image/jpeg")})
    assert api.status_code == 422 and "not the back view chosen. Retake the photo with the client's back" in api.json()["detail"]
    stored = http.get(f"/api/posture-assessments/{aid}").json()
    assert stored["photos"] == {} and stored["version"] == 1  # nothing stored
