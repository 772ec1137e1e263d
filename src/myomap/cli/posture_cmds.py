"""``myomap posture PHOTO --view ...``: postural analysis of one photo."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from myomap.cli._output import console, err_console, fail, print_json


class ViewChoice(str, Enum):
    anterior = "anterior"
    posterior = "posterior"
    left = "left"
    right = "right"


_STATUS_STYLE = {"normal": "green", "deviation": "bold yellow", "not measured": "dim"}


def posture(
    photo: Annotated[Path, typer.Argument(help="Photo of the standing client (JPEG, PNG, HEIC/HEIF or WebP).")],
    view: Annotated[
        ViewChoice,
        typer.Option("--view", case_sensitive=False, help="Which side faces the camera; left = the client's left side."),
    ],
    height_cm: Annotated[
        Optional[float], typer.Option("--height-cm", help="Client's height in cm, to read offsets in cm.", min=50, max=250)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (view, landmarks, metrics, patterns).")] = False,
    annotate: Annotated[
        Optional[Path], typer.Option("--annotate", help="Write the annotated photo to this PNG file.", dir_okay=False)
    ] = None,
    box: Annotated[
        Optional[str], typer.Option("--box", help="Client's box X,Y,W,H in pixels, when other people are in the photo.")
    ] = None,
) -> None:
    """Analyse one posture photo: landmarks, metrics against norms, and likely distortion patterns."""
    from myomap.posture import PhotoError, analyse_photo

    try:
        data = photo.read_bytes()
    except FileNotFoundError:
        fail(f"no such file: {photo}")
    except IsADirectoryError:
        fail(f"{photo} is a folder, not a photo")
    except OSError as exc:
        fail(f"cannot read {photo}: {exc.strerror or exc}")
    try:
        if as_json:
            analysis = analyse_photo(data, view=view.value, height_cm=height_cm, box=box)
        else:
            with console.status("Finding landmarks (pose model)...", spinner="dots"):
                analysis = analyse_photo(data, view=view.value, height_cm=height_cm, box=box)
    except PhotoError as exc:
        fail(f"{photo.name}: {exc}")
    except ValueError as exc:
        fail(str(exc))

    if annotate is not None:
        try:
            annotate.write_bytes(analysis.annotated_png())
        except OSError as exc:
            fail(f"cannot write {annotate}: {exc.strerror or exc}")

    for warning in analysis.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if as_json:
        print_json(analysis.to_json())
        return
    _print_tables(analysis, photo, annotate)


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    text = f"{value:.1f}"
    text = "0.0" if text == "-0.0" else text
    return f"{text}°" if unit == "deg" else f"{text} {unit}"


def _print_tables(analysis, photo: Path, annotate: Optional[Path]) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    table = Table(title=f"{photo.name}: {analysis.view} view")
    for col in ("metric", "value", "side", "status", "normal", "tier"):
        table.add_column(col, overflow="fold")
    for m in analysis.metrics:
        style = _STATUS_STYLE[m.status]
        tier = "clinical" if m.source == "clinical landmark" else "pose"
        table.add_row(m.name, _fmt_value(m.value, m.unit), m.side or "", f"[{style}]{m.status}[/]", m.threshold or "-", tier)
    console.print(table)
    console.print("[bold]Details[/]")
    for m in analysis.metrics:
        console.print(f"  [{_STATUS_STYLE[m.status]}]{m.name}[/]: {m.reason}", highlight=False)
    if analysis.scale:
        console.print(f"[dim]Scale: {analysis.scale.note}. Tier: pose = model joint centres (a proxy); "
                      f"clinical = therapist-placed bony landmarks.[/]", highlight=False)
    if analysis.patterns:
        console.print("[bold]Patterns[/] (hypotheses to confirm by muscle testing)")
        for p in analysis.patterns:
            side = f" ({p.side})" if p.side else ""
            if p.kind == "referral":
                console.print(f"  [bold red]! {p.name}{side}: referral flag[/]", highlight=False)
                console.print(f"    {p.note}", highlight=False)
            else:
                console.print(f"  [bold]* {p.name}{side}[/]", highlight=False)
            for reason in p.reasons:
                console.print(f"    because {reason}", highlight=False)
            if p.shortened:
                console.print(f"    likely short / overactive: {', '.join(_muscle(m) for m in p.shortened)}", highlight=False)
            if p.lengthened:
                console.print(f"    likely lengthened / inhibited: {', '.join(_muscle(m) for m in p.lengthened)}", highlight=False)
    else:
        console.print("No distortion pattern found in this view.")
    if annotate is not None:
        console.print(f"Annotated photo written to {annotate}")


def _muscle(m) -> str:  # type: ignore[no-untyped-def]
    return m.muscle if m.side is None else f"{m.muscle} ({m.side})"


def register(app: typer.Typer) -> None:
    app.command("posture")(posture)
