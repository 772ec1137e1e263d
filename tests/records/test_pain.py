"""Pain drawings: saved whole or not at all, validated against the atlas, clinical staff only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from myomap.records.audit.models import AuditEvent
from myomap.records.base import Base
from myomap.records.db import Database
from myomap.records.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from myomap.records.pain.models import PainDrawing, PainMark
from myomap.records.pain.schemas import PainDrawingCreate
from myomap.records.pain.service import (
    compare_drawings,
    create_drawing,
    delete_drawing,
    deleted_summary,
    get_drawing_for_user,
    list_deleted_drawings,
    list_drawings,
    read_drawing,
    restore_drawing,
    sign_drawing,
    summary,
    to_read,
    update_drawing,
)

if TYPE_CHECKING:
    from tests.conftest import MakeClient, World

pytestmark = pytest.mark.storage

TODAY = date.today()


def drawing(days_ago: int = 0, *marks: tuple[str, int] | tuple[str, int, list[str]], note: str | None = None) -> PainDrawingCreate:
    return PainDrawingCreate(
        drawn_on=TODAY - timedelta(days=days_ago),
        overall_note=note,
        marks=[{"region_id": m[0], "intensity": m[1], "qualities": m[2] if len(m) > 2 else []} for m in marks],
    )


def count(db: Session, model: type[Base]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_therapist_records_a_drawing_with_qualities_and_notes(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    data = PainDrawingCreate(
        drawn_on=TODAY, overall_note="Worse after desk work",
        marks=[
            {"region_id": "temple.left", "intensity": 7, "qualities": ["throbbing", "aching"], "note": "behind the eye"},
            {"region_id": "sacrum", "intensity": 0, "qualities": ["numbness"]},
            {"region_id": "right shoulder top", "intensity": 4},  # a synonym with a side
        ],
    )
    saved = create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=data)
    db.commit()
    read = to_read(db, saved)
    assert [(m.region_id, m.intensity) for m in read.marks] == [("temple.left", 7), ("top_of_shoulder.right", 4), ("sacrum", 0)]
    assert read.marks[0].qualities == ["aching", "throbbing"]  # canonical order
    assert read.marks[0].note == "behind the eye" and read.created_by == "Tara Therapist"
    assert read.max_intensity == 7 and read.region_count == 3


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ([("tempel.left", 3)], "did you mean: temple.left"),
        ([("temple.left", 11)], "between 0 and 10, not 11"),
        ([("temple.left", -1)], "between 0 and 10, not -1"),
        ([("temple.left", 3, ["zappy"])], "unknown quality 'zappy'"),
        ([("temple.left", 3), ("temple.left", 4)], "marked twice"),
        ([("temple", 3)], "needs a side"),
    ],
)
def test_bad_marks_are_explained_and_nothing_is_saved(db: Session, world: World, make_client: MakeClient, marks: list[tuple[str, int] | tuple[str, int, list[str]]], message: str) -> None:
    client = make_client()
    data = drawing(0, ("sacrum", 5), *marks)
    with pytest.raises(ValidationFailed, match=message):
        create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=data)
    db.rollback()
    assert count(db, PainDrawing) == 0 and count(db, PainMark) == 0


def test_every_problem_is_reported_at_once(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    data = drawing(-30, ("tempel.left", 3), ("sacrum", 12, ["zappy"]))
    with pytest.raises(ValidationFailed) as info:
        create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=data)
    assert set(info.value.errors) == {"drawn_on", "marks.tempel.left", "marks.sacrum.intensity", "marks.sacrum.qualities"}


def test_an_empty_drawing_needs_an_overall_note(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    therapist = world.actor(world.therapist)
    with pytest.raises(ValidationFailed, match="at least one region"):
        create_drawing(db=db, actor=therapist, client_id=client.id, data=drawing(0))
    assert create_drawing(db=db, actor=therapist, client_id=client.id, data=drawing(0, note="No pain today")).marks == []


def test_the_front_desk_cannot_see_or_record_drawings(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    saved = create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=drawing(0, ("sacrum", 5)))
    db.commit()
    desk = world.actor(world.front_desk)
    with pytest.raises(Forbidden, match="therapists and owners"):
        create_drawing(db=db, actor=desk, client_id=client.id, data=drawing(0, ("sacrum", 5)))
    with pytest.raises(Forbidden):
        read_drawing(db=db, actor=desk, drawing_id=saved.id)
    with pytest.raises(Forbidden):
        list_drawings(db=db, actor=desk, client_id=client.id)


def test_an_outsider_cannot_reach_the_drawings(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    saved = create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=drawing(0, ("sacrum", 5)))
    db.commit()
    outsider = world.actor(world.outsider)
    with pytest.raises(NotFound):
        get_drawing_for_user(db, outsider, saved.id)
    with pytest.raises(NotFound):
        create_drawing(db=db, actor=outsider, client_id=client.id, data=drawing(0, ("sacrum", 5)))
    with pytest.raises(NotFound):
        compare_drawings(db=db, actor=outsider, first_id=saved.id, second_id=saved.id)


def test_drawings_are_listed_newest_first_and_compared_earlier_to_later(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    therapist = world.actor(world.therapist)
    old = create_drawing(db=db, actor=therapist, client_id=client.id,
                         data=drawing(20, ("temple.left", 7, ["throbbing"]), ("sacrum", 3)))
    new = create_drawing(db=db, actor=world.actor(world.colleague), client_id=client.id,
                         data=drawing(2, ("temple.left", 2, ["aching"]), ("jaw.right", 4)))
    db.commit()
    assert [d.id for d in list_drawings(db=db, actor=therapist, client_id=client.id)] == [new.id, old.id]
    result = compare_drawings(db=db, actor=therapist, first_id=new.id, second_id=old.id)  # order given doesn't matter
    assert (result.before.id, result.after.id) == (old.id, new.id)
    rows = {c.region_id: (c.before, c.after, c.change) for c in result.changes}
    assert rows == {"temple.left": (7, 2, -5), "jaw.right": (None, 4, 4), "sacrum": (3, None, -3)}
    assert (result.total_before, result.total_after) == (10, 6)


def test_drawings_of_two_clients_are_not_compared(db: Session, world: World, make_client: MakeClient) -> None:
    therapist = world.actor(world.therapist)
    a = create_drawing(db=db, actor=therapist, client_id=make_client().id, data=drawing(0, ("sacrum", 5)))
    b = create_drawing(db=db, actor=therapist, client_id=make_client(given_name="Bob").id, data=drawing(0, ("sacrum", 5)))
    with pytest.raises(ValidationFailed, match="same client"):
        compare_drawings(db=db, actor=therapist, first_id=a.id, second_id=b.id)


def test_creating_and_viewing_drawings_is_audited(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    therapist = world.actor(world.therapist, via="api")
    saved = create_drawing(db=db, actor=therapist, client_id=client.id, data=drawing(0, ("sacrum", 5)))
    read_drawing(db=db, actor=therapist, drawing_id=saved.id)
    db.commit()
    rows = db.execute(
        select(AuditEvent.action, AuditEvent.object_id, AuditEvent.via).where(AuditEvent.object_type == "pain_drawing")
    ).all()
    assert rows == [("pain_drawing.create", saved.id, "api"), ("pain_drawing.view", saved.id, "api")]


# ---- corrections: edit while unsigned, sign, delete with a reason, restore ---------------------


def audit_rows(db: Session, drawing_id: int) -> list[tuple[str, dict[str, object] | None]]:
    stmt = (select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.object_type == "pain_drawing", AuditEvent.object_id == drawing_id)
            .order_by(AuditEvent.id))
    return [(a, d) for a, d in db.execute(stmt).all()]


def test_an_unsigned_drawing_is_corrected_and_its_previous_content_kept_in_the_audit_log(
        db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    therapist = world.actor(world.therapist)
    saved = create_drawing(db=db, actor=therapist, client_id=client.id,
                           data=drawing(1, ("temple.left", 7, ["throbbing"]), ("sacrum", 3), note="first"))
    db.commit()
    assert saved.version == 1
    update_drawing(db=db, actor=world.actor(world.colleague), drawing_id=saved.id, version=1,
                   data=drawing(0, ("temple.left", 5, ["aching"]), ("jaw.right", 4), note="corrected"))
    db.commit()
    db.expire_all()
    read = to_read(db, db.get_one(PainDrawing, saved.id))
    assert [(m.region_id, m.intensity, m.qualities) for m in read.marks] == [
        ("temple.left", 5, ["aching"]), ("jaw.right", 4, [])]
    assert (read.drawn_on, read.overall_note, read.version) == (TODAY, "corrected", 2)
    assert read.updated_at is not None and read.created_by == "Tara Therapist"
    assert count(db, PainMark) == 2  # the sacrum mark is gone, not orphaned
    action, detail = audit_rows(db, saved.id)[-1]
    assert action == "pain_drawing.update" and detail is not None
    assert detail["fields"] == ["drawn_on", "marks", "overall_note"]
    assert detail["before"] == {
        "drawn_on": (TODAY - timedelta(days=1)).isoformat(), "overall_note": "first",
        "marks": [{"region_id": "temple.left", "intensity": 7, "qualities": ["throbbing"], "note": None},
                  {"region_id": "sacrum", "intensity": 3, "qualities": [], "note": None}]}


def test_an_edit_from_a_stale_version_is_refused_with_what_the_drawing_holds_now(
        db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    saved = create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=drawing(0, ("sacrum", 3)))
    db.commit()
    update_drawing(db=db, actor=world.actor(world.colleague), drawing_id=saved.id, version=1,
                   data=drawing(0, ("sacrum", 6, ["burning"])))
    db.commit()
    with pytest.raises(VersionConflict) as info:
        update_drawing(db=db, actor=world.actor(world.therapist), drawing_id=saved.id, version=1,
                       data=drawing(0, ("sacrum", 2)))
    db.rollback()
    assert info.value.current == 2 and info.value.current_values["marks"] == "Sacrum 6 (burning)"
    assert [m.intensity for m in db.get_one(PainDrawing, saved.id).marks] == [6]


def test_two_simultaneous_edits_cannot_both_win(database: Database, world: World, make_client: MakeClient) -> None:
    """Both colleagues opened version 1; the second save finds the row changed under it."""
    client = make_client()
    with database.sessions() as s:
        did = create_drawing(db=s, actor=world.actor(world.therapist), client_id=client.id, data=drawing(0, ("sacrum", 3))).id
        s.commit()
    if database.is_sqlite:
        pytest.skip("SQLite serialises writers: the second waits and then fails the version check (tested above)")
    first, second = database.sessions(), database.sessions()
    try:
        assert get_drawing_for_user(second, world.actor(world.colleague), did).version == 1
        update_drawing(db=first, actor=world.actor(world.therapist), drawing_id=did, version=1, data=drawing(0, ("sacrum", 8)))
        first.commit()
        with pytest.raises(VersionConflict) as info:
            update_drawing(db=second, actor=world.actor(world.colleague), drawing_id=did, version=1,
                           data=drawing(0, ("sacrum", 1)))
        assert info.value.current == 2 and info.value.current_values["marks"] == "Sacrum 8"
    finally:
        first.close()
        second.close()


def test_a_signed_drawing_can_no_longer_be_edited_or_deleted(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    therapist = world.actor(world.therapist)
    saved = create_drawing(db=db, actor=therapist, client_id=client.id, data=drawing(0, ("sacrum", 3)))
    sign_drawing(db=db, actor=therapist, drawing_id=saved.id, version=1)
    db.commit()
    assert summary(saved).signed_by == "Tara Therapist" and saved.signed_at is not None and saved.version == 2
    with pytest.raises(ValidationFailed, match="signed by Tara Therapist, so it can no longer be edited"):
        update_drawing(db=db, actor=therapist, drawing_id=saved.id, version=2, data=drawing(0, ("sacrum", 9)))
    with pytest.raises(ValidationFailed, match="can no longer be deleted"):
        delete_drawing(db=db, actor=world.actor(world.owner), drawing_id=saved.id, reason="wrong client", version=2)
    db.rollback()
    assert [m.intensity for m in db.get_one(PainDrawing, saved.id).marks] == [3]
    assert [a for a, _ in audit_rows(db, saved.id)] == ["pain_drawing.create", "pain_drawing.sign"]


def test_a_deleted_drawing_is_hidden_kept_and_restored_by_the_owner(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    therapist = world.actor(world.therapist)
    kept = create_drawing(db=db, actor=therapist, client_id=client.id, data=drawing(0, ("sacrum", 3)))
    gone = create_drawing(db=db, actor=therapist, client_id=client.id, data=drawing(0, ("temple.left", 6)))
    db.commit()
    with pytest.raises(ValidationFailed, match="say why"):
        delete_drawing(db=db, actor=therapist, drawing_id=gone.id, reason="   ", version=1)
    delete_drawing(db=db, actor=therapist, drawing_id=gone.id, reason="  recorded for the wrong client ", version=1)
    db.commit()
    assert [d.id for d in list_drawings(db=db, actor=therapist, client_id=client.id)] == [kept.id]
    for hidden in (lambda: read_drawing(db=db, actor=therapist, drawing_id=gone.id),
                   lambda: compare_drawings(db=db, actor=therapist, first_id=kept.id, second_id=gone.id)):
        with pytest.raises(NotFound):
            hidden()
    assert count(db, PainMark) == 2  # nothing was lost

    # Only the owner sees the deleted list and restores.
    with pytest.raises(Forbidden, match="clinic owner"):
        list_deleted_drawings(db=db, actor=therapist, client_id=client.id)
    with pytest.raises(Forbidden, match="clinic owner"):
        restore_drawing(db=db, actor=therapist, drawing_id=gone.id)
    owner = world.actor(world.owner)
    deleted = [deleted_summary(d) for d in list_deleted_drawings(db=db, actor=owner, client_id=client.id)]
    assert [(d.id, d.deleted_by, d.deleted_reason, d.max_intensity) for d in deleted] == [
        (gone.id, "Tara Therapist", "recorded for the wrong client", 6)]
    with pytest.raises(NotFound):
        restore_drawing(db=db, actor=world.actor(world.outsider), drawing_id=gone.id)
    assert restore_drawing(db=db, actor=owner, drawing_id=kept.id).version == 1  # not deleted: nothing changes
    restore_drawing(db=db, actor=owner, drawing_id=gone.id)
    db.commit()
    assert {d.id for d in list_drawings(db=db, actor=therapist, client_id=client.id)} == {kept.id, gone.id}
    assert list_deleted_drawings(db=db, actor=owner, client_id=client.id) == []
    assert [(a, (d or {}).get("reason") or (d or {}).get("deleted_reason")) for a, d in audit_rows(db, gone.id)] == [
        ("pain_drawing.create", None), ("pain_drawing.delete", "recorded for the wrong client"),
        ("pain_drawing.restore", "recorded for the wrong client")]


def test_drawings_of_one_date_are_told_apart_by_author_and_time(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    first = create_drawing(db=db, actor=world.actor(world.therapist), client_id=client.id, data=drawing(0, ("sacrum", 3)))
    second = create_drawing(db=db, actor=world.actor(world.colleague), client_id=client.id, data=drawing(0, ("sacrum", 5)))
    db.commit()
    listed = [summary(d) for d in list_drawings(db=db, actor=world.actor(world.owner), client_id=client.id)]
    assert [(d.id, d.created_by) for d in listed] == [(second.id, "Colin Colleague"), (first.id, "Tara Therapist")]
    assert listed[0].created_at >= listed[1].created_at
    cmp = compare_drawings(db=db, actor=world.actor(world.owner), first_id=second.id, second_id=first.id)
    assert (cmp.before.id, cmp.after.id) == (first.id, second.id)  # the one recorded first is "before"
