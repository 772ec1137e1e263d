"""The audit log page and its CSV export (owners only), filtered by user, client, action and date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.responses import Response

from myomap.records.audit.export import csv_chunks, start_export
from myomap.records.audit.service import AuditFilter, audit_log
from myomap.records.validation import parse
from myomap.web.deps import DbSession, WebActor, get_database
from myomap.web.templating import render

router = APIRouter()


def _criteria(request: Request) -> AuditFilter:
    return parse(AuditFilter, request.query_params)


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request, db: DbSession, actor: WebActor, after: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    page = audit_log(db=db, actor=actor, criteria=_criteria(request), after=after or None)
    return render(request, "audit.html", {"page": page})


@router.get("/audit.csv", include_in_schema=False)
def audit_csv(request: Request, db: DbSession, actor: WebActor) -> Response:
    export = start_export(db=db, actor=actor, criteria=_criteria(request))
    return StreamingResponse(
        csv_chunks(get_database(request), export),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
