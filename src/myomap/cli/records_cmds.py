"""Commands registered by this module are added by their owners."""

import typer


def register(app: typer.Typer) -> None:
    return None
