"""Typed dependencies at the web edge: the DB session, settings, and the signed-in actor."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from myomap.config import Settings
from myomap.records.accounts.models import Role, User
from myomap.records.accounts.permissions import ROLE_PERMISSIONS, Actor, Permission
from myomap.records.accounts.service import csrf_matches, session_for_token, user_for_api_token
from myomap.records.db import Database
from myomap.records.validation import NUL_MESSAGE
from myomap.web.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, UNSAFE_METHODS, client_address


@dataclass(frozen=True, slots=True)
class UserView:
    """What pages show about the signed-in user, copied out of the DB session (error pages are
    rendered after the request's transaction has been rolled back)."""

    id: int
    name: str
    email: str
    role: Role
    clinic_id: int
    clinic_name: str
    clinic_locale: str

    @classmethod
    def of(cls, user: User) -> UserView:
        clinic = user.clinic
        return cls(user.id, user.name, user.email, user.role, user.clinic_id, clinic.name, clinic.locale)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


class NotSignedIn(Exception):
    """No valid session (pages redirect to sign-in, the API answers 401)."""


class CsrfFailed(Exception):
    """An unsafe request without the right CSRF token."""


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


@dataclass(frozen=True, slots=True)
class _Gates:
    """Database slots of one app: ``requests`` bounds the requests using the database at once
    (the connection pool), ``writers`` the ones writing (SQLite: one)."""

    requests: anyio.Semaphore
    writers: anyio.Semaphore


def _gates(request: Request) -> _Gates:
    gates: _Gates | None = getattr(request.app.state, "db_gates", None)
    if gates is None:
        database = get_database(request)
        gates = request.app.state.db_gates = _Gates(
            anyio.Semaphore(database.max_concurrent_requests), anyio.Semaphore(database.max_concurrent_writers)
        )
    return gates


class DeadlinePassed(Exception):
    """The request ran past its server-side deadline (``request_deadline_s``); nothing was saved."""

    def __init__(self, waiting: bool) -> None:
        super().__init__("waiting for the database" if waiting else "working")
        self.waiting = waiting


def request_deadline(request: Request) -> float:
    """When this request must be done, on :func:`time.monotonic`'s clock (set as it arrives)."""
    deadline: float | None = request.scope.get("state", {}).get("deadline")
    if deadline is None:  # a request that bypassed the guard middleware (none should)
        deadline = time.monotonic() + get_settings(request).request_deadline_s
    return deadline


async def _acquire(gate: anyio.Semaphore, deadline: float) -> None:
    """Wait for a slot until the request's deadline (then 503: nothing was done)."""
    with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
        await gate.acquire()
        return
    raise DeadlinePassed(waiting=True)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request; committed when the handler returns, rolled back if it raises.

    Requests wait for a database slot *before* taking a worker thread (the pool size), and those
    that write for a writer slot (one for SQLite, whose writers queue anyway). Otherwise every
    worker thread could end up waiting for a lock held by a request that needs a free thread to
    finish. On SQLite a GET (or HEAD) is a reader: it takes no writer slot while it works, and what
    it wrote (its audit row) is applied after the handler in a short write of its own before the
    answer leaves (see :mod:`myomap.records.db` for the trade-off), so one slow page no longer
    holds up everyone else's.
    The wait ends at the request's deadline, and a handler that finishes past it is rolled back
    (its answer is a 503 saying nothing was saved), so one slow request cannot queue everyone
    behind it for long. Expensive pure work (e.g. matching a drawing's regions) belongs before
    this dependency, outside the slot: a thread cannot be stopped halfway.
    """
    database = get_database(request)
    deadline = request_deadline(request)
    gates = _gates(request)
    reading = database.separates_reads and request.method not in UNSAFE_METHODS
    await _acquire(gates.requests, deadline)
    try:
        if not reading:
            await _acquire(gates.writers, deadline)
        try:
            session = database.read_session() if reading else database.sessions()
            session_open = True
            try:
                yield session
                if time.monotonic() > deadline:
                    raise DeadlinePassed(waiting=False)
                if reading:  # nearly every read wrote its audit row: take the writer slot at once
                    await _acquire(gates.writers, deadline)
                    try:
                        await anyio.to_thread.run_sync(database.finish_read, session)
                        session_open = False
                    finally:
                        gates.writers.release()
                else:
                    await anyio.to_thread.run_sync(_commit_and_close, session)
                    session_open = False
            except BaseException:
                if session_open:
                    with anyio.CancelScope(shield=True):  # a cancelled request still gives its connection back clean
                        await anyio.to_thread.run_sync(_rollback_and_close, session)
                raise
        finally:
            if not reading:
                gates.writers.release()
    finally:
        gates.requests.release()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def _settings_dependency(request: Request) -> Settings:
    """:func:`get_settings` as a dependency: ``async`` because FastAPI runs every plain ``def``
    dependency in a worker thread, and a thread hop costs more than reading an attribute."""
    return get_settings(request)


SettingsDep = Annotated[Settings, Depends(_settings_dependency)]
DbSession = Annotated[Session, Depends(get_db, scope="function")]


async def read_form(request: Request) -> FormData:
    """The submitted form (parsed once per request, with the configured limits)."""
    if request.method not in UNSAFE_METHODS:
        return FormData()
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return FormData()
    settings = get_settings(request)
    form = await request.form(max_fields=settings.form_max_fields, max_part_size=1024 * 1024)
    refused = [key for key, value in form.multi_items() if "\x00" in key or (isinstance(value, str) and "\x00" in value)]
    if refused:  # PostgreSQL stores no NUL, and no form field needs one: say so before any work
        raise RequestValidationError(
            [{"loc": ("body", key.replace("\x00", "\\x00")), "msg": NUL_MESSAGE, "type": "value_error"} for key in refused]
        )
    return form


WebForm = Annotated[FormData, Depends(read_form)]


async def submitted_csrf(request: Request, form: WebForm) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def client_ip(request: Request) -> str | None:
    """The caller's address: ``X-Forwarded-For`` counts only from a configured trusted proxy."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), get_settings(request).trusted_proxy_networks)


def web_actor(request: Request, db: DbSession, csrf: Annotated[str | None, Depends(submitted_csrf)]) -> Actor:
    """The signed-in user of a page request; unsafe methods must carry the session's CSRF token."""
    session = session_for_token(db=db, token=request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotSignedIn()
    if request.method in UNSAFE_METHODS and not csrf_matches(session, csrf):
        raise CsrfFailed()
    request.state.csrf_token = session.csrf_token
    request.state.user = UserView.of(session.user)
    return Actor(session.user, ip=client_ip(request), via="web")


WebActor = Annotated[Actor, Depends(web_actor)]


bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="APIToken",
    description="A per-user API token from `myomap user token EMAIL`. No CSRF token needed.",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, scheme_name="SessionCookie",
    description="The browser session; POST/PUT/PATCH/DELETE also need the `X-CSRF-Token` header.",
)


def api_actor(
    request: Request,
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Actor:
    """The API caller: a bearer API token, or the session cookie plus ``X-CSRF-Token`` on writes."""
    token = credentials.credentials if credentials else None
    user: User | None
    if token is not None:
        user = user_for_api_token(db=db, token=token)
        if user is None:
            raise NotSignedIn()
    else:
        session = session_for_token(db=db, token=request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise NotSignedIn()
        if request.method in UNSAFE_METHODS and not csrf_matches(session, request.headers.get(CSRF_HEADER)):
            raise CsrfFailed()
        user = session.user
    request.state.user = UserView.of(user)
    return Actor(user, ip=client_ip(request), via="api")


ApiActor = Annotated[Actor, Depends(api_actor)]
