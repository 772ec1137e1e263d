"""Shared helpers for CLI output: JSON printing and clean error exits."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape

console = Console()
# Errors and warnings stay on one line (copy-paste, grep), so no hard wrapping.
err_console = Console(stderr=True, soft_wrap=True, highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error on stderr and exit non-zero, without a traceback.

    ``message`` is plain text: square brackets in it (a file name, what the user typed) are
    printed as they are, never read as Rich markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    raise SystemExit(code)


def warn(message: str) -> None:
    """Print a one-line warning (plain text) on stderr."""
    err_console.print(f"[yellow]warning:[/] {escape(message)}")


def checked_side(side: str | None) -> str | None:
    """The ``--side`` option, checked before any work: left or right (any case), or not given."""
    if side is not None and side.strip().lower() not in ("left", "right"):
        fail(f"--side must be left or right, not {side!r}")
    return side
