"""Postural assessment use cases: create, upload a view's photo, correct its landmarks, read, list,
compare, delete a view (therapists and owners only; every read and change is audited).

The photo work without the database (analysis, recompute, drawing) is in ``photos.py``. The uploads
(:func:`upload_photo_releasing_lock`, :func:`analyse_photo_releasing_lock`) are the one call each
face makes: they end the read transaction before the pose model runs, and say so in their names.

Every change recomputes the cached results of the assessment's photos (metrics, the view's
patterns, warnings) and the patterns of all views pooled, and bumps the assessment's ``version``;
a change based on an older version raises :class:`VersionConflict`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from myomap.posture import PostureAnalysis, patterns_for_assessment, recompute
from myomap.posture import Settings as PostureSettings
from myomap.posture.annotate import ImageFormat
from myomap.posture.landmarks import Landmark, coerce_landmarks
from myomap.posture.people import Box
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.service import record
from myomap.records.base import utcnow
from myomap.records.clients.service import get_client_for_user
from myomap.records.errors import NotFound, ValidationFailed, VersionConflict
from myomap.records.posture.models import PostureAssessment, PosturePhoto
from myomap.records.posture.photos import (
    check_view,
    landmark_dicts,
    parse_box_text,
    prepare_photo,
    render_annotated,
    result_json,
    stored_box,
)
from myomap.records.posture.presentation import (
    comparison,
    ordered_photos,
    therapist_points,
)
from myomap.records.posture.schemas import (
    LandmarksUpdate,
    PostureAssessmentCreate,
    PostureAssessmentUpdate,
    PostureComparison,
)

WHAT = "postural assessment"
#: How far outside the photo a therapist may place a point (a fraction of the photo's size).
OUTSIDE_MARGIN = 0.02
# ---- access ---------------------------------------------------------------------------------------


def get_assessment_for_user(db: Session, actor: Actor, assessment_id: int) -> PostureAssessment:
    """The assessment if it belongs to the actor's clinic and their role may see clinical data."""
    assessment = db.get(PostureAssessment, assessment_id)
    if assessment is None or assessment.clinic_id != actor.clinic_id:
        raise NotFound(WHAT)
    require(actor, Permission.CLINICAL)
    return assessment


def _photo(assessment: PostureAssessment, view: str) -> PosturePhoto:
    check_view(view)
    photo = assessment.photo(view)
    if photo is None:
        raise NotFound(f"photo for the {view} view")
    return photo


def _check_version(assessment: PostureAssessment, expected: int | None) -> None:
    if expected is not None and assessment.version != expected:
        raise VersionConflict(WHAT, expected, assessment.version, current_values(assessment))


def current_values(assessment: PostureAssessment) -> dict[str, Any]:
    return {
        "assessed_on": assessment.assessed_on,
        "height_cm": assessment.height_cm,
        "note": assessment.note,
        "views": ", ".join(p.view for p in ordered_photos(assessment)),
    }


def _save(db: Session, assessment: PostureAssessment, actor: Actor, expected: int) -> None:
    """Flush the change (bumping the version); a concurrent change since our read is a conflict."""
    assessment.updated_at = utcnow()
    assessment.updated_by_id = actor.user.id
    try:
        db.flush()
    except StaleDataError:
        db.rollback()
        db.refresh(assessment)
        raise VersionConflict(WHAT, expected, assessment.version, current_values(assessment)) from None


def _check_date(assessed_on: date | None, errors: dict[str, str]) -> None:
    if assessed_on is not None and assessed_on > date.today() + timedelta(days=1):
        errors["assessed_on"] = "cannot be in the future"


def _refresh(assessment: PostureAssessment) -> None:
    """Recompute every photo's cached results and the pooled patterns (a few ms per photo)."""
    analyses = []
    for photo in assessment.photos:
        analysis = recompute(photo.landmarks, view=photo.view, image_size=(photo.width, photo.height),
                             height_cm=assessment.height_cm)
        box = stored_box(photo)
        photo.result = {**result_json(analysis), **({"box": list(box)} if box else {})}
        analyses.append(analysis)
    assessment.patterns = [p.to_dict() for p in patterns_for_assessment(analyses)]


