"""``myomap clinic ...`` and ``myomap user ...``: the administrator's account commands."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from myomap.cli import _records
from myomap.cli._output import print_json
from myomap.cli._records import fail
from myomap.cli._records import out as console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from myomap.records.accounts.models import User

clinic_app = typer.Typer(help="Clinics: every user and record belongs to one.", no_args_is_help=True)
user_app = typer.Typer(help="Users: create them, give them API tokens.", no_args_is_help=True)

ROLES = ("owner", "therapist", "front_desk")


@clinic_app.command("create")
def clinic_create(name: Annotated[str, typer.Argument(help="The clinic's name (unique).")]) -> None:
    """Create a clinic and print its id."""
    from myomap.records.clinics.service import create_clinic

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        clinic = create_clinic(db=db, name=name, locale=cfg.locale)
        console.print(f"created clinic {clinic.id}: {escape(clinic.name)}")


@clinic_app.command("list")
def clinic_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List clinics."""
    from myomap.records.clinics.schemas import ClinicRead
    from myomap.records.clinics.service import list_clinics

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        clinics = [ClinicRead.model_validate(c) for c in list_clinics(db=db)]
    if as_json:
        print_json([c.model_dump(mode="json") for c in clinics])
        return
    table = Table("id", "name", "demo")
    for c in clinics:
        table.add_row(str(c.id), escape(c.name), "yes" if c.is_demo else "")
    console.print(table)


@user_app.command("create")
def user_create(
    clinic: Annotated[str, typer.Option(help="Clinic id or name.")],
    email: Annotated[str, typer.Option(help="Sign-in email (unique across clinics).")],
    name: Annotated[str, typer.Option(help="The person's name.")],
    role: Annotated[str, typer.Option(help="owner, therapist or front_desk.")],
    password: Annotated[
        str | None, typer.Option(help="Password (at least 10 characters); asked for when left out.")
    ] = None,
) -> None:
    """Create a user in a clinic."""
    from myomap.records.accounts.service import create_user
    from myomap.records.clinics.service import find_clinic

    role = role.strip().lower().replace("-", "_").replace(" ", "_")
    if role not in ROLES:
        fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        found = find_clinic(db=db, id_or_name=clinic)
        user = create_user(
            db=db, clinic=found, email=email, name=name, role=role, password=password,
            password_profile=cfg.password_hash_profile,
        )
        console.print(f"created {user.role.label.lower()} {escape(user.email)} (user {user.id}) in {escape(found.name)}")


@user_app.command("list")
def user_list(clinic: Annotated[str, typer.Option(help="Clinic id or name.")]) -> None:
    """List a clinic's users."""
    from sqlalchemy import select

    from myomap.records.accounts.models import User
    from myomap.records.clinics.service import find_clinic

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        found = find_clinic(db=db, id_or_name=clinic)
        users = list(db.scalars(select(User).where(User.clinic_id == found.id).order_by(User.id)))
        table = Table("id", "email", "name", "role", "active")
        for u in users:
            table.add_row(str(u.id), escape(u.email), escape(u.name), u.role.value, "yes" if u.is_active else "no")
    console.print(table)


ClinicOption = Annotated[
    str | None, typer.Option("--clinic", help="Clinic id or name, when the email is a user in several clinics.")
]


def _user(db: Session, email: str, clinic: str | None) -> User:
    """The user, or a one-line error (unknown email, or one used in several clinics)."""
    from myomap.records.accounts.service import find_user
    from myomap.records.clinics.service import find_clinic
    from myomap.records.errors import NotFound, ValidationFailed

    try:
        return find_user(db=db, email=email, clinic=find_clinic(db=db, id_or_name=clinic) if clinic else None)
    except NotFound as exc:
        fail(str(exc))
    except ValidationFailed as exc:
        fail(f"{exc.errors.get('clinic', str(exc))} (--clinic)")


@user_app.command("token")
def user_token(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    name: Annotated[str, typer.Option(help="A label for the token, e.g. the script using it.")] = "api",
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="Days until it stops working (1-3650); default: never.")
    ] = None,
    clinic: ClinicOption = None,
) -> None:
    """Create an API token for a user and print it (only once; only a hash is stored).

    Use it as ``Authorization: Bearer <token>`` against /api/.
    """
    from myomap.records.accounts.service import issue_api_token
    from myomap.records.errors import ValidationFailed

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        user = _user(db, email, clinic)
        try:
            token, _row = issue_api_token(db=db, user=user, name=name, expires_in_days=expires_days)
        except ValidationFailed as exc:
            fail(str(exc))
    typer.echo(token)


@user_app.command("tokens")
def user_tokens(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    clinic: ClinicOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a user's API tokens (never their text: the first characters, name, dates, state)."""
    from myomap.records.accounts.schemas import ApiTokenRead
    from myomap.records.accounts.service import list_api_tokens
    from myomap.records.base import utcnow

    cfg = _records.settings()
    now = utcnow()
    with _records.transaction(cfg) as db:
        rows = list_api_tokens(db=db, user=_user(db, email, clinic))
        tokens = [(ApiTokenRead.model_validate(r), r.is_live(now)) for r in rows]
    if as_json:
        print_json([{**t.model_dump(mode="json"), "active": live} for t, live in tokens])
        return
    table = Table("id", "name", "starts with", "created", "last used", "expires", "state")
    for t, live in tokens:
        state = "revoked" if t.revoked_at else ("active" if live else "expired")
        table.add_row(str(t.id), escape(t.name), t.prefix, _when(t.created_at), _when(t.last_used_at),
                      _when(t.expires_at) or "never", state)
    console.print(table)


@user_app.command("revoke-token")
def user_revoke_token(token_id: Annotated[int, typer.Argument(help="The token's id (from `myomap user tokens`).")]) -> None:
    """Revoke one API token: it stops working at once."""
    from myomap.records.accounts.service import revoke_api_token
    from myomap.records.errors import NotFound

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        try:
            row = revoke_api_token(db=db, token_id=token_id)
        except NotFound:
            fail(f"no API token with the id {token_id}")
        console.print(f"revoked token {row.id} ({escape(row.name)}) of {escape(row.user.email)}")


@user_app.command("set-password")
def user_set_password(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    password: Annotated[str | None, typer.Option(help="New password; asked for when left out.")] = None,
    clinic: ClinicOption = None,
) -> None:
    """Set a user's password (signs them out everywhere and revokes their API tokens)."""
    from myomap.records.accounts.service import set_password
    from myomap.records.errors import ValidationFailed

    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        user = _user(db, email, clinic)
        try:
            set_password(db=db, user=user, password=password, password_profile=cfg.password_hash_profile)
        except ValidationFailed as exc:
            fail(str(exc))
    console.print(f"password changed for {escape(email.strip().lower())}; their API tokens are revoked")


@user_app.command("reset-two-factor")
def user_reset_two_factor(email: Annotated[str, typer.Argument(help="The user's email.")], clinic: ClinicOption = None) -> None:
    """Clear a user's two-factor sign-in (a lost phone and lost recovery codes) and sign them out."""
    from myomap.records.accounts.two_factor import reset_two_factor

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        reset_two_factor(db=db, user=_user(db, email, clinic))
    console.print(f"two-factor sign-in cleared for {escape(email.strip().lower())}")


def _when(value: datetime | None) -> str:
    return "" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


def register(app: typer.Typer) -> None:
    app.add_typer(clinic_app, name="clinic")
    app.add_typer(user_app, name="user")
