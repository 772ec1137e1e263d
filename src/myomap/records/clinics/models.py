"""The clinic: the boundary of all data sharing. Users see only their own clinic's records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from myomap.dates import DEFAULT_LOCALE
from myomap.records.base import Base, UTCDateTime, utcnow


class Clinic(Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True, comment="name, case-folded, for uniqueness")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    require_two_factor: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), comment="owners and therapists must sign in with a code too"
    )
    locale: Mapped[str] = mapped_column(
        String(10), default=DEFAULT_LOCALE, server_default=DEFAULT_LOCALE,
        comment="how its pages write dates and times (a key of myomap.dates.DATE_FORMATS)",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"Clinic(id={self.id!r}, name={self.name!r})"
