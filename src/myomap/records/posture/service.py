"""Postural assessment use cases: create, upload a view's photo, correct its landmarks, read, list,
compare, delete a view (therapists and owners only; every read and change is audited).

The pose model runs in :func:`prepare_photo`, which touches no database, so a face can analyse an
upload without holding a write transaction open (SQLite allows one writer at a time); then
:func:`save_photo` stores the result. :func:`upload_photo` does both in one call.

Every change recomputes the cached results of the assessment's photos (metrics, the view's
patterns, warnings) and the patterns of all views pooled, and bumps the assessment's ``version``;
a change based on an older version raises :class:`VersionConflict`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from myomap.posture import (
    PhotoError,
    PostureAnalysis,
    SeveralPeopleError,
    analyse_photo,
    patterns_for_assessment,
    recompute,
)
from myomap.posture import Settings as PostureSettings
from myomap.posture.landmarks import Landmark, coerce_landmarks
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.service import record
from myomap.records.base import utcnow
from myomap.records.clients.service import get_client_for_user
from myomap.records.errors import NotFound, ValidationFailed, VersionConflict
from myomap.records.posture.models import VIEWS, PostureAssessment, PosturePhoto
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
    RecomputeResult,
)

WHAT = "postural assessment"
#: How far outside the photo a therapist may place a point (a fraction of the photo's size).
OUTSIDE_MARGIN = 0.02
#: The smallest client box accepted, in pixels (as ``myomap.posture.people.parse_box``).
BOX_MIN_WIDTH = 32
BOX_MIN_HEIGHT = 64

Box = tuple[int, int, int, int]  # x, y, width, height in pixels of the upright photo


class PhotoTooLarge(ValidationFailed):
    """The uploaded photo is over the size limit (faces answer 413)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__({"photo": f"the photo is {_mb(size)}; the largest accepted is {_mb(limit)}. "
                                   "Use the camera's normal (not RAW or maximum) quality, or a smaller copy"})
        self.size = size
        self.limit = limit


class SeveralPeople(ValidationFailed):
    """The photo shows more than one person and no box was given: each face says how to give one
    (the API names its ``box`` field, the page its "Several people in the photo?" step)."""

    def __init__(self, count: int, message: str) -> None:
        super().__init__({"photo": message})
        self.count = count


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# ---- access ---------------------------------------------------------------------------------------


def get_assessment_for_user(db: Session, actor: Actor, assessment_id: int) -> PostureAssessment:
    """The assessment if it belongs to the actor's clinic and their role may see clinical data."""
    assessment = db.get(PostureAssessment, assessment_id)
    if assessment is None or assessment.clinic_id != actor.clinic_id:
        raise NotFound(WHAT)
    require(actor, Permission.CLINICAL)
    return assessment


def _photo(assessment: PostureAssessment, view: str) -> PosturePhoto:
    _check_view(view)
    photo = assessment.photo(view)
    if photo is None:
        raise NotFound(f"photo for the {view} view")
    return photo


def _check_view(view: str) -> None:
    if view not in VIEWS:
        raise ValidationFailed({"view": f"view must be one of {', '.join(VIEWS)}, not {view!r}"})


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


# ---- analysis (no database) -------------------------------------------------------------------


def result_json(analysis: PostureAnalysis) -> dict[str, Any]:
    """What is cached per photo: metrics, the view's own patterns, warnings and the scale."""
    data = analysis.to_json()
    return {
        "metrics": data["metrics"],
        "patterns": data["patterns"],
        "warnings": list(analysis.warnings),
        "scale": analysis.details_json()["scale"],
        "height_cm": analysis.height_cm,
    }


BOX_FORMAT = "four whole numbers X,Y,W,H: the left and top edges, the width and the height, in pixels"


def parse_box_text(text: str | Sequence[Any] | None) -> Box | None:
    """A client box from ``"X,Y,W,H"`` (or four numbers); ``None`` or blank means no box.

    Four whole, non-negative numbers, at least BOX_MIN_WIDTH x BOX_MIN_HEIGHT. Raises
    :class:`ValidationFailed` (field ``box``) with what is wrong.
    """
    if text is None:
        return None
    if isinstance(text, str):
        if not text.strip():
            return None
        parts = [p.strip() for p in text.split(",")]
    else:
        parts = [str(p).strip() for p in text]
    shown = ",".join(parts)
    if len(parts) != 4:
        raise ValidationFailed({"box": f"give the box as {BOX_FORMAT}; {shown!r} has {len(parts)} values"})
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise ValidationFailed({"box": f"the box must be {BOX_FORMAT} (0 or more, no decimals or signs), not {shown!r}"})
    x, y, w, h = (int(p) for p in parts)
    if w < BOX_MIN_WIDTH or h < BOX_MIN_HEIGHT:
        raise ValidationFailed({"box": f"the box is {w}×{h} pixels: it must be at least {BOX_MIN_WIDTH} wide and "
                                       f"{BOX_MIN_HEIGHT} high. Draw it around the whole client, head to feet"})
    return x, y, w, h


def check_box(box: Box, size: tuple[int, int]) -> None:
    """Refuse a box that reaches beyond the upright photo (``size`` is its width and height)."""
    x, y, w, h = box
    width, height = size
    if x + w > width or y + h > height:
        raise ValidationFailed({"box": (
            f"the box (x {x}, y {y}, {w}×{h}) reaches beyond the {width}×{height} photo: x + width must be at most "
            f"{width} and y + height at most {height}, in pixels of the photo as displayed (upright)"
        )})


