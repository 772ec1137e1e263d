"""A muscle marked "to palpate" from the referral ranking of one pain drawing, and what palpating
it found."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
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

    # The finding; null = not palpated (or not checked) yet.
    tender: Mapped[bool | None] = mapped_column(Boolean, nullable=True, comment="local tenderness; null = not checked")
    taut_band: Mapped[bool | None] = mapped_column(Boolean, nullable=True, comment="taut band felt; null = not checked")
    referral_reproduced: Mapped[bool | None] = mapped_column(
        Boolean, nullable=True, comment="pressure reproduced the client's referred pain; null = not checked")
    trigger_point: Mapped[str | None] = mapped_column(
        String(64), nullable=True, comment="trigger-point id palpated, from the muscle's trigger points in the atlas")
    note: Mapped[str | None] = mapped_column(Text, nullable=True, comment="the therapist's palpation note")
    palpated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    palpated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"),
                                         comment="bumped by every change (optimistic concurrency)")

    __mapper_args__ = {"version_id_col": version}

    @property
    def palpated(self) -> bool:
        return any(v is not None for v in (self.tender, self.taut_band, self.referral_reproduced))
