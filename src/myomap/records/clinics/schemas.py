"""Input and output shapes for clinics."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ClinicCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)

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
    created_at: datetime
