"""``myomap regions ...``: list and resolve body-chart regions."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from myomap.cli._output import console, fail, print_json

regions_app = typer.Typer(help="Body-chart regions: list them or resolve a name to a region id.", no_args_is_help=True)


def _region_json(region) -> dict:  # type: ignore[no-untyped-def]
    base = region.base
    return {
        "id": region.id,
        "base": base.id,
        "name": region.name,
        "side": region.side.value if region.side else None,
        "view": base.view.value,
        "area": base.area,
        "synonyms": list(base.synonyms),
        "snomed": base.snomed,
    }


@regions_app.command("list")
def list_regions(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every chart region (bilateral regions once per side)."""
    from myomap.atlas.regions import load_atlas

    atlas = load_atlas()
    if as_json:
        print_json([_region_json(r) for r in atlas.regions.values()])
        return
    table = Table("id", "name", "view", "area", "synonyms")
    for r in atlas.regions.values():
        table.add_row(r.id, r.name, r.view.value, r.area, ", ".join(r.base.synonyms))
    console.print(table)
    console.print(f"{len(atlas.regions)} regions from {len(atlas.bases)} base regions")


@regions_app.command("resolve")
def resolve(
    text: Annotated[str, typer.Argument(help="Region id, name or synonym, e.g. 'angle of jaw'.")],
    side: Annotated[str | None, typer.Option(help="left or right, for two-sided regions.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Resolve what a therapist typed to one chart region."""
    from myomap.atlas.regions import UnknownRegionError, load_atlas

    if side is not None and side.lower() not in ("left", "right"):
        fail(f"--side must be left or right, not {side!r}")
    try:
        region = load_atlas().resolve(text, side)
    except UnknownRegionError as exc:
        fail(str(exc))
    if as_json:
        print_json(_region_json(region))
    else:
        console.print(f"{region.id}\t{region.name}")


def register(app: typer.Typer) -> None:
    app.add_typer(regions_app, name="regions")
