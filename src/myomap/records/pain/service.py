"""Pain drawing use cases: record, list, view and compare (therapists and owners only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.atlas.regions import load_atlas
from myomap.records.accounts.models import User
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.service import record
from myomap.records.clients.service import get_client_for_user
from myomap.records.errors import NotFound, ValidationFailed
from myomap.records.pain.models import PainDrawing, PainMark
from myomap.records.pain.schemas import (
    PainChange,
    PainComparison,
    PainDrawingCreate,
    PainDrawingRead,
    PainDrawingSummary,
    PainMarkRead,
)
from myomap.records.pain.validation import CheckedDrawing, check_drawing


def get_drawing_for_user(db: Session, actor: Actor, drawing_id: int) -> PainDrawing:
    """The drawing if it belongs to the actor's clinic and their role may see clinical data."""
    drawing = db.get(PainDrawing, drawing_id)
    if drawing is None or drawing.clinic_id != actor.clinic_id:
        raise NotFound("pain drawing")
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
    """A client's drawings, newest first."""
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    stmt = (
        select(PainDrawing)
        .where(PainDrawing.client_id == client.id, PainDrawing.clinic_id == actor.clinic_id)
        .order_by(PainDrawing.drawn_on.desc(), PainDrawing.id.desc())
    )
    drawings = list(db.scalars(stmt))
    if audit:
        record(db=db, actor=actor, action="pain_drawing.list", object_type="client", object_id=client.id)
    return drawings


def compare_drawings(*, db: Session, actor: Actor, first_id: int, second_id: int) -> PainComparison:
    """Two drawings of one client, earlier first, with the change in every region marked in either."""
    a = get_drawing_for_user(db, actor, first_id)
    b = get_drawing_for_user(db, actor, second_id)
    if a.client_id != b.client_id:
        raise ValidationFailed({"compare": "both drawings must belong to the same client"})
    before, after = sorted((a, b), key=lambda d: (d.drawn_on, d.id))
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
        region_count=len(intensities),
        max_intensity=max(intensities) if intensities else None,
    )


def to_read(db: Session, drawing: PainDrawing) -> PainDrawingRead:
    author = db.get(User, drawing.created_by_id) if drawing.created_by_id else None
    base = summary(drawing)
    return PainDrawingRead(
        **base.model_dump(),
        overall_note=drawing.overall_note,
        created_by=author.name if author else None,
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
