"""One mapping from errors to responses: JSON under ``/api``, a clear page everywhere else."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote, unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from myomap.records.errors import Duplicate, Forbidden, NotFound, ValidationFailed, VersionConflict
from myomap.records.validation import NUL_MESSAGE, field_messages
from myomap.web.deps import CsrfFailed, DeadlinePassed, NotSignedIn
from myomap.web.security import UNSAFE_METHODS
from myomap.web.templating import FORM_ERRORS_STATUS, is_htmx, render

log = logging.getLogger("myomap.web")

CSRF_MESSAGE = (
    "This form has expired or did not come from Myomap (missing or wrong security token). "
    "Nothing was saved. Go back, reload the page and try again."
)
DEADLINE_MESSAGES = {
    True: "The server is too busy to answer in time. Nothing was saved: please try again in a moment.",
    False: "This took too long, so it was stopped and nothing was saved. Please try again; if it keeps "
    "happening, try a smaller request.",
}
SERVER_ERROR_MESSAGE = (
    "Something went wrong on the server. What you were saving was not saved. Please try again; if it "
    "keeps happening, tell your clinic's administrator what you were doing."
)
DB_MESSAGE = (
    "The database is busy or unavailable right now. Nothing was lost: what you were saving was not "
    "saved, so please try again in a moment."
)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(
    request: Request, status: int, title: str, message: str, *, errors: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> Response:
    if is_api(request):
        body: dict[str, object] = {"detail": message}
        if errors:
            body["errors"] = errors
        if extra:
            body.update(extra)
        return JSONResponse(body, status_code=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message, "errors": errors or {}},
        status_code=status,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": "Sign in first: send a session cookie, or 'Authorization: Bearer <API token>'."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.method in UNSAFE_METHODS and not is_htmx(request):
            # A form sent after the sign-in expired: say so instead of redirecting, so the
            # browser's Back button still has what was typed.
            return error_response(
                request, 401, "Please sign in again",
                "Your sign-in has expired, so nothing was saved. Sign in again in a new tab, then come "
                "back here, go Back and submit the form again.",
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = "/sign-in" + (f"?next={quote(target, safe='')}" if request.method == "GET" and target != "/" else "")
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return error_response(request, 403, "Security check failed", CSRF_MESSAGE)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, "Not found", f"{exc.what.capitalize()} not found. It may never have "
                              "existed, or it belongs to another clinic.")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403, "Not allowed", str(exc))

    @app.exception_handler(ValidationFailed)
    async def _invalid(request: Request, exc: ValidationFailed) -> Response:
        status = 422 if is_api(request) else _page_status(request, in_address=False)
        return error_response(request, status, "Please check what was entered", "Nothing was saved: " + str(exc),
                              errors=exc.errors)

    @app.exception_handler(VersionConflict)
    async def _conflict(request: Request, exc: VersionConflict) -> Response:
        return error_response(
            request, 409, "Changed by someone else", str(exc)[0].upper() + str(exc)[1:] + ".",
            extra={"current_version": exc.current, "current": {k: _json(v) for k, v in exc.current_values.items()}},
        )

    @app.exception_handler(Duplicate)
    async def _duplicate(request: Request, exc: Duplicate) -> Response:
        return error_response(request, 409, "Already exists", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> Response:
        errors: dict[str, str] = {}
        for item in exc.errors():
            loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path")]
            errors.setdefault(".".join(loc) or "request", str(item.get("msg", "invalid")))
        message = "; ".join(f"{k}: {v}" for k, v in errors.items())
        in_address = any(item.get("loc", ("",))[0] == "path" for item in exc.errors())
        status = 422 if is_api(request) else _page_status(request, in_address=in_address)
        return error_response(request, status, "Please check what was entered", "Invalid request: " + message, errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        titles = {404: "Not found", 405: "Not allowed here", 413: "Too large", 400: "Bad request"}
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is no page at this address."
        response = error_response(request, exc.status_code, titles.get(exc.status_code, "Error"), message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(DeadlinePassed)
    async def _deadline(request: Request, exc: DeadlinePassed) -> Response:
        log.warning("request past its deadline (%s): %s %s", exc, request.method, request.url.path)
        response = error_response(request, 503, "Try again in a moment", DEADLINE_MESSAGES[exc.waiting])
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        # Called by Starlette's outermost error middleware, which logs the exception and re-raises it.
        return error_response(request, 500, "Server error", SERVER_ERROR_MESSAGE)

    @app.exception_handler(OperationalError)
    async def _db_unavailable(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable: %s", exc.orig or exc)
        return error_response(request, 503, "Database unavailable", DB_MESSAGE)


class BodyTooLarge:
    """Answer an upload whose declared size is over the limit with the app's own clear 413 page or
    JSON, before any of it is read (the framework's own limit, which still guards bodies sent
    without a length, answers with bare text)."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.max_body_size:
                request = Request(scope, receive)
                mb = self.max_body_size / 1_000_000
                response = error_response(
                    request, 413, "Too large",
                    f"The upload is {int(length) / 1_000_000:.1f} MB; the largest accepted is {mb:.0f} MB. "
                    "Nothing was saved: choose a smaller file (for a photo, a lower resolution) and try again.",
                )
                response.headers["Connection"] = "close"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RequestGuard:
    """Set the request's deadline, and refuse a NUL character in its path or query string at once.

    Record ids and text come back from the query string into database queries, and PostgreSQL
    cannot hold a NUL character, so it is refused for every route here (request bodies: see
    :class:`myomap.records.validation.RequestModel` and the form reader).
    """

    def __init__(self, app: ASGIApp, deadline_s: float) -> None:
        self.app = app
        self.deadline_s = deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["deadline"] = time.monotonic() + self.deadline_s
            where = _nul_in(scope)
            if where is not None:
                request = Request(scope, receive)
                status = 422 if is_api(request) else _page_status(request, in_address=where == "path")
                response = error_response(request, status, "Please check what was entered",
                                          f"Invalid request: {where} {NUL_MESSAGE}.", errors={where: NUL_MESSAGE})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _page_status(request: Request, *, in_address: bool) -> int:
    """What a person entered in a form or filter is answered like a form shown again with its errors.

    400 for an address no link makes (a record id out of range), and for an htmx request: htmx
    swaps only a 2xx answer, so the fragment it would replace stays and the page says it failed."""
    return 400 if in_address or is_htmx(request) else FORM_ERRORS_STATUS


def _nul_in(scope: Scope) -> str | None:
    """"path" or "query" when that part of the request holds a NUL character, else None."""
    if "\x00" in scope.get("path", "") or b"\x00" in unquote_to_bytes(scope.get("raw_path") or b""):
        return "path"
    if b"\x00" in unquote_to_bytes(scope.get("query_string") or b""):
        return "query"
    return None


def _json(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


__all__ = ["BodyTooLarge", "RequestGuard", "error_response", "field_messages", "install", "is_api"]
