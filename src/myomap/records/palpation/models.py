"""A muscle marked "to palpate" from the referral ranking of one pain drawing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from myomap.records.base import Base, UTCDateTime, utcnow


class PalpationTarget(Base):
    __tablename__ = "palpation_targets"
    __table_args__ = (
        UniqueConstraint("drawing_id", "muscle_id", "side"),
        Index("ix_palpation_targets_client", "client_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    drawing_id: Mapped[int] = mapped_column(ForeignKey("pain_drawings.id", ondelete="CASCADE"))
    muscle_id: Mapped[str] = mapped_column(String(64), comment="muscle id from the trigger-point atlas")
    side: Mapped[str] = mapped_column(String(8), comment="left, right, both or either")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True, comment="why it was suggested, as shown then")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
