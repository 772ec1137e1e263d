"""``myomap serve``, ``myomap db ...``, ``myomap clinic ...`` and ``myomap user ...``.

The commands themselves live in :mod:`myomap.cli.db_cmds` and :mod:`myomap.cli.accounts_cmds`.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from myomap.cli import accounts_cmds, db_cmds

    db_cmds.register(app)
    accounts_cmds.register(app)
