"""A pain drawing: a client's pain on one date, one mark per chart region.

A drawing may be corrected until it is signed; deleting keeps the row (with who, when and why)
so that nothing is lost and the clinic owner can restore it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from myomap.records.accounts.models import User
from myomap.records.base import Base, UTCDateTime, utcnow


class PainDrawing(Base):
    __tablename__ = "pain_drawings"
    __table_args__ = (Index("ix_pain_drawings_client_date", "client_id", "drawn_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    drawn_on: Mapped[date] = mapped_column(Date)
    overall_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, comment="bumped by every change")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, comment="once signed the drawing can no longer be edited or deleted"
    )
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, comment="set: hidden from lists, kept for the owner to restore"
    )
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    deleted_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    __mapper_args__ = {"version_id_col": version}

    # The people behind the drawing, loaded with it so that lists can name them (one query per list).
    author: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="selectin", viewonly=True)
    signer: Mapped[User | None] = relationship(foreign_keys=[signed_by_id], lazy="selectin", viewonly=True)
    deleter: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id], lazy="selectin", viewonly=True)

    marks: Mapped[list[PainMark]] = relationship(
        back_populates="drawing", cascade="all, delete-orphan", order_by="PainMark.id", lazy="selectin"
    )


class PainMark(Base):
    __tablename__ = "pain_marks"
    __table_args__ = (
        UniqueConstraint("drawing_id", "region_id"),
        CheckConstraint("intensity >= 0 AND intensity <= 10", name="intensity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drawing_id: Mapped[int] = mapped_column(ForeignKey("pain_drawings.id", ondelete="CASCADE"))
    region_id: Mapped[str] = mapped_column(String(64), comment="chart region id from the atlas, e.g. temple.left")
    intensity: Mapped[int] = mapped_column(Integer)
    qualities: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    drawing: Mapped[PainDrawing] = relationship(back_populates="marks")
