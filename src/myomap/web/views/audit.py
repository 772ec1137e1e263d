"""The audit log page (owners only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from myomap.records.audit.service import list_events
from myomap.web.deps import DbSession, WebActor
from myomap.web.templating import render

router = APIRouter()


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, db: DbSession, actor: WebActor) -> Response:
    return render(request, "audit.html", {"events": list_events(db=db, actor=actor, limit=300)})
