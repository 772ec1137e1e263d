"""``myomap muscles ...`` and ``myomap refer``: the trigger-point atlas and referral inference."""

from __future__ import annotations

from typing import Annotated

import typer

from myomap.cli._output import checked_side, console, fail, print_json

muscles_app = typer.Typer(help="The trigger-point atlas: muscles, trigger points, referral zones.", no_args_is_help=True)


@muscles_app.command("list")
def list_muscles(
    query: Annotated[str, typer.Argument(help="Search: a name, symptom, condition or place, e.g. 'headache'.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every muscle in the atlas with its body area and essential zones, or those matching
    QUERY, most relevant first, with why each matched (the same search as the atlas page)."""
    from rich.table import Table

    from myomap.knowledge.library import load_knowledge, muscle_summary
    from myomap.knowledge.search import search_muscles

    kb = load_knowledge()
    hits = search_muscles(kb, query, limit=len(kb.muscles))
    if as_json:
        print_json([muscle_summary(h.muscle, h.matched) for h in hits])
        return
    table = Table("id", "name", "area", "why it matches" if query else "essential zones")
    for h in hits:
        m = h.muscle
        table.add_row(m.id, m.name, m.area, "; ".join(h.matched) if query else ", ".join(z.region for z in m.essential_zones))
    console.print(table)
    console.print(f"{len(hits)} muscles" + (f" match {query!r}" if query else ""))


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

    def region(rid: str) -> str:
        return kb.atlas.bases[rid].name

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
        typer.Argument(help="Painful places: ids, names, synonyms or areas ('temple', 'angle of jaw', 'wrist'). "
                            "Append =N for an intensity and :qualities, e.g. temple=7 or wrist=6:tingling,numbness.",
                       show_default=False),
    ] = None,
    side: Annotated[str | None, typer.Option(help="left or right, for regions given without a side.")] = None,
    top: Annotated[int, typer.Option(help="How many rows (a muscle or a tie group) to show.", min=1)] = 10,
    condition: Annotated[list[str] | None, typer.Option(help="Client condition id to use as a prior (repeatable).")] = None,
    finding: Annotated[list[str] | None, typer.Option(
        help="Muscle implicated by a finding, as muscle or muscle.side with an optional =weight (repeatable), "
             "e.g. upper_trapezius.right=1.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rank the muscles whose trigger points refer pain to these regions."""
    from rich.markup import escape
    from rich.table import Table

    from myomap.knowledge.library import load_knowledge
    from myomap.referral.drawing import DrawingInputError, parse_phrase, refer_phrases

    if not regions:
        fail("name at least one painful region, e.g. `myomap refer temple 'angle of jaw' --side left`")
    try:
        findings = {k: float(w or 1) for k, _, w in (f.partition("=") for f in finding or [])}
    except ValueError:
        fail("a finding's weight must be a number from 0 to 1, e.g. upper_trapezius.right=1")
    try:
        referral = refer_phrases([parse_phrase(r) for r in regions], side=checked_side(side), conditions=condition or (),
                                 findings=findings)
    except DrawingInputError as exc:
        fail(next(iter(exc.errors.values())))
    if as_json:
        print_json(referral.to_json(top))
        return
    names = {rid: r.name for rid, r in load_knowledge().atlas.regions.items()}
    for reading in referral.readings:
        if reading.expanded_from or reading.corrected:
            console.print(escape(f"Read: {reading.describe(names)}"))
    ranking = referral.ranking
    table = Table("#", "muscle", "side", "score", "why")
    for i, g in enumerate(ranking.groups[:top], 1):
        c = g.members[0]
        name = g.name + (f" - {c.division}" if c.division else "")
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