# ---- use cases ------------------------------------------------------------------------------------


def create_assessment(*, db: Session, actor: Actor, client_id: int, data: PostureAssessmentCreate) -> PostureAssessment:
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    errors: dict[str, str] = {}
    _check_date(data.assessed_on, errors)
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    assessment = PostureAssessment(
        clinic_id=actor.clinic_id, client_id=client.id, assessed_on=data.assessed_on, height_cm=data.height_cm,
        note=(data.note or "").strip() or None, patterns=[], created_at=now, updated_at=now,
        created_by_id=actor.user.id, updated_by_id=actor.user.id,
    )
    db.add(assessment)
    db.flush()
    record(db=db, actor=actor, action="posture_assessment.create", object_type="posture_assessment",
           object_id=assessment.id, detail={"client_id": client.id})
    return assessment


def update_assessment(*, db: Session, actor: Actor, assessment_id: int, data: PostureAssessmentUpdate) -> PostureAssessment:
    """Change the date, height or note (fields given only); the metrics follow a new height."""
    assessment = get_assessment_for_user(db, actor, assessment_id)
    _check_version(assessment, data.version)
    errors: dict[str, str] = {}
    given = data.model_fields_set - {"version"}
    if "assessed_on" in given:
        if data.assessed_on is None:
            errors["assessed_on"] = "is required"
        _check_date(data.assessed_on, errors)
    if errors:
        raise ValidationFailed(errors)
    changes: dict[str, object] = {}
    if "assessed_on" in given and data.assessed_on != assessment.assessed_on:
        changes["assessed_on"] = data.assessed_on
    if "height_cm" in given and data.height_cm != assessment.height_cm:
        changes["height_cm"] = data.height_cm
    if "note" in given and ((data.note or "").strip() or None) != assessment.note:
        changes["note"] = (data.note or "").strip() or None
    for name, value in changes.items():
        setattr(assessment, name, value)
    if changes:
        if "height_cm" in changes:
            _refresh(assessment)
        _save(db, assessment, actor, data.version)
    record(db=db, actor=actor, action="posture_assessment.update", object_type="posture_assessment",
           object_id=assessment.id, detail={"fields": sorted(changes)})
    return assessment


def save_photo(
    *, db: Session, actor: Actor, assessment_id: int, view: str, analysis: PostureAnalysis, version: int | None = None,
    box: Box | None = None,
) -> PosturePhoto:
    """Store an analysed photo as the view's photo (replacing any earlier one and its landmarks).

    ``box``: the client's box the analysis was limited to (as given to :func:`prepare_photo`),
    stored with the photo's results and drawn on its annotated image.
    """
    assessment = get_assessment_for_user(db, actor, assessment_id)
    check_view(view)
    if analysis.view != view or analysis.photo is None:
        raise ValueError("save_photo needs the analysis of this view's photo, from prepare_photo")
    _check_version(assessment, version)
    expected = assessment.version
    stored = analysis.photo.stored
    photo = assessment.photo(view)
    replaced = photo is not None
    if photo is None:
        photo = PosturePhoto(view=view)
        assessment.photos.append(photo)
    photo.image = stored
    photo.content_type = analysis.photo.stored_media_type
    photo.width, photo.height = analysis.image_size
    photo.size_bytes = len(stored)
    photo.landmarks = {name: lm.to_dict() for name, lm in analysis.landmarks.items()}
    photo.model = analysis.model
    photo.uploaded_at = utcnow()
    photo.uploaded_by_id = actor.user.id
    photo.landmarks_edited_at = None
    photo.landmarks_edited_by_id = None
    client_box = parse_box_text(box) if box is not None else None
    photo.result = {"box": list(client_box)} if client_box else {}
    _refresh(assessment)
    _save(db, assessment, actor, expected)
    detail: dict[str, Any] = {"view": view, "replaced": replaced, "bytes": len(stored)}
    if client_box:
        detail["box"] = list(client_box)
    record(db=db, actor=actor, action="posture_photo.upload", object_type="posture_assessment",
           object_id=assessment.id, detail=detail)
    return photo


