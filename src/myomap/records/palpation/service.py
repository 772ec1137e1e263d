"""Referral for a saved pain drawing, the therapist's "to palpate" list for it, and what
palpating each muscle found, which feeds back into the ranking and the smallest explaining set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from myomap.knowledge.library import UnknownMuscleError, load_knowledge
from myomap.knowledge.schema import Muscle
from myomap.posture.priors import muscle_findings
from myomap.records.accounts.models import User
from myomap.records.accounts.permissions import Actor
from myomap.records.audit.service import record
from myomap.records.base import utcnow
from myomap.records.errors import NotFound, ValidationFailed, VersionConflict
from myomap.records.pain.service import get_drawing_for_user
from myomap.records.palpation.models import PalpationTarget
from myomap.records.palpation.schemas import FINDINGS, SIDES, PalpationFindingUpdate, PalpationTargetRead
from myomap.records.posture.service import list_assessments
from myomap.referral import PainMark, PalpationFinding, Priors, Ranking, rank_muscles

WHAT = "palpation finding"
FINDING_FIELDS = (*FINDINGS, "trigger_point", "note")


@dataclass(frozen=True)
class DrawingReferral:
    """A saved drawing's ranking, and its to-palpate list whose findings the ranking reflects."""

    ranking: Ranking
    targets: list[PalpationTarget]


def posture_priors(*, db: Session, actor: Actor, client_id: int, on_or_before: date) -> Priors:
    """Priors from the client's latest postural assessment up to ``on_or_before``: the muscles its
    distortion patterns implicate, each with the pattern and date as the reason."""
    for assessment in list_assessments(db=db, actor=actor, client_id=client_id, audit=False):
        if assessment.assessed_on <= on_or_before and assessment.patterns:
            label = f"postural assessment of {assessment.assessed_on:%-d %b %Y}"
            return Priors(findings=muscle_findings(assessment.patterns, label=label))
    return Priors()


def palpation_priors(targets: Iterable[PalpationTarget]) -> dict[tuple[str, str], PalpationFinding]:
    """The findings recorded on the to-palpate list, keyed as the ranking expects (muscle, side)."""
    return {
        (t.muscle_id, t.side): PalpationFinding(t.tender, t.taut_band, t.referral_reproduced, t.note)
        for t in targets if t.palpated
    }


def referral_for_drawing(
    *, db: Session, actor: Actor, drawing_id: int, priors: Priors | None = None
) -> DrawingReferral:
    """Rank the muscles that may refer the drawing's pain (raises EmptyDrawingError if none).

    Without explicit ``priors``, the client's latest postural assessment up to the drawing's date
    raises the muscles its patterns implicate. Findings recorded on the drawing's to-palpate list
    always count (a reproduced referral leads the ranking and the smallest explaining set; "not
    tender" lowers the muscle), each saying so in the candidate's reasons.
    """
    drawing = get_drawing_for_user(db, actor, drawing_id)
    if priors is None:
        priors = posture_priors(db=db, actor=actor, client_id=drawing.client_id, on_or_before=drawing.drawn_on)
    targets = _targets(db, drawing.id)
    priors = replace(priors, palpation={**palpation_priors(targets), **priors.palpation})
    record(db=db, actor=actor, action="pain_drawing.referral", object_type="pain_drawing", object_id=drawing.id)
    marks = [PainMark(m.region_id, m.intensity, frozenset(m.qualities or ())) for m in drawing.marks]
    return DrawingReferral(rank_muscles(marks, priors), targets)


def _targets(db: Session, drawing_id: int) -> list[PalpationTarget]:
    stmt = select(PalpationTarget).where(PalpationTarget.drawing_id == drawing_id).order_by(PalpationTarget.id)
    return list(db.scalars(stmt))


def list_targets(*, db: Session, actor: Actor, drawing_id: int) -> list[PalpationTarget]:
    drawing = get_drawing_for_user(db, actor, drawing_id)
    return _targets(db, drawing.id)


def _check(muscle_id: str, side: str, trigger_point: str | None = None) -> Muscle:
    """The atlas muscle, or :class:`ValidationFailed` naming every problem (with close matches)."""
    problems: dict[str, str] = {}
    muscle: Muscle | None = None
    try:
        muscle = load_knowledge().muscle(muscle_id)
    except UnknownMuscleError as exc:
        problems["muscle"] = str(exc)
    if side not in SIDES:
        problems["side"] = f"side must be one of {', '.join(SIDES)}, not {side!r}"
    if muscle is not None and trigger_point is not None:
        ids = [tp.id for tp in muscle.trigger_points]
        if trigger_point not in ids:
            problems["trigger_point"] = (f"{muscle.name} has no trigger point {trigger_point!r}; "
                                         f"choose one of {', '.join(ids)}")
    if problems or muscle is None:
        raise ValidationFailed(problems)
    return muscle


