"""Postural assessments on both databases: create, upload a photo, correct landmarks (with
optimistic concurrency), compare, and the clinic and role walls, all audited.

The pose model runs once for the module (``front_analysis``); uploads reuse its result through
``save_photo`` or a stand-in for ``analyse_photo``.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from myomap.records.audit.models import AuditEvent
from myomap.records.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from myomap.records.posture import photos, service
from myomap.records.posture.models import PostureAssessment, PosturePhoto
from myomap.records.posture.presentation import to_read
from myomap.records.posture.schemas import LandmarksUpdate, PostureAssessmentCreate, PostureAssessmentUpdate
from tests.standing_photo import standing_front_photo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from myomap.posture import PostureAnalysis
    from myomap.records.accounts.permissions import Actor
    from myomap.records.db import Database
    from tests.conftest import MakeClient, World

pytestmark = pytest.mark.storage

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
PHOTO = standing_front_photo()  # a client standing; the Warrior II photo is (rightly) refused


@pytest.fixture(scope="module")
def front_jpeg() -> bytes:
    if not PHOTO.exists():
        pytest.skip(f"fixture photo missing: {PHOTO} (the shared fixtures folder sits next to the repository)")
    return PHOTO.read_bytes()


@pytest.fixture(scope="module")
def front_analysis(front_jpeg: bytes) -> PostureAnalysis:
    """The one model run of this module: the fixture photo as an anterior view."""
    return photos.prepare_photo(front_jpeg, view="anterior")


@pytest.fixture
def tara(world: World) -> Actor:
    return world.actor(world.therapist)


@pytest.fixture
def assessment(db: Session, world: World, tara: Actor, make_client: MakeClient) -> PostureAssessment:
    client = make_client()
    a = service.create_assessment(
        db=db, actor=tara, client_id=client.id,
        data=PostureAssessmentCreate(assessed_on=date.today(), height_cm=175, note="  first visit  "),
    )
    db.commit()
    return a


def _with_photo(db: Session, tara: Actor, assessment: PostureAssessment, analysis: PostureAnalysis, view: str = "anterior") -> PosturePhoto:
    photo = service.save_photo(db=db, actor=tara, assessment_id=assessment.id, view=view, analysis=analysis)
    db.commit()
    return photo


def _stored(db: Session, assessment_id: int) -> PostureAssessment:
    """The assessment as the database holds it now (it must exist)."""
    stored = db.get(PostureAssessment, assessment_id)
    assert stored is not None, f"assessment {assessment_id} is gone"
    return stored


def _view(assessment: PostureAssessment, view: str = "anterior") -> PosturePhoto:
    photo = assessment.photo(view)
    assert photo is not None, f"no {view} photo stored"
    return photo


def _metric(photo: PosturePhoto, metric_id: str) -> dict[str, Any]:
    return next(m for m in photo.result["metrics"] if m["id"] == metric_id)


def _actions(db: Session, assessment_id: int) -> list[str]:
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "posture_assessment", AuditEvent.object_id == assessment_id)
        .order_by(AuditEvent.id)
    )
    return [r.action for r in rows]


def test_a_therapist_creates_an_assessment_and_uploads_the_front_photo(db: Session, tara: Actor, assessment: PostureAssessment, front_analysis: PostureAnalysis, monkeypatch: pytest.MonkeyPatch) -> None:
    assert assessment.version == 1 and assessment.note == "first visit" and assessment.photos == []
    calls: list[dict[str, object]] = []

    def fake_analyse(data: bytes, **kw: object) -> PostureAnalysis:
        calls.append(kw)
        return front_analysis

    monkeypatch.setattr(photos, "analyse_photo", fake_analyse)
    service.upload_photo_releasing_lock(db=db, actor=tara, assessment_id=assessment.id, view="anterior",
                         data=PHOTO.read_bytes(), max_bytes=5 * 1024 * 1024)
    db.commit()
    assert calls and calls[0]["view"] == "anterior" and calls[0]["height_cm"] == 175

    db.expire_all()
    stored = db.scalar(select(PosturePhoto).where(PosturePhoto.assessment_id == assessment.id))
    assert stored is not None and stored.view == "anterior"
    assert stored.content_type == "image/jpeg" and (stored.width, stored.height) == (720, 1280)
    assert stored.image[:3] == b"\xff\xd8\xff" and b"Exif" not in stored.image[:4096]  # EXIF-free copy
    assert stored.size_bytes == len(stored.image)
    assert stored.model and "BlazePose" in stored.model
    assert stored.landmarks["left_hip"]["source"] == "model" and len(stored.landmarks) == 21
    shoulder = _metric(stored, "shoulder_height_difference")
    assert shoulder["source"] == "pose estimate" and shoulder["value"] is not None
    assert shoulder["extras"]["height_difference_unit"] == "cm"  # the assessment's height was used
    fresh = _stored(db, assessment.id)
    assert fresh.version == 2
    assert {p["id"] for p in fresh.patterns} >= {p["id"] for p in stored.result["patterns"]}

    read = to_read(db, service.read_assessment(db=db, actor=tara, assessment_id=assessment.id))
    assert read.views == ["anterior"] and read.photos["anterior"].therapist_points == 0
    assert read.created_by == "Tara Therapist" and read.patterns
    db.commit()
    assert _actions(db, assessment.id) == ["posture_assessment.create", "posture_photo.upload", "posture_assessment.view"]


def test_corrected_landmarks_recompute_and_a_stale_version_conflicts(db: Session, tara: Actor, world: World, assessment: PostureAssessment, front_analysis: PostureAnalysis) -> None:
    photo = _with_photo(db, tara, assessment, front_analysis)
    before = _metric(photo, "shoulder_height_difference")
    version = _stored(db, assessment.id).version
    landmarks = {k: dict(v) for k, v in photo.landmarks.items()}
    landmarks["right_shoulder"]["y"] -= 40  # drag the right shoulder up; the source stays "model" on purpose
    landmarks["acromion_left"] = {"x": 550, "y": 310}  # a clinical point, no source: the therapist's
    service.update_landmarks(db=db, actor=tara, assessment_id=assessment.id, view="anterior",
                             data=LandmarksUpdate(version=version, landmarks=landmarks))
    db.commit()
    db.expire_all()
    photo = _view(_stored(db, assessment.id))
    assert photo.landmarks["right_shoulder"]["source"] == "therapist"  # moved, so the therapist's
    assert photo.landmarks["acromion_left"] == {"x": 550.0, "y": 310.0, "visibility": 1.0, "source": "therapist"}
    assert photo.landmarks["left_hip"]["source"] == "model"
    after = _metric(photo, "shoulder_height_difference")
    assert after["value"] != before["value"] and after["side"] == "right"
    assert photo.landmarks_edited_at is not None
    assert _stored(db, assessment.id).version == version + 1

    with pytest.raises(VersionConflict) as conflict:
        service.update_landmarks(db=db, actor=tara, assessment_id=assessment.id, view="anterior",
                                 data=LandmarksUpdate(version=version, landmarks=landmarks))
    assert conflict.value.current == version + 1 and conflict.value.current_values["views"] == "anterior"
    db.rollback()

    with pytest.raises(ValidationFailed) as bad:
        service.update_landmarks(db=db, actor=tara, assessment_id=assessment.id, view="anterior",
                                 data=LandmarksUpdate(version=version + 1, landmarks={**landmarks, "c7": {"x": 5000, "y": 10}}))
    assert "outside" in bad.value.errors["landmarks.c7"]
    with pytest.raises(ValidationFailed) as unknown:
        service.update_landmarks(db=db, actor=tara, assessment_id=assessment.id, view="anterior",
                                 data=LandmarksUpdate(version=version + 1, landmarks={"belly_button": {"x": 1, "y": 1}}))
    assert "belly_button" in unknown.value.errors["landmarks"]
    db.rollback()


def test_a_new_height_recomputes_the_metrics_in_cm(db: Session, tara: Actor, world: World, make_client: MakeClient, front_analysis: PostureAnalysis) -> None:
    a = service.create_assessment(db=db, actor=tara, client_id=make_client().id,
                                  data=PostureAssessmentCreate(assessed_on=date.today()))
    photo = _with_photo(db, tara, a, front_analysis)
    assert _metric(photo, "trunk_lateral_shift")["unit"] == "% of body height"
    service.update_assessment(db=db, actor=tara, assessment_id=a.id,
                              data=PostureAssessmentUpdate(version=a.version, height_cm=168))
    db.commit()
    assert _metric(photo, "trunk_lateral_shift")["unit"] == "cm" and a.height_cm == 168
    with pytest.raises(ValidationFailed):
        service.update_assessment(db=db, actor=tara, assessment_id=a.id,
                                  data=PostureAssessmentUpdate(version=a.version, assessed_on=date.today() + timedelta(days=30)))
    db.rollback()


def test_another_clinic_cannot_read_it_and_the_front_desk_is_refused(db: Session, world: World, tara: Actor, assessment: PostureAssessment, front_analysis: PostureAnalysis) -> None:
    _with_photo(db, tara, assessment, front_analysis)
    oscar = world.actor(world.outsider)
    for call in (
        lambda: service.read_assessment(db=db, actor=oscar, assessment_id=assessment.id),
        lambda: service.photo_image(db=db, actor=oscar, assessment_id=assessment.id, view="anterior"),
        lambda: service.annotated_image(db=db, actor=oscar, assessment_id=assessment.id, view="anterior"),
        lambda: service.delete_photo(db=db, actor=oscar, assessment_id=assessment.id, view="anterior"),
        lambda: service.list_assessments(db=db, actor=oscar, client_id=assessment.client_id),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(Forbidden):
        service.read_assessment(db=db, actor=world.actor(world.front_desk), assessment_id=assessment.id)
    db.rollback()
    outsider_rows = db.scalars(select(AuditEvent).where(AuditEvent.user_id == world.outsider.id)).all()
    assert outsider_rows == []


def test_a_wrong_file_type_is_rejected_and_nothing_is_stored(db: Session, tara: Actor, assessment: PostureAssessment) -> None:
    for data in (b"%PDF-1.7\n" + b"0" * 2000, b"GIF89a" + b"\0" * 100, b""):
        with pytest.raises(ValidationFailed) as exc:
            service.upload_photo_releasing_lock(db=db, actor=tara, assessment_id=assessment.id, view="anterior", data=data)
        assert "photo" in exc.value.errors and exc.value.errors["photo"]
    with pytest.raises(photos.PhotoTooLarge) as big:
        service.upload_photo_releasing_lock(db=db, actor=tara, assessment_id=assessment.id, view="anterior",
                             data=b"\xff\xd8\xff" + b"0" * 3000, max_bytes=2048)
    assert "largest accepted" in str(big.value)
    with pytest.raises(ValidationFailed):
        service.upload_photo_releasing_lock(db=db, actor=tara, assessment_id=assessment.id, view="sideways", data=b"x")
    db.commit()
    db.expire_all()
    assert db.scalars(select(PosturePhoto)).all() == []
    assert _stored(db, assessment.id).version == 1
    assert "posture_photo.upload" not in _actions(db, assessment.id)


def test_two_assessments_compare_metric_by_metric(db: Session, tara: Actor, world: World, assessment: PostureAssessment, make_client: MakeClient, front_analysis: PostureAnalysis) -> None:
    first = _with_photo(db, tara, assessment, front_analysis)
    later = service.create_assessment(db=db, actor=tara, client_id=assessment.client_id,
                                      data=PostureAssessmentCreate(assessed_on=date.today(), height_cm=175))
    photo = _with_photo(db, tara, later, front_analysis)
    moved = {k: dict(v) for k, v in photo.landmarks.items()}
    moved["left_shoulder"]["y"] = moved["right_shoulder"]["y"] = (moved["left_shoulder"]["y"] + moved["right_shoulder"]["y"]) / 2  # level shoulders after treatment
    service.update_landmarks(db=db, actor=tara, assessment_id=later.id, view="anterior",
                             data=LandmarksUpdate(version=later.version, landmarks=moved))
    db.commit()

    result = service.compare_assessments(db=db, actor=tara, first_id=later.id, second_id=assessment.id)
    assert (result.before.id, result.after.id) == (assessment.id, later.id)  # earlier first
    shoulder = next(c for c in result.changes if c.id == "shoulder_height_difference")
    assert shoulder.before == _metric(first, "shoulder_height_difference")["value"]
    assert shoulder.before is not None and shoulder.after is not None and shoulder.after < 0.5 and shoulder.change == round(shoulder.after - shoulder.before, 2)
    assert shoulder.status_before == "deviation" and shoulder.status_after == "normal" and shoulder.trend == "better"
    assert "Elevated shoulder" in result.patterns_before and "Elevated shoulder" not in result.patterns_after

    other_client = service.create_assessment(db=db, actor=tara, client_id=make_client().id,
                                             data=PostureAssessmentCreate(assessed_on=date.today()))
    with pytest.raises(ValidationFailed):
        service.compare_assessments(db=db, actor=tara, first_id=assessment.id, second_id=other_client.id)
    listed = service.list_assessments(db=db, actor=tara, client_id=assessment.client_id)
    assert [a.id for a in listed] == [later.id, assessment.id]
    db.commit()
    assert "posture_assessment.compare" in _actions(db, later.id)


def test_deleting_a_view_removes_its_photo_and_its_patterns(db: Session, tara: Actor, assessment: PostureAssessment, front_analysis: PostureAnalysis) -> None:
    _with_photo(db, tara, assessment, front_analysis)
    png = service.annotated_image(db=db, actor=tara, assessment_id=assessment.id, view="anterior", max_side=400,
                                  image_format="png")
    assert png.startswith(b"\x89PNG")
    jpeg = service.annotated_image(db=db, actor=tara, assessment_id=assessment.id, view="anterior", max_side=400)
    assert jpeg.startswith(b"\xff\xd8\xff")
    image, media_type = service.photo_image(db=db, actor=tara, assessment_id=assessment.id, view="anterior")
    assert media_type == "image/jpeg" and image[:3] == b"\xff\xd8\xff"
    with pytest.raises(VersionConflict):
        service.delete_photo(db=db, actor=tara, assessment_id=assessment.id, view="anterior", version=1)
    service.delete_photo(db=db, actor=tara, assessment_id=assessment.id, view="anterior", version=assessment.version)
    db.commit()
    db.expire_all()
    fresh = _stored(db, assessment.id)
    assert fresh.photos == [] and fresh.patterns == []
    assert db.scalars(select(PosturePhoto)).all() == []
    with pytest.raises(NotFound):
        service.photo_image(db=db, actor=tara, assessment_id=assessment.id, view="anterior")
    assert _actions(db, assessment.id)[-3:] == ["posture_photo.view", "posture_photo.view", "posture_photo.delete"]


def test_a_change_made_between_read_and_write_is_a_conflict(db: Session, database: Database, world: World, tara: Actor, assessment: PostureAssessment, front_analysis: PostureAnalysis) -> None:
    _with_photo(db, tara, assessment, front_analysis)
    with database.sessions() as other:
        colin = world.actor(other.merge(world.colleague))
        stale = service.get_assessment_for_user(other, colin, assessment.id)  # Colin opened it: version 2
        other.commit()
        assert stale.version == 2
        # Tara saves corrected landmarks meanwhile.
        moved = {k: dict(v) for k, v in _view(stale).landmarks.items()}
        moved["nose"]["x"] += 5
        service.update_landmarks(db=db, actor=tara, assessment_id=assessment.id, view="anterior",
                                 data=LandmarksUpdate(version=2, landmarks=moved))
        db.commit()
        # Colin's session still holds version 2, so his own check passes; the database refuses the write.
        moved["nose"]["x"] += 5
        with pytest.raises(VersionConflict) as conflict:
            service.update_landmarks(db=other, actor=colin, assessment_id=assessment.id, view="anterior",
                                     data=LandmarksUpdate(version=2, landmarks=moved))
        assert conflict.value.current == 3
        other.rollback()
    db.expire_all()
    assert _view(_stored(db, assessment.id)).landmarks["nose"]["x"] == moved["nose"]["x"] - 5
