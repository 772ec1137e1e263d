"""The clinic's users (owners only): list, add, deactivate and reactivate."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from myomap.records.accounts.models import Role
from myomap.records.accounts.service import create_user_as, list_users, set_user_active
from myomap.records.errors import Duplicate, ValidationFailed
from myomap.web.deps import DbSession, SettingsDep, WebActor, WebForm
from myomap.web.params import RecordId
from myomap.web.templating import render

router = APIRouter()


def _page(request: Request, db: DbSession, actor: WebActor, *, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return render(
        request, "users/list.html",
        {"users": list_users(db=db, actor=actor), "roles": list(Role), "values": values or {}, "errors": errors or {}},
        status_code=status,
    )


@router.get("/users", include_in_schema=False)
def users_page(request: Request, db: DbSession, actor: WebActor) -> Response:
    return _page(request, db, actor)


@router.post("/users", include_in_schema=False)
def add_user(request: Request, db: DbSession, actor: WebActor, settings: SettingsDep, form: WebForm) -> Response:
    values = {k: str(form.get(k) or "").strip() for k in ("email", "name", "role")}
    try:
        create_user_as(
            db=db, actor=actor, email=values["email"], name=values["name"], role=values["role"],
            password=str(form.get("password") or ""), password_profile=settings.password_hash_profile,
        )
    except ValidationFailed as exc:
        return _page(request, db, actor, values=values, errors=exc.errors, status=400)
    except Duplicate as exc:
        return _page(request, db, actor, values=values, errors={"email": str(exc)}, status=400)
    return RedirectResponse("/users?added=1", status_code=303)


@router.post("/users/{user_id}/deactivate", include_in_schema=False)
def deactivate(db: DbSession, actor: WebActor, user_id: RecordId) -> Response:
    set_user_active(db=db, actor=actor, user_id=user_id, active=False)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/activate", include_in_schema=False)
def activate(db: DbSession, actor: WebActor, user_id: RecordId) -> Response:
    set_user_active(db=db, actor=actor, user_id=user_id, active=True)
    return RedirectResponse("/users", status_code=303)
