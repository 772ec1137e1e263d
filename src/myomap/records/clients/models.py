"""A clinic's client (the person treated). Archived, never deleted from the UI."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from myomap.records.base import Base, UTCDateTime, utcnow


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = (
        # The list order (and keyset pagination) of one clinic's active or archived clients.
        Index("ix_clients_list", "clinic_id", "is_archived", "sort_name", "id"),
        Index("ix_clients_dob", "clinic_id", "date_of_birth"),
        Index("ix_clients_phone", "clinic_id", "phone_digits"),
        Index("ix_clients_email", "clinic_id", "email_key"),
        Index("ix_clients_recent", "clinic_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str | None] = mapped_column(String(60), nullable=True, comment="sex/gender as the client states it")
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    occupation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    referring_provider: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True, comment="clinical notes: therapists and owners only")
    admin_notes: Mapped[str | None] = mapped_column(
        Text, nullable=True, comment="administrative notes (bookings, billing); front desk sees these"
    )

    # Derived search keys, maintained by the service (folded case and accents, digits only).
    sort_name: Mapped[str] = mapped_column(String(210), default="")
    phone_digits: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email_key: Mapped[str | None] = mapped_column(String(320), nullable=True)

    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def __repr__(self) -> str:
        return f"Client(id={self.id!r}, name={self.display_name!r}, version={self.version!r})"
