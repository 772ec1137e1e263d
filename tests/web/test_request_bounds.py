"""Every input the API takes has a bound that the OpenAPI document states (and the server keeps).

Generated from the app's own OpenAPI document, so a new route or field without a bound fails here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from myomap.records.validation import MAX_RECORD_ID, NO_NUL_PATTERN

if TYPE_CHECKING:
    from fastapi import FastAPI


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = doc["components"]["schemas"][name]
    return schema


def _unbounded(doc: dict[str, Any], schema: dict[str, Any], where: str, seen: set[str], *, body: bool = True) -> list[str]:
    """Each place under ``schema`` where a string, list or integer has no upper bound (and, in a
    body, a string does not say it refuses NUL: in the path and query the guard middleware does)."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen = seen | {schema["$ref"]}
        schema = _resolve(doc, schema)
    problems: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            problems += _unbounded(doc, sub, where, seen, body=body)
    kind = schema.get("type")
    # Dates have a format; an upload (contentMediaType) is bounded by the body size limit.
    if kind == "string" and not {"enum", "const", "format", "contentMediaType"} & set(schema):
        if "maxLength" not in schema:
            problems.append(f"{where}: string without maxLength")
        if body and schema.get("pattern") != NO_NUL_PATTERN:
            problems.append(f"{where}: string without the no-NUL pattern")
    if kind == "array":
        if "maxItems" not in schema:
            problems.append(f"{where}: list without maxItems")
        problems += _unbounded(doc, schema.get("items", {}), where + "[]", seen)
    if kind == "integer" and "maximum" not in schema:
        problems.append(f"{where}: integer without maximum")
    if kind == "object":
        for name, sub in (schema.get("properties") or {}).items():
            problems += _unbounded(doc, sub, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                problems.append(f"{where}: mapping without maxProperties")
            problems += _unbounded(doc, extra, where + "{}", seen)
    return problems


def test_every_request_input_states_its_bounds(app: FastAPI) -> None:
    doc = app.openapi()
    problems: list[str] = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            name = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                if param["in"] in ("path", "query"):
                    problems += _unbounded(doc, param["schema"], f"{name} {param['in']} {param['name']}", set(), body=False)
            for content_type, content in (op.get("requestBody") or {}).get("content", {}).items():
                problems += _unbounded(doc, content["schema"], f"{name} body ({content_type})", set())
    assert problems == []


def test_every_record_id_in_a_path_is_a_positive_32_bit_integer(app: FastAPI) -> None:
    doc = app.openapi()
    ids = [
        (path, param["schema"]) for path, ops in doc["paths"].items() for op in ops.values()
        for param in op.get("parameters", []) if param["in"] == "path" and param["name"].endswith("_id")
    ]
    assert len(ids) > 10  # the check below ran over the routes
    assert all(schema == {**schema, "type": "integer", "minimum": 1, "maximum": MAX_RECORD_ID} for _, schema in ids), ids
