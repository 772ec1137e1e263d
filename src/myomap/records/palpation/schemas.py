"""Input and output shapes for the to-palpate list and its findings (API and forms share them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, Field, field_validator

from myomap.records.validation import MAX_RECORD_ID, RequestModel

Side = Literal["left", "right", "both", "either"]
SIDES: tuple[str, ...] = get_args(Side)
NOTE_MAX_LENGTH = 2000

# The three findings, in form order, with the question a therapist answers.
FINDINGS: dict[str, str] = {
    "tender": "Tender",
    "taut_band": "Taut band",
    "referral_reproduced": "Referral reproduced",
}


class PalpationFindingUpdate(RequestModel):
    """What palpating one muscle on one side found; it replaces the previous finding. ``null``
    means "not checked". A muscle not yet on the to-palpate list is added to it."""

    side: Side = Field(description="The side as listed: left, right, both or either.")
    version: int | None = Field(
        None, ge=0, le=MAX_RECORD_ID, description="The version of the list entry as read (409 if it changed since); required when the "
        "muscle is already on the list, left out to add it with this finding.")
    tender: bool | None = Field(None, description="Local tenderness on pressure; null = not checked.")
    taut_band: bool | None = Field(None, description="A taut band felt; null = not checked.")
    referral_reproduced: bool | None = Field(
        None, description="Pressure reproduced the client's referred pain, which they recognised; null = not checked.")
    trigger_point: str | None = Field(
        None, max_length=64, description="The trigger point palpated: an id from the muscle's `trigger_points`.")
    note: str | None = Field(None, max_length=NOTE_MAX_LENGTH)

    @field_validator("version", "tender", "taut_band", "referral_reproduced", "trigger_point", "note", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        """A form's empty choice ("not checked") or blank text means null."""
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


class PalpationTargetRead(BaseModel):
    muscle: str
    name: str
    side: Side
    reason: str | None = Field(description="Why it was suggested, as shown when it was listed.")
    tender: bool | None
    taut_band: bool | None
    referral_reproduced: bool | None
    trigger_point: str | None
    note: str | None
    palpated: bool = Field(description="Any finding recorded (tender, taut band or referral).")
    palpated_at: datetime | None
    palpated_by: str | None = Field(description="Name of the user who recorded the finding.")
    version: int
    created_at: datetime
