"""``myomap regions ...``: list and resolve body-chart regions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from myomap.cli._output import checked_side, console, fail, print_json

if TYPE_CHECKING:
    from myomap.atlas.regions import Region

regions_app = typer.Typer(help="Body-chart regions: list them or resolve a name to a region id.", no_args_is_help=True)


def _region_json(region: Region) -> dict[str, object]:
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
    text: Annotated[str, typer.Argument(help="A therapist's or client's words, e.g. 'angle of jaw', 'left wrist', 'both calves'.")],
    side: Annotated[str | None, typer.Option(help="left or right, for two-sided regions.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Resolve what a therapist typed to chart regions (a coarse area like 'wrist' expands to several)."""
    from myomap.atlas.regions import UnknownRegionError, load_atlas, name_list

    try:
        found = load_atlas().interpret(text, checked_side(side))
    except UnknownRegionError as exc:
        fail(str(exc))
    if as_json:
        print_json(
            {
                "text": found.text,
                "term": found.term,
                "expanded_from": found.expanded_from,
                "corrected": found.corrected,
                "regions": [_region_json(r) for r in found.regions],
            }
        )
        return
    if found.corrected:
        console.print(f"(read as {found.corrected!r})", markup=False)
    if found.expanded_from:
        names = name_list(r.name for r in found.regions)
        console.print(f"{found.expanded_from} → {names}", markup=False)
    for region in found.regions:
        console.print(f"{region.id}\t{region.name}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(regions_app, name="regions")
