"""Referral for a saved pain drawing, and the therapist's "to palpate" list for it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.knowledge.library import UnknownMuscleError, load_knowledge
from myomap.posture.priors import muscle_findings
from myomap.records.accounts.permissions import Actor
from myomap.records.audit.service import record
from myomap.records.errors import ValidationFailed
from myomap.records.pain.service import get_drawing_for_user
from myomap.records.palpation.models import PalpationTarget
from myomap.records.posture.service import list_assessments
from myomap.referral import PainMark, Priors, Ranking, rank_muscles

SIDES = ("left", "right", "both", "either")


def posture_priors(*, db: Session, actor: Actor, client_id: int, on_or_before: date) -> Priors:
    """Priors from the client's latest postural assessment up to ``on_or_before``: the muscles its
    distortion patterns implicate, each with the pattern and date as the reason."""
    for assessment in list_assessments(db=db, actor=actor, client_id=client_id, audit=False):
        if assessment.assessed_on <= on_or_before and assessment.patterns:
            label = f"postural assessment of {assessment.assessed_on:%-d %b %Y}"
            return Priors(findings=muscle_findings(assessment.patterns, label=label))
    return Priors()


def referral_for_drawing(*, db: Session, actor: Actor, drawing_id: int, priors: Priors | None = None) -> Ranking:
    """Rank the muscles that may refer the drawing's pain (raises EmptyDrawingError if none).

    Without explicit ``priors``, the client's latest postural assessment up to the drawing's date
    raises the muscles its patterns implicate (and says so in their reasons).
    """
    drawing = get_drawing_for_user(db, actor, drawing_id)
    if priors is None:
        priors = posture_priors(db=db, actor=actor, client_id=drawing.client_id, on_or_before=drawing.drawn_on)
    record(db=db, actor=actor, action="pain_drawing.referral", object_type="pain_drawing", object_id=drawing.id)
    return rank_muscles([PainMark(m.region_id, m.intensity, frozenset(m.qualities or ())) for m in drawing.marks], priors)


def list_targets(*, db: Session, actor: Actor, drawing_id: int) -> list[PalpationTarget]:
    drawing = get_drawing_for_user(db, actor, drawing_id)
    stmt = select(PalpationTarget).where(PalpationTarget.drawing_id == drawing.id).order_by(PalpationTarget.id)
    return list(db.scalars(stmt))


def _check(muscle_id: str, side: str) -> None:
    problems: dict[str, str] = {}
    try:
        load_knowledge().muscle(muscle_id)
    except UnknownMuscleError as exc:
        problems["muscle"] = str(exc)
    if side not in SIDES:
        problems["side"] = f"side must be one of {', '.join(SIDES)}, not {side!r}"
    if problems:
        raise ValidationFailed(problems)


def add_target(
    *, db: Session, actor: Actor, drawing_id: int, muscle_id: str, side: str, reason: str | None = None
) -> PalpationTarget:
    """Mark a muscle "to palpate" for this drawing; marking it twice keeps one entry."""
    drawing = get_drawing_for_user(db, actor, drawing_id)
    _check(muscle_id, side)
    muscle_id = load_knowledge().muscle(muscle_id).id
    existing = db.scalar(
        select(PalpationTarget).where(
            PalpationTarget.drawing_id == drawing.id,
            PalpationTarget.muscle_id == muscle_id,
            PalpationTarget.side == side,
        )
    )
    if existing is not None:
        return existing
    target = PalpationTarget(
        clinic_id=actor.clinic_id, client_id=drawing.client_id, drawing_id=drawing.id,
        muscle_id=muscle_id, side=side, reason=reason, created_by_id=actor.user.id,
    )
    db.add(target)
    db.flush()
    record(db=db, actor=actor, action="palpation_target.add", object_type="pain_drawing", object_id=drawing.id,
           detail={"muscle": muscle_id, "side": side})
    return target


def remove_target(*, db: Session, actor: Actor, drawing_id: int, muscle_id: str, side: str) -> None:
    """Take a muscle off the drawing's "to palpate" list (nothing happens if it is not there)."""
    drawing = get_drawing_for_user(db, actor, drawing_id)
    _check(muscle_id, side)
    target = db.scalar(
        select(PalpationTarget).where(
            PalpationTarget.drawing_id == drawing.id,
            PalpationTarget.muscle_id == muscle_id,
            PalpationTarget.side == side,
        )
    )
    if target is not None:
        db.delete(target)
        record(db=db, actor=actor, action="palpation_target.remove", object_type="pain_drawing",
               object_id=drawing.id, detail={"muscle": muscle_id, "side": side})
