"""Input and output shapes for clients (API and forms share them)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from myomap.records.accounts.permissions import Actor, Permission
from myomap.records.clients.models import Client
from myomap.records.validation import MAX_RECORD_ID, RequestModel

if TYPE_CHECKING:
    from myomap.records.clients.service import ClientListing

CURSOR_MAX_LENGTH = 2000
"""Longest page cursor accepted (one encodes a sort name of up to 200 characters and an id)."""
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The fields a user edits, in form order, with their labels.
CLIENT_FIELDS: dict[str, str] = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "gender": "Sex / gender",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "occupation": "Occupation",
    "referring_provider": "Referring provider",
    "admin_notes": "Administrative notes",
    "notes": "Clinical notes",
}

# Fields only roles with clinical access may see or change (front desk sees the others).
CLINICAL_FIELDS: frozenset[str] = frozenset({"notes"})


def fields_for(actor: Actor) -> dict[str, str]:
    """The client fields (and labels) ``actor`` may see and edit, in form order."""
    clinical = actor.can(Permission.CLINICAL)
    return {name: label for name, label in CLIENT_FIELDS.items() if clinical or name not in CLINICAL_FIELDS}


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class _ClientFields(RequestModel):
    @field_validator("given_name", "family_name", mode="before", check_fields=False)
    @classmethod
    def _strip_name(cls, value: object) -> object:
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator(
        "date_of_birth", "gender", "phone", "email", "address", "occupation", "referring_provider", "notes",
        "admin_notes",
        mode="before",
        check_fields=False,
    )
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_RE.match(value):
            raise ValueError("must be an email address like name@example.com")
        return value

    @field_validator("phone", check_fields=False)
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not any(ch.isdigit() for ch in value):
            raise ValueError("must contain digits")
        return value

    @field_validator("date_of_birth", check_fields=False)
    @classmethod
    def _dob(cls, value: date | None) -> date | None:
        if value is not None:
            if value > date.today():
                raise ValueError("cannot be in the future")
            if value.year < 1900:
                raise ValueError("must be after 1900")
        return value


class ClientCreate(_ClientFields):
    """A new client. Only the two names are required."""

    given_name: str = Field(min_length=1, max_length=100, description="Given (first) name.")
    family_name: str = Field(min_length=1, max_length=100, description="Family (last) name.")
    date_of_birth: date | None = Field(None, description="ISO date, e.g. 1980-04-03.")
    gender: str | None = Field(None, max_length=60, description="Sex/gender as the client states it (optional).")
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=320)
    address: str | None = Field(None, max_length=2000)
    occupation: str | None = Field(None, max_length=200)
    referring_provider: str | None = Field(None, max_length=200)
    admin_notes: str | None = Field(
        None, max_length=20000, description="Administrative notes (bookings, billing); every role sees them."
    )
    notes: str | None = Field(
        None, max_length=20000,
        description="Clinical notes. Only therapists and owners may send them (front desk gets 403).",
    )


class ClientUpdate(_ClientFields):
    """A change to a client: send ``version`` as read; only the fields given are changed."""

    version: int = Field(
        ge=0, le=MAX_RECORD_ID, description="The version the change is based on; a stale version gets 409."
    )
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: date | None = None
    gender: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=320)
    address: str | None = Field(None, max_length=2000)
    occupation: str | None = Field(None, max_length=200)
    referring_provider: str | None = Field(None, max_length=200)
    admin_notes: str | None = Field(None, max_length=20000, description="Administrative notes.")
    notes: str | None = Field(None, max_length=20000, description="Clinical notes (therapists and owners only).")

    @field_validator("given_name", "family_name")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if not value:  # runs only when the field is given, so an explicit null is refused
            raise ValueError("is required")
        return value

    def changes(self) -> dict[str, object]:
        """The client fields this update sets (``version`` excluded)."""
        return {k: getattr(self, k) for k in self.model_fields_set if k in CLIENT_FIELDS}


class ClientVersion(RequestModel):
    """The version an archive/restore is based on (optional)."""

    version: int | None = Field(None, ge=0, le=MAX_RECORD_ID)


class ClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    gender: str | None
    phone: str | None
    email: str | None
    address: str | None
    occupation: str | None
    referring_provider: str | None
    admin_notes: str | None = Field(description="Administrative notes (bookings, billing).")
    notes: str | None = Field(description="Clinical notes; always null for front desk, who may not see them.")
    is_archived: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, client: Client | ClientListing, actor: Actor) -> ClientRead:
        """``client`` as ``actor`` may see it: clinical fields are blanked for front desk."""
        read = cls.model_validate(client)
        if actor.can(Permission.CLINICAL):
            return read
        return read.model_copy(update=dict.fromkeys(CLINICAL_FIELDS))


class ClientPage(BaseModel):
    """One page of a client list, in name order. Pass ``next_cursor`` as ``after`` for the next page."""

    items: list[ClientRead]
    total: int = Field(description="Clients matching the query (all pages).")
    next_cursor: str | None = None
    prev_cursor: str | None = None
    query: str = ""
    status: str = "active"
