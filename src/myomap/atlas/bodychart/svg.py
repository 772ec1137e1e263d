"""Body-chart SVG writing: the chart's geometry drawn as escaped HTML/SVG markup.

``render_chart`` returns markup that needs no inline styles or scripts (the app's
Content-Security-Policy forbids both); fills, marks and the legend are presentation attributes.
Where things are is :mod:`myomap.atlas.bodychart.geometry`'s business; this module only draws.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from types import MappingProxyType
from typing import Literal

from myomap.atlas.bodychart.geometry import Point, chart_geometry, point_in_region, region_shape
from myomap.atlas.regions import View, load_atlas

__all__ = [
    "HEAT_STOPS",
    "ChartMark",
    "RegionFill",
    "heat_colour",
    "region_path",
    "render_chart",
]

FillStyle = Literal["heat", "essential", "spillover", "selected", "muted"]

# --- colours ----------------------------------------------------------------------------------------

#: Heat scale, intensity -> colour (ColorBrewer YlOrRd, 9 classes). Lightness falls monotonically
#: from pale yellow to deep red, so the order survives colour-vision deficiency and greyscale print.
#: ``static/bodychart.js`` holds the same list; a test keeps the two equal.
HEAT_STOPS: tuple[tuple[float, str], ...] = (
    (0.0, "#ffffcc"),
    (1.25, "#ffeda0"),
    (2.5, "#fed976"),
    (3.75, "#feb24c"),
    (5.0, "#fd8d3c"),
    (6.25, "#fc4e2a"),
    (7.5, "#e31a1c"),
    (8.75, "#bd0026"),
    (10.0, "#800026"),
)

BASE_FILL = "#f7f2ec"  # unmarked region (presentation attribute on the regions group)
REGION_STROKE = "#b7a696"
OUTLINE = "#6b5a4c"
ESSENTIAL_FILL = "#c0392b"
SPILLOVER_INK = "#c0392b"
SPILLOVER_PAPER = "#fbe3dc"
SELECTED_STROKE = "#1d4ed8"
ZONE_OUTLINE = "#1f1410"  # a painted region inside a shown referral zone: near black, seen on every heat colour
MUTED_FILL = "#e4e1dd"
MARK_INK = "#1f2933"


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def heat_colour(intensity: float) -> str:
    """The heat-scale colour (``#rrggbb``) of a 0-10 pain intensity (clamped to the range)."""
    x = min(10.0, max(0.0, float(intensity)))
    for (x0, c0), (x1, c1) in zip(HEAT_STOPS, HEAT_STOPS[1:], strict=False):
        if x <= x1:
            f = (x - x0) / (x1 - x0)
            rgb = (a + (b - a) * f for a, b in zip(_hex(c0), _hex(c1), strict=True))
            # floor(v + 0.5) is JavaScript's Math.round, so both sides produce the same hex.
            return "#" + "".join(f"{math.floor(v + 0.5):02x}" for v in rgb)
    return HEAT_STOPS[-1][1]  # pragma: no cover - x <= 10 always hits the last stop


# --- public value types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionFill:
    """How one region is painted: ``heat`` by a 0-10 intensity, or a referral-style fill."""

    intensity: float | None = None
    style: FillStyle = "heat"
    zone: Literal["essential", "spillover"] | None = None  # a heat region inside a shown referral zone (outlined)


@dataclass(frozen=True)
class ChartMark:
    """A point drawn on the chart, e.g. a trigger point, at ``(u, v)`` inside a region's box."""

    region_id: str
    u: float
    v: float
    label: str
    kind: Literal["trigger_point"] = "trigger_point"


# --- path data --------------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _path_d(polys: Sequence[Sequence[Point]], close: bool = True) -> str:
    end = "Z" if close else ""
    return "".join("M" + "L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in poly) + end for poly in polys)


@dataclass(frozen=True)
class _Drawing:
    """The geometry as SVG path data, formatted once per process."""

    regions: dict[str, str]
    silhouettes: dict[View, str]
    details: dict[View, str]


@cache
def _drawing() -> _Drawing:
    g = chart_geometry()
    return _Drawing(
        regions={rid: _path_d(shape.polys) for rid, shape in g.shapes.items()},
        silhouettes={view: _path_d(polys) for view, polys in g.silhouettes.items()},
        details={view: _path_d(lines, close=False) for view, lines in g.details.items()},
    )


def region_path(region_id: str) -> str:
    """SVG path data of a chart region."""
    region_shape(region_id)  # unknown ids raise UnknownRegionError with suggestions
    return _drawing().regions[region_id]


# --- rendering --------------------------------------------------------------------------------------

_DOM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_EMPTY: Mapping[str, RegionFill] = MappingProxyType({})
_VIEW_LABEL = {View.ANTERIOR: "Front view", View.POSTERIOR: "Back view"}


@cache
def _names() -> dict[str, str]:
    return {rid: escape(r.name) for rid, r in load_atlas().regions.items()}


def _num(x: float) -> str:
    return f"{x:g}" if x != int(x) else str(int(x))


def _fill_attrs(fill: RegionFill | None, pattern_id: str) -> tuple[str, str, bool]:
    """(extra classes, extra attributes, pressed) for a region's fill."""
    if fill is None:
        return "", "", False
    if fill.style == "heat":
        if fill.intensity is None or fill.intensity <= 0:
            return "", "", False
        value = min(10.0, float(fill.intensity))
        attrs = f' fill="{heat_colour(value)}" data-intensity="{_num(round(value, 1))}"'
        if fill.zone is None:
            return " heat", attrs, True
        # The pain and the zone both stay visible: the heat colour inside the zone's outline
        # (solid for essential, dashed for spillover).
        dash = ' stroke-dasharray="2.5 1.5"' if fill.zone == "spillover" else ""
        return f" heat in-{fill.zone}", attrs + f' stroke="{ZONE_OUTLINE}" stroke-width="2.2"{dash}', True
    if fill.style == "essential":
        return " essential", f' fill="{ESSENTIAL_FILL}"', True
    if fill.style == "spillover":
        return " spillover", f' fill="url(#{pattern_id})"', True
    if fill.style == "selected":
        return " selected", f' stroke="{SELECTED_STROKE}" stroke-width="2"', True
    if fill.style == "muted":
        return " muted", f' fill="{MUTED_FILL}"', False
    raise ValueError(f"unknown fill style {fill.style!r}")


def _title(name: str, fill: RegionFill | None) -> str:
    if fill is None:
        return name
    if fill.style == "heat" and fill.intensity is not None and fill.intensity > 0:
        inside = f", in the {fill.zone} zone" if fill.zone else ""
        return f"{name}: {_num(round(min(10.0, float(fill.intensity)), 1))}/10{inside}"
    if fill.style in ("essential", "spillover"):
        return f"{name}: {fill.style} pain"
    return name


def _stipple(pattern_id: str) -> str:
    return (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="5" height="5">'
        f'<rect width="5" height="5" fill="{SPILLOVER_PAPER}"/>'
        f'<circle cx="1.25" cy="1.25" r="0.85" fill="{SPILLOVER_INK}"/>'
        f'<circle cx="3.75" cy="3.75" r="0.85" fill="{SPILLOVER_INK}"/></pattern>'
    )


def _cross(x: float, y: float, size: float = 4.5) -> str:
    return f"M{_fmt(x - size)} {_fmt(y - size)}L{_fmt(x + size)} {_fmt(y + size)}M{_fmt(x + size)} {_fmt(y - size)}L{_fmt(x - size)} {_fmt(y + size)}"


def _render_view(
    view: View,
    fills: Mapping[str, RegionFill],
    marks: Sequence[ChartMark],
    interactive: bool,
    dom_id: str,
) -> str:
    g = chart_geometry()
    drawing = _drawing()
    names = _names()
    pattern_id = f"{dom_id}-{view.value}-stipple"
    body_id = f"{dom_id}-{view.value}-body"
    label = _VIEW_LABEL[view]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bodychart-view bodychart-{view.value}" '
        f'viewBox="0 0 {_fmt(g.width)} {_fmt(g.height)}" role="group" aria-label="{label}" data-view="{view.value}">',
        f'<defs>{_stipple(pattern_id)}<path id="{body_id}" d="{drawing.silhouettes[view]}"/></defs>',
        # the body outline: every segment stroked wide, then filled again on top, leaves only the
        # outer edge of their union visible
        f'<use href="#{body_id}" class="silhouette-outline" aria-hidden="true" fill="{OUTLINE}" '
        f'stroke="{OUTLINE}" stroke-width="3" stroke-linejoin="round"/>',
        f'<use href="#{body_id}" class="silhouette" aria-hidden="true" fill="{BASE_FILL}"/>',
        f'<g class="regions" fill="{BASE_FILL}" stroke="{REGION_STROKE}" stroke-width="0.6" stroke-linejoin="round">',
    ]
    for rid, shape in g.shapes.items():
        if shape.view is not view:
            continue
        fill = fills.get(rid)
        classes, attrs, pressed = _fill_attrs(fill, pattern_id)
        name = names[rid]
        title = _title(name, fill)
        if interactive:
            # Button semantics (tabindex, role, aria-pressed) are added by bodychart.js: without
            # JavaScript the regions do nothing, so they must not announce themselves as buttons.
            attrs += f' data-pressed="{"true" if pressed else "false"}"'
        out.append(
            f'<path class="region{classes}" data-region="{rid}" d="{drawing.regions[rid]}"{attrs}><title>{title}</title></path>'
        )
    out.append("</g>")
    if drawing.details[view]:
        out.append(
            f'<path class="details" aria-hidden="true" d="{drawing.details[view]}" fill="none" stroke="{REGION_STROKE}" '
            'stroke-width="0.8" stroke-linecap="round" pointer-events="none"/>'
        )
    view_marks = []
    for mark in marks:
        mview, x, y = point_in_region(mark.region_id, mark.u, mark.v)
        if mview != view.value:
            continue
        text = escape(mark.label)
        cross = _cross(x, y)
        view_marks.append(
            f'<g class="mark {mark.kind.replace("_", "-")}" data-mark-region="{escape(mark.region_id)}">'
            f"<title>{text}</title>"
            f'<path d="{cross}" stroke="#ffffff" stroke-width="4" stroke-linecap="round"/>'
            f'<path d="{cross}" stroke="{MARK_INK}" stroke-width="2" stroke-linecap="round"/></g>'
        )
    if view_marks:
        out.append('<g class="marks" fill="none">' + "".join(view_marks) + "</g>")
    out.append('<g class="labels" aria-hidden="true">')
    for text, x, y, anchor, cls in g.labels[view]:
        klass = f' class="{escape(cls)}"' if cls else ""
        out.append(f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{escape(anchor)}"{klass}>{escape(text)}</text>')
    out.append("</g></svg>")
    return "".join(out)


def _legend(fills: Mapping[str, RegionFill], marks: Sequence[ChartMark], interactive: bool, dom_id: str) -> str:
    styles: set[str] = {f.style for f in fills.values() if f.style != "heat" or (f.intensity or 0) > 0}
    styles |= {"in-zone" for f in fills.values() if f.zone and f.style == "heat" and (f.intensity or 0) > 0}
    items: list[str] = []
    said: list[str] = []  # the legend in words, for its accessible name
    x = 0.0
    if "heat" in styles or interactive:
        # A key, not a picker: one unbroken bar of the ten colours (nothing to tap), ends labelled.
        said.append("pain intensity 1 to 10, from pale yellow to dark red")
        items.append(f'<text x="{_fmt(x)}" y="13" class="legend-title">Key: pain intensity</text>')
        x += 124
        for i in range(1, 11):
            items.append(f'<rect class="legend-step" x="{_fmt(x + (i - 1) * 12)}" y="4" width="12" height="10" fill="{heat_colour(i)}"/>')
        items.append(f'<rect x="{_fmt(x)}" y="4" width="120" height="10" fill="none" stroke="{REGION_STROKE}" stroke-width="0.5"/>')
        for i in (1, 5, 10):
            items.append(f'<text x="{_fmt(x + (i - 0.5) * 12)}" y="27" text-anchor="middle" class="legend-tick">{i}</text>')
        x += 120 + 20
    patt = f"{dom_id}-legend-stipple"
    swatches = (
        ("essential", f'fill="{ESSENTIAL_FILL}"', "Essential pain", "solid red"),
        ("spillover", f'fill="url(#{patt})"', "Spillover pain", "red dots"),
        ("selected", f'fill="{BASE_FILL}" stroke="{SELECTED_STROKE}" stroke-width="2"', "Selected", "blue outline"),
        ("in-zone", f'fill="{heat_colour(6)}" stroke="{ZONE_OUTLINE}" stroke-width="2"', "Pain in the zone", "dark outline"),
    )
    for style, attrs, text, look in swatches:
        if style in styles:
            said.append(f"{text.lower()}, {look}")
            items.append(f'<rect x="{_fmt(x + 1)}" y="3" width="13" height="13" rx="2" {attrs}/>')
            items.append(f'<text x="{_fmt(x + 19)}" y="13">{text}</text>')
            x += 24 + 6.2 * len(text)
    if marks:
        said.append("trigger point, a cross")
        items.append(
            f'<path d="{_cross(x + 7, 9.5, 4.5)}" stroke="{MARK_INK}" stroke-width="2" stroke-linecap="round" fill="none"/>'
        )
        items.append(f'<text x="{_fmt(x + 19)}" y="13">Trigger point</text>')
        x += 24 + 6.2 * 13
    if not items:
        return ""
    width = max(x, 10.0)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bodychart-legend" viewBox="0 0 {_fmt(width)} 32" '
        f'role="img" aria-label="Key: {"; ".join(said)}"><defs>{_stipple(patt)}</defs>' + "".join(items) + "</svg>"
    )


def _zoom_bar() -> str:
    """The zoom controls of a zoomable chart, hidden until ``bodychart.js`` runs (they need it).

    Each inset button carries, per view, the box that frames its regions (``data-box-<view>``).
    """
    buttons = [
        '<button type="button" class="zoom-button" data-zoom="out">Zoom out</button>',
        '<button type="button" class="zoom-button" data-zoom="in">Zoom in</button>',
        '<button type="button" class="zoom-button" data-zoom="reset" aria-pressed="true">Whole body</button>',
    ]
    for inset in chart_geometry().insets:
        boxes = "".join(
            f' data-box-{view.value}="{" ".join(_fmt(v) for v in box)}"' for view, box in inset.boxes.items()
        )
        buttons.append(
            f'<button type="button" class="zoom-button" data-inset="{escape(inset.id)}"{boxes} aria-pressed="false">'
            f"{escape(inset.label)}</button>"
        )
    return (
        f'<div class="bodychart-zoom" role="group" aria-label="Zoom the chart" data-zoom-bar="" hidden="hidden">{"".join(buttons)}'
        "</div>"
    )


def render_chart(
    *,
    fills: Mapping[str, RegionFill] = _EMPTY,
    marks: Sequence[ChartMark] = (),
    interactive: bool = False,
    zoomable: bool = False,
    dom_id: str = "bodychart",
    caption: str | None = None,
    views: Sequence[View] = (View.ANTERIOR, View.POSTERIOR),
) -> str:
    """The body chart as an HTML ``<figure>`` with one inline ``<svg>`` per view.

    ``fills`` maps chart region ids to how they are painted; ``marks`` are crosses at points in
    regions. ``interactive`` marks the figure for ``bodychart.js``, which makes every region a
    focusable toggle button (only then, so that without JavaScript nothing pretends to be a button),
    and adds the zoom bar (zoom in and out, whole body, and the insets of ``bodychart_geometry.yaml``).
    ``zoomable`` gives a read-only chart the same zoom bar, pinch and insets (on a tablet the whole
    head is about 30 px wide) while its regions stay plain shapes that a tap does nothing to.
    The markup is well-formed XML, uses presentation attributes only (no ``style=``), and escapes
    every text. Unknown region ids raise :class:`~myomap.atlas.regions.UnknownRegionError`.
    """
    if not _DOM_ID.match(dom_id):
        raise ValueError(f"dom_id must be a plain identifier, got {dom_id!r}")
    g = chart_geometry()
    for rid in fills:
        if rid not in g.shapes:
            load_atlas().region(rid)
    for mark in marks:
        region_shape(mark.region_id)
    zooms = interactive or zoomable
    attrs = (' data-interactive="true"' if interactive else "") + (' data-zoomable="true"' if zooms else "")
    parts = [f'<figure class="bodychart" id="{dom_id}"{attrs}>']
    if zooms:
        parts.append(_zoom_bar())
    parts.append('<div class="bodychart-views">')
    parts.extend(_render_view(View(v), fills, marks, interactive, dom_id) for v in views)
    parts.append("</div>")
    parts.append(_legend(fills, marks, interactive, dom_id))
    if caption:
        parts.append(f"<figcaption>{escape(caption)}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)
