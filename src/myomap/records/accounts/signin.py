"""Password sign-in with a backoff that slows guessing without letting a stranger lock anyone out.

Failed attempts are counted under three keys, each with a number of free failures after which
every further attempt must wait, the wait doubling with each failure up to a ceiling:

- the account from one address, or from one *trusted browser* (a browser that has signed in to
  that account before, proven by a signed cookie the web layer checks): few free failures;
- the account from everywhere: more free failures (a guesser spread over many addresses);
- the address, over all accounts: many free failures, so a whole clinic behind one address is
  not slowed by one person's typos.

A trusted browser is counted only under its own key, so a stranger hammering a therapist's
account from elsewhere (or from the clinic's own address) never delays the therapist's usual
browser. An attempt refused while waiting is not counted, so waiting never grows by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session

from myomap.records.accounts.models import SignInFailure, User, WebSession
from myomap.records.accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from myomap.records.accounts.permissions import Actor, must_enrol
from myomap.records.accounts.schemas import normalise_email
from myomap.records.accounts.sealing import SecretSealer
from myomap.records.accounts.service import (
    PENDING_ENROLMENT,
    PENDING_TWO_FACTOR,
    end_session,
    session_for_token,
    start_session,
)
from myomap.records.accounts.two_factor import (
    WRONG_CODE,
    Enrolment,
    begin_enrolment,
    confirm_enrolment,
    verify_code,
)
from myomap.records.base import utcnow
from myomap.records.errors import LockedOut, SignInError

if TYPE_CHECKING:
    from myomap.config import Settings

BAD_CREDENTIALS = "Email or password is incorrect."
SECOND_STEP_EXPIRED = "This sign-in has expired. Sign in again with your email and password."
SECOND_STEP_LIFETIME = timedelta(minutes=5)
ENROLMENT_LIFETIME = timedelta(minutes=20)  # time to install an app and scan the secret


@dataclass(frozen=True)
class LockoutPolicy:
    """Free failures per key, and the doubling wait after them (see the module docstring)."""

    free_failures: int = 5
    free_failures_per_account: int = 20
    free_failures_per_ip: int = 100
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutPolicy:
        return cls(
            free_failures=settings.login_free_failures,
            free_failures_per_account=settings.login_free_failures_per_account,
            free_failures_per_ip=settings.login_free_failures_per_ip,
            max_delay=timedelta(seconds=settings.login_max_delay_seconds),
            window=timedelta(minutes=settings.login_failure_window_minutes),
        )

    def wait(self, failures: int, free: int) -> timedelta:
        """How long after the latest failure the next attempt must wait."""
        if failures < free:
            return timedelta(0)
        doublings: int = min(failures - free, 30)  # 2**30 seconds is far past any ceiling
        grown: timedelta = self.first_delay * (1 << doublings)
        return min(grown, self.max_delay)


def wait_message(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    amount = f"{seconds} seconds" if seconds < 120 else f"{(seconds + 59) // 60} minutes"
    return (
        f"Too many failed sign-in attempts. Wait {amount} and try again, "
        "or ask the clinic owner to reset your password."
    )


def _keys(email: str, ip: str | None, device: str | None, policy: LockoutPolicy) -> list[tuple[ColumnElement[bool], int]]:
    if device is not None:
        return [(and_(SignInFailure.email == email, SignInFailure.device == device), policy.free_failures)]
    own_address = SignInFailure.ip == ip if ip is not None else SignInFailure.ip.is_(None)
    keys: list[tuple[ColumnElement[bool], int]] = [
        (and_(SignInFailure.email == email, own_address), policy.free_failures),
        (SignInFailure.email == email, policy.free_failures_per_account),
    ]
    if ip is not None:
        keys.append((SignInFailure.ip == ip, policy.free_failures_per_ip))
    return keys


def remaining_wait(
    *, db: Session, email: str, ip: str | None, device: str | None, policy: LockoutPolicy, now: datetime
) -> timedelta:
    """How long this attempt must still wait (zero when it may go ahead)."""
    longest = timedelta(0)
    since = now - policy.window
    for condition, free in _keys(email, ip, device, policy):
        count, latest = db.execute(
            select(func.count(), func.max(SignInFailure.at)).where(condition, SignInFailure.at >= since)
        ).one()
        if latest is None or count < free:
            continue
        longest = max(longest, latest + policy.wait(count, free) - now)
    return longest


def record_failure(*, db: Session, email: str, ip: str | None, device: str | None, now: datetime) -> None:
    db.add(SignInFailure(email=email[:320], ip=ip, device=device, at=now))
    db.flush()


def check_throttle(
    *, db: Session, email: str, ip: str | None, device: str | None, policy: LockoutPolicy, now: datetime
) -> None:
    """Raise :class:`LockedOut` (with the wait) if this attempt must wait."""
    wait = remaining_wait(db=db, email=email, ip=ip, device=device, policy=policy, now=now)
    if wait > timedelta(0):
        raise LockedOut(wait_message(wait))


def authenticate(
    *,
    db: Session,
    email: str,
    password: str,
    ip: str | None,
    device: str | None = None,
    policy: LockoutPolicy = LockoutPolicy(),
    password_profile: str = "standard",
    now: datetime | None = None,
) -> User:
    """The active user with this email and password.

    Raises :class:`LockedOut` while a wait is due, and :class:`SignInError` otherwise; neither
    says whether the email exists. ``device`` is the trusted-browser id the web layer verified
    for this email (or None). A failure is recorded in ``db``: the caller must commit even when
    this raises. An email may belong to users of several clinics; the password picks the user,
    and every candidate's hash is checked, so the time taken does not say which one matched.
    """
    now = now or utcnow()
    email = normalise_email(email)[:320]
    check_throttle(db=db, email=email, ip=ip, device=device, policy=policy, now=now)

    candidates = list(db.scalars(select(User).where(User.email == email).order_by(User.id))) if email else []
    user: User | None = None
    if not candidates:
        verify_password(dummy_hash(password_profile), password, profile=password_profile)
    for candidate in candidates:
        if verify_password(candidate.password_hash, password, profile=password_profile) and user is None:
            user = candidate if candidate.is_active else None

    if user is None:
        record_failure(db=db, email=email, ip=ip, device=device, now=now)
        raise SignInError(BAD_CREDENTIALS)

    forget_failures(db=db, email=email, ip=ip, device=device, policy=policy, now=now)
    if needs_rehash(user.password_hash, profile=password_profile):
        user.password_hash = hash_password(password, profile=password_profile)
    return user


def forget_failures(
    *, db: Session, email: str, ip: str | None, device: str | None, policy: LockoutPolicy, now: datetime
) -> None:
    """After a success: this account's failures from here are forgotten (others' stay counted),
    and failures older than the window go, so the table stays small."""
    local = _keys(email, ip, device, policy)[0][0]
    db.execute(delete(SignInFailure).where(local))
    db.execute(delete(SignInFailure).where(SignInFailure.at < now - policy.window))


@dataclass(frozen=True)
class SignInStep:
    """A started sign-in: the cookie token, and the step still due (None: signed in)."""

    token: str
    session: WebSession

    @property
    def pending(self) -> str | None:
        return self.session.pending


@dataclass(frozen=True)
class SessionTimes:
    """How long a sign-in lasts, and how long it survives without a request."""

    lifetime: timedelta
    idle: timedelta | None = None


def sign_in(
    *,
    db: Session,
    email: str,
    password: str,
    times: SessionTimes,
    ip: str | None = None,
    device: str | None = None,
    user_agent: str | None = None,
    policy: LockoutPolicy = LockoutPolicy(),
    password_profile: str = "standard",
    replacing: str | None = None,
    now: datetime | None = None,
) -> SignInStep:
    """Check the password and open a session (ending the ``replacing`` one, so a session id is
    never carried over a sign-in): a full one, or a short pending one when a code is due
    (two-factor on) or enrolment is (the clinic requires two-factor and the user has none); only
    :func:`complete_sign_in` or :func:`complete_enrolment` turn it into a full one."""
    user = authenticate(db=db, email=email, password=password, ip=ip, device=device, policy=policy,
                        password_profile=password_profile, now=now)
    end_session(db=db, token=replacing)
    if user.has_two_factor:
        pending: str | None = PENDING_TWO_FACTOR
        lifetime = SECOND_STEP_LIFETIME
    elif must_enrol(user):
        pending, lifetime = PENDING_ENROLMENT, ENROLMENT_LIFETIME
    else:
        pending, lifetime = None, times.lifetime
    token, session = start_session(db=db, user=user, lifetime=lifetime, idle=times.idle, ip=ip, user_agent=user_agent,
                                   pending=pending, now=now)
    return SignInStep(token, session)


def pending_sign_in(*, db: Session, token: str | None, step: str, now: datetime | None = None) -> WebSession | None:
    """The pending session at ``step`` for a cookie token, or None."""
    return session_for_token(db=db, token=token, pending=step, now=now)


def _upgrade(db: Session, pending: WebSession, token: str | None, times: SessionTimes, ip: str | None,
             user_agent: str | None, now: datetime) -> SignInStep:
    """The pending session ends and a new full one (a new cookie token) starts."""
    end_session(db=db, token=token)
    new_token, session = start_session(db=db, user=pending.user, lifetime=times.lifetime, idle=times.idle, ip=ip,
                                       user_agent=user_agent, now=now)
    return SignInStep(new_token, session)


def complete_sign_in(
    *,
    db: Session,
    token: str | None,
    code: str,
    times: SessionTimes,
    sealer: SecretSealer,
    ip: str | None = None,
    device: str | None = None,
    user_agent: str | None = None,
    policy: LockoutPolicy = LockoutPolicy(),
    now: datetime | None = None,
) -> SignInStep:
    """The second step: a code from the app (or a recovery code) swaps the pending session for a
    new, full one. Wrong codes count towards the same backoff as wrong passwords."""
    now = now or utcnow()
    pending = pending_sign_in(db=db, token=token, step=PENDING_TWO_FACTOR, now=now)
    if pending is None:
        raise SignInError(SECOND_STEP_EXPIRED)
    user = pending.user
    check_throttle(db=db, email=user.email, ip=ip, device=device, policy=policy, now=now)
    if not verify_code(db=db, user=user, code=code, sealer=sealer, now=now):
        record_failure(db=db, email=user.email, ip=ip, device=device, now=now)
        raise SignInError(WRONG_CODE)
    forget_failures(db=db, email=user.email, ip=ip, device=device, policy=policy, now=now)
    return _upgrade(db, pending, token, times, ip, user_agent, now)


def enrolment_for_sign_in(
    *, db: Session, token: str | None, sealer: SecretSealer, now: datetime | None = None
) -> tuple[WebSession, Enrolment]:
    """The pending session that must enrol, and the secret to show it."""
    pending = pending_sign_in(db=db, token=token, step=PENDING_ENROLMENT, now=now)
    if pending is None:
        raise SignInError(SECOND_STEP_EXPIRED)
    return pending, begin_enrolment(user=pending.user, sealer=sealer)


def complete_enrolment(
    *,
    db: Session,
    token: str | None,
    code: str,
    times: SessionTimes,
    sealer: SecretSealer,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> tuple[SignInStep, list[str]]:
    """Enrolment during sign-in: a first code turns two-factor on and signs in fully; returns
    the new session and the recovery codes (to show once). A wrong code raises
    :class:`ValidationFailed` and the pending session stays."""
    now = now or utcnow()
    pending = pending_sign_in(db=db, token=token, step=PENDING_ENROLMENT, now=now)
    if pending is None:
        raise SignInError(SECOND_STEP_EXPIRED)
    codes = confirm_enrolment(db=db, actor=Actor(pending.user, ip=ip, via="web"), code=code, sealer=sealer, now=now)
    return _upgrade(db, pending, token, times, ip, user_agent, now), codes
