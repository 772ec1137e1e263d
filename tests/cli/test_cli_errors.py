"""Bad input on the command line: a non-zero exit, one clear ``error: ...`` line, no traceback, and
nothing lost (files and records are left as they were)."""

from __future__ import annotations

import io
import os
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from myomap.cli import atlas_cmds, knowledge_cmds, posture_cmds, records_cmds
from tests.served import myomap_command

GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    """The whole ``myomap`` command (built here: ``myomap.cli._register`` adds to one shared app)."""
    app = typer.Typer(pretty_exceptions_enable=False)
    for module in (atlas_cmds, knowledge_cmds, posture_cmds, records_cmds):
        module.register(app)
    return app


def run(cli: typer.Typer, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def assert_clear_error(result: Result, *expected: str, code: int | None = None) -> str:
    """A clean exit (no exception escaped), non-zero, and one ``error:`` line holding ``expected``."""
    assert isinstance(result.exception, SystemExit), f"{result.exception!r} escaped:\n{result.output}"
    assert result.exit_code != 0, result.output
    if code is not None:
        assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, f"expected one error line:\n{result.output}"
    for text in expected:
        assert text in errors[0], f"{text!r} not in {errors[0]!r}"
    return errors[0]


def png_bytes(size: tuple[int, int] = (64, 128)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(buf, format="PNG")
    return buf.getvalue()


# ---- myomap posture ----------------------------------------------------------------------------


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    (tmp_path / "notes.jpg").write_text("not a photo at all\n")
    (tmp_path / "animation.gif").write_bytes(GIF)
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "client.png").write_bytes(png_bytes())
    (tmp_path / "a folder.jpg").mkdir()
    with open(tmp_path / "huge.jpg", "wb") as fh:  # sparse: 21 MB on paper, nothing on disk
        fh.truncate(21 * 1024 * 1024)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing.jpg", ["no such file", "missing.jpg"]),
        ("a folder.jpg", ["is a folder, not a photo"]),
        ("notes.jpg", ["notes.jpg", "unsupported file type: text", "JPEG, PNG"]),
        ("animation.gif", ["animation.gif", "unsupported file type: GIF"]),
        ("empty.jpg", ["empty.jpg: the file is empty"]),
        ("huge.jpg", ["huge.jpg", "21.0 MB", "over the 20 MB limit"]),
        ("[/odd] name.jpg", ["no such file", "[/odd] name.jpg"]),  # brackets are not Rich markup
    ],
)
def test_posture_refuses_what_is_not_a_usable_photo(cli: typer.Typer, photos: Path, name: str, expected: list[str]) -> None:
    assert_clear_error(run(cli, "posture", str(photos / name), "--view", "anterior"), *expected, code=2)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--view", "up"], ["--view must be one of anterior, posterior, left, right", "'up'"]),
        (["--view", "anterior", "--height-cm", "-170"], ["--height-cm", "from 50 to 250", "-170"]),
        (["--view", "anterior", "--height-cm", "nan"], ["--height-cm", "nan"]),
        (["--view", "anterior", "--box", "10,20,x,40"], ["--box: the box must be four whole numbers X,Y,W,H", "not '10,20,x,40'"]),
        (["--view", "anterior", "--box", "10,20,30"], ["--box: give the box as four whole numbers X,Y,W,H", "'10,20,30' has 3 values"]),
        (["--view", "anterior", "--box", "10,20,0,40"], ["--box: the box is 0×40 pixels", "at least 32 wide and 64 high"]),
    ],
)
def test_posture_explains_a_bad_option_before_reading_the_photo(cli: typer.Typer, photos: Path, options: list[str], expected: list[str]) -> None:
    # The photo is a valid PNG, so the option is the only problem (and it is found without the pose model).
    started = time.monotonic()
    assert_clear_error(run(cli, "posture", str(photos / "client.png"), *options), *expected, code=2)
    assert time.monotonic() - started < 5


