"""Pain drawings: saved whole or not at all, validated against the atlas, clinical staff only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from myomap.records.audit.models import AuditEvent
from myomap.records.base import Base
from myomap.records.errors import Forbidden, NotFound, ValidationFailed
from myomap.records.pain.models import PainDrawing, PainMark
from myomap.records.pain.schemas import PainDrawingCreate
from myomap.records.pain.service import (
    compare_drawings,
    create_drawing,
    get_drawing_for_user,
    list_drawings,
    read_drawing,
    to_read,
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