def end_read_before_slow_work(db: Session) -> None:
    """End the current transaction before the pose model runs (a second or more): SQLite allows one
    writer at a time and every transaction here takes the write lock (BEGIN IMMEDIATE). Only the
    ``*_releasing_lock`` use cases call it, after their checks and before any change."""
    db.commit()


def analyse_photo_releasing_lock(
    *, db: Session, actor: Actor, data: bytes, view: str, height_cm: float | None = None,
    box: Box | str | Sequence[Any] | None = None, max_bytes: int | None = None,
    settings: PostureSettings | Mapping[str, Any] | None = None,
) -> PostureAnalysis:
    """Analyse a photo for a therapist, storing nothing. Ends the read transaction before the model runs."""
    require(actor, Permission.CLINICAL)
    client_box = parse_box_text(box)
    end_read_before_slow_work(db)
    return prepare_photo(data, view=view, height_cm=height_cm, max_bytes=max_bytes, settings=settings, box=client_box)


def upload_photo_releasing_lock(
    *,
    db: Session,
    actor: Actor,
    assessment_id: int,
    view: str,
    data: bytes,
    max_bytes: int | None = None,
    settings: PostureSettings | Mapping[str, Any] | None = None,
    version: int | None = None,
    box: Box | str | Sequence[Any] | None = None,
) -> PosturePhoto:
    """The upload of a view's photo, the one call the page, the API and scripts make: check access,
    view and box, end the read transaction (the model is slow; see :func:`end_read_before_slow_work`),
    analyse, then store the photo with its landmarks and results.

    Nothing is stored if the photo is unusable (ValidationFailed, PhotoTooLarge, SeveralPeople): the
    view's earlier photo and its corrections stay as they were.
    """
    assessment = get_assessment_for_user(db, actor, assessment_id)
    check_view(view)
    _check_version(assessment, version)
    client_box = parse_box_text(box)
    height_cm = assessment.height_cm
    end_read_before_slow_work(db)
    analysis = prepare_photo(data, view=view, height_cm=height_cm, max_bytes=max_bytes, settings=settings,
                             box=client_box)
    return save_photo(db=db, actor=actor, assessment_id=assessment_id, view=view, analysis=analysis, version=version,
                      box=client_box)


def update_landmarks(*, db: Session, actor: Actor, assessment_id: int, view: str, data: LandmarksUpdate) -> PosturePhoto:
    """Store the therapist's corrected landmarks for a view and recompute its metrics.

    A point whose position differs from the stored model point is recorded as the therapist's,
    whatever ``source`` it came with. Therapist points must lie on the photo.
    """
    assessment = get_assessment_for_user(db, actor, assessment_id)
    photo = _photo(assessment, view)
    _check_version(assessment, data.version)
    try:
        given = coerce_landmarks(landmark_dicts(data.landmarks))
    except (ValueError, TypeError) as exc:
        raise ValidationFailed({"landmarks": str(exc)}) from None
    stored = photo.landmarks or {}
    errors: dict[str, str] = {}
    final: dict[str, Landmark] = {}
    mx, my = OUTSIDE_MARGIN * photo.width, OUTSIDE_MARGIN * photo.height
    for name, lm in given.items():
        old = stored.get(name)
        unchanged_model = (
            old is not None and old.get("source") == "model"
            and abs(float(old["x"]) - lm.x) < 0.01 and abs(float(old["y"]) - lm.y) < 0.01
        )
        if lm.source == "model" and not unchanged_model:
            lm = replace(lm, source="therapist", visibility=1.0, passes=())
        elif unchanged_model and old is not None and not lm.passes:  # keep the passes the model point was found in
            lm = Landmark.from_dict(name, old)
        if lm.source == "therapist" and not (-mx <= lm.x <= photo.width + mx and -my <= lm.y <= photo.height + my):
            errors[f"landmarks.{name}"] = (
                f"{name.replace('_', ' ')} at ({lm.x:.0f}, {lm.y:.0f}) lies outside the {photo.width}×{photo.height} photo"
            )
        final[name] = lm
    if errors:
        raise ValidationFailed(errors)
    expected = assessment.version
    photo.landmarks = {name: lm.to_dict() for name, lm in final.items()}
    photo.landmarks_edited_at = utcnow()
    photo.landmarks_edited_by_id = actor.user.id
    _refresh(assessment)
    _save(db, assessment, actor, expected)
    record(db=db, actor=actor, action="posture_photo.landmarks", object_type="posture_assessment",
           object_id=assessment.id, detail={"view": view, "therapist_points": therapist_points(photo.landmarks)})
    return photo


