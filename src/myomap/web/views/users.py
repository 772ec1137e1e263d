"""The clinic's users (owners only): list, add, deactivate and reactivate, reset a password or a
lost two-factor sign-in, require two-factor sign-in for the clinic, and choose how its pages
write dates."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from myomap.dates import locale_choices
from myomap.records.accounts.models import Role
from myomap.records.accounts.service import create_user_as, list_users, reset_password_as, set_user_active
from myomap.records.accounts.two_factor import reset_two_factor_of_as, set_clinic_requirement_as
from myomap.records.clinics.service import set_clinic_locale_as
from myomap.records.errors import Duplicate, ValidationFailed
from myomap.web.deps import DbSession, SettingsDep, WebActor, WebForm
from myomap.web.notices import see_other
from myomap.web.params import RecordId
from myomap.web.templating import FORM_ERRORS_STATUS, render

router = APIRouter()


def _page(request: Request, db: DbSession, actor: WebActor, *, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, tf_errors: dict[str, str] | None = None,
          reset_errors: dict[str, str] | None = None, locale_errors: dict[str, str] | None = None,
          status: int = 200, notice: str | None = None) -> Response:
    """The page; each form's errors apart (adding a user, the two-factor setting, a password
    reset, the date format)."""
    return render(
        request, "users/list.html",
        {"users": list_users(db=db, actor=actor), "roles": list(Role), "values": values or {}, "errors": errors or {},
         "tf_errors": tf_errors or {}, "reset_errors": reset_errors or {},
         "require_two_factor": actor.user.clinic.require_two_factor, "notice": notice,
         "locale_errors": locale_errors or {}, "locales": locale_choices(), "clinic_locale": actor.user.clinic.locale},
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
        return _page(request, db, actor, values=values, errors=exc.errors, status=FORM_ERRORS_STATUS)
    except Duplicate as exc:
        return _page(request, db, actor, values=values, errors={"email": str(exc)}, status=FORM_ERRORS_STATUS)
    return see_other("/users", "user_added")


@router.post("/users/{user_id}/deactivate", include_in_schema=False)
def deactivate(db: DbSession, actor: WebActor, user_id: RecordId) -> Response:
    set_user_active(db=db, actor=actor, user_id=user_id, active=False)
    return see_other("/users", "user_deactivated")


@router.post("/users/{user_id}/activate", include_in_schema=False)
def activate(db: DbSession, actor: WebActor, user_id: RecordId) -> Response:
    set_user_active(db=db, actor=actor, user_id=user_id, active=True)
    return see_other("/users", "user_activated")


@router.post("/users/{user_id}/password", include_in_schema=False)
def reset_password(request: Request, db: DbSession, actor: WebActor, settings: SettingsDep, form: WebForm,
                   user_id: RecordId) -> Response:
    try:
        user = reset_password_as(db=db, actor=actor, user_id=user_id, password=str(form.get(f"password-{user_id}") or ""),
                                 password_profile=settings.password_hash_profile)
    except ValidationFailed as exc:
        errors = {f"password-{user_id}": exc.errors.get("password", str(exc))}
        return _page(request, db, actor, reset_errors=errors, status=FORM_ERRORS_STATUS)
    return _page(request, db, actor, notice=f"New password set for {user.name}: they are signed out everywhere and "
                 "their API tokens are revoked. Tell them the password in person.")


@router.post("/users/{user_id}/two-factor/reset", include_in_schema=False)
def reset_two_factor(request: Request, db: DbSession, actor: WebActor, user_id: RecordId) -> Response:
    user = reset_two_factor_of_as(db=db, actor=actor, user_id=user_id)
    return _page(request, db, actor, notice=f"Two-factor sign-in reset for {user.name}; they are signed out "
                 "everywhere and set it up again at their next sign-in if the clinic requires it.")


@router.post("/users/two-factor-requirement", include_in_schema=False)
def two_factor_requirement(request: Request, db: DbSession, actor: WebActor, form: WebForm) -> Response:
    try:
        set_clinic_requirement_as(db=db, actor=actor, required=form.get("require_two_factor") == "on")
    except ValidationFailed as exc:
        return _page(request, db, actor, tf_errors=exc.errors, status=FORM_ERRORS_STATUS)
    return see_other("/users", "two_factor_requirement_saved")


@router.post("/users/locale", include_in_schema=False)
def clinic_locale(request: Request, db: DbSession, actor: WebActor, form: WebForm) -> Response:
    try:
        set_clinic_locale_as(db=db, actor=actor, locale=str(form.get("locale") or ""))
    except ValidationFailed as exc:
        return _page(request, db, actor, locale_errors=exc.errors, status=FORM_ERRORS_STATUS)
    return see_other("/users", "locale_saved")
