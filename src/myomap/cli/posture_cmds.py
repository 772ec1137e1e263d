"""``myomap posture PHOTO --view ...``: postural analysis of one photo."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from myomap.cli._output import console, fail, print_json, warn
from myomap.posture.catalog import HEIGHT_RANGE_CM, VIEWS

if TYPE_CHECKING:
    from myomap.posture import PostureAnalysis
    from myomap.posture.annotate import ImageFormat
    from myomap.posture.patterns import MuscleRef

_STATUS_STYLE = {"normal": "green", "deviation": "bold yellow", "not measured": "dim"}


def posture(
    photo: Annotated[Path, typer.Argument(help="Photo of the standing client (JPEG, PNG, HEIC/HEIF or WebP).")],
    # --view and --height-cm are checked here rather than by Click, so that a wrong value gets the
    # same one-line "error: ..." as every other problem.
    view: Annotated[
        str,
        typer.Option("--view", metavar=f"[{'|'.join(VIEWS)}]",
                     help="Which side faces the camera; left = the client's left side."),
    ],
    height_cm: Annotated[
        float | None, typer.Option("--height-cm", help=f"Client's height in cm ({HEIGHT_RANGE_CM[0]:g}-{HEIGHT_RANGE_CM[1]:g}), "
                                   "to read offsets in cm.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (view, landmarks, metrics, patterns).")] = False,
    annotate: Annotated[
        Path | None, typer.Option("--annotate", help="Write the annotated photo to this file (PNG, or JPEG when it ends in .jpg).", dir_okay=False)
    ] = None,
    box: Annotated[
        str | None, typer.Option("--box", help="Client's box X,Y,W,H in pixels, when other people are in the photo.")
    ] = None,
) -> None:
    """Analyse one posture photo: landmarks, metrics against norms, and likely distortion patterns."""
    # Check the arguments before the (slow) photo and pose model.
    view = view.strip().lower()
    if view not in VIEWS:
        fail(f"--view must be one of {', '.join(VIEWS)}, not {view!r}")
    low, high = HEIGHT_RANGE_CM
    if height_cm is not None and not (math.isfinite(height_cm) and low <= height_cm <= high):
        fail(f"--height-cm must be the client's height in cm, from {low:g} to {high:g}, not {height_cm:g}")
    if box is not None:
        _check_box(box)
    data = _read_photo(photo)

    from myomap.records.errors import ValidationFailed
    from myomap.records.posture.photos import EmptyPhoto, prepare_photo  # the same analysis the page and the API run

    try:
        if as_json:
            analysis = prepare_photo(data, view=view, height_cm=height_cm, box=box)
        else:
            with console.status("Finding landmarks (pose model)...", spinner="dots"):
                analysis = prepare_photo(data, view=view, height_cm=height_cm, box=box)
    except EmptyPhoto:
        fail(f"{photo.name}: the file is empty")
    except ValidationFailed as exc:
        fail(f"{photo.name}: " + "; ".join(f"{field}: {message}" if field != "photo" else message
                                           for field, message in exc.errors.items()))

    if annotate is not None:
        try:
            fmt: ImageFormat = "jpeg" if annotate.suffix.lower() in (".jpg", ".jpeg") else "png"
            annotate.write_bytes(analysis.annotated_image(image_format=fmt))
        except OSError as exc:
            fail(f"cannot write {annotate}: {exc.strerror or exc}")

    for warning in analysis.warnings:
        warn(warning)
    if as_json:
        print_json(analysis.to_json())
        return
    _print_tables(analysis, photo, annotate)


def _check_box(box: str) -> None:
    """The shape of --box (the one box parser); whether it fits the photo is checked with the photo."""
    from myomap.posture.people import BoxError, read_box

    try:
        read_box(box)
    except BoxError as exc:
        fail(f"--box: {exc}")


def _read_photo(photo: Path) -> bytes:
    """The photo's bytes, reading no more than the size limit (an oversized file is refused unread)."""
    from myomap.posture.images import DEFAULT_MAX_BYTES

    try:
        with photo.open("rb") as fh:
            data = fh.read(DEFAULT_MAX_BYTES + 1)
    except FileNotFoundError:
        fail(f"no such file: {photo}")
    except IsADirectoryError:
        fail(f"{photo} is a folder, not a photo")
    except OSError as exc:
        fail(f"cannot read {photo}: {exc.strerror or exc}")
    if len(data) > DEFAULT_MAX_BYTES:
        mb = 1024 * 1024
        size = photo.stat().st_size
        fail(f"{photo.name}: the photo is {size / mb:.1f} MB, over the {DEFAULT_MAX_BYTES / mb:.0f} MB limit; "
             "export a smaller JPEG")
    return data


def _print_tables(analysis: PostureAnalysis, photo: Path, annotate: Path | None) -> None:
    from rich.table import Table

    from myomap.posture.patterns import MUSCLE_ROLES

    table = Table(title=f"{escape(photo.name)}: {analysis.view} view")
    for col in ("metric", "value", "side", "status", "normal", "tier"):
        table.add_column(col, overflow="fold")
    for m in analysis.metrics:
        style = _STATUS_STYLE[m.status]
        tier = "clinical" if m.source == "clinical landmark" else "pose"
        table.add_row(m.name, m.value_text, m.side or "", f"[{style}]{m.status}[/]", m.threshold or "-", tier)
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
                console.print(f"    likely {MUSCLE_ROLES['shortened']}: {', '.join(_muscle(m) for m in p.shortened)}",
                              highlight=False)
            if p.lengthened:
                console.print(f"    likely {MUSCLE_ROLES['lengthened']}: {', '.join(_muscle(m) for m in p.lengthened)}",
                              highlight=False)
    else:
        console.print("No distortion pattern found in this view.")
    if annotate is not None:
        console.print(f"Annotated photo written to {escape(str(annotate))}")


def _muscle(m: MuscleRef) -> str:
    return m.muscle if m.side is None else f"{m.muscle} ({m.side})"


def register(app: typer.Typer) -> None:
    app.command("posture")(posture)
