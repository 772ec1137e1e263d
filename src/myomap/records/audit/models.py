"""The audit trail: who read or changed which client record, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from myomap.records.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_clinic_at", "clinic_id", "at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor: Mapped[str] = mapped_column(String(320), comment="the user's email at the time")
    action: Mapped[str] = mapped_column(String(40), comment="e.g. client.view, pain_drawing.create")
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(nullable=True)
    via: Mapped[str] = mapped_column(String(10), comment="web, api or cli")
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
