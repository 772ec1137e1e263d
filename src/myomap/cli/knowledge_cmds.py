"""``myomap muscles ...`` and ``myomap refer``: the trigger-point atlas and referral inference."""

from __future__ import annotations

from typing import Annotated

import typer

from myomap.cli._output import console, fail, print_json

muscles_app = typer.Typer(help="The trigger-point atlas: muscles, trigger points, referral zones.", no_args_is_help=True)


@muscles_app.command("list")
def list_muscles(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every muscle in the atlas with its body area and essential zones."""
    from rich.table import Table

    from myomap.knowledge.library import load_knowledge

    kb = load_knowledge()
    muscles = sorted(kb.muscles.values(), key=lambda m: (m.area, m.name))
    if as_json:
        print_json(
            [
                {"id": m.id, "name": m.name, "area": m.area, "synonyms": m.synonyms,
                 "essential_zones": [z.region for z in m.essential_zones],
                 "spillover_zones": [z.region for z in m.spillover_zones]}
                for m in muscles
            ]
        )
        return
    table = Table("id", "name", "area", "essential zones")
    for m in muscles:
        table.add_row(m.id, m.name, m.area, ", ".join(z.region for z in m.essential_zones))
    console.print(table)
    console.print(f"{len(muscles)} muscles")


@muscles_app.command("show")
def show_muscle(
    name: Annotated[str, typer.Argument(help="Muscle id, name or synonym, e.g. 'SCM'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Everything the atlas knows about one muscle, with sources."""
    from myomap.knowledge.library import UnknownMuscleError, load_knowledge, muscle_to_json

    kb = load_knowledge()
    try:
        m = kb.muscle(name)
    except UnknownMuscleError as exc:
        fail(str(exc))
    if as_json:
        print_json(muscle_to_json(m, kb.atlas))
        return
    region = lambda rid: kb.atlas.bases[rid].name  # noqa: E731
    console.print(f"[bold]{m.name}[/] ({m.id}) - {kb.atlas.areas[m.area].name}")
    if m.synonyms:
        console.print(f"Also called: {', '.join(m.synonyms)}")
    for label, value in (("Attachments", m.attachments), ("Action", m.action), ("Innervation", m.innervation)):
        console.print(f"[bold]{label}:[/] {value}")
    console.print("[bold]Trigger points:[/]")
    for tp in m.trigger_points:
        console.print(f"  {tp.id}: {tp.location} [dim]({region(tp.region)})[/]")
    console.print(f"[bold]Essential zones:[/] {', '.join(region(z.region) for z in m.essential_zones)}")
    if m.spillover_zones:
        console.print(f"[bold]Spillover zones:[/] {', '.join(region(z.region) for z in m.spillover_zones)}")
    for label, items in (
        ("Symptoms", m.symptoms),
        ("Perpetuating factors", [f"{f.kind}: {f.text}" for f in m.perpetuating_factors]),
        ("Entrapments", [f"{e.nerve}: {e.note}" for e in m.entrapments]),
        ("Cautions", m.cautions),
        ("Endangerment sites", [kb.sites[s].name for s in m.endangerment_sites]),
        ("Conditions", [kb.conditions[c].name for c in m.conditions]),
    ):
        if items:
            console.print(f"[bold]{label}:[/]")
            for item in items:
                console.print(f"  - {item}")
    p = m.palpation
    console.print(f"[bold]Palpation:[/] {p.position}; {p.technique}; {p.direction}")
    console.print(f"[bold]Self-care:[/] {m.self_care}")
    console.print("[bold]Sources:[/]")
    for ref in m.sources:
        console.print(f"  - {kb.sources[ref.source].citation} {ref.locator}")


def refer(
    regions: Annotated[
        list[str] | None,
        typer.Argument(help="Painful regions: ids, names or synonyms ('temple', 'angle of jaw'). Append =N for an intensity, e.g. temple=7.",
                       show_default=False),
    ] = None,
    side: Annotated[str | None, typer.Option(help="left or right, for regions given without a side.")] = None,
    top: Annotated[int, typer.Option(help="How many candidates to show.", min=1)] = 10,
    condition: Annotated[list[str] | None, typer.Option(help="Client condition id to use as a prior (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rank the muscles whose trigger points refer pain to these regions."""
    from myomap.atlas.regions import UnknownRegionError
    from myomap.knowledge.library import load_knowledge
    from myomap.referral import EmptyDrawingError, PainMark, Priors, rank_muscles

    if not regions:
        fail("name at least one painful region, e.g. `myomap refer temple 'angle of jaw' --side left`")
    if side is not None and side.lower() not in ("left", "right"):
        fail(f"--side must be left or right, not {side!r}")
    kb = load_knowledge()
    unknown = [c for c in condition or [] if c not in kb.conditions]
    if unknown:
        fail(f"unknown condition {unknown[0]!r}; known: {', '.join(sorted(kb.conditions))}")
    marks: list[PainMark] = []
    for text in regions:
        name, _, level = text.partition("=")
        try:
            intensity = float(level) if level else 5.0
        except ValueError:
            fail(f"intensity in {text!r} must be a number from 0 to 10")
        try:
            marks.append(PainMark(kb.atlas.resolve(name, side).id, intensity))
        except UnknownRegionError as exc:
            fail(str(exc))
    try:
        ranking = rank_muscles(marks, Priors(conditions=frozenset(condition or ())))
    except (EmptyDrawingError, ValueError) as exc:
        fail(str(exc))
    if as_json:
        print_json(ranking.to_json(top))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table("#", "muscle", "side", "score", "why")
    for i, g in enumerate(ranking.groups[:top], 1):
        c = g.members[0]
        name = g.name + (f" - {c.division} ({', '.join(c.trigger_points)})" if c.division else "")
        table.add_row(str(i), escape(name), c.side, f"{c.score:.2f}", escape("; ".join(c.reasons)))
    console.print(table)
    cover = "; ".join(ranking.label(m) for m in ranking.cover) or "none"
    console.print(f"[bold]Smallest set explaining the drawing:[/] {escape(cover)}")
    if ranking.unexplained:
        console.print(f"[bold]Not explained by any referral pattern:[/] {', '.join(ranking.unexplained)}")
    for e in ranking.entrapments:
        test = f"; test: {e.test_name}" if e.test_name else ""
        console.print(escape(f"Entrapment to test: {e.nerve} ({e.side}) at {e.site} - {e.muscle_name}{test}. Why: {e.reason}."))
    console.print("[dim]Decision support only: confirm by palpation; red flags always take precedence.[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(muscles_app, name="muscles")
    app.command("refer")(refer)
