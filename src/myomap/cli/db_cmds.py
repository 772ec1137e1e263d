"""``myomap serve`` and ``myomap db upgrade|check|backup|restore``."""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from myomap.cli import _records
from myomap.cli._output import print_json
from myomap.cli._records import fail
from myomap.cli._records import out as console

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from myomap.config import Settings
    from myomap.records.db import Database
    from myomap.records.migrate import RevisionState

db_app = typer.Typer(help="The database: upgrade its schema, check it, back it up, restore it.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Create the database or bring its schema up to date (safe to run again)."""
    cfg = _records.settings()
    db = _records.database(cfg)
    try:
        state = _upgrade(db, cfg)
    finally:
        db.dispose()
    console.print(f"database {escape(_location(cfg))} is at revision {state.current} (newest: {state.head})")


def _upgrade(db: Database, cfg: Settings) -> RevisionState:
    """Run the migrations; a folder or database that cannot be written exits with a clear message."""
    from alembic.util import CommandError
    from sqlalchemy.exc import DBAPIError

    from myomap.records.migrate import upgrade as run_upgrade

    try:
        return run_upgrade(db)
    except OSError as exc:  # the database's folder cannot be created
        fail(f"cannot create the database's folder: {_records.os_problem(exc)}")
    except DBAPIError as exc:
        fail(_records.explain(exc, cfg))
    except CommandError as exc:  # e.g. a revision this version does not know: a newer Myomap made it
        fail(f"cannot upgrade {_location(cfg)}: {exc} (was it made by a newer Myomap?)")


def _location(cfg: Settings) -> str:
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
        console.print(f"engine:    {report.engine}\nlocation:  {escape(report.location)}")
        console.print(f"revision:  {report.current_revision or '-'} (newest: {report.head_revision or '-'})")
        if report.integrity is not None:
            console.print(f"integrity: {escape(report.integrity)}")
        for problem in report.problems:
            console.print(f"[bold red]problem:[/] {escape(problem)}")
        if report.ok:
            console.print("[green]ok[/]")
    if not report.ok:
        raise SystemExit(1)


@db_app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="File to write the backup to (replaced atomically).")]) -> None:
    """Write a consistent backup of the database (photos included) while the app keeps running.

    SQLite: a copy of the database file. PostgreSQL: a pg_dump custom-format file (needs pg_dump
    as new as the server). The file is readable by its owner only.
    """
    from myomap.records.maintenance import backup as run_backup

    message = _run_maintenance(lambda db: run_backup(db, path).message, f"backup failed, nothing was written to {path}")
    console.print(escape(message))


@db_app.command("restore")
def restore(
    path: Annotated[Path, typer.Argument(help="A backup made by `myomap db backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a database that already holds records.")] = False,
) -> None:
    """Replace the database's contents with a backup, all or nothing (stop the web app first).

    Refuses a database that already holds records unless --force. PostgreSQL needs pg_restore
    as new as the server.
    """
    from myomap.records.maintenance import restore as run_restore

    message = _run_maintenance(lambda db: run_restore(db, path, force=force).message, "restore failed, the database was not changed")
    console.print(escape(message))


def _run_maintenance(task: Callable[[Database], str], failed: str) -> str:
    """Run a backup or restore; every failure exits with one clear line starting with ``failed``
    (except the ones that are the administrator's to fix, which say what to do)."""
    from sqlalchemy.exc import DBAPIError

    from myomap.records.maintenance import BackupError

    cfg = _records.settings()
    db = _records.database(cfg)
    try:
        return task(db)
    except OSError as exc:
        fail(f"{failed}: {_records.os_problem(exc)}")
    except (BackupError, ValueError) as exc:
        fail(str(exc))
    except (sqlite3.Error, DBAPIError) as exc:
        fail(f"{failed}: {_records.explain(exc, cfg)}")
    finally:
        db.dispose()


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1, or MYOMAP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000, or MYOMAP_PORT).")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Load a fictional demo clinic if the database has no clinic.")] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Web processes sharing the port (default 1). "
                                         "Several suit PostgreSQL; SQLite still writes one at a time.")] = 1,
) -> None:
    """Upgrade the database and run the web app (and the JSON API under /api).

    With --workers N, N processes answer on the one port. They share everything through the
    database (sign-ins, CSRF tokens, the audit log) and the secret key file, so any of them can
    serve any request of a signed-in browser.
    """
    import uvicorn

    from myomap.records.demo import DEMO_USERS, has_demo, load_demo
    from myomap.web.app import create_app

    cfg = _records.settings(host=host, port=port)
    # Take the port first: a busy one is reported at once, before anything else is touched.
    sock = _listen_socket(cfg.host, cfg.port)
    db = _records.database(cfg)
    state = _upgrade(db, cfg)
    console.print(f"database {escape(_location(cfg))} at revision {state.current}")
    if demo:
        with db.transaction() as session:
            loaded = load_demo(db=session, password_profile=cfg.password_hash_profile, locale=cfg.locale)
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
    # proxy_headers off: uvicorn would believe X-Forwarded-For from any local caller; the app reads
    # it only from the configured trusted proxies (MYOMAP_TRUSTED_PROXIES).
    app: str | Starlette = "myomap.web.app:create_app"  # workers import it and build their own app
    if workers == 1:
        app = create_app(cfg, database=db)
    else:
        _share_with_workers(cfg)
        db.dispose()  # each worker opens its own connections
    config = uvicorn.Config(app, factory=workers > 1, workers=workers, host=cfg.host, port=cfg.port,
                            log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    where = f"http://{escape(_url_host(cfg.host))}:{cfg.port}/"
    console.print(f"Myomap is running at {where}{f' in {workers} processes' if workers > 1 else ''}  (Ctrl+C to stop)")
    try:
        if workers == 1:
            server.run(sockets=[sock])
        else:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    if workers == 1 and not server.started:
        fail("the web server did not start (see the messages above)", code=3)


def _share_with_workers(cfg: Settings) -> None:
    """Hand the settings the command line gave to the worker processes, which read their settings
    from the environment, and create the secret key file once, before they start."""
    import os

    os.environ["MYOMAP_HOST"], os.environ["MYOMAP_PORT"] = cfg.host, str(cfg.port)
    if cfg.secret_key is None:
        cfg.resolved_secret_key()


def _listen_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for the server, or a clear error when that is impossible."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: only then does asyncio set TCP_NODELAY on accepted connections.
    # Without it a response's body waited for the client's delayed ACK (~40 ms per kept-alive request).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart without a wait
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        where = f"{_url_host(host)}:{port}"
        if exc.errno == errno.EADDRINUSE:
            fail(f"port {port} is busy: another program (perhaps another Myomap) is listening on {where}; "
                 "stop it or choose another port with --port")
        if exc.errno == errno.EACCES:
            fail(f"not allowed to listen on {where} (ports below 1024 need administrator rights); choose another port with --port")
        if exc.errno == errno.EADDRNOTAVAIL:
            fail(f"cannot listen on {host}: this computer has no such address; check --host or MYOMAP_HOST")
        if isinstance(exc, socket.gaierror):
            fail(f"cannot listen on {host!r}: unknown host name; check --host or MYOMAP_HOST")
        fail(f"cannot listen on {where}: {exc.strerror or exc}")
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
