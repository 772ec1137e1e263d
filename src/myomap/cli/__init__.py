"""The ``myomap`` command. Each domain adds its commands from its own module in this package.

Heavy imports (web server, pose model) stay inside the command functions so that quick commands
such as ``myomap refer`` start fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="myomap",
    help="Myomap: assessment and practice system for Neuromuscular Therapy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    from myomap.cli import atlas_cmds, knowledge_cmds, posture_cmds, records_cmds

    for module in (atlas_cmds, knowledge_cmds, posture_cmds, records_cmds):
        module.register(app)


def main() -> None:
    _register()
    app()
