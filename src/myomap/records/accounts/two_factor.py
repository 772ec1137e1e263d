"""Two-factor sign-in: a TOTP authenticator app, with single-use recovery codes.

Enrolment shows a secret (and its ``otpauth://`` URI) once; a code from the app confirms it, and
ten recovery codes are shown once and stored as salted SHA-256 hashes. A clinic may require
two-factor sign-in of its owners and therapists: until they enrol, they are sent to enrol.
The secret is kept sealed (``sealing.py``); every function that reads it takes the sealer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from myomap.records.accounts import totp
from myomap.records.accounts.models import RecoveryCode, User, WebSession
from myomap.records.accounts.permissions import TWO_FACTOR_ROLES, Actor, Permission, require
from myomap.records.accounts.sealing import SecretSealer, SecretUnreadable, is_sealed
from myomap.records.accounts.service import clinic_user
from myomap.records.audit.service import record
from myomap.records.base import utcnow
from myomap.records.errors import ValidationFailed

ISSUER = "Myomap"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
WRONG_CODE = "That code is not right (or was already used). Type the 6 digits your app shows now, or a recovery code."


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def may_turn_off(user: User) -> bool:
    """Whether the user may turn their own two-factor sign-in off (not when the clinic requires it)."""
    return not (user.clinic.require_two_factor and user.role in TWO_FACTOR_ROLES)


def begin_enrolment(*, user: User, sealer: SecretSealer) -> Enrolment:
    """The secret to add to an authenticator app (the same one until confirmed, so reloading the
    page does not invalidate what was scanned; a new one if this server cannot read it)."""
    if user.has_two_factor:
        raise ValidationFailed({"code": "Two-factor sign-in is already on for this account."})
    try:
        secret = _secret(user, sealer)
    except SecretUnreadable:
        secret = None  # not confirmed yet, so nothing is lost by starting again
    if secret is None:
        secret = totp.new_secret()
        user.totp_secret = sealer.seal(secret)  # no flush: a page view's writes are applied after it
    return Enrolment(secret, totp.provisioning_uri(secret, account=user.email, issuer=ISSUER))


def confirm_enrolment(
    *, db: Session, actor: Actor, code: str, sealer: SecretSealer, now: datetime | None = None
) -> list[str]:
    """Turn two-factor sign-in on with a first code from the app; returns the recovery codes
    (shown once: only their hashes are kept)."""
    user = actor.user
    secret = None if user.has_two_factor else _secret(user, sealer)
    if secret is None:
        raise ValidationFailed({"code": "Start enrolment again: open the two-factor page."})
    step = totp.matching_step(secret, code, (now or utcnow()).timestamp())
    if step is None:
        raise ValidationFailed({"code": "That code does not match. Check the app's clock and type the current code."})
    user.totp_enabled_at = now or utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(db, user)
    record(db=db, actor=actor, action="user.two_factor_on", object_type="user", object_id=user.id)
    return codes


def disable_two_factor(
    *, db: Session, actor: Actor, code: str, sealer: SecretSealer, now: datetime | None = None
) -> None:
    """Turn one's own two-factor sign-in off with a current code (not if the clinic requires it)."""
    user = actor.user
    if not may_turn_off(user):
        raise ValidationFailed({"code": "Your clinic requires two-factor sign-in; it cannot be turned off."})
    try:
        verified = verify_code(db=db, user=user, code=code, sealer=sealer, now=now)
    except SecretUnreadable as exc:
        raise ValidationFailed({"code": str(exc)}) from exc
    if not verified:
        raise ValidationFailed({"code": WRONG_CODE})
    _clear(db, user)
    record(db=db, actor=actor, action="user.two_factor_off", object_type="user", object_id=user.id)


def reset_two_factor_of_as(*, db: Session, actor: Actor, user_id: int) -> User:
    """The owner clears a user's two-factor sign-in (a lost phone and lost codes) and signs them
    out everywhere; they enrol again at their next sign-in if the clinic requires it."""
    user = clinic_user(db=db, actor=actor, user_id=user_id)
    reset_two_factor(db=db, user=user)
    record(db=db, actor=actor, action="user.two_factor_reset", object_type="user", object_id=user.id)
    return user


def reset_two_factor(*, db: Session, user: User) -> None:
    """Clear the user's two-factor sign-in and sign them out everywhere (see :func:`reset_two_factor_of_as`)."""
    _clear(db, user)
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))


def set_clinic_requirement_as(*, db: Session, actor: Actor, required: bool) -> None:
    """The owner requires (or stops requiring) two-factor sign-in for owners and therapists.

    The owner must have it on first (so they do not sign themselves out); owners and therapists
    without it are signed out, so they enrol at their next sign-in."""
    require(actor, Permission.USERS)
    if required and not actor.user.has_two_factor:
        raise ValidationFailed({"require_two_factor": "Turn on two-factor sign-in for your own account first "
                                "(Your account), then require it for the clinic."})
    actor.user.clinic.require_two_factor = required
    if required:
        unenrolled = select(User.id).where(
            User.clinic_id == actor.clinic_id, User.role.in_(TWO_FACTOR_ROLES), User.totp_enabled_at.is_(None)
        )
        db.execute(delete(WebSession).where(WebSession.user_id.in_(unenrolled)))
    record(db=db, actor=actor, action="clinic.two_factor_required" if required else "clinic.two_factor_optional",
           object_type="clinic", object_id=actor.clinic_id)


def verify_code(*, db: Session, user: User, code: str, sealer: SecretSealer, now: datetime | None = None) -> bool:
    """A current authenticator code (each accepted once) or an unused recovery code (used up).

    Raises :class:`SecretUnreadable` (fails closed) when the secret does not open with this key."""
    secret = _secret(user, sealer) if user.has_two_factor else None
    if secret is None:
        return False
    unix = (now or utcnow()).timestamp()
    step = totp.matching_step(secret, code, unix, after_step=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    return _use_recovery_code(db, user, code)


def remaining_recovery_codes(*, db: Session, user: User) -> int:
    return len(list(db.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))))


def _secret(user: User, sealer: SecretSealer) -> str | None:
    """The user's secret in clear; one saved before sealing existed is sealed now (on this read)."""
    if user.totp_secret is None:
        return None
    secret = sealer.open(user.totp_secret)
    if not is_sealed(user.totp_secret):
        user.totp_secret = sealer.seal(secret)
    return secret


def _clear(db: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _recovery_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{_normalise_recovery(code)}".encode()).hexdigest()


def _new_recovery_codes(db: Session, user: User) -> list[str]:
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))  # about 49 bits each
        code = f"{raw[:5]}-{raw[5:]}"
        salt = secrets.token_hex(16)
        db.add(RecoveryCode(user_id=user.id, salt=salt, code_hash=_recovery_hash(salt, code)))
        codes.append(code)
    db.flush()
    return codes


def _use_recovery_code(db: Session, user: User, code: str) -> bool:
    if len(_normalise_recovery(code)) != 10:
        return False
    unused = db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
    for row in unused:
        if hmac.compare_digest(row.code_hash, _recovery_hash(row.salt, code)):
            row.used_at = utcnow()
            return True
    return False
