"""``myomap clinic ...`` and ``myomap user ...``: the administrator's account commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from myomap.cli import _records
from myomap.cli._output import print_json
from myomap.cli._records import fail
from myomap.cli._records import out as console

clinic_app = typer.Typer(help="Clinics: every user and record belongs to one.", no_args_is_help=True)
user_app = typer.Typer(help="Users: create them, give them API tokens.", no_args_is_help=True)

ROLES = ("owner", "therapist", "front_desk")


@clinic_app.command("create")
def clinic_create(name: Annotated[str, typer.Argument(help="The clinic's name (unique).")]) -> None:
    """Create a clinic and print its id."""
    from myomap.records.clinics.service import create_clinic

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        clinic = create_clinic(db=db, name=name)
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


@user_app.command("token")
def user_token(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    name: Annotated[str, typer.Option(help="A label for the token, e.g. the script using it.")] = "api",
) -> None:
    """Create an API token for a user and print it (only once; only a hash is stored).

    Use it as ``Authorization: Bearer <token>`` against /api/.
    """
    from myomap.records.accounts.service import create_api_token, find_user_by_email

    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        user = find_user_by_email(db=db, email=email)
        if user is None:
            fail(f"no user with the email {email.strip().lower()}")
        token, _row = create_api_token(db=db, user=user, name=name)
    typer.echo(token)


@user_app.command("set-password")
def user_set_password(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    password: Annotated[str | None, typer.Option(help="New password; asked for when left out.")] = None,
) -> None:
    """Set a user's password (signs them out everywhere and lifts nothing else)."""
    from myomap.records.accounts.service import find_user_by_email, set_password

    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    cfg = _records.settings()
    with _records.transaction(cfg) as db:
        user = find_user_by_email(db=db, email=email)
        if user is None:
            fail(f"no user with the email {email.strip().lower()}")
        set_password(db=db, user=user, password=password, password_profile=cfg.password_hash_profile)
    console.print(f"password changed for {escape(email.strip().lower())}")


def register(app: typer.Typer) -> None:
    app.add_typer(clinic_app, name="clinic")
    app.add_typer(user_app, name="user")
