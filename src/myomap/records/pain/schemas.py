"""Input and output shapes for pain drawings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

QUALITIES: tuple[str, ...] = ("aching", "burning", "sharp", "stabbing", "throbbing", "tingling", "numbness")
MAX_INTENSITY = 10


class PainMarkIn(BaseModel):
    """Pain in one chart region."""

    region_id: str = Field(description="Chart region id from the atlas, e.g. `temple.left` or `sacrum`.")
    intensity: int = Field(description="0 (none) to 10 (worst imaginable).")
    qualities: list[str] = Field(default_factory=list, description="Any of: " + ", ".join(QUALITIES) + ".")
    note: str | None = Field(None, max_length=2000)


class PainDrawingCreate(BaseModel):
    """A client's pain on one date: a mark per region, saved all together or not at all."""

    drawn_on: date = Field(description="The date the pain was reported (not in the future).")
    overall_note: str | None = Field(None, max_length=20000)
    marks: list[PainMarkIn] = Field(default_factory=list)


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
    region_count: int
    max_intensity: int | None


class PainDrawingRead(PainDrawingSummary):
    overall_note: str | None
    created_by: str | None = Field(None, description="Name of the user who recorded it.")
    marks: list[PainMarkRead]


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
