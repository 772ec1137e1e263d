"""The demo clinic behind `make run`: realistic, complete, and loaded only once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from myomap.records.accounts.models import User
from myomap.records.accounts.signin import authenticate
from myomap.records.base import Base
from myomap.records.clients.models import Client
from myomap.records.clinics.models import Clinic
from myomap.records.demo import DEMO_PASSWORD, DEMO_USERS, has_demo, load_demo
from myomap.records.pain.models import PainDrawing

if TYPE_CHECKING:
    from tests.conftest import World

pytestmark = pytest.mark.storage


def count(db: Session, model: type[Base]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_demo_loads_once_with_people_clients_and_drawings(db: Session) -> None:
    assert load_demo(db=db, password_profile="fast") is True
    db.commit()
    assert has_demo(db=db)
    assert count(db, User) == 3 and count(db, Client) == 12
    drawings = db.scalars(select(PainDrawing)).all()
    assert len(drawings) >= 10 and len({d.client_id for d in drawings}) >= 5
    assert len({d.drawn_on for d in drawings}) >= 5
    for login in DEMO_USERS:
        assert authenticate(db=db, email=login.email, password=DEMO_PASSWORD, ip=None, password_profile="fast")
    assert load_demo(db=db, password_profile="fast") is False  # a second `make run`
    db.commit()
    assert count(db, Client) == 12 and count(db, Clinic) == 1


def test_the_demo_never_touches_a_database_with_a_real_clinic(db: Session, world: World) -> None:
    assert load_demo(db=db, password_profile="fast") is False
    assert not has_demo(db=db)
