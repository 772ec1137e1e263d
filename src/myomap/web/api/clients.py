"""``/api/clients``: list/search, read, create, change, archive and restore clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from myomap.records.clients.schemas import (
    CURSOR_MAX_LENGTH,
    ClientCreate,
    ClientPage,
    ClientRead,
    ClientUpdate,
    ClientVersion,
)
from myomap.records.clients.service import (
    Status,
    archive_client,
    create_client,
    read_client,
    restore_client,
    search_clients,
    update_client,
)
from myomap.web.api.common import CONFLICT, ERRORS, validated_json
from myomap.web.deps import ApiActor, DbSession, SettingsDep
from myomap.web.params import RecordId

router = APIRouter(prefix="/api/clients", tags=["clients"], responses=ERRORS)


@router.get("", response_model=ClientPage, summary="List or search clients")
def list_clients(
    db: DbSession,
    actor: ApiActor,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200, description="Name words, phone, email or date of birth.")] = "",
    status: Annotated[Status, Query(description="active, archived or all.")] = "active",
    after: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH, description="`next_cursor` of the previous page.")] = None,
    before: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH, description="`prev_cursor` of the next page.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=200, description="Page size.")] = None,
) -> Response:
    results = search_clients(
        db=db, actor=actor, text=q, status=status, after=after, before=before, limit=limit or settings.page_size
    )
    page = ClientPage(
        items=[ClientRead.of(c, actor) for c in results.items],
        total=results.total,
        next_cursor=results.next_cursor,
        prev_cursor=results.prev_cursor,
        query=results.query.text,
        status=results.status,
    )
    return validated_json(page)


@router.post("", response_model=ClientRead, status_code=201, summary="Create a client")
def create(db: DbSession, actor: ApiActor, data: ClientCreate) -> ClientRead:
    return ClientRead.of(create_client(db=db, actor=actor, data=data), actor)


@router.get("/{client_id}", response_model=ClientRead, summary="Read a client")
def read(db: DbSession, actor: ApiActor, client_id: RecordId) -> ClientRead:
    return ClientRead.of(read_client(db=db, actor=actor, client_id=client_id), actor)


@router.patch("/{client_id}", response_model=ClientRead, responses=CONFLICT, summary="Change a client")
def patch(db: DbSession, actor: ApiActor, client_id: RecordId, data: ClientUpdate) -> ClientRead:
    """Change the fields given. `version` must be the version you read, or you get 409."""
    return ClientRead.of(update_client(db=db, actor=actor, client_id=client_id, data=data), actor)


@router.post("/{client_id}/archive", response_model=ClientRead, responses=CONFLICT, summary="Archive a client")
def archive(
    db: DbSession, actor: ApiActor, client_id: RecordId, data: Annotated[ClientVersion | None, Body()] = None
) -> ClientRead:
    version = data.version if data else None
    return ClientRead.of(archive_client(db=db, actor=actor, client_id=client_id, version=version), actor)


@router.post("/{client_id}/restore", response_model=ClientRead, responses=CONFLICT, summary="Restore an archived client")
def restore(
    db: DbSession, actor: ApiActor, client_id: RecordId, data: Annotated[ClientVersion | None, Body()] = None
) -> ClientRead:
    version = data.version if data else None
    return ClientRead.of(restore_client(db=db, actor=actor, client_id=client_id, version=version), actor)
