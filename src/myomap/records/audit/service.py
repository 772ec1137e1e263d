"""Write and read the audit trail. Services call :func:`record` for every read or change of
client data; nothing else writes audit rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.models import AuditEvent


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


def list_events(
    *,
    db: Session,
    actor: Actor,
    object_type: str | None = None,
    object_id: int | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """The clinic's most recent audit rows (owners only), optionally for one object."""
    require(actor, Permission.AUDIT)
    stmt = select(AuditEvent).where(AuditEvent.clinic_id == actor.clinic_id)
    if object_type is not None:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    return list(db.scalars(stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