def _find(db: Session, drawing_id: int, muscle_id: str, side: str) -> PalpationTarget | None:
    return db.scalar(
        select(PalpationTarget).where(
            PalpationTarget.drawing_id == drawing_id,
            PalpationTarget.muscle_id == muscle_id,
            PalpationTarget.side == side,
        )
    )


def add_target(
    *, db: Session, actor: Actor, drawing_id: int, muscle_id: str, side: str, reason: str | None = None
) -> PalpationTarget:
    """Mark a muscle "to palpate" for this drawing; marking it twice keeps one entry."""
    drawing = get_drawing_for_user(db, actor, drawing_id)
    muscle_id = _check(muscle_id, side).id
    existing = _find(db, drawing.id, muscle_id, side)
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
    """Take a muscle off the drawing's "to palpate" list (nothing happens if it is not there).

    An entry with a recorded finding stays: clearing the finding first makes discarding it a
    deliberate act."""
    drawing = get_drawing_for_user(db, actor, drawing_id)
    muscle = _check(muscle_id, side)
    target = _find(db, drawing.id, muscle.id, side)
    if target is None:
        return
    if target.palpated or target.note:
        raise ValidationFailed({"muscle": f"{muscle.name} ({side}) has a palpation finding recorded; "
                                          "clear the finding before taking it off the list"})
    db.delete(target)
    record(db=db, actor=actor, action="palpation_target.remove", object_type="pain_drawing",
           object_id=drawing.id, detail={"muscle": muscle.id, "side": side})


def finding_values(target: PalpationTarget) -> dict[str, Any]:
    """The finding as stored (shown with a version conflict)."""
    return {name: getattr(target, name) for name in FINDING_FIELDS}


def record_finding(
    *, db: Session, actor: Actor, drawing_id: int, muscle_id: str, data: PalpationFindingUpdate
) -> PalpationTarget:
    """Record what palpating a muscle found, replacing its previous finding; the drawing's ranking
    reflects it from then on. A muscle not yet on the to-palpate list is added to it. Changing an
    entry needs the version it was read at: a stale one raises :class:`VersionConflict`."""
    drawing = get_drawing_for_user(db, actor, drawing_id)
    muscle = _check(muscle_id, data.side, data.trigger_point)
    target = _find(db, drawing.id, muscle.id, data.side)
    if target is None:
        if data.version is not None:
            raise NotFound(f"{muscle.name} ({data.side}) on this drawing's to-palpate list")
        target = PalpationTarget(clinic_id=actor.clinic_id, client_id=drawing.client_id, drawing_id=drawing.id,
                                 muscle_id=muscle.id, side=data.side, created_by_id=actor.user.id)
        db.add(target)
    elif data.version is None:
        raise ValidationFailed({"version": f"{muscle.name} ({data.side}) is already on the list: send the version "
                                           "you read, so that a colleague's finding is not overwritten unseen"})
    elif data.version != target.version:
        raise VersionConflict(WHAT, data.version, target.version, finding_values(target))
    expected = target.version
    changed = sorted(name for name in FINDING_FIELDS if getattr(target, name) != getattr(data, name))
    for name in changed:
        setattr(target, name, getattr(data, name))
    if changed:
        target.palpated_at = utcnow() if target.palpated or target.note else None
        target.palpated_by_id = actor.user.id if target.palpated_at else None
    try:
        db.flush()
    except StaleDataError:
        db.rollback()
        db.refresh(target)
        raise VersionConflict(WHAT, expected, target.version, finding_values(target)) from None
    record(db=db, actor=actor, action="palpation_target.finding", object_type="pain_drawing", object_id=drawing.id,
           detail={"muscle": muscle.id, "side": data.side, "fields": changed})
    return target


def target_read(db: Session, target: PalpationTarget) -> PalpationTargetRead:
    """The entry as the API shows it (muscle name from the atlas, who palpated by name)."""
    by = db.get(User, target.palpated_by_id) if target.palpated_by_id else None
    return PalpationTargetRead(
        muscle=target.muscle_id, name=load_knowledge().muscles[target.muscle_id].name, side=target.side,
        reason=target.reason, **finding_values(target), palpated=target.palpated, palpated_at=target.palpated_at,
        palpated_by=by.name if by else None, version=target.version, created_at=target.created_at,
    )
