"""The signed-in user's own account: API tokens (name, expiry, revoke) and two-factor sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from myomap.records.accounts.schemas import ApiTokenCreate
from myomap.records.accounts.sealing import sealer_for
from myomap.records.accounts.service import issue_api_token_as, list_api_tokens, revoke_api_token_as
from myomap.records.accounts.two_factor import (
    begin_enrolment,
    confirm_enrolment,
    disable_two_factor,
    may_turn_off,
    remaining_recovery_codes,
)
from myomap.records.base import utcnow
from myomap.records.errors import ValidationFailed
from myomap.web.deps import DbSession, WebActor, WebForm
from myomap.web.notices import see_other
from myomap.web.params import RecordId
from myomap.web.templating import FORM_ERRORS_STATUS, render

router = APIRouter()

EXPIRY_CHOICES: list[tuple[str, str]] = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]
DEFAULT_EXPIRY = str(ApiTokenCreate.model_fields["expires_in_days"].default)


def _page(request: Request, db: DbSession, actor: WebActor, *, new_token: str | None = None,
          values: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    user = actor.user
    return render(
        request, "account/account.html",
        {
            "tokens": list_api_tokens(db=db, user=user), "now": utcnow(), "new_token": new_token,
            "expiry_choices": EXPIRY_CHOICES, "values": values or {"expires_in_days": DEFAULT_EXPIRY},
            "errors": errors or {}, "two_factor_on": user.has_two_factor,
            "may_turn_off": may_turn_off(user),
            "recovery_left": remaining_recovery_codes(db=db, user=user) if user.has_two_factor else 0,
        },
        status_code=status,
    )


@router.get("/account", include_in_schema=False)
def account_page(request: Request, db: DbSession, actor: WebActor) -> Response:
    return _page(request, db, actor)


@router.post("/account/tokens", include_in_schema=False)
def create_token(request: Request, db: DbSession, actor: WebActor, form: WebForm) -> Response:
    values = {"name": str(form.get("name") or "").strip(), "expires_in_days": str(form.get("expires_in_days") or "")}
    days = values["expires_in_days"]
    try:
        token, _row = issue_api_token_as(
            db=db, actor=actor, name=values["name"], expires_in_days=int(days) if days.isdigit() else None,
        )
    except ValidationFailed as exc:
        return _page(request, db, actor, values=values, errors=exc.errors, status=FORM_ERRORS_STATUS)
    # Shown in this answer only (no redirect): the token is not stored and cannot be shown again.
    return _page(request, db, actor, new_token=token)


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token(db: DbSession, actor: WebActor, token_id: RecordId) -> Response:
    revoke_api_token_as(db=db, actor=actor, token_id=token_id)
    return see_other("/account", "token_revoked")


@router.get("/account/two-factor", include_in_schema=False)
def enrol_page(request: Request, db: DbSession, actor: WebActor) -> Response:
    if actor.user.has_two_factor:
        return RedirectResponse("/account", status_code=303)
    enrolment = begin_enrolment(user=actor.user, sealer=sealer_for(request.app.state.secret_key))
    return render(request, "two_factor/enrol.html",
                  {"enrolment": enrolment, "action": "/account/two-factor", "next_url": "", "required": False, "errors": {}})


@router.post("/account/two-factor", include_in_schema=False)
def enrol(request: Request, db: DbSession, actor: WebActor, form: WebForm) -> Response:
    try:
        codes = confirm_enrolment(db=db, actor=actor, code=str(form.get("code") or ""),
                                  sealer=sealer_for(request.app.state.secret_key))
    except ValidationFailed as exc:
        if actor.user.has_two_factor or actor.user.totp_secret is None:
            return RedirectResponse("/account", status_code=303)
        enrolment = begin_enrolment(user=actor.user, sealer=sealer_for(request.app.state.secret_key))
        return render(request, "two_factor/enrol.html",
                      {"enrolment": enrolment, "action": "/account/two-factor", "next_url": "", "required": False,
                       "errors": exc.errors}, status_code=FORM_ERRORS_STATUS)
    return render(request, "two_factor/recovery_codes.html", {"codes": codes, "next_url": "/account"})


@router.post("/account/two-factor/off", include_in_schema=False)
def turn_off(request: Request, db: DbSession, actor: WebActor, form: WebForm) -> Response:
    try:
        disable_two_factor(db=db, actor=actor, code=str(form.get("code") or ""),
                           sealer=sealer_for(request.app.state.secret_key))
    except ValidationFailed as exc:
        return _page(request, db, actor, errors=exc.errors, status=FORM_ERRORS_STATUS)
    return see_other("/account", "two_factor_off")
