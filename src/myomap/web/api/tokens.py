"""``/api/tokens``: the caller's own API tokens: list, create (named, with an expiry), revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from myomap.records.accounts.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenRead
from myomap.records.accounts.service import issue_api_token_as, list_api_tokens, revoke_api_token_as
from myomap.web.api.common import ERRORS
from myomap.web.deps import ApiActor, DbSession
from myomap.web.params import RecordId

router = APIRouter(prefix="/api/tokens", tags=["account"], responses=ERRORS)


@router.get("", response_model=list[ApiTokenRead], summary="Your API tokens (revoked and expired ones too)")
def list_tokens(db: DbSession, actor: ApiActor) -> list[ApiTokenRead]:
    return [ApiTokenRead.model_validate(row) for row in list_api_tokens(db=db, user=actor.user)]


@router.post("", response_model=ApiTokenCreated, status_code=201, summary="Create an API token (its text is shown once)")
def create_token(db: DbSession, actor: ApiActor, data: Annotated[ApiTokenCreate, Body()]) -> ApiTokenCreated:
    token, row = issue_api_token_as(db=db, actor=actor, name=data.name, expires_in_days=data.expires_in_days)
    return ApiTokenCreated.model_validate({**ApiTokenRead.model_validate(row).model_dump(), "token": token})


@router.delete("/{token_id}", status_code=204, summary="Revoke one of your API tokens")
def revoke_token(db: DbSession, actor: ApiActor, token_id: RecordId) -> Response:
    revoke_api_token_as(db=db, actor=actor, token_id=token_id)
    return Response(status_code=204)
