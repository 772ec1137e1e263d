"""``myomap`` loads only the module of the command being run, and still offers every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import typer
from typer.main import get_group

from myomap.cli import COMMAND_MODULES


def command_names(app: typer.Typer) -> set[str]:
    return set(get_group(app).commands)


def test_the_command_map_names_exactly_what_each_module_registers() -> None:
    for module, names in COMMAND_MODULES.items():
        app = typer.Typer()
        import_module(f"myomap.cli.{module}").register(app)
        assert command_names(app) == set(names), module


def test_every_command_module_is_in_the_map() -> None:
    folder = Path(import_module("myomap.cli").__file__ or "").parent
    modules = {p.stem for p in folder.glob("*_cmds.py")}
    registered_elsewhere = {"db_cmds", "accounts_cmds"}  # records_cmds registers them
    assert modules - registered_elsewhere == set(COMMAND_MODULES)


PROBE = """
import json, sys
from myomap import cli
sys.argv = ["myomap", *sys.argv[1:]]
cli._register(sys.argv[1:])
try:
    cli.app(sys.argv[1:], standalone_mode=False)
finally:
    heavy = ["fastapi", "sqlalchemy", "numpy", "mediapipe", "uvicorn", "yaml", "myomap.posture", "myomap.web"]
    print(json.dumps({"loaded": [m for m in heavy if m in sys.modules],
                      "commands": sorted(cli.typer.main.get_group(cli.app).commands)}), file=sys.stderr)
"""


def probe(*args: str, cache_dir: Path) -> dict[str, list[str]]:
    env = {**os.environ, "MYOMAP_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


def test_refer_loads_no_web_database_or_pose_code(tmp_path: Path) -> None:
    probe("refer", "temple=7", "--side", "right", cache_dir=tmp_path)  # fills the knowledge cache
    warm = probe("refer", "temple=7", "--side", "right", cache_dir=tmp_path)
    assert warm["loaded"] == []
    assert warm["commands"] == ["muscles", "refer"]


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = probe("--help", cache_dir=tmp_path)
    assert set(result["commands"]) == {n for names in COMMAND_MODULES.values() for n in names}


def test_a_posture_command_alone_is_still_a_subcommand(tmp_path: Path) -> None:
    """With one module registered, ``myomap posture PHOTO`` must not read 'posture' as the photo."""
    missing = tmp_path / "no-such-photo.jpg"
    env = {**os.environ, "MYOMAP_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", "from myomap.cli import main; main()", "posture", str(missing),
                           "--view", "anterior"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0
    assert f"no such file: {missing}" in done.stdout + done.stderr
