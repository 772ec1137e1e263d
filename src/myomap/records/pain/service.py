"""Pain drawing use cases: record, list, view, compare, correct, sign, delete and restore
(therapists and owners only; deleted drawings are the clinic owner's to see and restore)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from myomap.atlas.regions import load_atlas
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.service import record
from myomap.records.base import utcnow
from myomap.records.clients.service import get_client_for_user
from myomap.records.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from myomap.records.pain.models import PainDrawing, PainMark
from myomap.records.pain.schemas import (
    DeletedPainDrawing,
    PainChange,
    PainComparison,
    PainDrawingCreate,
    PainDrawingRead,
    PainDrawingSummary,
    PainMarkRead,
)
from myomap.records.pain.validation import CheckedDrawing, check_drawing

RESTORE_PERMISSION = Permission.AUDIT
"""Deleted drawings are read like the audit log: by the clinic owner, who alone may restore them."""


def get_drawing_for_user(db: Session, actor: Actor, drawing_id: int, *, deleted: bool | None = False) -> PainDrawing:
    """The drawing if it belongs to the actor's clinic and their role may see clinical data.

    A deleted drawing is "not found" everywhere (referral, palpation, compare) unless ``deleted``
    is True (only a deleted one) or None (either).
    """
    drawing = db.get(PainDrawing, drawing_id)
    if (drawing is None or drawing.clinic_id != actor.clinic_id
            or (deleted is not None and (drawing.deleted_at is not None) != deleted)):
        raise NotFound("deleted pain drawing" if deleted else "pain drawing")
    require(actor, Permission.CLINICAL)
    return drawing


def create_drawing(
    *, db: Session, actor: Actor, client_id: int, data: PainDrawingCreate | CheckedDrawing
) -> PainDrawing:
    """Save a drawing with all its marks, or nothing (every problem reported at once).

    Give a :class:`CheckedDrawing` when holding a scarce database slot: the region matching of
    :func:`check_drawing` is then already done, outside the slot.
    """
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    checked = data if isinstance(data, CheckedDrawing) else check_drawing(data)
    marks = checked.marks
    drawing = PainDrawing(
        clinic_id=actor.clinic_id,
        client_id=client.id,
        drawn_on=checked.drawn_on,
        overall_note=checked.overall_note,
        created_by_id=actor.user.id,
        marks=[PainMark(region_id=m.region_id, intensity=m.intensity, qualities=m.qualities, note=m.note) for m in marks],
    )
    db.add(drawing)
    db.flush()
    record(
        db=db, actor=actor, action="pain_drawing.create", object_type="pain_drawing", object_id=drawing.id,
        detail={"client_id": client.id, "regions": len(marks)},
    )
    return drawing


def read_drawing(*, db: Session, actor: Actor, drawing_id: int) -> PainDrawing:
    drawing = get_drawing_for_user(db, actor, drawing_id)
    record(db=db, actor=actor, action="pain_drawing.view", object_type="pain_drawing", object_id=drawing.id)
    return drawing


def list_drawings(*, db: Session, actor: Actor, client_id: int, audit: bool = True) -> list[PainDrawing]:
    """A client's drawings (deleted ones left out), newest first: by date, then by when recorded."""
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    stmt = (
        select(PainDrawing)
        .where(PainDrawing.client_id == client.id, PainDrawing.clinic_id == actor.clinic_id,
               PainDrawing.deleted_at.is_(None))
        .order_by(PainDrawing.drawn_on.desc(), PainDrawing.id.desc())
    )
    drawings = list(db.scalars(stmt))
    if audit:
        record(db=db, actor=actor, action="pain_drawing.list", object_type="client", object_id=client.id)
    return drawings


# ---- corrections: edit and sign, delete and restore -------------------------------------------


def _snapshot(drawing: PainDrawing) -> dict[str, Any]:
    """The drawing's content as JSON, kept in the audit log before a change (so no edit loses it)."""
    return {
        "drawn_on": drawing.drawn_on.isoformat(),
        "overall_note": drawing.overall_note,
        "marks": [
            {"region_id": m.region_id, "intensity": m.intensity, "qualities": list(m.qualities or []), "note": m.note}
            for m in sorted_marks(drawing)
        ],
    }


def _current_values(drawing: PainDrawing) -> dict[str, Any]:
    """What the drawing holds now, in words, for a conflict message."""
    marks = "; ".join(
        f"{region_name(m.region_id)} {m.intensity}" + (f" ({', '.join(m.qualities)})" if m.qualities else "")
        for m in sorted_marks(drawing)
    )
    return {"drawn_on": drawing.drawn_on, "overall_note": drawing.overall_note, "marks": marks}


def _check_version(drawing: PainDrawing, version: int) -> None:
    if drawing.version != version:
        raise VersionConflict("pain drawing", version, drawing.version, _current_values(drawing))


