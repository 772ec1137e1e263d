"""``/api/docs``: the API reference, rendered from the OpenAPI document on the server.

Swagger UI needs inline scripts and a CDN, which the Content-Security-Policy (rightly) forbids,
so this is a plain page instead; the machine-readable document is ``/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from myomap.web.templating import render

router = APIRouter()


def _ref_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_ref_name(schema.get('items'))}"
    if "anyOf" in schema:
        return " or ".join(_ref_name(s) or s.get("type", "") for s in schema["anyOf"])
    return str(schema.get("type", ""))


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for code, resp in op.get("responses", {}).items():
                schema = resp.get("content", {}).get("application/json", {}).get("schema")
                responses.append({"code": code, "description": resp.get("description", ""), "schema": _ref_name(schema)})
            ops.append(
                {
                    "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                    "description": op.get("description", ""), "tag": (op.get("tags") or ["other"])[0],
                    "parameters": [
                        {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                         "description": p.get("description", ""), "type": _ref_name(p.get("schema"))}
                        for p in op.get("parameters", [])
                    ],
                    "body": _ref_name(body), "responses": responses,
                }
            )
    return ops


def _schemas(spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        if name in ("HTTPValidationError", "ValidationError"):
            continue
        required = set(schema.get("required", []))
        fields = [
            {"name": f, "type": _ref_name(s) or ("enum: " + ", ".join(map(str, s["enum"])) if "enum" in s else ""),
             "required": f in required, "description": s.get("description", "")}
            for f, s in schema.get("properties", {}).items()
        ]
        out.append({"name": name, "description": schema.get("description", ""), "fields": fields})
    return out


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    spec = request.app.openapi()
    return render(
        request, "api_docs.html",
        {"info": spec.get("info", {}), "operations": _operations(spec), "schemas": _schemas(spec)},
    )