def upright_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of the photo once its EXIF orientation is applied (as ``decode_photo`` does),
    read from the file's header without decoding the pixels; None when it cannot be read."""
    try:
        from PIL import Image

        from myomap.posture.images import _register_heif, sniff_type

        if sniff_type(data) == "heif":
            _register_heif()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 -- any unreadable header: the analysis then says why
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def prepare_photo(
    data: bytes,
    *,
    view: str,
    height_cm: float | None = None,
    max_bytes: int | None = None,
    settings: PostureSettings | Mapping[str, Any] | None = None,
    box: Box | str | Sequence[Any] | None = None,
) -> PostureAnalysis:
    """Analyse an uploaded photo (the pose model runs here). No database is touched.

    ``box`` (x, y, width, height in pixels of the upright photo, or the text ``"X,Y,W,H"``) limits
    the analysis to the client when the photo shows several people; without it such a photo raises
    :class:`SeveralPeople`. Raises :class:`PhotoTooLarge` over ``max_bytes`` (the app's
    ``upload_max_bytes``) and :class:`ValidationFailed` with the therapist-facing message for an
    unusable photo, file type or box.
    """
    _check_view(view)
    if not data:
        raise ValidationFailed({"photo": "no photo was received: choose or take a photo first"})
    cfg = PostureSettings.coerce(settings)
    if max_bytes is not None:
        if len(data) > max_bytes:
            raise PhotoTooLarge(len(data), max_bytes)
        cfg = replace(cfg, max_bytes=min(cfg.max_bytes, max_bytes))
    client_box = parse_box_text(box)
    extra: dict[str, Any] = {}
    if client_box is not None:
        size = upright_size(data)
        if size is not None:
            check_box(client_box, size)
        extra["box"] = client_box
    try:
        return analyse_photo(data, view=view, height_cm=height_cm, settings=cfg, **extra)
    except SeveralPeopleError as exc:
        if client_box is None:
            raise SeveralPeople(exc.count, str(exc)) from None
        raise ValidationFailed({"photo": str(exc)}) from None
    except PhotoError as exc:
        raise ValidationFailed({"photo": str(exc)}) from None


def recompute_view(
    landmarks: Mapping[str, Any], *, view: str, image_size: tuple[int, int], height_cm: float | None = None
) -> RecomputeResult:
    """A view's metrics from given landmarks (no model, nothing stored)."""
    _check_view(view)
    try:
        analysis = recompute(_landmark_dicts(landmarks), view=view, image_size=image_size, height_cm=height_cm)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed({"landmarks": str(exc)}) from None
    return RecomputeResult.model_validate({"view": view, **result_json(analysis)})


def _landmark_dicts(landmarks: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in landmarks.items():
        if hasattr(value, "model_dump"):
            value = value.model_dump()
        out[name] = value
    return out


def stored_box(photo: PosturePhoto) -> Box | None:
    """The client's box the photo was analysed in (kept in the ``result`` JSON), if any."""
    raw = (photo.result or {}).get("box")
    if isinstance(raw, (list, tuple)) and len(raw) == 4 and all(isinstance(v, int) for v in raw):
        return raw[0], raw[1], raw[2], raw[3]
    return None


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
    changes = {}
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
    _check_view(view)
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


def upload_photo(
    *,
    db: Session,
    actor: Actor,
    assessment_id: int,
    view: str,
    data: bytes,
    max_bytes: int | None = None,
    settings: PostureSettings | Mapping[str, Any] | None = None,
    version: int | None = None,
    box: Box | str | None = None,
) -> PosturePhoto:
    """Analyse ``data`` and store it as the view's photo. Nothing is stored if the photo is unusable."""
    assessment = get_assessment_for_user(db, actor, assessment_id)
    client_box = parse_box_text(box)
    analysis = prepare_photo(data, view=view, height_cm=assessment.height_cm, max_bytes=max_bytes, settings=settings,
                             box=client_box)
    return save_photo(db=db, actor=actor, assessment_id=assessment.id, view=view, analysis=analysis, version=version,
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
        given = coerce_landmarks(_landmark_dicts(data.landmarks))
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
            lm = replace(lm, source="therapist", visibility=1.0)
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


def annotated_png(*, db: Session, actor: Actor, assessment_id: int, view: str, max_side: int = 1600) -> bytes:
    """The view's photo with its current landmarks, lines and angles drawn on it (PNG)."""
    from myomap.posture import decode_photo

    assessment = get_assessment_for_user(db, actor, assessment_id)
    photo = _photo(assessment, view)
    record(db=db, actor=actor, action="posture_photo.view", object_type="posture_assessment",
           object_id=assessment.id, detail={"view": view, "image": "annotated"})
    rgb = decode_photo(photo.image).rgb
    box = stored_box(photo)
    if box is not None:
        rgb = draw_box(rgb, box)
    analysis = recompute(photo.landmarks, view=view, image_size=(photo.width, photo.height), height_cm=assessment.height_cm)
    return analysis.annotated_png(rgb, max_side=max_side)


BOX_COLOUR = (255, 214, 0)  # yellow, apart from the landmark colours


def draw_box(rgb: Any, box: Box) -> Any:
    """A copy of the photo with the client's box outlined (under the landmarks drawn later)."""
    import cv2
    import numpy as np

    out = np.array(rgb, dtype=np.uint8, copy=True)
    height, width = out.shape[:2]
    x, y, w, h = box
    thickness = max(2, round(max(width, height) / 400))
    x1, y1 = min(width - 1, x + w - 1), min(height - 1, y + h - 1)
    cv2.rectangle(out, (x, y), (x1, y1), (0, 0, 0), thickness + 2, lineType=cv2.LINE_AA)
    cv2.rectangle(out, (x, y), (x1, y1), BOX_COLOUR, thickness, lineType=cv2.LINE_AA)
    return out


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
