"""Palpation findings on the to-palpate list: stored, audited, guarded, and fed back into the
drawing's ranking and smallest explaining set (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.records.audit.models import AuditEvent
from myomap.records.db import Database
from myomap.records.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from myomap.records.pain.schemas import PainDrawingCreate
from myomap.records.pain.service import create_drawing
from myomap.records.palpation.schemas import PalpationFindingUpdate
from myomap.records.palpation.service import (
    add_target,
    list_targets,
    record_finding,
    referral_for_drawing,
    remove_target,
    target_read,
)
from myomap.referral import Candidate, Ranking
from tests.conftest import second_writer_after_commit

if TYPE_CHECKING:
    from tests.conftest import MakeClient, World

pytestmark = pytest.mark.storage

HEADACHE = {"temple.right": 7, "posterior_neck.right": 5, "mastoid.right": 4}


@pytest.fixture
def drawing_id(db: Session, world: World, make_client: MakeClient) -> int:
    client = make_client()
    data = PainDrawingCreate(drawn_on=date(2026, 11, 20),
                             marks=[{"region_id": r, "intensity": i} for r, i in HEADACHE.items()])
    drawing = create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=data)
    db.commit()
    return drawing.id


def ranking(db: Session, world: World, drawing_id: int) -> Ranking:
    return referral_for_drawing(db=db, actor=world.actor(world.therapist), drawing_id=drawing_id).ranking


def find(r: Ranking, muscle: str) -> Candidate:
    return next(c for c in r.candidates if c.muscle == muscle)


def finding(side: str, version: int | None = None, **fields: object) -> PalpationFindingUpdate:
    return PalpationFindingUpdate.model_validate({"side": side, "version": version, **fields})


def test_a_reproduced_referral_puts_the_muscle_first_and_in_the_smallest_set(db: Session, world: World, drawing_id: int) -> None:
    before = ranking(db, world, drawing_id)
    third = before.candidates[2]
    assert before.candidates[0].muscle != third.muscle and third.muscle not in before.cover
    record_finding(db=db, actor=world.actor(world.therapist), drawing_id=drawing_id, muscle_id=third.muscle,
                   data=finding(third.side, tender=True, referral_reproduced=True))
    db.commit()
    after = ranking(db, world, drawing_id)
    assert after.candidates[0].muscle == third.muscle and after.cover[0] == third.muscle
    assert any("reproduced the referred pain" in r for r in after.candidates[0].reasons)
    assert not any("reproduced" in r for c in after.candidates[1:] for r in c.reasons)


def test_not_tender_lowers_the_muscle(db: Session, world: World, drawing_id: int) -> None:
    before = ranking(db, world, drawing_id)
    top = before.candidates[0]
    record_finding(db=db, actor=world.actor(world.therapist), drawing_id=drawing_id, muscle_id=top.muscle,
                   data=finding(top.side, tender=False))
    db.commit()
    after = ranking(db, world, drawing_id)
    lowered = find(after, top.muscle)
    assert lowered.score == pytest.approx(top.score * 0.3)
    assert after.candidates[0].muscle != top.muscle
    assert "lowered: palpated (right) and not tender" in lowered.reasons


def test_the_finding_is_stored_with_who_and_when_and_audited(db: Session, world: World, drawing_id: int) -> None:
    tara = world.actor(world.therapist)
    add_target(db=db, actor=tara, drawing_id=drawing_id, muscle_id="SCM", side="right", reason="top candidate")
    db.commit()
    target = record_finding(db=db, actor=tara, drawing_id=drawing_id, muscle_id="sternocleidomastoid",
                            data=finding("right", 1, tender=True, taut_band=True, referral_reproduced=False,
                                         trigger_point="clavicular", note="  frontal headache on pincer  "))
    db.commit()
    read = target_read(db, target)
    assert (read.tender, read.taut_band, read.referral_reproduced) == (True, True, False)
    assert read.trigger_point == "clavicular" and read.note == "frontal headache on pincer"
    assert read.palpated and read.palpated_by == "Tara Therapist" and read.palpated_at is not None
    assert read.version == 2 and read.reason == "top candidate"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "palpation_target.finding")).one()
    assert event.object_id == drawing_id and event.detail is not None
    assert event.detail["fields"] == ["note", "referral_reproduced", "taut_band", "tender", "trigger_point"]
    # Clearing every finding makes it "not palpated" again, and the ranking forgets it.
    cleared = record_finding(db=db, actor=tara, drawing_id=drawing_id, muscle_id="sternocleidomastoid",
                             data=finding("right", 2))
    db.commit()
    assert not cleared.palpated and cleared.palpated_at is None and cleared.version == 3
    assert not any("palpat" in r for r in find(ranking(db, world, drawing_id), "sternocleidomastoid").reasons)


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(db: Session, world: World, drawing_id: int) -> None:
    tara, colin = world.actor(world.therapist), world.actor(world.colleague)
    add_target(db=db, actor=tara, drawing_id=drawing_id, muscle_id="upper_trapezius", side="right")
    db.commit()
    record_finding(db=db, actor=colin, drawing_id=drawing_id, muscle_id="upper_trapezius",
                   data=finding("right", 1, tender=True))
    db.commit()
    with pytest.raises(VersionConflict, match="you edited version 1, it is now version 2") as caught:
        record_finding(db=db, actor=tara, drawing_id=drawing_id, muscle_id="upper_trapezius",
                       data=finding("right", 1, tender=False, note="mine"))
    db.rollback()
    assert caught.value.current_values["tender"] is True
    with pytest.raises(ValidationFailed, match="send the version"):
        record_finding(db=db, actor=tara, drawing_id=drawing_id, muscle_id="upper_trapezius",
                       data=finding("right", tender=False))
    db.rollback()
    stored = find(ranking(db, world, drawing_id), "upper_trapezius")
    assert "palpation (right) found: tender" in stored.reasons


@pytest.mark.parametrize(
    ("muscle", "fields", "message"),
    [
        ("upper trapezus", {}, "upper_trapezius"),
        ("upper_trapezius", {"trigger_point": "tp9"}, "has no trigger point 'tp9'; choose one of tp1, tp2"),
    ],
)
def test_an_unknown_muscle_or_trigger_point_is_explained(db: Session, world: World, drawing_id: int, muscle: str, fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        record_finding(db=db, actor=world.actor(world.therapist), drawing_id=drawing_id, muscle_id=muscle,
                       data=finding("right", None, tender=True, **fields))


def test_a_bad_side_or_an_overlong_note_is_refused_before_anything_is_read() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="side"):
        PalpationFindingUpdate.model_validate({"side": "top"})
    with pytest.raises(ValidationError, match="at most 2000 characters"):
        PalpationFindingUpdate.model_validate({"side": "left", "note": "x" * 2001})
    form = PalpationFindingUpdate.model_validate({"side": "left", "tender": "yes", "taut_band": "no",
                                                  "referral_reproduced": "", "version": ""})
    assert (form.tender, form.taut_band, form.referral_reproduced, form.version) == (True, False, None, None)


def test_another_clinic_and_the_front_desk_cannot_record_findings(db: Session, world: World, drawing_id: int) -> None:
    with pytest.raises(NotFound):
        record_finding(db=db, actor=world.actor(world.outsider), drawing_id=drawing_id, muscle_id="upper_trapezius",
                       data=finding("right", tender=True))
    with pytest.raises(Forbidden, match="Only therapists and owners"):
        record_finding(db=db, actor=world.actor(world.front_desk), drawing_id=drawing_id,
                       muscle_id="upper_trapezius", data=finding("right", tender=True))
    db.rollback()
    assert not any("palpat" in r for c in ranking(db, world, drawing_id).candidates for r in c.reasons)


def test_an_entry_with_a_finding_is_not_taken_off_the_list_by_accident(db: Session, world: World, drawing_id: int) -> None:
    tara = world.actor(world.therapist)
    record_finding(db=db, actor=tara, drawing_id=drawing_id, muscle_id="upper_trapezius",
                   data=finding("right", tender=True))
    db.commit()
    with pytest.raises(ValidationFailed, match="clear the finding"):
        remove_target(db=db, actor=tara, drawing_id=drawing_id, muscle_id="upper_trapezius", side="right")
    db.rollback()
    assert [t.muscle_id for t in referral_for_drawing(db=db, actor=tara, drawing_id=drawing_id).targets] == ["upper_trapezius"]


def test_two_simultaneous_findings_cannot_both_win(database: Database, world: World, drawing_id: int) -> None:
    """Two therapists save a finding on the same entry at the same moment, both from version 1."""
    with database.transaction() as s:
        add_target(db=s, actor=world.actor(world.therapist), drawing_id=drawing_id, muscle_id="upper_trapezius", side="right")
    first, second = database.sessions(), database.sessions()
    tara, colin = world.actor(world.therapist), world.actor(world.colleague)
    try:
        if database.is_sqlite:
            # SQLite serialises writers (BEGIN IMMEDIATE): the second waits, then sees version 2.
            record_finding(db=first, actor=tara, drawing_id=drawing_id, muscle_id="upper_trapezius",
                           data=finding("right", 1, tender=True))
            conflict = second_writer_after_commit(first, lambda: record_finding(
                db=second, actor=colin, drawing_id=drawing_id, muscle_id="upper_trapezius", data=finding("right", 1, tender=False)))
        else:
            # PostgreSQL: both read version 1; the second UPDATE finds the row changed (StaleDataError).
            assert [t.version for t in list_targets(db=second, actor=colin, drawing_id=drawing_id)] == [1]
            record_finding(db=first, actor=tara, drawing_id=drawing_id, muscle_id="upper_trapezius",
                           data=finding("right", 1, tender=True))
            first.commit()
            try:
                record_finding(db=second, actor=colin, drawing_id=drawing_id, muscle_id="upper_trapezius",
                               data=finding("right", 1, tender=False))
                conflict = None
            except VersionConflict as exc:
                conflict = exc
        assert isinstance(conflict, VersionConflict) and conflict.current_values["tender"] is True
    finally:
        first.close()
        second.close()
    with database.sessions() as check:
        assert [t.tender for t in list_targets(db=check, actor=tara, drawing_id=drawing_id)] == [True]
