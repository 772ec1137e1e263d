"""Users, their sign-in sessions, API tokens, two-factor recovery codes and failed sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from myomap.records.base import Base, UTCDateTime, utcnow
from myomap.records.clinics.models import Clinic


class Role(StrEnum):
    OWNER = "owner"
    THERAPIST = "therapist"
    FRONT_DESK = "front_desk"

    @property
    def label(self) -> str:
        return {"owner": "Owner", "therapist": "Therapist", "front_desk": "Front desk"}[self.value]


class User(Base):
    """A person who signs in. An email is unique within a clinic only, so an owner adding a user
    cannot find out that the address is used in another clinic."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("clinic_id", "email", name="uq_users_clinic_id_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True, comment="lower-case")
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, create_constraint=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(
        String(255), nullable=True, comment="TOTP secret sealed with the app key (sealing.py); never shown after enrolment"
    )
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(
        Integer, nullable=True, comment="time step of the last accepted code, so a code works once"
    )

    clinic: Mapped[Clinic] = relationship(lazy="joined")

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r}, role={self.role.value!r})"


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, comment="last request (coarse), for the idle timeout"
    )
    idle_minutes: Mapped[int | None] = mapped_column(
        Integer, nullable=True, comment="ends after this long without a request (the setting at sign-in)"
    )
    pending: Mapped[str | None] = mapped_column(
        String(20), nullable=True,
        comment="'two_factor': a code is still to give; 'enrol': two-factor enrolment is due; null = signed in",
    )

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A per-user token for the JSON API (``Authorization: Bearer ...``); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), comment="first characters, to recognise a token")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, comment="null = never")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(lazy="joined")

    def is_live(self, now: datetime) -> bool:
        return self.live(self.revoked_at, self.expires_at, now)

    @staticmethod
    def live(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
        """Whether a token with these dates works at ``now`` (not revoked, not expired)."""
        return revoked_at is None and (expires_at is None or expires_at > now)


class RecoveryCode(Base):
    """A single-use two-factor recovery code; only a salted SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInFailure(Base):
    """One failed sign-in, counted per email, per address and per trusted browser for the backoff."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email_at", "email", "at"),
        Index("ix_sign_in_failures_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    device: Mapped[str | None] = mapped_column(
        String(64), nullable=True, comment="trusted-browser id, when the attempt came from one"
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
