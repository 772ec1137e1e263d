"""Clients: one clinic's records stay in that clinic, edits never silently overwrite each other,
and the one search box finds people by name, phone, email or date of birth."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.records.audit.models import AuditEvent
from myomap.records.clients.models import Client
from myomap.records.clients.schemas import ClientCreate, ClientUpdate
from myomap.records.clients.service import (
    ClientResults,
    archive_client,
    client_values,
    create_client,
    get_client_for_user,
    read_client,
    restore_client,
    search_clients,
    update_client,
)
from myomap.records.db import Database
from myomap.records.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from myomap.records.validation import parse
from tests.conftest import second_writer_after_commit

if TYPE_CHECKING:
    from tests.conftest import MakeClient, World

pytestmark = pytest.mark.storage


def names(results: ClientResults) -> list[str]:
    return [f"{c.given_name} {c.family_name}" for c in results.items]


def test_the_front_desk_registers_a_client_the_therapist_can_open(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client(given_name="Grace", family_name="Hopper", phone="0412 555 018", date_of_birth=date(1980, 4, 3))
    opened = read_client(db=db, actor=world.actor(world.therapist), client_id=client.id)
    assert opened.display_name == "Grace Hopper" and opened.version == 1
    assert opened.created_by_id == world.front_desk.id


def test_it_rejects_another_clinics_client(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    with pytest.raises(NotFound):
        get_client_for_user(db, world.actor(world.outsider), client.id)
    with pytest.raises(NotFound):
        get_client_for_user(db, world.actor(world.outsider), 999_999)  # looks the same as a missing one
    with pytest.raises(NotFound):
        update_client(db=db, actor=world.actor(world.outsider), client_id=client.id, data=ClientUpdate(version=1, phone="1"))
    assert names(search_clients(db=db, actor=world.actor(world.outsider))) == []


def test_it_explains_every_invalid_field(db: Session) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse(ClientCreate, {"given_name": " ", "family_name": "", "email": "nope", "date_of_birth": "2999-01-01", "phone": "abc"})
    assert set(info.value.errors) == {"given_name", "family_name", "email", "date_of_birth", "phone"}


def test_a_colleague_edits_and_the_version_moves_on(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    updated = update_client(
        db=db, actor=world.actor(world.colleague), client_id=client.id,
        data=ClientUpdate(version=1, phone="+61 400 000 111", email="ADA@Example.com"),
    )
    db.commit()
    assert updated.version == 2 and updated.phone == "+61 400 000 111"
    assert updated.phone_digits == "61400000111" and updated.email_key == "ada@example.com"
    assert updated.updated_by_id == world.colleague.id


def test_an_edit_based_on_a_stale_version_is_refused_and_changes_nothing(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client(phone="111")
    update_client(db=db, actor=world.actor(world.therapist), client_id=client.id, data=ClientUpdate(version=1, phone="222"))
    db.commit()
    with pytest.raises(VersionConflict) as info:
        update_client(db=db, actor=world.actor(world.colleague), client_id=client.id, data=ClientUpdate(version=1, phone="333"))
    db.rollback()
    assert info.value.current == 2 and info.value.current_values["phone"] == "222"
    assert "changed by someone else" in str(info.value)
    assert db.get_one(Client, client.id).phone == "222"


def test_two_simultaneous_edits_cannot_both_win(database: Database, world: World, make_client: MakeClient) -> None:
    """Two colleagues save the same client at the same moment, both starting from version 1."""
    client = make_client(occupation="Nurse")
    first, second = database.sessions(), database.sessions()
    try:
        if database.is_sqlite:
            # SQLite serialises writers (BEGIN IMMEDIATE): the second transaction waits for the
            # first to commit, then sees version 2 and is refused.
            update_client(db=first, actor=world.actor(world.therapist), client_id=client.id,
                          data=ClientUpdate(version=1, occupation="Midwife"))
            conflict = second_writer_after_commit(first, lambda: update_client(
                db=second, actor=world.actor(world.colleague), client_id=client.id, data=ClientUpdate(version=1, occupation="Doctor")))
            assert isinstance(conflict, VersionConflict)
            assert conflict.current_values["occupation"] == "Midwife"
        else:
            # PostgreSQL: both read version 1; the second writer's UPDATE finds the row changed.
            a = get_client_for_user(first, world.actor(world.therapist), client.id)
            b = get_client_for_user(second, world.actor(world.colleague), client.id)
            assert a.version == b.version == 1
            update_client(db=first, actor=world.actor(world.therapist), client_id=client.id,
                          data=ClientUpdate(version=1, occupation="Midwife"))
            first.commit()
            with pytest.raises(VersionConflict) as info:
                update_client(db=second, actor=world.actor(world.colleague), client_id=client.id,
                              data=ClientUpdate(version=1, occupation="Doctor"))
            assert info.value.current_values["occupation"] == "Midwife"
    finally:
        first.close()
        second.close()
    with database.sessions() as check:
        assert check.get_one(Client, client.id).occupation == "Midwife"


def test_archived_clients_leave_the_list_and_can_come_back(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client(given_name="Archie")
    make_client(given_name="Stays")
    actor = world.actor(world.front_desk)
    archive_client(db=db, actor=actor, client_id=client.id)
    db.commit()
    assert names(search_clients(db=db, actor=actor)) == ["Stays Lovelace"]
    assert names(search_clients(db=db, actor=actor, status="archived")) == ["Archie Lovelace"]
    assert len(search_clients(db=db, actor=actor, status="all").items) == 2
    restore_client(db=db, actor=actor, client_id=client.id)
    db.commit()
    assert len(search_clients(db=db, actor=actor).items) == 2


@pytest.fixture
def people(make_client: MakeClient) -> None:
    make_client(given_name="José", family_name="Álvarez", phone="(02) 5550 1234", email="jose.alvarez@example.com",
                date_of_birth=date(1980, 4, 3))
    make_client(given_name="Joseph", family_name="Smith", phone="0412 999 888", email="joe@smith.example",
                date_of_birth=date(1975, 12, 25))
    make_client(given_name="Anna", family_name="Josephs", phone="0400 111 222", email="anna_j@example.org",
                date_of_birth=date(1980, 3, 4))
    make_client(given_name="Percy", family_name="100% Real", phone="0499 000 000")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alvarez", ["José Álvarez"]),  # accents ignored
        ("JOSÉ ÁLVAREZ", ["José Álvarez"]),
        ("jose", ["José Álvarez", "Anna Josephs", "Joseph Smith"]),  # parts of names match, family-name order
        ("JOSEPH", ["Anna Josephs", "Joseph Smith"]),  # case ignored, in name order
        ("smith joseph", ["Joseph Smith"]),  # every word must match, any order
        ("alvarez, jose", ["José Álvarez"]),
        ("5550 1234", ["José Álvarez"]),  # phone punctuation ignored
        ("0412-999-888", ["Joseph Smith"]),
        ("@smith.example", ["Joseph Smith"]),
        ("ANNA_J@", ["Anna Josephs"]),  # '_' is literal, not a LIKE wildcard
        ("1980-04-03", ["José Álvarez"]),
        ("03/04/1980", ["José Álvarez", "Anna Josephs"]),  # day/month order is ambiguous: both
        ("25.12.1975", ["Joseph Smith"]),
        ("1975", ["Joseph Smith"]),  # a year matches the year of birth
        ("100%", ["Percy 100% Real"]),  # '%' is literal too
        ("nobody", []),
    ],
)
def test_one_search_box_understands_names_phones_emails_and_birth_dates(db: Session, world: World, people: None, query: str, expected: list[str]) -> None:
    assert names(search_clients(db=db, actor=world.actor(world.therapist), text=query)) == expected


def test_pages_walk_every_client_once_in_a_stable_order(db: Session, world: World) -> None:
    actor = world.actor(world.front_desk)
    for i in range(23):
        # Several share a name, so the id must break ties.
        create_client(db=db, actor=actor, data=ClientCreate(given_name=f"P{i % 5}", family_name="Same" if i % 2 else f"Fam{i:02d}"))
    db.commit()
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = search_clients(db=db, actor=actor, after=after, limit=5)
        assert page.total == 23
        seen += [c.id for c in page.items]
        pages += 1
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert pages == 5 and len(seen) == 23 == len(set(seen))
    ordered = db.scalars(select(Client).where(Client.clinic_id == world.clinic.id).order_by(Client.sort_name, Client.id))
    assert seen == [c.id for c in ordered]
    # ... and backwards from the last page.
    back = search_clients(db=db, actor=actor, before=page.prev_cursor, limit=5)
    assert [c.id for c in back.items] == seen[-8:-3]


def test_a_tampered_cursor_gets_a_clear_message(db: Session, world: World) -> None:
    with pytest.raises(ValidationFailed, match="cursor"):
        search_clients(db=db, actor=world.actor(world.therapist), after="not-a-cursor!")


def test_every_read_and_change_is_audited(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client()
    therapist = world.actor(world.therapist)
    read_client(db=db, actor=therapist, client_id=client.id)
    update_client(db=db, actor=therapist, client_id=client.id, data=ClientUpdate(version=1, notes="Prefers mornings"))
    archive_client(db=db, actor=therapist, client_id=client.id)
    restore_client(db=db, actor=therapist, client_id=client.id)
    search_clients(db=db, actor=therapist, text="ada")
    db.commit()
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "client.create", "client.view", "client.update", "client.archive", "client.restore", "client.list",
    ]
    update = events[2]
    assert (update.user_id, update.clinic_id, update.object_type, update.object_id) == (
        world.therapist.id, world.clinic.id, "client", client.id,
    )
    assert update.ip == "192.0.2.10" and update.detail == {"fields": ["notes"]} and update.at is not None


# ---- clinical notes are for clinicians; front desk keeps administrative notes ------------------


def test_front_desk_sees_and_edits_only_the_administrative_fields(db: Session, world: World, make_client: MakeClient) -> None:
    tara = world.actor(world.therapist)
    client = make_client(actor=tara, notes="Guarding left shoulder; query frozen shoulder", admin_notes="Pays by card")
    desk = world.actor(world.front_desk)
    seen = client_values(read_client(db=db, actor=desk, client_id=client.id), desk)
    assert seen["admin_notes"] == "Pays by card" and "notes" not in seen
    assert client_values(client, tara)["notes"] == "Guarding left shoulder; query frozen shoulder"
    updated = update_client(db=db, actor=desk, client_id=client.id, data=ClientUpdate(version=1, admin_notes="Pays cash"))
    db.commit()
    assert (updated.admin_notes, updated.notes) == ("Pays cash", "Guarding left shoulder; query frozen shoulder")


@pytest.mark.parametrize("notes", ["Looks fine to me", None])
def test_front_desk_cannot_write_or_erase_clinical_notes(
    db: Session, world: World, make_client: MakeClient, notes: str | None
) -> None:
    client = make_client(actor=world.actor(world.therapist), notes="Tender QL right")
    desk = world.actor(world.front_desk)
    with pytest.raises(Forbidden, match="clinical notes"):
        update_client(db=db, actor=desk, client_id=client.id, data=ClientUpdate(version=1, notes=notes))
    with pytest.raises(Forbidden, match="clinical notes"):
        create_client(db=db, actor=desk, data=ClientCreate(given_name="Bo", family_name="Peep", notes=notes))
    db.rollback()
    assert db.get_one(Client, client.id).notes == "Tender QL right"
    assert db.scalar(select(Client).where(Client.given_name == "Bo")) is None


def test_a_conflict_shows_front_desk_no_clinical_notes(db: Session, world: World, make_client: MakeClient) -> None:
    client = make_client(actor=world.actor(world.therapist), notes="Tender QL right")
    update_client(db=db, actor=world.actor(world.therapist), client_id=client.id, data=ClientUpdate(version=1, phone="1"))
    db.commit()
    with pytest.raises(VersionConflict) as caught:
        update_client(db=db, actor=world.actor(world.front_desk), client_id=client.id, data=ClientUpdate(version=1, phone="2"))
    assert caught.value.current_values["phone"] == "1" and "notes" not in caught.value.current_values
