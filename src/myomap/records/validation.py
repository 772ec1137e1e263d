"""Turn pydantic validation errors into :class:`ValidationFailed` with readable messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

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


# ---- bounds every request shares -------------------------------------------------------------

MAX_RECORD_ID = 2**31 - 1
"""The largest record id: ids are 32-bit integer columns on PostgreSQL (SQLite's are wider, but
one bound for both keeps a larger id a plain "not found" instead of an overflow)."""

NUL_MESSAGE = "must not contain a NUL character (\\x00)"
NO_NUL_PATTERN = r"^[^\x00]*$"
"""Stated on every string of a request model in the OpenAPI document (PostgreSQL stores no NUL)."""


def nul_paths(value: object, path: str = "") -> list[str]:
    """Where ``value`` (JSON-like: strings, lists, dicts, keys included) holds a NUL character."""
    if isinstance(value, str):
        return [path or "input"] if "\x00" in value else []
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                found.append(where.replace("\x00", "\\x00"))
            found += nul_paths(item, where)
        return found
    if isinstance(value, (list, tuple)):
        return [p for i, item in enumerate(value) for p in nul_paths(item, f"{path}.{i}" if path else str(i))]
    return []


def _state_no_nul(schema: dict[str, Any]) -> None:
    """Add :data:`NO_NUL_PATTERN` to every plain string in a JSON schema (nested ones too)."""
    if schema.get("type") == "string" and "format" not in schema and "enum" not in schema and "const" not in schema:
        schema.setdefault("pattern", NO_NUL_PATTERN)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for sub in schema.get(key, []):
            if isinstance(sub, dict):
                _state_no_nul(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _state_no_nul(schema[key])
    for sub in (schema.get("properties") or {}).values():
        if isinstance(sub, dict):
            _state_no_nul(sub)


class RequestModel(BaseModel):
    """Base of every request body: no text anywhere in it may hold a NUL character.

    PostgreSQL cannot store one (the write would fail with a server error), and no clinical text
    needs one, so it is refused up front, for both engines alike, and the OpenAPI schema says so.
    """

    model_config = ConfigDict(json_schema_extra=lambda schema, _cls: _state_no_nul(schema))

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: object) -> object:
        found = nul_paths(data)
        if found:
            raise ValueError(f"{', '.join(found[:5])}: {NUL_MESSAGE}")
        return data
