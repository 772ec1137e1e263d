"""Sign in, sign out, and the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from myomap.records.accounts.service import (
    LockoutPolicy,
    authenticate,
    end_session,
    session_for_token,
    start_session,
)
from myomap.records.clients.service import count_clients, recent_clients
from myomap.records.errors import SignInError
from myomap.web.deps import DbSession, SettingsDep, WebActor, WebForm, client_ip
from myomap.web.errors import CSRF_MESSAGE
from myomap.web.security import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    login_csrf_ok,
    login_token_from_cookie,
    new_login_csrf,
)
from myomap.web.templating import render

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
    signed_out: Annotated[bool, Query()] = False,
) -> Response:
    if session_for_token(db=db, token=request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    notice = "You have signed out." if signed_out else None
    return _sign_in_page(request, next_url=safe_next(next), notice=notice)


@router.post("/sign-in", include_in_schema=False)
def sign_in(request: Request, db: DbSession, settings: SettingsDep, form: WebForm) -> Response:
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or "/"))
    secret: str = request.app.state.secret_key
    if not login_csrf_ok(secret, request.cookies.get(LOGIN_CSRF_COOKIE), str(form.get(CSRF_FIELD) or "")):
        return _sign_in_page(request, next_url=next_url, email=email, error=CSRF_MESSAGE, status=403)
    try:
        user = authenticate(
            db=db, email=email, password=password, ip=client_ip(request),
            policy=LockoutPolicy.from_settings(settings), password_profile=settings.password_hash_profile,
        )
    except SignInError as exc:
        # The failure row is committed by the request session (no exception escapes).
        return _sign_in_page(request, next_url=next_url, email=email, error=str(exc), status=400)
    end_session(db=db, token=request.cookies.get(SESSION_COOKIE))
    lifetime = timedelta(minutes=settings.session_lifetime_minutes)
    token, _session = start_session(
        db=db, user=user, lifetime=lifetime, ip=client_ip(request), user_agent=request.headers.get("user-agent"),
    )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.effective_cookie_secure,
        max_age=int(lifetime.total_seconds()), path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/sign-in")
    return response


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
