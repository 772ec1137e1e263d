"""Accounts: emails unique per clinic, argon2id hashes, sign-in with backoff, sessions and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.records.accounts.models import ApiToken, User, WebSession
from myomap.records.accounts.permissions import Actor
from myomap.records.accounts.service import (
    create_api_token,
    create_user,
    create_user_as,
    end_session,
    session_for_token,
    start_session,
    user_for_api_token,
)
from myomap.records.accounts.signin import BAD_CREDENTIALS, LockoutPolicy, authenticate
from myomap.records.base import utcnow
from myomap.records.errors import Duplicate, Forbidden, LockedOut, SignInError, ValidationFailed

if TYPE_CHECKING:
    from tests.conftest import World

pytestmark = pytest.mark.storage

PASSWORD = "correct horse battery"


def sign_in(db: Session, email: str, password: str, ip: str | None = "198.51.100.7", *,
            policy: LockoutPolicy | None = None, now: datetime | None = None, device: str | None = None) -> User:
    try:
        return authenticate(db=db, email=email, password=password, ip=ip, password_profile="fast",
                            policy=policy or LockoutPolicy(), now=now, device=device)
    finally:
        db.commit()  # failures are recorded even when sign-in fails


def test_passwords_are_stored_as_argon2id_hashes(db: Session, world: World) -> None:
    assert world.therapist.password_hash.startswith("$argon2id$")
    assert PASSWORD not in world.therapist.password_hash


def test_it_refuses_a_second_account_with_the_same_email_in_one_clinic(db: Session, world: World) -> None:
    with pytest.raises(Duplicate, match="already a user of this clinic"):
        create_user(db=db, clinic=world.clinic, email=" Tara.Therapist@Riverside.test ", name="Tara 2",
                    role="therapist", password=PASSWORD, password_profile="fast")


def test_an_owner_adding_an_email_used_in_another_clinic_learns_nothing(db: Session, world: World) -> None:
    # Oscar's clinic owner adds Tara's address: it works exactly as for an unused address.
    hilltop_owner = create_user(db=db, clinic=world.other_clinic, email="hana@hilltop.test", name="Hana", role="owner",
                                password=PASSWORD, password_profile="fast")
    copy = create_user_as(db=db, actor=Actor(hilltop_owner), email=world.therapist.email, name="Tara at Hilltop",
                          role="therapist", password="hilltop password", password_profile="fast")
    fresh = create_user_as(db=db, actor=Actor(hilltop_owner), email="never.used@hilltop.test", name="New",
                           role="therapist", password="hilltop password", password_profile="fast")
    db.commit()
    assert copy.clinic_id == fresh.clinic_id == world.other_clinic.id
    # Each password signs in to its own clinic's account; Tara's is untouched.
    assert sign_in(db, world.therapist.email, PASSWORD).id == world.therapist.id
    assert sign_in(db, world.therapist.email, "hilltop password").id == copy.id


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
    assert user.id == world.therapist.id


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(db: Session, world: World) -> None:
    with pytest.raises(SignInError) as wrong:
        sign_in(db, world.therapist.email, "wrong password!")
    with pytest.raises(SignInError) as unknown:
        sign_in(db, "nobody@riverside.test", "wrong password!")
    assert str(wrong.value) == str(unknown.value) == BAD_CREDENTIALS


def test_failures_from_one_address_make_that_address_wait_and_the_wait_doubles(db: Session, world: World) -> None:
    policy = LockoutPolicy(free_failures=3, first_delay=timedelta(seconds=10))
    start = utcnow() - timedelta(minutes=30)
    for i in range(3):
        with pytest.raises(SignInError):
            sign_in(db, world.therapist.email, "guess", policy=policy, now=start + timedelta(seconds=i))
    # The fourth attempt, even with the right password, must wait 10 s after the third failure.
    with pytest.raises(LockedOut, match="Wait 10 seconds"):
        sign_in(db, world.therapist.email, PASSWORD, policy=policy, now=start + timedelta(seconds=2))
    with pytest.raises(SignInError):  # after the wait: another wrong guess ...
        sign_in(db, world.therapist.email, "guess", policy=policy, now=start + timedelta(seconds=12))
    with pytest.raises(LockedOut, match="Wait 20 seconds"):  # ... doubles the wait
        sign_in(db, world.therapist.email, PASSWORD, policy=policy, now=start + timedelta(seconds=12))
    assert sign_in(db, world.therapist.email, PASSWORD, policy=policy, now=start + timedelta(seconds=32)).id == world.therapist.id
    # ... and an unknown email is treated the same, so a wait does not reveal that an account exists.
    for i in range(3):
        with pytest.raises(SignInError):
            sign_in(db, "ghost@riverside.test", "guess", ip="203.0.113.9", policy=policy, now=start + timedelta(seconds=i))
    with pytest.raises(LockedOut):
        sign_in(db, "ghost@riverside.test", "guess", ip="203.0.113.9", policy=policy, now=start + timedelta(seconds=4))


def test_a_stranger_cannot_lock_the_therapist_out(db: Session, world: World) -> None:
    """Fifty wrong guesses at Tara's account from elsewhere: her usual browser signs in at once, and
    from her clinic's address she is not held up either (the stranger's address is)."""
    for _ in range(50):
        try:
            sign_in(db, world.therapist.email, "guess", ip="203.0.113.66")
        except LockedOut:
            pass
        except SignInError:
            pass
    with pytest.raises(LockedOut):
        sign_in(db, world.therapist.email, PASSWORD, ip="203.0.113.66")  # the stranger's address waits
    assert sign_in(db, world.therapist.email, PASSWORD, ip="198.51.100.7").id == world.therapist.id
    assert sign_in(db, world.therapist.email, PASSWORD, ip="198.51.100.7", device="tara-laptop").id == world.therapist.id


def test_guesses_spread_over_many_addresses_slow_only_browsers_not_seen_before(db: Session, world: World) -> None:
    policy = LockoutPolicy(free_failures_per_account=10)
    for i in range(10):
        with pytest.raises(SignInError):
            sign_in(db, world.therapist.email, "guess", ip=f"203.0.113.{i}", policy=policy)
    with pytest.raises(LockedOut):
        sign_in(db, world.therapist.email, PASSWORD, ip="203.0.113.200", policy=policy)
    assert sign_in(db, world.therapist.email, PASSWORD, ip="203.0.113.200", device="tara-phone",
                   policy=policy).id == world.therapist.id


def test_a_clinic_behind_one_address_is_not_locked_out_by_one_persons_typos(db: Session, world: World) -> None:
    clinic_ip = "192.0.2.44"
    policy = LockoutPolicy(free_failures=5, free_failures_per_ip=100)
    for _ in range(5):
        with pytest.raises(SignInError):
            sign_in(db, world.front_desk.email, "caps lock on", ip=clinic_ip, policy=policy)
    with pytest.raises(LockedOut):
        sign_in(db, world.front_desk.email, PASSWORD, ip=clinic_ip, policy=policy)  # only her account waits
    for persona in (world.therapist, world.colleague, world.owner):
        assert sign_in(db, persona.email, PASSWORD, ip=clinic_ip, policy=policy).id == persona.id


def test_one_address_guessing_many_accounts_waits_but_known_browsers_there_do_not(db: Session, world: World) -> None:
    policy = LockoutPolicy(free_failures=5, free_failures_per_ip=3)
    for email in ("a@x.test", "b@x.test", "c@x.test"):
        with pytest.raises(SignInError):
            sign_in(db, email, "guess", ip="203.0.113.50", policy=policy)
    with pytest.raises(LockedOut):
        sign_in(db, world.colleague.email, PASSWORD, ip="203.0.113.50", policy=policy)
    assert sign_in(db, world.colleague.email, PASSWORD, ip="203.0.113.51", policy=policy).id == world.colleague.id
    assert sign_in(db, world.therapist.email, PASSWORD, ip="203.0.113.50", policy=policy,
                   device="tara-laptop").id == world.therapist.id


def test_failures_are_forgotten_after_the_window(db: Session, world: World) -> None:
    past = utcnow() - timedelta(hours=2)
    for _ in range(8):
        try:
            sign_in(db, world.therapist.email, "guess", now=past)
        except SignInError:
            pass
    assert sign_in(db, world.therapist.email, PASSWORD).id == world.therapist.id


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
