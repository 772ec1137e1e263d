"""Users, browser sessions (idle timeout, a pending second step) and API tokens.

Password sign-in and its backoff are in :mod:`signin`, two-factor sign-in in :mod:`two_factor`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from myomap.records.accounts.models import ApiToken, Role, User, WebSession
from myomap.records.accounts.passwords import hash_password
from myomap.records.accounts.permissions import TWO_FACTOR_REQUIRED, Actor, Permission, must_enrol, require
from myomap.records.accounts.schemas import ApiTokenCreate, UserCreate, normalise_email
from myomap.records.audit.service import record
from myomap.records.base import utcnow
from myomap.records.clinics.models import Clinic
from myomap.records.errors import Duplicate, Forbidden, NotFound, ValidationFailed
from myomap.records.validation import parse

API_TOKEN_PREFIX = "mm_"
PENDING_TWO_FACTOR = "two_factor"  # password accepted; a code from the app is still to give
PENDING_ENROLMENT = "enrol"  # password accepted; the clinic requires two-factor enrolment first
SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---- users --------------------------------------------------------------------------------


def find_user(*, db: Session, email: str, clinic: Clinic | None = None) -> User:
    """The user with this email (in ``clinic`` when given). Raises :class:`NotFound`, or
    :class:`ValidationFailed` when the email is used in several clinics and none was named."""
    email = normalise_email(email)
    stmt = select(User).where(User.email == email)
    if clinic is not None:
        stmt = stmt.where(User.clinic_id == clinic.id)
    users = list(db.scalars(stmt.limit(2)))
    if not users:
        raise NotFound(f"user {email}")
    if len(users) > 1:
        raise ValidationFailed({"clinic": f"{email} is a user in several clinics: name the clinic"})
    return users[0]


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
    """Add a user to ``clinic``. Raises :class:`Duplicate` if the email is taken in that clinic.

    Other clinics are not looked at: an owner must not learn which addresses they use."""
    data = parse(UserCreate, {"email": email, "name": name, "role": role, "password": password})
    taken = db.scalar(select(User.id).where(User.clinic_id == clinic.id, User.email == data.email))
    if taken is not None:
        raise Duplicate(f"{data.email} is already a user of this clinic")
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
    user = create_user(
        db=db, clinic=actor.user.clinic, email=email, name=name, role=role, password=password, password_profile=password_profile
    )
    record(db=db, actor=actor, action="user.create", object_type="user", object_id=user.id)
    return user


def list_users(*, db: Session, actor: Actor) -> list[User]:
    require(actor, Permission.USERS)
    return list(db.scalars(select(User).where(User.clinic_id == actor.clinic_id).order_by(User.name, User.id)))


def clinic_user(*, db: Session, actor: Actor, user_id: int) -> User:
    """A user of the owner's clinic (another clinic's looks the same as none)."""
    require(actor, Permission.USERS)
    user = db.get(User, user_id)
    if user is None or user.clinic_id != actor.clinic_id:
        raise NotFound("user")
    return user


def set_user_active(*, db: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (signed out everywhere) or reactivate a user. Either way their API tokens are
    revoked, so reactivating never brings an old token back to life."""
    user = clinic_user(db=db, actor=actor, user_id=user_id)
    if user.id == actor.user.id and not active:
        raise ValidationFailed({"user": "You cannot deactivate your own account."})
    user.is_active = active
    if not active:
        db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    revoke_api_tokens(db=db, user=user)
    record(db=db, actor=actor, action="user.activate" if active else "user.deactivate", object_type="user",
           object_id=user.id)
    return user


def set_password(*, db: Session, user: User, password: str, password_profile: str = "standard") -> None:
    """A new password signs the user out everywhere and revokes their API tokens."""
    parse(UserCreate, {"email": user.email, "name": user.name, "role": user.role, "password": password})
    user.password_hash = hash_password(password, profile=password_profile)
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    revoke_api_tokens(db=db, user=user)


def reset_password_as(
    *, db: Session, actor: Actor, user_id: int, password: str, password_profile: str = "standard"
) -> User:
    """The owner gives a user of the clinic a new password (to be told to them in person)."""
    user = clinic_user(db=db, actor=actor, user_id=user_id)
    set_password(db=db, user=user, password=password, password_profile=password_profile)
    record(db=db, actor=actor, action="user.password_reset", object_type="user", object_id=user.id)
    return user


# ---- browser sessions ---------------------------------------------------------------------


