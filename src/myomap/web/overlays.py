"""Body charts that overlay a muscle's referral map (essential solid, spillover stippled,
trigger points as crosses) on an optional pain drawing's heat map."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from myomap.atlas.bodychart import ChartMark, RegionFill, render_chart
from myomap.referral import referral_map


def referral_chart(
    muscle_id: str,
    side: str,
    *,
    division: str | None = None,
    intensities: Mapping[str, float] | None = None,
    dom_id: str = "referral-map",
    caption: str | None = None,
) -> Markup:
    """Painted regions keep their heat colour, outlined where they lie inside the muscle's zone; the
    zones that are not painted show as essential or spillover, so the therapist sees what fits, what
    is missing, and the pain in both. With a ``division`` (the candidate's best-fitting pattern),
    only that pattern is drawn. The chart zooms (head, hands, feet) but its regions do nothing."""
    sides = ("left", "right") if side == "both" else ("right",) if side == "either" else (side,)
    fills: dict[str, RegionFill] = {}
    marks: list[ChartMark] = []
    for s in sides:
        rmap = referral_map(muscle_id, s, division)
        for rid in rmap.spillover:
            fills.setdefault(rid, RegionFill(style="spillover"))
        for rid in rmap.essential:
            fills[rid] = RegionFill(style="essential")
        marks += [ChartMark(region_id=r, u=u, v=v, label=label) for r, u, v, label in rmap.trigger_points]
    for rid, value in (intensities or {}).items():
        zone = fills[rid].style if rid in fills else None
        fills[rid] = RegionFill(intensity=float(value), style="heat",
                                zone="essential" if zone == "essential" else "spillover" if zone == "spillover" else None)
    return Markup(render_chart(fills=fills, marks=marks, zoomable=True, dom_id=dom_id, caption=caption))
