"""Account security on both engines: API tokens (name, expiry, revoke; a new password or a
reactivation never leaves an old token working), two-factor sign-in with recovery codes, the
clinic's two-factor requirement, owner password resets and the sessions' idle timeout."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from myomap.records.accounts import totp
from myomap.records.accounts.permissions import Actor
from myomap.records.accounts.sealing import SecretSealer, SecretUnreadable, is_sealed
from myomap.records.accounts.service import (
    PENDING_ENROLMENT,
    PENDING_TWO_FACTOR,
    issue_api_token,
    issue_api_token_as,
    list_api_tokens,
    reset_password_as,
    revoke_api_token_as,
    session_for_token,
    set_password,
    set_user_active,
    start_session,
    user_for_api_token,
)
from myomap.records.accounts.signin import (
    SessionTimes,
    complete_enrolment,
    complete_sign_in,
    sign_in,
)
from myomap.records.accounts.two_factor import (
    begin_enrolment,
    confirm_enrolment,
    disable_two_factor,
    reset_two_factor_of_as,
    set_clinic_requirement_as,
    verify_code,
)
from myomap.records.base import utcnow
from myomap.records.errors import NotFound, SignInError, ValidationFailed

if TYPE_CHECKING:
    from myomap.records.accounts.models import User
    from tests.conftest import World

pytestmark = pytest.mark.storage

PASSWORD = "correct horse battery"
TIMES = SessionTimes(timedelta(hours=12), timedelta(minutes=30))
SEALER = SecretSealer("the clinic's secret key")


def password_sign_in(db: Session, user: User, password: str = PASSWORD) -> tuple[str, str | None]:
    try:
        step = sign_in(db=db, email=user.email, password=password, times=TIMES, ip="198.51.100.7", password_profile="fast")
    finally:
        db.commit()
    return step.token, step.pending


def enrol(db: Session, user: User) -> tuple[str, list[str]]:
    """Two-factor on for ``user``, confirmed with the current code; returns the secret and codes."""
    enrolment = begin_enrolment(user=user, sealer=SEALER)
    codes = confirm_enrolment(db=db, actor=Actor(user), code=totp.code_at(enrolment.secret, utcnow().timestamp() - 30),
                              sealer=SEALER)
    db.commit()
    return enrolment.secret, codes


# ---- API tokens ---------------------------------------------------------------------------------


def test_a_token_stops_working_when_it_expires(db: Session, world: World) -> None:
    token, row = issue_api_token(db=db, user=world.therapist, name="reports", expires_in_days=30)
    db.commit()
    assert row.name == "reports" and row.expires_at is not None
    assert user_for_api_token(db=db, token=token, now=utcnow() + timedelta(days=29)) is not None
    assert user_for_api_token(db=db, token=token, now=utcnow() + timedelta(days=31)) is None


def test_token_names_and_expiries_are_checked(db: Session, world: World) -> None:
    with pytest.raises(ValidationFailed) as info:
        issue_api_token(db=db, user=world.therapist, name="  ", expires_in_days=0)
    assert set(info.value.errors) == {"name", "expires_in_days"}


def test_users_list_and_revoke_only_their_own_tokens(db: Session, world: World) -> None:
    token, row = issue_api_token_as(db=db, actor=world.actor(world.therapist), name="mine", expires_in_days=None)
    other, _ = issue_api_token_as(db=db, actor=world.actor(world.colleague), name="colin's", expires_in_days=None)
    db.commit()
    assert [t.name for t in list_api_tokens(db=db, user=world.therapist)] == ["mine"]
    with pytest.raises(NotFound):
        revoke_api_token_as(db=db, actor=world.actor(world.colleague), token_id=row.id)
    revoke_api_token_as(db=db, actor=world.actor(world.therapist), token_id=row.id)
    db.commit()
    assert user_for_api_token(db=db, token=token) is None
    assert user_for_api_token(db=db, token=other) is not None


def test_a_new_password_revokes_the_users_tokens(db: Session, world: World) -> None:
    token, _ = issue_api_token(db=db, user=world.therapist, name="script", expires_in_days=None)
    kept, _ = issue_api_token(db=db, user=world.colleague, name="script", expires_in_days=None)
    db.commit()
    set_password(db=db, user=world.therapist, password="a brand new password", password_profile="fast")
    db.commit()
    assert user_for_api_token(db=db, token=token) is None
    assert user_for_api_token(db=db, token=kept) is not None


def test_reactivating_a_user_does_not_revive_old_tokens(db: Session, world: World) -> None:
    token, _ = issue_api_token(db=db, user=world.colleague, name="script", expires_in_days=None)
    db.commit()
    owner = world.actor(world.owner)
    set_user_active(db=db, actor=owner, user_id=world.colleague.id, active=False)
    db.commit()
    set_user_active(db=db, actor=owner, user_id=world.colleague.id, active=True)
    db.commit()
    assert user_for_api_token(db=db, token=token) is None


def test_the_owner_resets_a_password_only_in_their_clinic(db: Session, world: World) -> None:
    token, _ = issue_api_token(db=db, user=world.colleague, name="script", expires_in_days=None)
    session_token, _ = password_sign_in(db, world.colleague)
    reset_password_as(db=db, actor=world.actor(world.owner), user_id=world.colleague.id,
                      password="reset by the owner", password_profile="fast")
    db.commit()
    assert session_for_token(db=db, token=session_token) is None and user_for_api_token(db=db, token=token) is None
    with pytest.raises(SignInError):
        password_sign_in(db, world.colleague)
    assert password_sign_in(db, world.colleague, "reset by the owner")[1] is None
    with pytest.raises(NotFound):
        reset_password_as(db=db, actor=world.actor(world.owner), user_id=world.outsider.id, password="x" * 12)


# ---- two-factor sign-in -------------------------------------------------------------------------


def test_with_two_factor_the_password_alone_opens_nothing(db: Session, world: World) -> None:
    secret, _codes = enrol(db, world.therapist)
    token, pending = password_sign_in(db, world.therapist)
    assert pending == PENDING_TWO_FACTOR
    assert session_for_token(db=db, token=token) is None  # no page opens yet
    with pytest.raises(SignInError, match="not right"):
        complete_sign_in(db=db, token=token, code="000000", times=TIMES, sealer=SEALER)
    step = complete_sign_in(db=db, token=token, code=totp.code_at(secret, utcnow().timestamp()), times=TIMES, sealer=SEALER)
    db.commit()
    assert step.pending is None and step.token != token
    assert session_for_token(db=db, token=step.token) is not None
    assert session_for_token(db=db, token=token, pending=PENDING_TWO_FACTOR) is None  # the pending one is gone


def test_a_code_works_once_and_a_recovery_code_works_once(db: Session, world: World) -> None:
    secret, codes = enrol(db, world.therapist)
    assert len(codes) == 10 and len(set(codes)) == 10
    code = totp.code_at(secret, utcnow().timestamp())
    assert verify_code(db=db, user=world.therapist, code=code, sealer=SEALER)
    assert not verify_code(db=db, user=world.therapist, code=code, sealer=SEALER)  # replayed
    assert verify_code(db=db, user=world.therapist, code=codes[3].upper(), sealer=SEALER)
    assert not verify_code(db=db, user=world.therapist, code=codes[3], sealer=SEALER)
    db.commit()
    from sqlalchemy import select

    from myomap.records.accounts.models import RecoveryCode

    stored = list(db.scalars(select(RecoveryCode.code_hash)))
    assert stored and all(c.replace("-", "") not in h for h in stored for c in codes)


def test_a_clinic_requiring_two_factor_sends_the_unenrolled_to_enrol(db: Session, world: World) -> None:
    owner = world.actor(world.owner)
    with pytest.raises(ValidationFailed, match="your own account first"):
        set_clinic_requirement_as(db=db, actor=owner, required=True)
    enrol(db, world.owner)
    colin_session, _ = password_sign_in(db, world.colleague)
    set_clinic_requirement_as(db=db, actor=owner, required=True)
    db.commit()
    assert session_for_token(db=db, token=colin_session) is None  # signed out by the change
    token, pending = password_sign_in(db, world.colleague)
    assert pending == PENDING_ENROLMENT and session_for_token(db=db, token=token) is None
    _desk_token, desk_pending = password_sign_in(db, world.front_desk)
    assert desk_pending is None  # front desk need not
    secret = begin_enrolment(user=world.colleague, sealer=SEALER).secret
    with pytest.raises(ValidationFailed):
        complete_enrolment(db=db, token=token, code="123456", times=TIMES, sealer=SEALER)
    step, codes = complete_enrolment(
        db=db, token=token, code=totp.code_at(secret, utcnow().timestamp()), times=TIMES, sealer=SEALER
    )
    db.commit()
    assert step.pending is None and len(codes) == 10 and session_for_token(db=db, token=step.token) is not None


def test_the_owner_resets_a_lost_two_factor(db: Session, world: World) -> None:
    enrol(db, world.therapist)
    reset_two_factor_of_as(db=db, actor=world.actor(world.owner), user_id=world.therapist.id)
    db.commit()
    assert password_sign_in(db, world.therapist)[1] is None
    with pytest.raises(NotFound):
        reset_two_factor_of_as(db=db, actor=world.actor(world.owner), user_id=world.outsider.id)


# ---- idle timeout -------------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_timeout_but_not_while_in_use(db: Session, world: World) -> None:
    start = utcnow()
    token, _ = start_session(db=db, user=world.therapist, lifetime=timedelta(hours=12), idle=timedelta(minutes=30), now=start)
    db.commit()
    assert session_for_token(db=db, token=token, now=start + timedelta(minutes=25)) is not None  # in use: touched
    db.commit()
    assert session_for_token(db=db, token=token, now=start + timedelta(minutes=50)) is not None  # 25 min after use
    db.commit()
    assert session_for_token(db=db, token=token, now=start + timedelta(minutes=81)) is None  # 31 min idle


# ---- the authenticator secret at rest -----------------------------------------------------------


def stored_secret(db: Session, user: User) -> str:
    """What the database column holds, read past the ORM."""
    return str(db.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar_one())


def test_the_database_never_holds_the_authenticator_secret_in_clear(db: Session, world: World) -> None:
    pending = begin_enrolment(user=world.therapist, sealer=SEALER)
    db.commit()
    assert pending.secret not in stored_secret(db, world.therapist)  # not even before it is confirmed
    secret, _codes = enrol(db, world.therapist)
    column = stored_secret(db, world.therapist)
    assert secret not in column and secret.lower() not in column.lower() and is_sealed(column)
    token, _pending = password_sign_in(db, world.therapist)
    step = complete_sign_in(db=db, token=token, code=totp.code_at(secret, utcnow().timestamp()), times=TIMES,
                            sealer=SEALER)
    db.commit()
    assert session_for_token(db=db, token=step.token) is not None


def test_a_secret_saved_in_clear_before_sealing_still_works_and_is_sealed_on_use(db: Session, world: World) -> None:
    secret, _codes = enrol(db, world.therapist)
    db.execute(text("UPDATE users SET totp_secret = :s WHERE id = :id"), {"s": secret, "id": world.therapist.id})
    db.commit()
    db.expire_all()
    assert stored_secret(db, world.therapist) == secret  # as migration 0006 left it
    token, _pending = password_sign_in(db, world.therapist)
    step = complete_sign_in(db=db, token=token, code=totp.code_at(secret, utcnow().timestamp()), times=TIMES,
                            sealer=SEALER)
    db.commit()
    assert step.pending is None
    column = stored_secret(db, world.therapist)
    assert secret not in column and is_sealed(column) and SEALER.open(column) == secret


def test_another_secret_key_fails_closed_with_a_clear_error(db: Session, world: World) -> None:
    secret, codes = enrol(db, world.therapist)
    other = SecretSealer("a different server's key")
    token, _pending = password_sign_in(db, world.therapist)
    for code in (totp.code_at(secret, utcnow().timestamp()), codes[0]):  # no way round it, not even a recovery code
        with pytest.raises(SecretUnreadable, match="same MYOMAP_SECRET_KEY"):
            complete_sign_in(db=db, token=token, code=code, times=TIMES, sealer=other)
    with pytest.raises(ValidationFailed, match="same MYOMAP_SECRET_KEY"):
        disable_two_factor(db=db, actor=Actor(world.therapist), code=codes[1], sealer=other)
    assert world.therapist.has_two_factor and session_for_token(db=db, token=token) is None
    step = complete_sign_in(db=db, token=token, code=totp.code_at(secret, utcnow().timestamp()), times=TIMES,
                            sealer=SEALER)
    assert step.pending is None  # the right key still opens it
