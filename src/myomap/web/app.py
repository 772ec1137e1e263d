"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from myomap.config import Settings, get_settings
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
A client edit based on a stale `version` gets 409 with the current values.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.database.dispose()  # close pooled connections (SQLite folds its WAL back in)


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the web app (pages and ``/api``) over ``database`` (default: from ``settings``)."""
    from myomap.web.api import router as api_router
    from myomap.web.views import router as pages_router

    settings = settings or get_settings()
    app = FastAPI(
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

    errors.install(app)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(errors.BodyTooLarge, max_body_size=settings.upload_max_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: every response, errors included, gets the headers
    return app
