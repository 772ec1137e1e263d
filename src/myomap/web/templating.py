"""Jinja2 templates (``*.html``, so autoescaped) and the helpers they share."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from myomap.dates import DEFAULT_LOCALE, format_date, format_datetime
from myomap.records.accounts.permissions import Permission
from myomap.web import chart, notices

if TYPE_CHECKING:
    from myomap.web.deps import UserView

TEMPLATES_DIR = Path(__file__).with_name("templates")

FORM_ERRORS_STATUS = 200
"""Status of a page that shows its form again with what to correct (the API answers 422).

Not 400: a browser logs a 4xx page as a failed resource, yet the page is the expected answer."""


def _context(request: Request) -> dict[str, Any]:
    user = getattr(request.state, "user", None)
    locale = _page_locale(request, user)
    _LOCALE.set(locale)
    return {
        "csrf_token": getattr(request.state, "csrf_token", None),
        "current_user": user,
        "can_clinical": user is not None and user.can(Permission.CLINICAL),
        "can_manage_users": user is not None and user.can(Permission.USERS),
        "can_read_audit": user is not None and user.can(Permission.AUDIT),
        "chart_available": chart.available(),
        "locale": locale,
        "done_notice": notices.notice_for(request.query_params.get(notices.PARAM)),
    }


def _page_locale(request: Request, user: UserView | None) -> str:
    """The signed-in user's clinic's locale; before sign-in, the deployment's setting."""
    if user is not None:
        return user.clinic_locale
    settings = getattr(request.app.state, "settings", None)
    return settings.locale if settings is not None else DEFAULT_LOCALE


_LOCALE: ContextVar[str] = ContextVar("myomap_locale", default=DEFAULT_LOCALE)
"""The clinic's locale for the page being rendered: set by ``_context`` (every page, before it is
rendered), read by the date filters, also inside macros imported without the page's context."""


def _fmt_date(value: date | datetime | None) -> str:
    """``{{ x|date }}``: every date on every page, as the clinic writes dates (its locale)."""
    return format_date(value, _LOCALE.get())


def _fmt_datetime(value: datetime | None) -> str:
    """``{{ x|datetime }}``: every time stamp, as the clinic writes them."""
    return format_datetime(value, _LOCALE.get())


def _age(dob: date | None) -> str:
    if dob is None:
        return ""
    today = date.today()
    years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    return str(years)


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_context])
templates.env.filters["date"] = _fmt_date
templates.env.filters["datetime"] = _fmt_datetime
templates.env.filters["age"] = _age
templates.env.filters["signed"] = _signed
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code, headers=headers)


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (history restores get the whole page)."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"
