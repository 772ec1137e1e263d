"""Accounts: unique emails, argon2id hashes, sign-in with lockout, sessions and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.records.accounts.models import ApiToken, User, WebSession
from myomap.records.accounts.permissions import Actor
from myomap.records.accounts.service import (
    BAD_CREDENTIALS,
    LockoutPolicy,
    authenticate,
    create_api_token,
    create_user,
    create_user_as,
    end_session,
    session_for_token,
    start_session,
    user_for_api_token,
)
from myomap.records.base import utcnow
from myomap.records.errors import Duplicate, Forbidden, LockedOut, SignInError, ValidationFailed

if TYPE_CHECKING:
    from tests.conftest import World

pytestmark = pytest.mark.storage

PASSWORD = "correct horse battery"


def sign_in(db: Session, email: str, password: str, ip: str = "198.51.100.7", *,
            policy: LockoutPolicy | None = None, now: datetime | None = None) -> User:
    try:
        return authenticate(db=db, email=email, password=password, ip=ip, password_profile="fast",
                            policy=policy or LockoutPolicy(), now=now)
    finally:
        db.commit()  # failures are recorded even when sign-in fails


def test_passwords_are_stored_as_argon2id_hashes(db: Session, world: World) -> None:
    assert world.therapist.password_hash.startswith("$argon2id$")
    assert PASSWORD not in world.therapist.password_hash


def test_it_refuses_a_second_account_with_the_same_email(db: Session, world: World) -> None:
    with pytest.raises(Duplicate, match="already exists"):
        create_user(db=db, clinic=world.other_clinic, email=" Tara.Therapist@Riverside.test ", name="Tara 2",
                    role="therapist", password=PASSWORD, password_profile="fast")


def test_it_explains_bad_user_details(db: Session, world: World) -> None:
    with pytest.raises(ValidationFailed) as info:
        create_user(db=db, clinic=world.clinic, email="not-an-email", name=" ", role="wizard", password="short")
    assert set(info.value.errors) == {"email", "name", "role", "password"}


def test_only_owners_add_users(db: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        create_user_as(db=db, actor=Actor(world.therapist), email="new@riverside.test", name="New", role="therapist",
                       password=PASSWORD, password_profile="fast")
    user = create_user_as(db=db, actor=Actor(world.owner), email="new@riverside.test", name="New", role="therapist",
                          password=PASSWORD, password_profile="fast")
    assert user.clinic_id == world.clinic.id


def test_the_therapist_signs_in_with_any_email_case(db: Session, world: World) -> None:
    user = sign_in(db, "TARA.therapist@riverside.test", PASSWORD)
    assert user.id == world.therapist.id and user.last_sign_in_at is not None


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(db: Session, world: World) -> None:
    with pytest.raises(SignInError) as wrong:
        sign_in(db, world.therapist.email, "wrong password!")
    with pytest.raises(SignInError) as unknown:
        sign_in(db, "nobody@riverside.test", "wrong password!")
    assert str(wrong.value) == str(unknown.value) == BAD_CREDENTIALS


def test_five_failures_lock_the_account_even_for_the_right_password(db: Session, world: World) -> None:
    for _ in range(4):
        with pytest.raises(SignInError):
            sign_in(db, world.therapist.email, "guess")
    with pytest.raises(LockedOut):
        sign_in(db, world.therapist.email, "guess")  # the fifth failure locks
    with pytest.raises(LockedOut, match="15 minutes"):
        sign_in(db, world.therapist.email, PASSWORD)
    # ... and so does an unknown email, so a lock does not reveal that an account exists.
    for _ in range(5):
        with pytest.raises(SignInError):
            sign_in(db, "ghost@riverside.test", "guess", ip="203.0.113.9")
    with pytest.raises(LockedOut):
        sign_in(db, "ghost@riverside.test", "guess", ip="203.0.113.9")


def test_the_lock_lifts_after_the_window(db: Session, world: World) -> None:
    past = utcnow() - timedelta(minutes=16)
    for _ in range(5):
        with pytest.raises(SignInError):
            sign_in(db, world.therapist.email, "guess", now=past)
    assert sign_in(db, world.therapist.email, PASSWORD).id == world.therapist.id


def test_one_ip_guessing_many_accounts_is_locked(db: Session, world: World) -> None:
    policy = LockoutPolicy(max_failures=5, max_failures_per_ip=3)
    for email in ("a@x.test", "b@x.test", "c@x.test"):
        with pytest.raises(SignInError):
            sign_in(db, email, "guess", ip="203.0.113.50", policy=policy)
    with pytest.raises(LockedOut):
        sign_in(db, world.colleague.email, PASSWORD, ip="203.0.113.50", policy=policy)
    assert sign_in(db, world.colleague.email, PASSWORD, ip="203.0.113.51", policy=policy).id == world.colleague.id


def test_a_deactivated_user_cannot_sign_in(db: Session, world: World) -> None:
    world.colleague.is_active = False
    db.commit()
    with pytest.raises(SignInError):
        sign_in(db, world.colleague.email, PASSWORD)


def test_sessions_store_only_a_hash_and_expire(db: Session, world: World) -> None:
    token, row = start_session(db=db, user=world.therapist, lifetime=timedelta(hours=1))
    db.commit()
    assert token not in row.token_hash
    session = session_for_token(db=db, token=token)
    assert session is not None and session.user.id == world.therapist.id
    assert session_for_token(db=db, token=token, now=utcnow() + timedelta(hours=2)) is None
    assert session_for_token(db=db, token="forged") is None
    end_session(db=db, token=token)
    db.commit()
    assert session_for_token(db=db, token=token) is None
    assert db.scalar(select(WebSession).where(WebSession.user_id == world.therapist.id)) is None


def test_api_tokens_identify_their_user_and_store_only_a_hash(db: Session, world: World) -> None:
    token, row = create_api_token(db=db, user=world.therapist, name="benchmark")
    db.commit()
    assert token.startswith("mm_") and token not in row.token_hash
    user = user_for_api_token(db=db, token=token)
    assert user is not None and user.id == world.therapist.id
    assert user_for_api_token(db=db, token="mm_forged") is None
    row.revoked_at = utcnow()
    db.commit()
    assert user_for_api_token(db=db, token=token) is None
    assert db.scalar(select(ApiToken.token_hash)) != token
