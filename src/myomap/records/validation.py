"""Turn pydantic validation errors into :class:`ValidationFailed` with readable messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from myomap.records.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)

_FRIENDLY = {
    "missing": "is required",
    "string_too_short": "is required",
    "date_from_datetime_parsing": "must be a date like 1980-04-03",
    "date_parsing": "must be a date like 1980-04-03",
    "date_type": "must be a date like 1980-04-03",
    "int_parsing": "must be a whole number",
}


def field_messages(error: ValidationError) -> dict[str, str]:
    """``{field: message}`` for each problem (the first one per field)."""
    out: dict[str, str] = {}
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"]) or "input"
        msg = _FRIENDLY.get(item["type"]) or item["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.setdefault(loc, msg)
    return out


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate ``data`` into ``model`` or raise :class:`ValidationFailed` listing every problem."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(field_messages(exc)) from None
