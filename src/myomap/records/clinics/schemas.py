"""Input and output shapes for clinics."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from myomap.dates import DEFAULT_LOCALE, known_locale


class ClinicCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    locale: str = DEFAULT_LOCALE

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        return known_locale(value)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("is required")
        return value


class ClinicRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    is_demo: bool
    locale: str
    created_at: datetime