def _refuse_signed(drawing: PainDrawing, doing: str) -> None:
    if drawing.signed_at is not None:
        who = f" by {drawing.signer.name}" if drawing.signer else ""
        raise ValidationFailed({"signed": f"this drawing was signed{who}, so it can no longer be {doing}"})


def _save(db: Session, drawing: PainDrawing, expected_version: int) -> None:
    """Flush the change; a concurrent one between our read and this write becomes a conflict."""
    try:
        db.flush()
    except StaleDataError:
        db.rollback()
        current = db.get(PainDrawing, drawing.id)
        if current is None:
            raise NotFound("pain drawing") from None
        raise VersionConflict("pain drawing", expected_version, current.version, _current_values(current)) from None
    db.expire(drawing, ["author", "signer", "deleter"])


def update_drawing(
    *, db: Session, actor: Actor, drawing_id: int, data: PainDrawingCreate | CheckedDrawing, version: int
) -> PainDrawing:
    """Correct an unsigned drawing: its date, note and marks are replaced by ``data`` as a whole.

    ``version`` is the one the edit started from; if the drawing changed since, nothing is saved
    and :class:`VersionConflict` says what it holds now. The previous content goes to the audit log.
    """
    drawing = get_drawing_for_user(db, actor, drawing_id)
    _refuse_signed(drawing, "edited")
    checked = data if isinstance(data, CheckedDrawing) else check_drawing(data)
    _check_version(drawing, version)
    before = _snapshot(drawing)
    existing = {m.region_id: m for m in drawing.marks}
    wanted = {m.region_id: m for m in checked.marks}
    for region_id, mark in existing.items():
        if region_id not in wanted:
            drawing.marks.remove(mark)
    for region_id, new in wanted.items():
        old = existing.get(region_id)
        if old is None:
            drawing.marks.append(PainMark(region_id=region_id, intensity=new.intensity, qualities=new.qualities, note=new.note))
        elif (old.intensity, list(old.qualities or []), old.note) != (new.intensity, new.qualities, new.note):
            old.intensity, old.qualities, old.note = new.intensity, list(new.qualities), new.note
    drawing.drawn_on, drawing.overall_note = checked.drawn_on, checked.overall_note
    after = _snapshot(drawing)
    changed = sorted(k for k in before if before[k] != after[k])
    if changed:
        drawing.updated_at = utcnow()
        drawing.updated_by_id = actor.user.id
        _save(db, drawing, version)
    record(
        db=db, actor=actor, action="pain_drawing.update", object_type="pain_drawing", object_id=drawing.id,
        detail={"client_id": drawing.client_id, "fields": changed, "before": before if changed else None},
    )
    return drawing


def sign_drawing(*, db: Session, actor: Actor, drawing_id: int, version: int) -> PainDrawing:
    """Sign a drawing: it becomes final (no more edits or deletion). Signing twice changes nothing."""
    drawing = get_drawing_for_user(db, actor, drawing_id)
    _check_version(drawing, version)
    if drawing.signed_at is None:
        drawing.signed_at = utcnow()
        drawing.signed_by_id = actor.user.id
        _save(db, drawing, version)
        record(db=db, actor=actor, action="pain_drawing.sign", object_type="pain_drawing", object_id=drawing.id,
               detail={"client_id": drawing.client_id})
    return drawing


def delete_drawing(*, db: Session, actor: Actor, drawing_id: int, reason: str, version: int) -> PainDrawing:
    """Delete an unsigned drawing, saying why: it is hidden from every list and page, and kept
    (with who, when and why, also in the audit log) for the clinic owner to restore."""
    drawing = get_drawing_for_user(db, actor, drawing_id)
    _refuse_signed(drawing, "deleted")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": "say why this drawing is deleted (for example 'recorded for the wrong client')"})
    _check_version(drawing, version)
    drawing.deleted_at = utcnow()
    drawing.deleted_by_id = actor.user.id
    drawing.deleted_reason = reason
    _save(db, drawing, version)
    record(db=db, actor=actor, action="pain_drawing.delete", object_type="pain_drawing", object_id=drawing.id,
           detail={"client_id": drawing.client_id, "reason": reason})
    return drawing


def _require_restorer(actor: Actor) -> None:
    require(actor, Permission.CLINICAL)
    if not actor.can(RESTORE_PERMISSION):
        raise Forbidden("Only the clinic owner can see and restore deleted pain drawings.")


def list_deleted_drawings(*, db: Session, actor: Actor, client_id: int) -> list[PainDrawing]:
    """A client's deleted drawings, most recently deleted first (the clinic owner's)."""
    client = get_client_for_user(db, actor, client_id)
    _require_restorer(actor)
    stmt = (
        select(PainDrawing)
        .where(PainDrawing.client_id == client.id, PainDrawing.clinic_id == actor.clinic_id,
               PainDrawing.deleted_at.is_not(None))
        .order_by(PainDrawing.deleted_at.desc(), PainDrawing.id.desc())
    )
    drawings = list(db.scalars(stmt))
    record(db=db, actor=actor, action="pain_drawing.list_deleted", object_type="client", object_id=client.id)
    return drawings


