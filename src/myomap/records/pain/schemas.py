"""Input and output shapes for pain drawings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from myomap.atlas.regions import load_atlas
from myomap.records.validation import MAX_RECORD_ID, RequestModel

QUALITIES: tuple[str, ...] = ("aching", "burning", "sharp", "stabbing", "throbbing", "tingling", "numbness")
MAX_INTENSITY = 10
MAX_MARKS = len(load_atlas().regions)
"""A drawing has at most one mark per chart region."""
MAX_REGION_TEXT = 80
"""Longest region id or phrase accepted (the longest id is about 40 characters; phrases are short)."""

Quality = Annotated[str, StringConstraints(max_length=max(len(q) for q in QUALITIES))]


class PainMarkIn(RequestModel):
    """Pain in one chart region."""

    region_id: str = Field(
        min_length=1, max_length=MAX_REGION_TEXT,
        description="Chart region id from the atlas, e.g. `temple.left` or `sacrum` (a region's name with a "
        "side, e.g. `left temple`, is read too).",
    )
    # The range and the qualities are checked with the atlas, every problem at once (see
    # validation.check_drawing); the schema states them so that clients know them up front.
    intensity: int = Field(
        description=f"0 (none) to {MAX_INTENSITY} (worst imaginable).",
        json_schema_extra={"minimum": 0, "maximum": MAX_INTENSITY},
    )
    qualities: list[Quality] = Field(
        default_factory=list, max_length=len(QUALITIES), description="Any of: " + ", ".join(QUALITIES) + ".",
        json_schema_extra={"items": {"type": "string", "enum": list(QUALITIES)}},
    )
    note: str | None = Field(None, max_length=2000)


class PainDrawingCreate(RequestModel):
    """A client's pain on one date: a mark per region, saved all together or not at all."""

    drawn_on: date = Field(description="The date the pain was reported (not in the future).")
    overall_note: str | None = Field(None, max_length=20000)
    marks: list[PainMarkIn] = Field(
        default_factory=list, max_length=MAX_MARKS, description=f"At most one mark per chart region ({MAX_MARKS}).",
    )


Version = Annotated[int, Field(ge=0, le=MAX_RECORD_ID, description="The version the change is based on (409 if "
                                                                  "the drawing changed since).")]
MAX_REASON = 500
"""Longest reason for deleting a drawing."""


class PainDrawingUpdate(PainDrawingCreate):
    """A corrected drawing, replacing the date, note and marks as a whole (unsigned drawings only)."""

    version: Version


class PainDrawingSign(RequestModel):
    """Sign a drawing: from then on it is final (it can no longer be edited or deleted)."""

    version: Version


class PainDrawingDelete(RequestModel):
    """Delete an unsigned drawing, saying why; it is kept, hidden, and the clinic owner can restore it."""

    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Why it is deleted (kept in the audit log).")
    version: Version


class PainMarkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    region_id: str
    region_name: str = ""
    intensity: int
    qualities: list[str]
    note: str | None


class PainDrawingSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: int
    drawn_on: date
    created_at: datetime
    created_by: str | None = Field(None, description="Name of the user who recorded it.")
    version: int
    updated_at: datetime | None = Field(None, description="When it was last corrected (None: never).")
    signed_at: datetime | None = Field(None, description="When it was signed (None: not signed, so still editable).")
    signed_by: str | None = Field(None, description="Name of the user who signed it.")
    region_count: int
    max_intensity: int | None


class PainDrawingRead(PainDrawingSummary):
    overall_note: str | None
    marks: list[PainMarkRead]


class DeletedPainDrawing(PainDrawingSummary):
    """A deleted drawing, as the clinic owner sees it before restoring it."""

    deleted_at: datetime
    deleted_by: str | None = Field(None, description="Name of the user who deleted it.")
    deleted_reason: str


class PainChange(BaseModel):
    """One region in a comparison of two drawings."""

    region_id: str
    region_name: str
    before: int | None = Field(description="Intensity in the earlier drawing (None: not marked).")
    after: int | None = Field(description="Intensity in the later drawing (None: not marked).")
    change: int = Field(description="after - before, counting unmarked as 0.")
    qualities_before: list[str]
    qualities_after: list[str]


class PainComparison(BaseModel):
    before: PainDrawingRead
    after: PainDrawingRead
    changes: list[PainChange]
    total_before: int = Field(description="Sum of intensities in the earlier drawing.")
    total_after: int = Field(description="Sum of intensities in the later drawing.")
