"""The client page's one read: the client, and the records this user may see listed beside it
(pain drawings and postural assessments, and for the clinic owner the deleted drawings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from myomap.posture.protocol import VIEW_INSTRUCTIONS
from myomap.records.accounts.models import User
from myomap.records.accounts.permissions import Actor, Permission
from myomap.records.clients.models import Client
from myomap.records.clients.service import read_client
from myomap.records.pain.schemas import DeletedPainDrawing, PainDrawingSummary
from myomap.records.pain.service import (
    RESTORE_PERMISSION,
    deleted_summary,
    list_deleted_drawings,
    list_drawings,
    summary,
)
from myomap.records.posture.presentation import ordered_photos
from myomap.records.posture.service import list_assessments

_VIEW_TITLES = {v.view: v.title for v in VIEW_INSTRUCTIONS}


@dataclass(frozen=True, slots=True)
class AssessmentListed:
    """A postural assessment as the client page lists it: told apart by time and author."""

    id: int
    assessed_on: date
    created_at: datetime
    created_by: str | None
    photos: list[str]
    pattern_count: int


@dataclass(frozen=True, slots=True)
class ClientOverview:
    client: Client
    drawings: list[PainDrawingSummary] = field(default_factory=list)
    assessments: list[AssessmentListed] = field(default_factory=list)
    deleted_drawings: list[DeletedPainDrawing] = field(default_factory=list)


def client_overview(*, db: Session, actor: Actor, client_id: int) -> ClientOverview:
    """Open a client's record with what this user may see listed (audited as ``client.view``;
    listing the deleted drawings is audited on its own)."""
    client = read_client(db=db, actor=actor, client_id=client_id)
    if not actor.can(Permission.CLINICAL):
        return ClientOverview(client)
    drawings = [summary(d) for d in list_drawings(db=db, actor=actor, client_id=client.id, audit=False)]
    found = list_assessments(db=db, actor=actor, client_id=client.id, audit=False)
    author_ids = {a.created_by_id for a in found if a.created_by_id is not None}
    authors = {uid: name for uid, name in db.execute(select(User.id, User.name).where(User.id.in_(author_ids)))}
    assessments = [
        AssessmentListed(
            id=a.id, assessed_on=a.assessed_on, created_at=a.created_at,
            created_by=authors.get(a.created_by_id) if a.created_by_id is not None else None,
            photos=[_VIEW_TITLES[p.view] for p in ordered_photos(a)],
            pattern_count=len(a.patterns or []),
        )
        for a in found
    ]
    deleted: list[DeletedPainDrawing] = []
    if actor.can(RESTORE_PERMISSION):
        deleted = [deleted_summary(d) for d in list_deleted_drawings(db=db, actor=actor, client_id=client.id)]
    return ClientOverview(client, drawings, assessments, deleted)
