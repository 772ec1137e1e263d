"""Read models of postural assessments for the API and the pages (pure: no queries but the author's
name), and the metric-by-metric comparison of two assessments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from myomap.records.accounts.models import User
from myomap.records.posture.models import VIEWS, PostureAssessment, PosturePhoto
from myomap.records.posture.schemas import (
    MetricChange,
    PostureAssessmentRead,
    PostureAssessmentSummary,
    PostureComparison,
    PosturePhotoRead,
)


def therapist_points(landmarks: Mapping[str, Mapping[str, Any]]) -> int:
    return sum(1 for lm in landmarks.values() if lm.get("source") == "therapist")


def ordered_photos(assessment: PostureAssessment) -> list[PosturePhoto]:
    return sorted(assessment.photos, key=lambda p: VIEWS.index(p.view))


def summary(assessment: PostureAssessment) -> PostureAssessmentSummary:
    return PostureAssessmentSummary(
        id=assessment.id, client_id=assessment.client_id, assessed_on=assessment.assessed_on,
        height_cm=assessment.height_cm, version=assessment.version,
        views=[p.view for p in ordered_photos(assessment)],
        pattern_count=len(assessment.patterns or []), created_at=assessment.created_at,
    )


def photo_read(photo: PosturePhoto) -> PosturePhotoRead:
    result = photo.result or {}
    return PosturePhotoRead.model_validate({
        "view": photo.view, "content_type": photo.content_type, "width": photo.width, "height": photo.height,
        "size_bytes": photo.size_bytes, "model": photo.model, "uploaded_at": photo.uploaded_at,
        "landmarks_edited_at": photo.landmarks_edited_at, "landmarks": photo.landmarks,
        "metrics": result.get("metrics", []), "patterns": result.get("patterns", []),
        "warnings": result.get("warnings", []), "scale": result.get("scale"),
        "therapist_points": therapist_points(photo.landmarks or {}),
        "box": result.get("box"),
    })


def to_read(db: Session, assessment: PostureAssessment) -> PostureAssessmentRead:
    author = db.get(User, assessment.created_by_id) if assessment.created_by_id else None
    return PostureAssessmentRead(
        **summary(assessment).model_dump(),
        note=assessment.note, updated_at=assessment.updated_at, created_by=author.name if author else None,
        photos={p.view: photo_read(p) for p in ordered_photos(assessment)},
        patterns=assessment.patterns or [],
    )


def _trend(before: str | None, after: str | None) -> str:
    if before in (None, "not measured") or after in (None, "not measured"):
        return "unknown"
    if before == after:
        return "same"
    return "better" if after == "normal" else "worse"


def comparison(before: PostureAssessment, after: PostureAssessment) -> PostureComparison:
    changes: list[MetricChange] = []
    for view in VIEWS:
        pb, pa = before.photo(view), after.photo(view)
        if pb is None and pa is None:
            continue
        mb = {m["id"]: m for m in ((pb.result or {}).get("metrics", []) if pb else [])}
        ma = {m["id"]: m for m in ((pa.result or {}).get("metrics", []) if pa else [])}
        for metric_id in dict.fromkeys([*ma, *mb]):
            x, y = mb.get(metric_id), ma.get(metric_id)
            vb = x.get("value") if x else None
            va = y.get("value") if y else None
            if vb is None and va is None:
                continue
            ref = y or x
            assert ref is not None
            notes = []
            change = None
            if vb is not None and va is not None:
                if x and y and x["unit"] != y["unit"]:
                    notes.append(f"units differ ({x['unit']} before, {y['unit']} after): give the client's height in both")
                else:
                    change = round(va - vb, 2)
            if pb is None:
                notes.append(f"no {view} photo before")
            elif pa is None:
                notes.append(f"no {view} photo after")
            side_b = x.get("side") if x else None
            side_a = y.get("side") if y else None
            one_per_view = metric_id == ref.get("metric")  # per-side metrics carry their side in the id
            if one_per_view and side_b in ("left", "right") and side_a in ("left", "right") and side_b != side_a:
                notes.append(f"side changed: {side_b} before, {side_a} after (the change is in size only)")
            changes.append(MetricChange(
                view=view, id=metric_id, name=ref["name"], unit=ref["unit"], before=vb, after=va, change=change,
                side_before=side_b, side_after=side_a,
                status_before=x.get("status") if x else None, status_after=y.get("status") if y else None,
                trend=_trend(x.get("status") if x else None, y.get("status") if y else None),
                note="; ".join(notes),
            ))
    return PostureComparison(
        before=summary(before), after=summary(after), changes=changes,
        patterns_before=[p["name"] for p in before.patterns or []],
        patterns_after=[p["name"] for p in after.patterns or []],
    )