def test_posture_view_is_case_insensitive(cli: typer.Typer, photos: Path) -> None:
    # Accepted: the next problem reported is the photo's, not the view's.
    result = run(cli, "posture", str(photos / "notes.jpg"), "--view", "Left")
    assert_clear_error(result, "unsupported file type")


# ---- myomap refer, muscles, regions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["refer"], ["name at least one painful region"]),
        (["refer", "elbow of the knee"], ["unknown body region 'elbow of the knee'"]),
        (["refer", "temple"], ["needs a side", "temple.left, temple.right"]),
        (["refer", "temple", "--side", "up"], ["--side must be left or right", "'up'"]),
        (["refer", "temple.left=eleven"], ["intensity in 'temple.left=eleven' must be a number"]),
        (["refer", "temple.left=11"], ["between 0 and 10"]),
        (["refer", "temple.left", "--condition", "gout of the soul"], ["unknown condition 'gout of the soul'"]),
        (["refer", "[/x]"], ["unknown body region '[/x]'"]),
        (["muscles", "show", "gluteus maximus minimus"], ["unknown muscle 'gluteus maximus minimus'"]),
        (["muscles", "show", "[/bold]"], ["unknown muscle '[/bold]'"]),
        (["regions", "resolve", "temple"], ["needs a side", "temple.left, temple.right"]),  # ambiguous
        (["regions", "resolve", "temple.left", "--side", "right"], ["on the left side, not right"]),
        (["regions", "resolve", "xyzzy"], ["unknown body region 'xyzzy'"]),
        (["regions", "resolve", "shouldr bladd"], ["unknown body region 'shouldr bladd'", "did you mean"]),
        (["regions", "resolve", "temple", "--side", "middle"], ["--side must be left or right"]),
    ],
)
def test_atlas_commands_explain_unknown_names(cli: typer.Typer, args: list[str], expected: list[str]) -> None:
    assert_clear_error(run(cli, *args), *expected, code=2)


# ---- myomap db --------------------------------------------------------------------------------


def sqlite_env(folder: Path, name: str = "myomap.db", **extra: str) -> dict[str, str]:
    return {"MYOMAP_DATA_DIR": str(folder), "MYOMAP_DATABASE_URL": f"sqlite:///{folder / name}",
            "MYOMAP_PASSWORD_HASH_PROFILE": "fast", **extra}


@pytest.fixture
def migrated(tmp_path: Path, _sqlite_template: Path) -> Path:
    """A folder holding a migrated database with one clinic."""
    from myomap.records.clinics.service import create_clinic
    from myomap.records.db import Database

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(_sqlite_template, folder / "myomap.db")
    db = Database(f"sqlite:///{folder / 'myomap.db'}")
    with db.transaction() as session:
        create_clinic(db=session, name="Riverside")
    db.dispose()
    return folder


def check_problem(result: Result, *expected: str) -> None:
    """`db check` reports problems as ``problem: ...`` lines and exits 1."""
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    problems = [line for line in result.output.splitlines() if line.startswith("problem:")]
    assert len(problems) == 1, result.output
    for text in expected:
        assert text in problems[0], f"{text!r} not in {problems[0]!r}"


def test_db_check_on_a_missing_file_creates_nothing(cli: typer.Typer, tmp_path: Path) -> None:
    check_problem(run(cli, "db", "check", env=sqlite_env(tmp_path)), "does not exist", "run `myomap db upgrade`")
    assert list(tmp_path.iterdir()) == []


