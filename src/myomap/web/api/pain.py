"""``/api/.../pain-drawings``: record, list, read, compare, correct, sign, delete and restore pain drawings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from myomap.records.pain.schemas import (
    DeletedPainDrawing,
    PainComparison,
    PainDrawingCreate,
    PainDrawingDelete,
    PainDrawingRead,
    PainDrawingSign,
    PainDrawingSummary,
    PainDrawingUpdate,
)
from myomap.records.pain.service import (
    compare_drawings,
    create_drawing,
    delete_drawing,
    deleted_summary,
    list_deleted_drawings,
    list_drawings,
    read_drawing,
    restore_drawing,
    sign_drawing,
    summary,
    to_read,
    update_drawing,
)
from myomap.records.pain.validation import CheckedDrawing, check_drawing
from myomap.web.api.common import ERRORS
from myomap.web.deps import ApiActor, DbSession
from myomap.web.params import RecordId, record_id_query

router = APIRouter(prefix="/api", tags=["pain drawings"], responses=ERRORS)


def _checked(data: PainDrawingCreate) -> CheckedDrawing:
    """The body matched against the atlas (CPU work) in a worker thread, before the request
    takes a database slot: a handler's parameters are solved in order, so it comes first."""
    return check_drawing(data)


CheckedBody = Annotated[CheckedDrawing, Depends(_checked)]


def _checked_update(data: PainDrawingUpdate) -> tuple[CheckedDrawing, int]:
    """As :func:`_checked`, for a correction: the checked drawing and the version it starts from."""
    return check_drawing(data), data.version


CheckedUpdate = Annotated[tuple[CheckedDrawing, int], Depends(_checked_update)]


@router.get("/clients/{client_id}/pain-drawings", response_model=list[PainDrawingSummary], summary="A client's drawings")
def list_for_client(db: DbSession, actor: ApiActor, client_id: RecordId) -> list[PainDrawingSummary]:
    """Newest first."""
    return [summary(d) for d in list_drawings(db=db, actor=actor, client_id=client_id)]


@router.post(
    "/clients/{client_id}/pain-drawings", response_model=PainDrawingRead, status_code=201, summary="Record a drawing"
)
def create(drawing: CheckedBody, db: DbSession, actor: ApiActor, client_id: RecordId) -> PainDrawingRead:
    """All marks are saved, or none: unknown regions, intensities outside 0-10 and unknown
    qualities are all reported in one 422."""
    saved = create_drawing(db=db, actor=actor, client_id=client_id, data=drawing)
    return to_read(db, saved)


@router.get("/clients/{client_id}/pain-drawings/deleted", response_model=list[DeletedPainDrawing],
            summary="A client's deleted drawings")
def list_deleted(db: DbSession, actor: ApiActor, client_id: RecordId) -> list[DeletedPainDrawing]:
    """Most recently deleted first, with who deleted each and why (the clinic owner only)."""
    return [deleted_summary(d) for d in list_deleted_drawings(db=db, actor=actor, client_id=client_id)]


@router.get("/pain-drawings/compare", response_model=PainComparison, summary="Compare two drawings")
def compare(
    db: DbSession,
    actor: ApiActor,
    a: Annotated[int, record_id_query("One drawing id.")],
    b: Annotated[int, record_id_query("The other drawing id (same client); the earlier becomes 'before'.")],
) -> PainComparison:
    return compare_drawings(db=db, actor=actor, first_id=a, second_id=b)


@router.get("/pain-drawings/{drawing_id}", response_model=PainDrawingRead, summary="Read a drawing")
def read(db: DbSession, actor: ApiActor, drawing_id: RecordId) -> PainDrawingRead:
    return to_read(db, read_drawing(db=db, actor=actor, drawing_id=drawing_id))


@router.put("/pain-drawings/{drawing_id}", response_model=PainDrawingRead, summary="Correct a drawing")
def update(body: CheckedUpdate, db: DbSession, actor: ApiActor, drawing_id: RecordId) -> PainDrawingRead:
    """Replaces the date, note and marks as a whole, while the drawing is unsigned. Send the
    ``version`` you read: if the drawing changed since, nothing is saved and 409 says what it holds
    now. The previous content is kept in the audit log."""
    checked, version = body
    return to_read(db, update_drawing(db=db, actor=actor, drawing_id=drawing_id, data=checked, version=version))


@router.post("/pain-drawings/{drawing_id}/sign", response_model=PainDrawingRead, summary="Sign a drawing")
def sign(body: PainDrawingSign, db: DbSession, actor: ApiActor, drawing_id: RecordId) -> PainDrawingRead:
    """A signed drawing is final: it can no longer be corrected or deleted."""
    return to_read(db, sign_drawing(db=db, actor=actor, drawing_id=drawing_id, version=body.version))


@router.post("/pain-drawings/{drawing_id}/delete", response_model=DeletedPainDrawing, summary="Delete a drawing")
def delete(body: PainDrawingDelete, db: DbSession, actor: ApiActor, drawing_id: RecordId) -> DeletedPainDrawing:
    """An unsigned drawing only, with the reason. It disappears from lists and reads (404) but is
    kept: the clinic owner sees it among the client's deleted drawings and can restore it."""
    drawing = delete_drawing(db=db, actor=actor, drawing_id=drawing_id, reason=body.reason, version=body.version)
    return deleted_summary(drawing)


@router.post("/pain-drawings/{drawing_id}/restore", response_model=PainDrawingRead, summary="Restore a deleted drawing")
def restore(db: DbSession, actor: ApiActor, drawing_id: RecordId) -> PainDrawingRead:
    """Brings a deleted drawing back as it was (the clinic owner only)."""
    return to_read(db, restore_drawing(db=db, actor=actor, drawing_id=drawing_id))