def restore_drawing(*, db: Session, actor: Actor, drawing_id: int) -> PainDrawing:
    """Bring a deleted drawing back, as it was (the clinic owner only). Restoring one that is not
    deleted (a colleague restored it first) changes nothing."""
    drawing = get_drawing_for_user(db, actor, drawing_id, deleted=None)
    _require_restorer(actor)
    if drawing.deleted_at is None:
        return drawing
    expected, reason = drawing.version, drawing.deleted_reason
    drawing.deleted_at = drawing.deleted_by_id = drawing.deleted_reason = None
    _save(db, drawing, expected)
    record(db=db, actor=actor, action="pain_drawing.restore", object_type="pain_drawing", object_id=drawing.id,
           detail={"client_id": drawing.client_id, "deleted_reason": reason})
    return drawing


def compare_drawings(*, db: Session, actor: Actor, first_id: int, second_id: int) -> PainComparison:
    """Two drawings of one client, earlier first, with the change in every region marked in either."""
    a = get_drawing_for_user(db, actor, first_id)
    b = get_drawing_for_user(db, actor, second_id)
    if a.client_id != b.client_id:
        raise ValidationFailed({"compare": "both drawings must belong to the same client"})
    before, after = sorted((a, b), key=lambda d: (d.drawn_on, d.created_at, d.id))
    record(
        db=db, actor=actor, action="pain_drawing.compare", object_type="pain_drawing", object_id=after.id,
        detail={"before": before.id},
    )
    return comparison(db, before, after)


# ---- presentation helpers (pure, shared by the API and the pages) ---------------------------


def region_name(region_id: str) -> str:
    region = load_atlas().regions.get(region_id)
    return region.name if region else region_id


def _region_order() -> dict[str, int]:
    return {rid: i for i, rid in enumerate(load_atlas().regions)}


def sorted_marks(drawing: PainDrawing) -> list[PainMark]:
    order = _region_order()
    return sorted(drawing.marks, key=lambda m: order.get(m.region_id, len(order)))


def summary(drawing: PainDrawing) -> PainDrawingSummary:
    intensities = [m.intensity for m in drawing.marks]
    return PainDrawingSummary(
        id=drawing.id,
        client_id=drawing.client_id,
        drawn_on=drawing.drawn_on,
        created_at=drawing.created_at,
        created_by=drawing.author.name if drawing.author else None,
        version=drawing.version,
        updated_at=drawing.updated_at,
        signed_at=drawing.signed_at,
        signed_by=drawing.signer.name if drawing.signer else None,
        region_count=len(intensities),
        max_intensity=max(intensities) if intensities else None,
    )


def deleted_summary(drawing: PainDrawing) -> DeletedPainDrawing:
    if drawing.deleted_at is None:
        raise ValueError(f"pain drawing {drawing.id} is not deleted")
    return DeletedPainDrawing(
        **summary(drawing).model_dump(), deleted_at=drawing.deleted_at,
        deleted_by=drawing.deleter.name if drawing.deleter else None, deleted_reason=drawing.deleted_reason or "",
    )


def to_read(db: Session, drawing: PainDrawing) -> PainDrawingRead:
    base = summary(drawing)
    return PainDrawingRead(
        **base.model_dump(),
        overall_note=drawing.overall_note,
        marks=[
            PainMarkRead(
                region_id=m.region_id, region_name=region_name(m.region_id), intensity=m.intensity,
                qualities=list(m.qualities or []), note=m.note,
            )
            for m in sorted_marks(drawing)
        ],
    )


def comparison(db: Session, before: PainDrawing, after: PainDrawing) -> PainComparison:
    order = _region_order()
    marks_a = {m.region_id: m for m in before.marks}
    marks_b = {m.region_id: m for m in after.marks}
    changes = []
    for rid in sorted(set(marks_a) | set(marks_b), key=lambda r: order.get(r, len(order))):
        ma, mb = marks_a.get(rid), marks_b.get(rid)
        ia, ib = (ma.intensity if ma else None), (mb.intensity if mb else None)
        changes.append(
            PainChange(
                region_id=rid,
                region_name=region_name(rid),
                before=ia,
                after=ib,
                change=(ib or 0) - (ia or 0),
                qualities_before=list(ma.qualities or []) if ma else [],
                qualities_after=list(mb.qualities or []) if mb else [],
            )
        )
    return PainComparison(
        before=to_read(db, before),
        after=to_read(db, after),
        changes=changes,
        total_before=sum(m.intensity for m in before.marks),
        total_after=sum(m.intensity for m in after.marks),
    )
