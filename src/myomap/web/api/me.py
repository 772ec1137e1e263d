"""``/api/me``: who the token or session belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from myomap.records.accounts.schemas import UserRead
from myomap.web.api.common import ERRORS
from myomap.web.deps import ApiActor

router = APIRouter(prefix="/api", tags=["account"], responses=ERRORS)


@router.get("/me", response_model=UserRead, summary="The signed-in user")
def me(actor: ApiActor) -> UserRead:
    return UserRead.model_validate(actor.user)
