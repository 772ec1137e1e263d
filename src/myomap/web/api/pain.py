"""``/api/.../pain-drawings``: record, list, read and compare pain drawings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from myomap.records.pain.schemas import PainComparison, PainDrawingCreate, PainDrawingRead, PainDrawingSummary
from myomap.records.pain.service import compare_drawings, create_drawing, list_drawings, read_drawing, summary, to_read
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
