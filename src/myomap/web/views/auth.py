"""Sign in (password, then a two-factor code or enrolment when due), sign out, and the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from myomap.config import Settings
from myomap.records.accounts.schemas import normalise_email
from myomap.records.accounts.sealing import SecretSealer, sealer_for
from myomap.records.accounts.service import (
    PENDING_ENROLMENT,
    PENDING_TWO_FACTOR,
    csrf_matches,
    end_session,
    session_for_token,
)
from myomap.records.accounts.signin import (
    SECOND_STEP_EXPIRED,
    LockoutPolicy,
    SessionTimes,
    SignInStep,
    complete_enrolment,
    complete_sign_in,
    enrolment_for_sign_in,
    pending_sign_in,
    sign_in,
)
from myomap.records.clients.service import count_clients, recent_clients
from myomap.records.errors import SignInError, ValidationFailed
from myomap.web.deps import DbSession, SettingsDep, WebActor, WebForm, client_ip
from myomap.web.errors import CSRF_MESSAGE
from myomap.web.security import (
    CSRF_FIELD,
    DEVICE_COOKIE,
    DEVICE_COOKIE_DAYS,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    login_csrf_ok,
    login_token_from_cookie,
    new_login_csrf,
    remember_device,
    trusted_device,
)
from myomap.web.templating import FORM_ERRORS_STATUS, render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only same-site paths (no ``//host`` or ``scheme:``) are followed after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _sign_in_page(
    request: Request, *, next_url: str, email: str = "", error: str | None = None, status: int = 200,
    notice: str | None = None,
) -> Response:
    secret: str = request.app.state.secret_key
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    token = login_token_from_cookie(secret, cookie)
    if token is None:
        token, cookie = new_login_csrf(secret)
    response = render(
        request, "sign_in.html",
        {"login_csrf": token, "next_url": next_url, "email": email, "error": error, "notice": notice},
        status_code=status,
    )
    settings = request.app.state.settings
    response.set_cookie(
        LOGIN_CSRF_COOKIE, cookie or "", httponly=True, samesite="lax", secure=settings.effective_cookie_secure,
        path="/sign-in", max_age=3600 * 12,
    )
    return response


@router.get("/sign-in", include_in_schema=False)
def sign_in_form(
    request: Request, db: DbSession, next: Annotated[str | None, Query()] = None,
    signed_out: Annotated[bool, Query()] = False, expired: Annotated[bool, Query()] = False,
) -> Response:
    if session_for_token(db=db, token=request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    notice = "You have signed out." if signed_out else SECOND_STEP_EXPIRED if expired else None
    return _sign_in_page(request, next_url=safe_next(next), notice=notice)


def session_times(settings: Settings) -> SessionTimes:
    return SessionTimes(timedelta(minutes=settings.session_lifetime_minutes),
                        timedelta(minutes=settings.session_idle_minutes))


def _device(request: Request, email: str) -> str | None:
    return trusted_device(request.app.state.secret_key, request.cookies.get(DEVICE_COOKIE), normalise_email(email))


def _after_step(request: Request, settings: Settings, step: SignInStep, next_url: str) -> Response:
    """Where a sign-in step leads: the code or enrolment page while one is due, else ``next_url``
    (and the browser is remembered as trusted for this account)."""
    quoted = quote(next_url, safe="")
    target = {PENDING_TWO_FACTOR: f"/sign-in/code?next={quoted}", PENDING_ENROLMENT: f"/sign-in/enrol?next={quoted}"}
    response = RedirectResponse(target.get(step.pending or "", next_url), status_code=303)
    return _with_session(request, settings, response, step)


def _sealer(request: Request) -> SecretSealer:
    return sealer_for(request.app.state.secret_key)


def _with_session(request: Request, settings: Settings, response: Response, step: SignInStep) -> Response:
    lifetime = int((step.session.expires_at - step.session.created_at).total_seconds())
    response.set_cookie(
        SESSION_COOKIE, step.token, httponly=True, samesite="lax", secure=settings.effective_cookie_secure,
        max_age=lifetime, path="/",
    )
    if step.pending is None:
        secret: str = request.app.state.secret_key
        response.set_cookie(
            DEVICE_COOKIE, remember_device(secret, request.cookies.get(DEVICE_COOKIE), step.session.user.email),
            httponly=True, samesite="lax", secure=settings.effective_cookie_secure, path="/sign-in",
            max_age=DEVICE_COOKIE_DAYS * 86400,
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/sign-in")
    return response


@router.post("/sign-in", include_in_schema=False)
def sign_in_submit(request: Request, db: DbSession, settings: SettingsDep, form: WebForm) -> Response:
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or "/"))
    secret: str = request.app.state.secret_key
    if not login_csrf_ok(secret, request.cookies.get(LOGIN_CSRF_COOKIE), str(form.get(CSRF_FIELD) or "")):
        return _sign_in_page(request, next_url=next_url, email=email, error=CSRF_MESSAGE, status=403)
    try:
        step = sign_in(
            db=db, email=email, password=password, times=session_times(settings), ip=client_ip(request),
            device=_device(request, email), user_agent=request.headers.get("user-agent"),
            policy=LockoutPolicy.from_settings(settings), password_profile=settings.password_hash_profile,
            replacing=request.cookies.get(SESSION_COOKIE),
        )
    except SignInError as exc:
        # The failure row is committed by the request session (no exception escapes).
        return _sign_in_page(request, next_url=next_url, email=email, error=str(exc), status=FORM_ERRORS_STATUS)
    return _after_step(request, settings, step, next_url)


def _second_step_page(
    request: Request, name: str, context: dict[str, object], *, csrf: str, status: int = 200
) -> Response:
    request.state.csrf_token = csrf  # the pending session's token, for the form
    return render(request, name, context, status_code=status)


def _expired(next_url: str) -> Response:
    return RedirectResponse(f"/sign-in?expired=1&next={quote(next_url, safe='')}", status_code=303)


@router.get("/sign-in/code", include_in_schema=False)
def code_form(request: Request, db: DbSession, next: Annotated[str | None, Query()] = None) -> Response:
    pending = pending_sign_in(db=db, token=request.cookies.get(SESSION_COOKIE), step=PENDING_TWO_FACTOR)
    if pending is None:
        return _expired(safe_next(next))
    return _second_step_page(request, "two_factor/code.html", {"next_url": safe_next(next)}, csrf=pending.csrf_token)


@router.post("/sign-in/code", include_in_schema=False)
def code_submit(request: Request, db: DbSession, settings: SettingsDep, form: WebForm) -> Response:
    next_url = safe_next(str(form.get("next") or "/"))
    token = request.cookies.get(SESSION_COOKIE)
    pending = pending_sign_in(db=db, token=token, step=PENDING_TWO_FACTOR)
    if pending is None:
        return _expired(next_url)
    if not csrf_matches(pending, str(form.get(CSRF_FIELD) or "")):
        return _second_step_page(request, "two_factor/code.html", {"next_url": next_url, "error": CSRF_MESSAGE},
                                 csrf=pending.csrf_token, status=403)
    email = pending.user.email
    try:
        step = complete_sign_in(
            db=db, token=token, code=str(form.get("code") or ""), times=session_times(settings), ip=client_ip(request),
            device=_device(request, email), user_agent=request.headers.get("user-agent"),
            policy=LockoutPolicy.from_settings(settings), sealer=_sealer(request),
        )
    except SignInError as exc:
        return _second_step_page(request, "two_factor/code.html", {"next_url": next_url, "error": str(exc)},
                                 csrf=pending.csrf_token, status=FORM_ERRORS_STATUS)
    return _after_step(request, settings, step, next_url)


@router.get("/sign-in/enrol", include_in_schema=False)
def enrol_form(request: Request, db: DbSession, next: Annotated[str | None, Query()] = None) -> Response:
    try:
        pending, enrolment = enrolment_for_sign_in(db=db, token=request.cookies.get(SESSION_COOKIE), sealer=_sealer(request))
    except SignInError:
        return _expired(safe_next(next))
    return _second_step_page(
        request, "two_factor/enrol.html",
        {"enrolment": enrolment, "action": "/sign-in/enrol", "next_url": safe_next(next), "required": True, "errors": {}},
        csrf=pending.csrf_token,
    )


@router.post("/sign-in/enrol", include_in_schema=False)
def enrol_submit(request: Request, db: DbSession, settings: SettingsDep, form: WebForm) -> Response:
    next_url = safe_next(str(form.get("next") or "/"))
    token = request.cookies.get(SESSION_COOKIE)
    try:
        pending, enrolment = enrolment_for_sign_in(db=db, token=token, sealer=_sealer(request))
    except SignInError:
        return _expired(next_url)
    context: dict[str, object] = {"enrolment": enrolment, "action": "/sign-in/enrol", "next_url": next_url,
                                  "required": True, "errors": {}}
    if not csrf_matches(pending, str(form.get(CSRF_FIELD) or "")):
        return _second_step_page(request, "two_factor/enrol.html", {**context, "errors": {"code": CSRF_MESSAGE}},
                                 csrf=pending.csrf_token, status=403)
    try:
        step, codes = complete_enrolment(
            db=db, token=token, code=str(form.get("code") or ""), times=session_times(settings), ip=client_ip(request),
            user_agent=request.headers.get("user-agent"), sealer=_sealer(request),
        )
    except ValidationFailed as exc:
        return _second_step_page(request, "two_factor/enrol.html", {**context, "errors": exc.errors},
                                 csrf=pending.csrf_token, status=FORM_ERRORS_STATUS)
    request.state.csrf_token = step.session.csrf_token
    response = render(request, "two_factor/recovery_codes.html", {"codes": codes, "next_url": next_url})
    return _with_session(request, settings, response, step)


@router.get("/sign-out", include_in_schema=False)
def sign_out_page(request: Request, actor: WebActor) -> Response:
    return render(request, "sign_out.html", {})


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request, db: DbSession, actor: WebActor) -> Response:
    end_session(db=db, token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", include_in_schema=False)
def dashboard(request: Request, db: DbSession, actor: WebActor) -> Response:
    recent = recent_clients(db=db, actor=actor, limit=8)
    return render(
        request, "dashboard.html",
        {"recent": recent, "client_count": count_clients(db=db, actor=actor)},
    )