def start_session(
    *,
    db: Session,
    user: User,
    lifetime: timedelta,
    idle: timedelta | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    pending: str | None = None,
    now: datetime | None = None,
) -> tuple[str, WebSession]:
    """Create a session that ends after ``lifetime``, or after ``idle`` without a request; returns
    the cookie token (shown once, only its hash is stored).

    A ``pending`` session (password accepted, a second step still due) opens no page."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session = WebSession(
        token_hash=token_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        idle_minutes=None if idle is None else max(1, int(idle.total_seconds() // 60)),
        expires_at=now + lifetime,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
        pending=pending,
    )
    db.add(session)
    if pending is None:
        user.last_sign_in_at = now
    # Housekeeping: expired sessions of anyone go, so the table stays small.
    db.execute(delete(WebSession).where(WebSession.expires_at < now))
    db.flush()
    return token, session


def session_for_token(
    *,
    db: Session,
    token: str | None,
    now: datetime | None = None,
    pending: str | None = None,
) -> WebSession | None:
    """The live session for a cookie token, or None: unknown, expired, idle for too long, user
    deactivated, or not at the ``pending`` stage asked for (default: fully signed in)."""
    if not token:
        return None
    session = db.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    now = now or utcnow()
    if session is None or session.expires_at <= now or not session.user.is_active or session.pending != pending:
        return None
    seen = session.last_seen_at or session.created_at
    if session.idle_minutes is not None and seen + timedelta(minutes=session.idle_minutes) <= now:
        db.delete(session)
        return None
    if now - seen >= SEEN_EVERY:
        session.last_seen_at = now
    return session


def end_session(*, db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def csrf_matches(session: WebSession, candidate: str | None) -> bool:
    return bool(candidate) and hmac.compare_digest(session.csrf_token, candidate or "")


# ---- API tokens ---------------------------------------------------------------------------


def create_api_token(
    *, db: Session, user: User, name: str = "api", expires_at: datetime | None = None
) -> tuple[str, ApiToken]:
    """Create an API token for ``user``; returns the token text (shown once) and its row."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name.strip()[:100] or "api", token_hash=token_digest(token), prefix=token[:10],
        expires_at=expires_at,
    )
    db.add(row)
    db.flush()
    return token, row


def issue_api_token(
    *, db: Session, user: User, name: str, expires_in_days: int | None, now: datetime | None = None
) -> tuple[str, ApiToken]:
    """A named token for ``user`` that expires after ``expires_in_days`` (None: never), checked
    against :class:`ApiTokenCreate`."""
    data = parse(ApiTokenCreate, {"name": name, "expires_in_days": expires_in_days})
    expires_at = None if data.expires_in_days is None else (now or utcnow()) + timedelta(days=data.expires_in_days)
    return create_api_token(db=db, user=user, name=data.name, expires_at=expires_at)


def issue_api_token_as(
    *, db: Session, actor: Actor, name: str, expires_in_days: int | None
) -> tuple[str, ApiToken]:
    """The signed-in user makes a token for themselves (audited)."""
    token, row = issue_api_token(db=db, user=actor.user, name=name, expires_in_days=expires_in_days)
    record(db=db, actor=actor, action="api_token.create", object_type="api_token", object_id=row.id,
           detail={"name": row.name})
    return token, row


def list_api_tokens(*, db: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included (marked so)."""
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_api_token(*, db: Session, token_id: int, user: User | None = None) -> ApiToken:
    """Revoke one token (of ``user``, when given: another's looks like none)."""
    row = db.get(ApiToken, token_id)
    if row is None or (user is not None and row.user_id != user.id):
        raise NotFound("API token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def revoke_api_token_as(*, db: Session, actor: Actor, token_id: int) -> ApiToken:
    row = revoke_api_token(db=db, token_id=token_id, user=actor.user)
    record(db=db, actor=actor, action="api_token.revoke", object_type="api_token", object_id=row.id)
    return row


def user_for_api_token(*, db: Session, token: str | None, now: datetime | None = None) -> User | None:
    """The active user of a live (not revoked, not expired) token, or None.

    A token of someone the clinic requires two-factor sign-in of, who has not enrolled, is refused
    (:class:`Forbidden`, saying to enrol) rather than revoked: it works again after enrolment, and
    a token cannot be a way round the requirement (nor after an owner resets a lost two-factor)."""
    if not token or not token.startswith(API_TOKEN_PREFIX):
        return None
    now = now or utcnow()
    # One query, one ORM object (the user and its clinic): the token's dates come as plain values.
    found = db.execute(
        select(User, ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_digest(token))
    ).first()
    if found is None:
        return None
    user, token_id, revoked_at, expires_at, last_used_at = found
    if not ApiToken.live(revoked_at, expires_at, now) or not user.is_active:
        return None
    if must_enrol(user):
        raise Forbidden(TWO_FACTOR_REQUIRED)
    if last_used_at is None or now - last_used_at > timedelta(minutes=5):
        row = db.get(ApiToken, token_id)  # coarse, so a busy script does not write on every request
        if row is not None:
            row.last_used_at = now
    return user


def revoke_api_tokens(*, db: Session, user: User) -> int:
    rows = list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return len(rows)
