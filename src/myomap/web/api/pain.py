"""``/api/.../pain-drawings``: record, list, read and compare pain drawings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from myomap.records.pain.schemas import PainComparison, PainDrawingCreate, PainDrawingRead, PainDrawingSummary
from myomap.records.pain.service import compare_drawings, create_drawing, list_drawings, read_drawing, summary, to_read
from myomap.web.api.common import ERRORS
from myomap.web.deps import ApiActor, DbSession

router = APIRouter(prefix="/api", tags=["pain drawings"], responses=ERRORS)


@router.get("/clients/{client_id}/pain-drawings", response_model=list[PainDrawingSummary], summary="A client's drawings")
def list_for_client(db: DbSession, actor: ApiActor, client_id: int) -> list[PainDrawingSummary]:
    """Newest first."""
    return [summary(d) for d in list_drawings(db=db, actor=actor, client_id=client_id)]


@router.post(
    "/clients/{client_id}/pain-drawings", response_model=PainDrawingRead, status_code=201, summary="Record a drawing"
)
def create(db: DbSession, actor: ApiActor, client_id: int, data: PainDrawingCreate) -> PainDrawingRead:
    """All marks are saved, or none: unknown regions, intensities outside 0-10 and unknown
    qualities are all reported in one 422."""
    drawing = create_drawing(db=db, actor=actor, client_id=client_id, data=data)
    return to_read(db, drawing)


@router.get("/pain-drawings/compare", response_model=PainComparison, summary="Compare two drawings")
def compare(
    db: DbSession,
    actor: ApiActor,
    a: Annotated[int, Query(description="One drawing id.")],
    b: Annotated[int, Query(description="The other drawing id (same client); the earlier becomes 'before'.")],
) -> PainComparison:
    return compare_drawings(db=db, actor=actor, first_id=a, second_id=b)


@router.get("/pain-drawings/{drawing_id}", response_model=PainDrawingRead, summary="Read a drawing")
def read(db: DbSession, actor: ApiActor, drawing_id: int) -> PainDrawingRead:
    return to_read(db, read_drawing(db=db, actor=actor, drawing_id=drawing_id))
