"""Shared response descriptions for the API."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    detail: str = Field(description="What went wrong, in words.")
    errors: dict[str, str] | None = Field(None, description="For 422: each invalid field and why.")


class ConflictDetail(ErrorDetail):
    current_version: int = Field(description="The version now stored.")
    current: dict[str, Any] = Field(description="The values now stored, to merge with your change.")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorDetail, "description": "Not signed in / bad API token."},
    403: {"model": ErrorDetail, "description": "Role not allowed, or missing X-CSRF-Token with a session cookie."},
    404: {"model": ErrorDetail, "description": "No such record in your clinic."},
    422: {"model": ErrorDetail, "description": "Invalid input; nothing was saved."},
}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ConflictDetail, "description": "Stale version."}}


def validated_json(model: BaseModel) -> Response:
    """``model`` as the JSON answer, serialised once by pydantic. A handler that built its answer
    from a schema already returns it this way, so FastAPI does not validate it a second time
    against ``response_model`` (which still documents the shape); for a page of 200 records that
    second pass cost more than the query."""
    return Response(model.model_dump_json(), media_type="application/json")
