"""The ``myomap`` command. Each domain adds its commands from its own module in this package.

Start-up time matters for quick commands such as ``myomap refer``: :func:`main` imports only the
module that defines the command being run (``posture`` pulls in NumPy and the pose model, ``serve``
the web server), and heavy imports stay inside the command functions. ``myomap --help`` and an
unknown command load every module, so the help lists everything.
"""

from __future__ import annotations

import sys
from importlib import import_module

import typer

app = typer.Typer(
    name="myomap",
    help="Myomap: assessment and practice system for Neuromuscular Therapy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)



@app.callback()
def _group() -> None:
    """Keeps ``myomap`` a group of commands when only one command module is registered."""


# Each command module, with the top-level commands its ``register`` adds (tests/cli keeps this true).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "atlas_cmds": ("regions",),
    "knowledge_cmds": ("muscles", "refer"),
    "posture_cmds": ("posture",),
    "records_cmds": ("serve", "db", "clinic", "user"),
}


def _register(argv: list[str] | None = None) -> None:
    """Add the commands to :data:`app`: only the module that owns ``argv``'s command when it is
    known, every module otherwise (help, typos, no command)."""
    command = next((a for a in argv or [] if not a.startswith("-")), None)
    owners = [m for m, names in COMMAND_MODULES.items() if command in names] or list(COMMAND_MODULES)
    for name in owners:
        import_module(f"myomap.cli.{name}").register(app)


def main() -> None:
    _register(sys.argv[1:])
    app()