def test_db_check_on_random_bytes_leaves_the_file_alone(cli: typer.Typer, tmp_path: Path) -> None:
    junk = os.urandom(64 * 1024)
    (tmp_path / "myomap.db").write_bytes(junk)
    check_problem(run(cli, "db", "check", env=sqlite_env(tmp_path)), "is not a SQLite database")
    assert (tmp_path / "myomap.db").read_bytes() == junk
    assert [p.name for p in tmp_path.iterdir()] == ["myomap.db"]
    # Other commands say the same instead of failing obscurely.
    assert_clear_error(run(cli, "clinic", "list", env=sqlite_env(tmp_path)), "not a usable SQLite database")
    assert_clear_error(run(cli, "db", "upgrade", env=sqlite_env(tmp_path)), "not a usable SQLite database")
    assert_clear_error(run(cli, "db", "backup", str(tmp_path / "copy.db"), env=sqlite_env(tmp_path)),
                       "backup failed, nothing was written", "not a usable SQLite database")
    assert (tmp_path / "myomap.db").read_bytes() == junk
    assert not (tmp_path / "copy.db").exists()


def test_db_check_on_a_locked_database(cli: typer.Typer, migrated: Path) -> None:
    env = sqlite_env(migrated, MYOMAP_SQLITE_BUSY_TIMEOUT_MS="100")
    holder = sqlite3.connect(migrated / "myomap.db", isolation_level=None, timeout=0.1)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        result = run(cli, "db", "check", env=env)
        assert time.monotonic() - started < 10
        locked_write = run(cli, "clinic", "create", "Hilltop", env=env)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    check_problem(result, "locked by another process")
    assert_clear_error(locked_write, "locked by another process")
    # Once the lock is gone, everything is there and the write goes through.
    assert run(cli, "db", "check", env=env).exit_code == 0
    assert run(cli, "clinic", "create", "Hilltop", env=env).exit_code == 0


def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True


def _chattr(flag: str, folder: Path) -> bool:
    return subprocess.run(["chattr", flag, str(folder)], check=False, capture_output=True).returncode == 0


@pytest.fixture
def read_only(tmp_path: Path, _sqlite_template: Path) -> Iterator[tuple[Path, Path]]:
    """Two read-only folders: one empty, one holding a database. Root ignores permission bits, so
    as root the folders are made immutable with chattr instead (skipped where that is refused)."""
    empty, full = tmp_path / "empty", tmp_path / "full"
    empty.mkdir()
    full.mkdir()
    shutil.copyfile(_sqlite_template, full / "myomap.db")
    immutable: list[Path] = []
    for folder in (empty, full):
        folder.chmod(0o555)
        if _writable(folder) and shutil.which("chattr") and _chattr("+i", folder):
            immutable.append(folder)
        if _writable(folder):
            for f in immutable:
                _chattr("-i", f)
            pytest.skip("cannot make a read-only folder here (root without chattr +i)")
    try:
        yield empty, full
    finally:
        for folder in immutable:
            _chattr("-i", folder)
        for folder in (empty, full):
            folder.chmod(0o755)


def test_db_upgrade_in_a_read_only_folder(cli: typer.Typer, read_only: tuple[Path, Path], _sqlite_template: Path) -> None:
    empty, full = read_only
    assert_clear_error(run(cli, "db", "upgrade", env=sqlite_env(empty)), "cannot open or create", "writable")
    assert list(empty.iterdir()) == []
    assert_clear_error(run(cli, "db", "upgrade", env=sqlite_env(full)), str(full / "myomap.db"))
    assert (full / "myomap.db").read_bytes() == _sqlite_template.read_bytes()  # untouched
    check_problem(run(cli, "db", "check", env=sqlite_env(full)), "cannot open", "writable")


