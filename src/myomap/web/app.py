"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from myomap.config import Settings, get_settings
from myomap.posture.analysis import set_concurrent_analyses
from myomap.records.db import Database
from myomap.web import errors
from myomap.web.security import SecurityHeaders

STATIC_DIR = Path(__file__).with_name("static")

API_DESCRIPTION = """\
The JSON API of Myomap: the same services and rules as the web pages.

**Authentication.** Either send `Authorization: Bearer <token>` with a per-user API token
(create one with `myomap user token EMAIL`; only its hash is stored), or use the browser's
session cookie, in which case every POST/PUT/PATCH/DELETE must also carry the session's
CSRF token in the `X-CSRF-Token` header.

**Errors** are JSON objects with a readable `detail` (and `errors`, field by field, for 422).
A body that is not valid JSON, a field out of its stated bounds (every string and list has a
maximum length, record ids are 1 to 2^31-1) or text holding a NUL character gets 422; a body
over the upload limit 413. A client edit based on a stale `version` gets 409 with the current
values. A request still waiting for the database at its server-side deadline, or whose work ran
past it, gets 503 with `Retry-After` (nothing was saved).
"""


class MyomapApp(FastAPI):
    """FastAPI with the security headers outside everything, so that the responses of the
    framework's own outer layers (its 500 page, its 413 for a body sent without a length) carry
    them too."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.database.dispose()  # close pooled connections (SQLite folds its WAL back in)


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the web app (pages and ``/api``) over ``database`` (default: from ``settings``)."""
    from myomap.web.api import router as api_router
    from myomap.web.views import router as pages_router

    settings = settings or get_settings()
    app = MyomapApp(
        title="Myomap",
        version="0.1.0",
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        # Backstop for bodies sent without a length; BodyTooLarge answers declared ones clearly.
        max_body_size=settings.upload_max_bytes * 2 + 1024 * 1024,
        form_limits={"max_fields": settings.form_max_fields},
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.database = database or Database.from_settings(settings)
    app.state.secret_key = settings.resolved_secret_key()
    set_concurrent_analyses(settings.posture_concurrent_analyses)

    errors.install(app)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(errors.BodyTooLarge, max_body_size=settings.upload_max_bytes)
    app.add_middleware(errors.RequestGuard, deadline_s=settings.request_deadline_s)
    return app
