"""Write and read the audit trail. Services call :func:`record` for every read or change of
client data; nothing else writes audit rows. Owners read it through :func:`audit_log`, filtered
by user, client, action and date, newest first, one keyset page at a time."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from myomap.records.accounts.models import User
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.models import AuditEvent
from myomap.records.clients.models import Client
from myomap.records.errors import ValidationFailed
from myomap.records.pain.models import PainDrawing
from myomap.records.posture.models import PostureAssessment
from myomap.records.validation import MAX_RECORD_ID

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

# Records that belong to one client: their audit rows count as that client's.
_CLIENT_RECORDS: dict[str, Any] = {"pain_drawing": PainDrawing, "posture_assessment": PostureAssessment}


def record(
    *,
    db: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row in the caller's transaction (so it is kept exactly when the work is)."""
    event = AuditEvent(
        clinic_id=actor.clinic_id,
        user_id=actor.user.id,
        actor=actor.user.email,
        action=action,
        object_type=object_type,
        object_id=object_id,
        via=actor.via,
        ip=actor.ip,
        detail=detail,
    )
    db.add(event)
    return event


class AuditFilter(BaseModel):
    """What the owner asked to see (blank form fields mean "any"); ``since`` and ``until`` are
    whole days, inclusive, in the server's local time (the times the page shows)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    user_id: int | None = Field(None, ge=1, le=MAX_RECORD_ID, validation_alias="user")
    client_id: int | None = Field(None, ge=1, le=MAX_RECORD_ID, validation_alias="client")
    action: str | None = Field(None, max_length=40, pattern=r"^[a-z_.]+$")
    since: date | None = None
    until: date | None = None

    @field_validator("user_id", "client_id", "action", "since", "until", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _in_order(self) -> AuditFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError("the 'to' date must be on or after the 'from' date")
        return self

    def query(self) -> dict[str, str]:
        """The filter as URL query parameters (for the next-page and CSV links)."""
        values = {"user": self.user_id, "client": self.client_id, "action": self.action,
                  "since": self.since, "until": self.until}
        return {k: str(v) for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class AuditPage:
    """One page of the log, with what the filter form offers."""

    events: list[AuditEvent]
    next_cursor: str | None
    filter: AuditFilter
    users: list[User] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    client: Client | None = None


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


def encode_cursor(event: AuditEvent) -> str:
    raw = json.dumps([event.at.isoformat(), event.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, event_id = json.loads(raw)
        if not isinstance(at, str) or not isinstance(event_id, int):
            raise ValueError
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError
        return moment, event_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationFailed({"after": "is not a valid page cursor; start again from the newest events"}) from None


def _about_client(client_id: int) -> ColumnElement[bool]:
    """Rows about the client or one of the client's records (drawings, assessments)."""
    clauses = [and_(AuditEvent.object_type == "client", AuditEvent.object_id == client_id)]
    for object_type, model in _CLIENT_RECORDS.items():
        owned = select(model.id).where(model.client_id == client_id)
        clauses.append(and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(owned)))
    return or_(*clauses)


def filtered_events(clinic_id: int, criteria: AuditFilter, after: str | None = None) -> Select[AuditEvent]:
    """The clinic's rows matching ``criteria``, newest first, after the ``after`` cursor."""
    stmt = select(AuditEvent).where(AuditEvent.clinic_id == clinic_id)
    if criteria.user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == criteria.user_id)
    if criteria.client_id is not None:
        stmt = stmt.where(_about_client(criteria.client_id))
    if criteria.action:
        stmt = stmt.where(AuditEvent.action == criteria.action)
    if criteria.since is not None:
        stmt = stmt.where(AuditEvent.at >= _local_midnight_utc(criteria.since))
    if criteria.until is not None:
        stmt = stmt.where(AuditEvent.at < _local_midnight_utc(criteria.until + timedelta(days=1)))
    if after:
        at, event_id = decode_cursor(after)
        stmt = stmt.where(or_(AuditEvent.at < at, and_(AuditEvent.at == at, AuditEvent.id < event_id)))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_log(
    *, db: Session, actor: Actor, criteria: AuditFilter | None = None, after: str | None = None, limit: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the clinic's audit log (owners only), with the clinic's users and the actions
    seen so far for the filter form. Reading the log is not itself logged; exporting it is."""
    require(actor, Permission.AUDIT)
    criteria = criteria or AuditFilter()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = list(db.scalars(filtered_events(actor.clinic_id, criteria, after).limit(limit + 1)))
    events = rows[:limit]
    users = list(db.scalars(select(User).where(User.clinic_id == actor.clinic_id).order_by(User.name, User.id)))
    actions = list(db.scalars(
        select(AuditEvent.action).where(AuditEvent.clinic_id == actor.clinic_id).distinct().order_by(AuditEvent.action)
    ))
    client = None
    if criteria.client_id is not None:
        found = db.get(Client, criteria.client_id)
        client = found if found is not None and found.clinic_id == actor.clinic_id else None
    return AuditPage(
        events=events,
        next_cursor=encode_cursor(events[-1]) if len(rows) > limit else None,
        filter=criteria,
        users=users,
        actions=actions,
        client=client,
    )
