"""``myomap serve`` and ``myomap db upgrade|check|backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from myomap.cli import _records
from myomap.cli._output import print_json
from myomap.cli._records import fail
from myomap.cli._records import out as console

db_app = typer.Typer(help="The database: upgrade its schema, check it, back it up.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Create the database or bring its schema up to date (safe to run again)."""
    from myomap.records.migrate import upgrade as run_upgrade

    cfg = _records.settings()
    db = _records.database(cfg)
    try:
        state = run_upgrade(db)
    finally:
        db.dispose()
    console.print(f"database {_location(cfg)} is at revision {state.current} (newest: {state.head})")


def _location(cfg) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy import make_url

    return make_url(cfg.resolved_database_url).render_as_string(hide_password=True)


@db_app.command("check")
def check(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Connect, report the schema revision, and run SQLite's integrity check."""
    from dataclasses import asdict

    from myomap.records.maintenance import check as run_check

    cfg = _records.settings()
    db = _records.database(cfg)
    try:
        report = run_check(db)
    finally:
        db.dispose()
    if as_json:
        print_json(asdict(report))
    else:
        console.print(f"engine:    {report.engine}\nlocation:  {report.location}")
        console.print(f"revision:  {report.current_revision or '-'} (newest: {report.head_revision or '-'})")
        if report.integrity is not None:
            console.print(f"integrity: {report.integrity}")
        for problem in report.problems:
            console.print(f"[bold red]problem:[/] {problem}")
        if report.ok:
            console.print("[green]ok[/]")
    if not report.ok:
        raise SystemExit(1)


@db_app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="File to write the copy to (replaced atomically).")]) -> None:
    """Write a consistent copy of the SQLite database while the app keeps running.

    For PostgreSQL this prints the pg_dump command to use instead.
    """
    from myomap.records.maintenance import backup as run_backup

    cfg = _records.settings()
    db = _records.database(cfg)
    try:
        result = run_backup(db, path)
    except (OSError, RuntimeError) as exc:
        fail(str(exc))
    finally:
        db.dispose()
    if result.ok:
        console.print(result.message)
    elif not db.is_sqlite:
        console.print(result.message, soft_wrap=True)
    else:
        fail(result.message)


def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (default 127.0.0.1, or MYOMAP_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default 8000, or MYOMAP_PORT).")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Load a fictional demo clinic if the database has no clinic.")] = False,
) -> None:
    """Upgrade the database and run the web app (and the JSON API under /api)."""
    import uvicorn

    from myomap.records.demo import DEMO_USERS, has_demo, load_demo
    from myomap.records.migrate import upgrade as run_upgrade
    from myomap.web.app import create_app

    cfg = _records.settings(host=host, port=port)
    db = _records.database(cfg)
    state = run_upgrade(db)
    console.print(f"database {_location(cfg)} at revision {state.current}")
    if demo:
        with db.transaction() as session:
            loaded = load_demo(db=session, password_profile=cfg.password_hash_profile)
            present = has_demo(db=session)
        if loaded:
            console.print("[green]Loaded the demo clinic[/] (fictional people only).")
        elif not present:
            console.print("Demo not loaded: this database already has a clinic.")
        if present:
            console.rule("Demo sign-in")
            for login in DEMO_USERS:
                console.print(f"  {login.role.label:<11} {login.email:<30} password: {login.password}")
            console.rule()
    console.print(f"Myomap is running at http://{_url_host(cfg.host)}:{cfg.port}/  (Ctrl+C to stop)")
    app = create_app(cfg, database=db)
    uvicorn.run(app, host=cfg.host, port=cfg.port, log_level="warning", proxy_headers=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
