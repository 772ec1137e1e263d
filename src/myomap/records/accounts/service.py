"""Users, sign-in (with lockout), browser sessions and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from myomap.records.accounts.models import ApiToken, Role, SignInFailure, User, WebSession
from myomap.records.accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.accounts.schemas import UserCreate, normalise_email
from myomap.records.base import utcnow
from myomap.records.clinics.models import Clinic
from myomap.records.errors import Duplicate, LockedOut, NotFound, SignInError, ValidationFailed
from myomap.records.validation import parse

if TYPE_CHECKING:
    from myomap.config import Settings

API_TOKEN_PREFIX = "mm_"
BAD_CREDENTIALS = "Email or password is incorrect."


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---- users --------------------------------------------------------------------------------


def find_user_by_email(*, db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    db: Session,
    clinic: Clinic,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    password_profile: str = "standard",
) -> User:
    """Add a user to ``clinic``. Raises :class:`Duplicate` if the email is taken (in any clinic)."""
    data = parse(UserCreate, {"email": email, "name": name, "role": role, "password": password})
    if find_user_by_email(db=db, email=data.email) is not None:
        raise Duplicate(f"a user with the email {data.email} already exists")
    user = User(
        clinic_id=clinic.id,
        email=data.email,
        name=data.name,
        role=data.role,
        password_hash=hash_password(data.password, profile=password_profile),
        is_active=True,
    )
    db.add(user)
    db.flush()
    return user


def create_user_as(
    *, db: Session, actor: Actor, email: str, name: str, role: Role | str, password: str, password_profile: str = "standard"
) -> User:
    """An owner adds a user to their own clinic."""
    require(actor, Permission.USERS)
    return create_user(
        db=db, clinic=actor.user.clinic, email=email, name=name, role=role, password=password, password_profile=password_profile
    )


def list_users(*, db: Session, actor: Actor) -> list[User]:
    require(actor, Permission.USERS)
    return list(db.scalars(select(User).where(User.clinic_id == actor.clinic_id).order_by(User.name, User.id)))


def set_user_active(*, db: Session, actor: Actor, user_id: int, active: bool) -> User:
    require(actor, Permission.USERS)
    user = db.get(User, user_id)
    if user is None or user.clinic_id != actor.clinic_id:
        raise NotFound("user")
    if user.id == actor.user.id and not active:
        raise ValidationFailed({"user": "You cannot deactivate your own account."})
    user.is_active = active
    if not active:
        db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return user


def set_password(*, db: Session, user: User, password: str, password_profile: str = "standard") -> None:
    parse(UserCreate, {"email": user.email, "name": user.name, "role": user.role, "password": password})
    user.password_hash = hash_password(password, profile=password_profile)
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))


# ---- sign-in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    max_failures_per_ip: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutPolicy:
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_ip=settings.login_max_failures_per_ip,
            window=timedelta(minutes=settings.login_lockout_minutes),
        )

    @property
    def message(self) -> str:
        minutes = int(self.window.total_seconds() // 60)
        return (
            f"Too many failed sign-in attempts. Wait {minutes} minutes and try again, "
            "or ask the clinic owner to reset your password."
        )


def _recent_failures(db: Session, column: InstrumentedAttribute[str | None], value: str, since: datetime) -> int:
    return db.scalar(select(func.count()).select_from(SignInFailure).where(column == value, SignInFailure.at >= since)) or 0


def authenticate(
    *,
    db: Session,
    email: str,
    password: str,
    ip: str | None,
    policy: LockoutPolicy = LockoutPolicy(),
    password_profile: str = "standard",
    now: datetime | None = None,
) -> User:
    """The active user with this email and password.

    Raises :class:`LockedOut` after too many recent failures for the email or the IP address, and
    :class:`SignInError` otherwise; neither says whether the email exists. A failure is recorded
    in ``db``: the caller must commit even when this raises.
    """
    now = now or utcnow()
    email = normalise_email(email)
    since = now - policy.window
    if _recent_failures(db, SignInFailure.email, email, since) >= policy.max_failures or (
        ip is not None and _recent_failures(db, SignInFailure.ip, ip, since) >= policy.max_failures_per_ip
    ):
        raise LockedOut(policy.message)

    user = find_user_by_email(db=db, email=email) if email else None
    if user is None:
        verify_password(dummy_hash(password_profile), password, profile=password_profile)
        ok = False
    else:
        ok = verify_password(user.password_hash, password, profile=password_profile) and user.is_active

    if not ok or user is None:
        db.add(SignInFailure(email=email[:320], ip=ip, at=now))
        db.flush()
        if _recent_failures(db, SignInFailure.email, email, since) >= policy.max_failures:
            raise LockedOut(policy.message)
        raise SignInError(BAD_CREDENTIALS)

    db.execute(delete(SignInFailure).where(SignInFailure.email == email))
    if needs_rehash(user.password_hash, profile=password_profile):
        user.password_hash = hash_password(password, profile=password_profile)
    user.last_sign_in_at = now
    return user


# ---- browser sessions ---------------------------------------------------------------------


def start_session(
    *,
    db: Session,
    user: User,
    lifetime: timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> tuple[str, WebSession]:
    """Create a session; returns the cookie token (shown once, only its hash is stored)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session = WebSession(
        token_hash=token_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    db.add(session)
    # Housekeeping: expired sessions of anyone go, so the table stays small.
    db.execute(delete(WebSession).where(WebSession.expires_at < now))
    db.flush()
    return token, session


def session_for_token(*, db: Session, token: str | None, now: datetime | None = None) -> WebSession | None:
    """The live session for a cookie token, or None (unknown, expired, or user deactivated)."""
    if not token:
        return None
    session = db.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    if session is None or session.expires_at <= (now or utcnow()) or not session.user.is_active:
        return None
    return session


def end_session(*, db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def csrf_matches(session: WebSession, candidate: str | None) -> bool:
    return bool(candidate) and hmac.compare_digest(session.csrf_token, candidate or "")


# ---- API tokens ---------------------------------------------------------------------------


def create_api_token(*, db: Session, user: User, name: str = "api") -> tuple[str, ApiToken]:
    """Create an API token for ``user``; returns the token text (shown once) and its row."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name[:100] or "api", token_hash=token_digest(token), prefix=token[:10])
    db.add(row)
    db.flush()
    return token, row


def user_for_api_token(*, db: Session, token: str | None, now: datetime | None = None) -> User | None:
    if not token or not token.startswith(API_TOKEN_PREFIX):
        return None
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.is_active:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now  # coarse, so a busy script does not write on every request
    return row.user


def revoke_api_tokens(*, db: Session, user: User) -> int:
    rows = list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)
