"""Client pages: list and search, create, view, edit (with conflict handling), archive, restore."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from myomap.records.accounts.permissions import Actor
from myomap.records.clients.overview import client_overview
from myomap.records.clients.schemas import ClientCreate, ClientUpdate, fields_for
from myomap.records.clients.service import (
    Status,
    archive_client,
    client_values,
    create_client,
    read_client,
    restore_client,
    search_clients,
    update_client,
)
from myomap.records.errors import ValidationFailed, VersionConflict
from myomap.records.validation import parse
from myomap.web.deps import DbSession, SettingsDep, WebActor, WebForm
from myomap.web.notices import see_other
from myomap.web.params import RecordId
from myomap.web.templating import FORM_ERRORS_STATUS, is_htmx, render

router = APIRouter()


def _values(form: FormData, actor: Actor) -> dict[str, str]:
    """The submitted fields the actor may edit (front desk's form has no clinical fields, and a
    missing field must not read as "cleared")."""
    return {name: str(form.get(name) or "").strip() for name in fields_for(actor)}


def _form(request: Request, actor: Actor, context: dict[str, Any], status_code: int = 200) -> Response:
    """The client form, with the fields (and labels) this actor may edit."""
    return render(request, "clients/form.html", {**context, "labels": fields_for(actor)}, status_code=status_code)


def _display(value: Any) -> str:
    return "" if value is None else str(value)


@router.get("/clients", include_in_schema=False)
def client_list(
    request: Request,
    db: DbSession,
    actor: WebActor,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[Status, Query()] = "active",
    after: Annotated[str | None, Query()] = None,
    before: Annotated[str | None, Query()] = None,
) -> Response:
    results = search_clients(
        db=db, actor=actor, text=q, status=status, after=after or None, before=before or None, limit=settings.page_size
    )
    context = {"results": results, "q": q, "status": status}
    if is_htmx(request):
        return render(request, "clients/_results.html", context)
    return render(request, "clients/list.html", context)


@router.get("/clients/new", include_in_schema=False)
def new_client_form(request: Request, actor: WebActor) -> Response:
    return _form(request, actor, {"client": None, "values": {}, "errors": {}})


@router.post("/clients", include_in_schema=False)
def create_client_submit(request: Request, db: DbSession, actor: WebActor, form: WebForm) -> Response:
    values = _values(form, actor)
    try:
        client = create_client(db=db, actor=actor, data=parse(ClientCreate, values))
    except ValidationFailed as exc:
        return _form(request, actor, {"client": None, "values": values, "errors": exc.errors}, status_code=FORM_ERRORS_STATUS)
    return see_other(f"/clients/{client.id}", "client_added")


@router.get("/clients/{client_id}", include_in_schema=False)
def client_detail(request: Request, db: DbSession, actor: WebActor, client_id: RecordId) -> Response:
    overview = client_overview(db=db, actor=actor, client_id=client_id)
    return render(
        request, "clients/detail.html",
        {"client": overview.client, "details": client_values(overview.client, actor), "labels": fields_for(actor),
         "overview": overview},
    )


@router.get("/clients/{client_id}/edit", include_in_schema=False)
def edit_client_form(request: Request, db: DbSession, actor: WebActor, client_id: RecordId) -> Response:
    client = read_client(db=db, actor=actor, client_id=client_id)
    values = {k: _display(v) for k, v in client_values(client, actor).items()}
    return _form(request, actor, {"client": client, "values": values, "errors": {}, "version": client.version})


@router.post("/clients/{client_id}", include_in_schema=False)
def edit_client_submit(request: Request, db: DbSession, actor: WebActor, form: WebForm, client_id: RecordId) -> Response:
    values = _values(form, actor)
    version = str(form.get("version") or "")
    try:
        data = parse(ClientUpdate, {**values, "version": version})
        client = update_client(db=db, actor=actor, client_id=client_id, data=data)
    except ValidationFailed as exc:
        client = read_client(db=db, actor=actor, client_id=client_id)
        return _form(request, actor, {"client": client, "values": values, "errors": exc.errors, "version": version}, FORM_ERRORS_STATUS)
    except VersionConflict as exc:
        client = read_client(db=db, actor=actor, client_id=client_id)
        theirs = {k: _display(v) for k, v in exc.current_values.items()}
        differences = [
            (k, label, values.get(k, ""), theirs.get(k, ""))
            for k, label in fields_for(actor).items() if values.get(k, "") != theirs.get(k, "")
        ]
        return _form(
            request, actor,
            {
                "client": client, "values": values, "errors": {}, "version": exc.current,
                "conflict": exc, "differences": differences,
            },
            409,
        )
    return see_other(f"/clients/{client.id}", "client_saved")


@router.post("/clients/{client_id}/archive", include_in_schema=False)
def archive_submit(db: DbSession, actor: WebActor, client_id: RecordId) -> Response:
    archive_client(db=db, actor=actor, client_id=client_id)
    return see_other(f"/clients/{client_id}", "client_archived")


@router.post("/clients/{client_id}/restore", include_in_schema=False)
def restore_submit(db: DbSession, actor: WebActor, client_id: RecordId) -> Response:
    restore_client(db=db, actor=actor, client_id=client_id)
    return see_other(f"/clients/{client_id}", "client_restored")