def test_db_upgrade_where_a_file_is_in_the_way(cli: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("keep me")
    env = {**sqlite_env(tmp_path), "MYOMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'notes' / 'db' / 'myomap.db'}"}
    assert_clear_error(run(cli, "db", "upgrade", env=env), "cannot create the database's folder", "Not a directory")
    assert (tmp_path / "notes").read_text() == "keep me"


def test_db_backup_never_overwrites_the_database_itself(cli: typer.Typer, migrated: Path) -> None:
    before = (migrated / "myomap.db").read_bytes()
    for name in ("myomap.db", "myomap.db-wal"):
        assert_clear_error(run(cli, "db", "backup", str(migrated / name), env=sqlite_env(migrated)),
                           "is the database itself", code=2)
    assert (migrated / "myomap.db").read_bytes() == before
    (migrated / "afile").write_text("x")
    assert_clear_error(run(cli, "db", "backup", str(migrated / "afile" / "copy.db"), env=sqlite_env(migrated)),
                       "afile is a file, not a folder")


def test_commands_on_a_missing_database_create_no_empty_file(cli: typer.Typer, tmp_path: Path) -> None:
    assert_clear_error(run(cli, "clinic", "create", "Riverside", env=sqlite_env(tmp_path)),
                       "does not exist", "run `myomap db upgrade`")
    assert list(tmp_path.iterdir()) == []


# ---- myomap user create -----------------------------------------------------------------------


USER = ("user", "create", "--clinic", "Riverside", "--name", "Tara", "--password", "long enough pw")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--email", "TARA@riverside.test", "--role", "owner"], ["tara@riverside.test is already a user of this clinic"]),
        (["--email", "new@riverside.test", "--role", "owner", "--clinic", "Nowhere"], ["clinic 'Nowhere' not found"]),
        (["--email", "new@riverside.test", "--role", "owner", "--clinic", "99"], ["clinic '99' not found"]),
        (["--email", "new@riverside.test", "--role", "boss"], ["--role must be one of owner, therapist, front_desk", "'boss'"]),
        (["--email", "not-an-email", "--role", "owner"], ["email", "must be an email address"]),
        (["--email", "tara @riverside.test", "--role", "owner"], ["email", "must be an email address"]),
        (["--email", "new@riverside.test", "--role", "owner", "--password", "short"], ["at least 10 characters"]),
    ],
)
def test_user_create_refuses_bad_input_and_changes_nothing(cli: typer.Typer, migrated: Path, options: list[str], expected: list[str]) -> None:
    env = sqlite_env(migrated)
    assert run(cli, *USER, "--email", "tara@riverside.test", "--role", "therapist", env=env).exit_code == 0
    assert_clear_error(run(cli, *USER, *options, env=env), *expected)
    with sqlite3.connect(migrated / "myomap.db") as conn:
        assert conn.execute("SELECT email, role FROM users").fetchall() == [("tara@riverside.test", "therapist")]


def test_names_with_brackets_are_printed_as_typed(cli: typer.Typer, migrated: Path) -> None:
    env = sqlite_env(migrated)
    created = run(cli, "clinic", "create", "[/x] Clinic [bold]", env=env)
    assert created.exit_code == 0, created.output
    assert "[/x] Clinic [bold]" in created.output
    assert run(cli, *USER, "--email", "b@riverside.test", "--role", "owner", "--name", "[/n]", env=env).exit_code == 0
    listing = run(cli, "user", "list", "--clinic", "Riverside", env=env)
    assert listing.exit_code == 0 and "[/n]" in listing.output, listing.output
    assert "[/x] Clinic [bold]" in run(cli, "clinic", "list", env=env).output


# ---- myomap serve ------------------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_and_exits(migrated: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        before = (migrated / "myomap.db").read_bytes()
        started = time.monotonic()
        try:
            done = subprocess.run(
                [*myomap_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env={**os.environ, **sqlite_env(migrated)}, capture_output=True, text=True, timeout=30, check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("myomap serve hung on a busy port")
    assert time.monotonic() - started < 15
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "is running" not in output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    assert f"port {port} is busy" in errors[0] and "--port" in errors[0]
    assert (migrated / "myomap.db").read_bytes() == before  # nothing was touched


@pytest.mark.parametrize(("host", "expected"), [("192.0.2.77", "no such address"), ("no-such-host.invalid", "unknown host name")])
def test_serve_on_an_address_it_cannot_have(migrated: Path, host: str, expected: str) -> None:
    done = subprocess.run(
        [*myomap_command(), "serve", "--host", host, "--port", "8123"],
        env={**os.environ, **sqlite_env(migrated)}, capture_output=True, text=True, timeout=30, check=False,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert expected in done.stderr, done.stderr
