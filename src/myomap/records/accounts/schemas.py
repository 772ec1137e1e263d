"""Input and output shapes for users."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from myomap.records.accounts.models import Role
from myomap.records.accounts.passwords import MIN_PASSWORD_LENGTH
from myomap.records.validation import RequestModel

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(value: str) -> str:
    return value.strip().lower()


class UserCreate(RequestModel):
    email: str = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(max_length=1024)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = normalise_email(value)
        if not EMAIL_RE.match(value):
            raise ValueError("must be an email address like name@example.com")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("is required")
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        if len(value) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"must be at least {MIN_PASSWORD_LENGTH} characters long")
        return value


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    clinic_id: int
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: datetime
    last_sign_in_at: datetime | None


class ApiTokenCreate(RequestModel):
    """A new API token: a name saying what uses it, and how many days it lasts (null: no expiry)."""

    name: str = Field(min_length=1, max_length=100, description="What uses the token, e.g. 'reports script'.")
    expires_in_days: int | None = Field(
        default=90, ge=1, le=3650, description="Days until the token stops working; null for never."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("is required")
        return value


class ApiTokenRead(BaseModel):
    """A token as listed: never its secret text, only the first characters to recognise it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(description="The token itself, shown this once: only a hash is kept.")