def delete_photo(*, db: Session, actor: Actor, assessment_id: int, view: str, version: int | None = None) -> PostureAssessment:
    """Remove a view's photo, its landmarks and results."""
    assessment = get_assessment_for_user(db, actor, assessment_id)
    photo = _photo(assessment, view)
    _check_version(assessment, version)
    expected = assessment.version
    assessment.photos.remove(photo)
    _refresh(assessment)
    _save(db, assessment, actor, expected)
    record(db=db, actor=actor, action="posture_photo.delete", object_type="posture_assessment",
           object_id=assessment.id, detail={"view": view})
    return assessment


def read_assessment(*, db: Session, actor: Actor, assessment_id: int) -> PostureAssessment:
    assessment = get_assessment_for_user(db, actor, assessment_id)
    record(db=db, actor=actor, action="posture_assessment.view", object_type="posture_assessment", object_id=assessment.id)
    return assessment


def list_assessments(*, db: Session, actor: Actor, client_id: int, audit: bool = True) -> list[PostureAssessment]:
    """A client's assessments, newest first."""
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    stmt = (
        select(PostureAssessment)
        .where(PostureAssessment.client_id == client.id, PostureAssessment.clinic_id == actor.clinic_id)
        .order_by(PostureAssessment.assessed_on.desc(), PostureAssessment.id.desc())
    )
    assessments = list(db.scalars(stmt))
    if audit:
        record(db=db, actor=actor, action="posture_assessment.list", object_type="client", object_id=client.id)
    return assessments


def photo_image(*, db: Session, actor: Actor, assessment_id: int, view: str) -> tuple[bytes, str]:
    """The stored (EXIF-free) photo of a view and its media type."""
    assessment = get_assessment_for_user(db, actor, assessment_id)
    photo = _photo(assessment, view)
    record(db=db, actor=actor, action="posture_photo.view", object_type="posture_assessment",
           object_id=assessment.id, detail={"view": view, "image": "photo"})
    return photo.image, photo.content_type


def annotated_image(
    *, db: Session, actor: Actor, assessment_id: int, view: str, max_side: int = 1600, image_format: ImageFormat = "jpeg"
) -> bytes:
    """The view's photo with its current landmarks, lines and angles drawn on it (JPEG, or PNG)."""
    assessment = get_assessment_for_user(db, actor, assessment_id)
    photo = _photo(assessment, view)
    record(db=db, actor=actor, action="posture_photo.view", object_type="posture_assessment",
           object_id=assessment.id, detail={"view": view, "image": "annotated"})
    return render_annotated(photo, height_cm=assessment.height_cm, max_side=max_side, image_format=image_format)


def compare_assessments(*, db: Session, actor: Actor, first_id: int, second_id: int) -> PostureComparison:
    """Two assessments of one client, earlier first, with the change in every metric measured in either."""
    a = get_assessment_for_user(db, actor, first_id)
    b = get_assessment_for_user(db, actor, second_id)
    if a.client_id != b.client_id:
        raise ValidationFailed({"compare": "both assessments must belong to the same client"})
    if a.id == b.id:
        raise ValidationFailed({"compare": "choose two different assessments"})
    before, after = sorted((a, b), key=lambda x: (x.assessed_on, x.id))
    record(db=db, actor=actor, action="posture_assessment.compare", object_type="posture_assessment",
           object_id=after.id, detail={"before": before.id})
    return comparison(before, after)
