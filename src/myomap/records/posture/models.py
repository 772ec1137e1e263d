"""A postural assessment: a client's posture on one date, with up to one photo per view.

The photo is kept in the database (the EXIF-free copy made by ``myomap.posture``), so a photo and
its landmarks are saved in the same transaction as the rest: a server killed mid-upload leaves
either the whole record or nothing. The image column is deferred, so lists never load it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from myomap.posture.catalog import VIEWS
from myomap.records.base import Base, UTCDateTime, utcnow

__all__ = ["VIEWS", "PostureAssessment", "PosturePhoto"]


class PostureAssessment(Base):
    __tablename__ = "posture_assessments"
    __table_args__ = (
        Index("ix_posture_assessments_client_date", "client_id", "assessed_on", "id"),
        CheckConstraint("height_cm IS NULL OR (height_cm >= 50 AND height_cm <= 250)", name="height_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    height_cm: Mapped[float | None] = mapped_column(Float, nullable=True, comment="client's height, for offsets in cm")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    patterns: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, comment="cached: the patterns of all views pooled (myomap.posture Pattern.to_dict)"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, comment="bumped by every change, photos included")

    photos: Mapped[list[PosturePhoto]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="PosturePhoto.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    def photo(self, view: str) -> PosturePhoto | None:
        return next((p for p in self.photos if p.view == view), None)


class PosturePhoto(Base):
    __tablename__ = "posture_photos"
    __table_args__ = (
        UniqueConstraint("assessment_id", "view"),
        CheckConstraint("view IN ('anterior', 'posterior', 'left', 'right')", name="view_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("posture_assessments.id", ondelete="CASCADE"))
    view: Mapped[str] = mapped_column(String(16), comment="anterior, posterior, left or right")
    content_type: Mapped[str] = mapped_column(String(32), comment="of the stored image: image/jpeg or image/png")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    image: Mapped[bytes] = mapped_column(
        LargeBinary, deferred=True, comment="the upright, re-encoded photo with no EXIF/XMP/GPS metadata"
    )
    landmarks: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="{name: {x, y, visibility, source: model|therapist}} in image pixels"
    )
    model: Mapped[str | None] = mapped_column(String(120), nullable=True, comment="pose model that found the model points")
    result: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="cached: metrics, patterns, warnings and scale computed from the landmarks"
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    landmarks_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    landmarks_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    assessment: Mapped[PostureAssessment] = relationship(back_populates="photos")
