"""The anatomical body chart: SVG markup for the 203 chart regions of the atlas.

Geometry lives in ``data/bodychart_geometry.yaml`` and is described there in detail. In short, the
figure is a union of *segments* (head, neck, trunk, arm, hand, fingers, leg, foot ...); each one is a
centre line with a medial and a lateral half-width, all given as smooth functions of ``y``. A region
is drawn either in a segment's own coordinates ``(t, y)`` -- ``t`` runs from -1 (medial edge) over
0 (centre line) to +1 (lateral edge) -- so that it follows the body's contour, or as a small ellipse.
Every shape is defined once, for one side, in *offset* coordinates (``x`` = distance from the mirror
axis, positive = lateral) and mirrored to the other side, which keeps left and right identical.

This module is pure: no web framework imports. ``render_chart`` returns escaped HTML/SVG markup
that needs no inline styles or scripts (the app's Content-Security-Policy forbids both).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from types import MappingProxyType
from typing import Literal

import yaml

from myomap.atlas.regions import Region, Side, View, load_atlas

__all__ = [
    "HEAT_STOPS",
    "ChartMark",
    "RegionFill",
    "heat_colour",
    "point_in_region",
    "region_axis",
    "region_box",
    "region_path",
    "render_chart",
    "view_box",
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


@dataclass(frozen=True)
class ChartMark:
    """A point drawn on the chart, e.g. a trigger point, at ``(u, v)`` inside a region's box."""

    region_id: str
    u: float
    v: float
    label: str
    kind: Literal["trigger_point"] = "trigger_point"


# --- smooth profiles --------------------------------------------------------------------------------


class _Pchip:
    """Monotone piecewise-cubic (Fritsch-Carlson) interpolation: smooth and free of overshoot."""

    def __init__(self, xs: Sequence[float], ys: Sequence[float]) -> None:
        n = len(xs)
        if n < 2:
            raise ValueError("a profile needs at least two knots")
        h = [xs[i + 1] - xs[i] for i in range(n - 1)]
        if any(step <= 0 for step in h):
            raise ValueError(f"profile knots must have strictly increasing y: {list(xs)}")
        delta = [(ys[i + 1] - ys[i]) / h[i] for i in range(n - 1)]
        d = [0.0] * n
        if n == 2:
            d = [delta[0], delta[0]]
        else:
            for k in range(1, n - 1):
                if delta[k - 1] * delta[k] > 0:
                    w1, w2 = 2 * h[k] + h[k - 1], h[k] + 2 * h[k - 1]
                    d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])
            d[0] = self._end(h[0], h[1], delta[0], delta[1])
            d[-1] = self._end(h[-1], h[-2], delta[-1], delta[-2])
        self.xs, self.ys, self.d, self.h = list(xs), list(ys), d, h

    @staticmethod
    def _end(h0: float, h1: float, m0: float, m1: float) -> float:
        d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
        if d * m0 <= 0:
            return 0.0
        if m0 * m1 <= 0 and abs(d) > abs(3 * m0):
            return 3 * m0
        return d

    def __call__(self, x: float) -> tuple[float, float]:
        """Value and first derivative at ``x`` (clamped to the knot range)."""
        xs = self.xs
        x = min(xs[-1], max(xs[0], x))
        i = min(len(xs) - 2, max(0, bisect.bisect_right(xs, x) - 1))
        h = self.h[i]
        s = (x - xs[i]) / h
        y0, y1, d0, d1 = self.ys[i], self.ys[i + 1], self.d[i], self.d[i + 1]
        s2, s3 = s * s, s * s * s
        val = (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * d0 + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * h * d1
        der = ((6 * s2 - 6 * s) * y0 + (3 * s2 - 4 * s + 1) * h * d0 + (-6 * s2 + 6 * s) * y1 + (3 * s2 - 2 * s) * h * d1) / h
        return val, der


Point = tuple[float, float]


@dataclass(frozen=True)
class _Segment:
    """One body part: a centre line ``cx(y)`` with medial/lateral half-widths, or an ellipse."""

    name: str
    views: frozenset[View]
    mirror: bool  # drawn on both sides of the axis (limbs) or once, centred on it (head, trunk)
    axis: float  # absolute x of the mirror axis
    y0: float
    y1: float
    cx: _Pchip | None = None
    wm: _Pchip | None = None
    wl: _Pchip | None = None
    ellipse: tuple[float, float, float, float] | None = None

    def point(self, t: float, y: float) -> Point:
        """Offset coordinates of segment coordinates ``(t, y)``; both are clamped to the segment."""
        assert self.cx is not None and self.wm is not None and self.wl is not None
        t = min(1.0, max(-1.0, t))
        y = min(self.y1, max(self.y0, y))
        c, slope = self.cx(y)
        w = t * (self.wl(y)[0] if t >= 0 else self.wm(y)[0])
        norm = math.hypot(1.0, slope)
        return c + w / norm, y - w * slope / norm

    def outline(self) -> list[Point]:
        if self.ellipse is not None:
            return _ellipse_points(*self.ellipse)
        return self.polygon([(-1.0, self.y0), (-1.0, self.y1), (1.0, self.y1), (1.0, self.y0)])

    def width_at(self, y: float) -> float:
        assert self.wm is not None and self.wl is not None
        return self.wm(y)[0] + self.wl(y)[0]

    def polygon(self, corners: Sequence[Point]) -> list[Point]:
        """Map a polygon given in ``(t, y)`` to offset coordinates, densified so edges follow the
        segment's curves (a straight edge in ``(t, y)`` becomes a curve along the body)."""
        pts: list[Point] = []
        n = len(corners)
        for i in range(n):
            (t0, ya), (t1, yb) = corners[i], corners[(i + 1) % n]
            t0, t1 = min(1.0, max(-1.0, t0)), min(1.0, max(-1.0, t1))
            ya, yb = min(self.y1, max(self.y0, ya)), min(self.y1, max(self.y0, yb))
            width = self.width_at((ya + yb) / 2) / 2
            steps = max(1, math.ceil(max(abs(yb - ya) / 1.0, abs(t1 - t0) * width / 1.5)))
            for k in range(steps):
                f = k / steps
                pts.append(self.point(t0 + (t1 - t0) * f, ya + (yb - ya) * f))
        return pts


def _ellipse_points(cx: float, cy: float, rx: float, ry: float, rotate: float = 0.0) -> list[Point]:
    n = max(14, min(32, int(2 * math.pi * max(rx, ry) / 2.2)))
    a = math.radians(rotate)
    ca, sa = math.cos(a), math.sin(a)
    out = []
    for k in range(n):
        th = 2 * math.pi * k / n
        ex, ey = rx * math.cos(th), ry * math.sin(th)
        out.append((cx + ex * ca - ey * sa, cy + ex * sa + ey * ca))
    return out


def _simplify(points: list[Point], eps: float) -> list[Point]:
    """Ramer-Douglas-Peucker on an open polyline."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1e-9
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            dist = abs(dy * (px - ax) - dx * (py - ay)) / length
            if dist > best:
                best, idx = dist, i
        if best > eps:
            keep[idx] = True
            stack.extend(((a, idx), (idx, b)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _simplify_closed(points: list[Point], eps: float) -> list[Point]:
    if len(points) < 8:
        return points
    half = len(points) // 2
    return _simplify(points[: half + 1], eps)[:-1] + _simplify(points[half:] + [points[0]], eps)[:-1]


def _area(poly: Sequence[Point]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(poly, [*poly[1:], poly[0]], strict=True))) / 2


# --- parsed geometry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RegionShape:
    region_id: str
    view: View
    axis: float
    sign: int  # +1: lateral is +x (drawn right of its axis); -1: mirrored; midline regions: +1
    midline: bool
    polys: tuple[list[Point], ...]  # absolute SVG coordinates (simplified, as drawn)
    d: str
    box: tuple[float, float, float, float]  # x, y, w, h of the exact (unsimplified) shape


@dataclass(frozen=True)
class _Geometry:
    width: float
    height: float
    midline: float
    segments: dict[str, _Segment]
    shapes: dict[str, _RegionShape]  # chart region id -> shape, in drawing (z) order
    silhouettes: dict[View, str]  # path data of the body outline per view
    details: dict[View, str]  # decorative lines (nose, navel ...) per view
    labels: dict[View, tuple[tuple[str, float, float, str, str], ...]]  # text, x, y, anchor, class


def _side_sign(view: View, side: Side | None) -> int:
    """+1 when a side's lateral direction is +x. The chart shows the client facing the viewer on the
    anterior view (client's left on the viewer's right) and from behind on the posterior view."""
    if side is None:
        return 1
    if view is View.ANTERIOR:
        return 1 if side is Side.LEFT else -1
    return -1 if side is Side.LEFT else 1


def _fmt(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _path_d(polys: Sequence[Sequence[Point]]) -> str:
    parts = []
    for poly in polys:
        parts.append("M" + "L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in poly) + "Z")
    return "".join(parts)


def _knots(raw: list[list[float]]) -> tuple[list[float], list[float], list[float], list[float]]:
    ys, cs, wms, wls = [], [], [], []
    for k in raw:
        if len(k) == 2:  # [y, half-width] on the axis
            y, c, wm, wl = k[0], 0.0, k[1], k[1]
        elif len(k) == 3:  # [y, centre, half-width]
            y, c, wm, wl = k[0], k[1], k[2], k[2]
        elif len(k) == 4:  # [y, centre, medial half-width, lateral half-width]
            y, c, wm, wl = k
        else:
            raise ValueError(f"bad knot {k!r}")
        ys.append(float(y))
        cs.append(float(c))
        wms.append(float(wm))
        wls.append(float(wl))
    return ys, cs, wms, wls


def _round_end(ys: list[float], cs: list[float], wms: list[float], wls: list[float], at_end: bool) -> None:
    """Close one end of a profile with a quarter-circle taper (finger tips, toes, heels)."""
    i, j = (-1, -2) if at_end else (0, 1)
    direction = 1.0 if at_end else -1.0
    slope = (cs[i] - cs[j]) / (ys[i] - ys[j])
    cos_a = 1 / math.hypot(1.0, slope)  # the cap is measured along the (slanted) centre line
    r = (wms[i] + wls[i]) / 2
    knots = []
    for deg in (25, 45, 62, 76, 88):
        th = math.radians(deg)
        dy = direction * r * math.sin(th) * cos_a
        f = math.cos(th)
        knots.append((ys[i] + dy, cs[i] + slope * dy, max(wms[i] * f, 0.05), max(wls[i] * f, 0.05)))
    merged = sorted([*zip(ys, cs, wms, wls, strict=True), *knots])
    ys[:], cs[:], wms[:], wls[:] = (list(col) for col in zip(*merged, strict=True))


def _parse_segment(name: str, raw: dict, midline: float) -> _Segment:
    views = frozenset(View(v) for v in raw.get("views", ("anterior", "posterior")))
    axis = float(raw.get("axis", midline))
    if "ellipse" in raw:
        cx, cy, rx, ry = (float(v) for v in raw["ellipse"])
        return _Segment(name, views, bool(raw.get("mirror", True)), axis, cy - ry, cy + ry, ellipse=(cx, cy, rx, ry))
    ys, cs, wms, wls = _knots(raw["knots"])
    rounded = raw.get("round", "")
    if rounded in ("start", "both"):
        _round_end(ys, cs, wms, wls, at_end=False)
    if rounded in ("end", "both"):
        _round_end(ys, cs, wms, wls, at_end=True)
    mirror = bool(raw.get("mirror", any(c != 0 for c in cs)))
    return _Segment(name, views, mirror, axis, ys[0], ys[-1], _Pchip(ys, cs), _Pchip(ys, wms), _Pchip(ys, wls))


def _shape_polys(spec: dict, segments: dict[str, _Segment], where: str) -> tuple[list[list[Point]], float | None]:
    """Offset-coordinate polygons of one shape spec, and the mirror axis it implies (if any)."""
    if "parts" in spec:
        polys: list[list[Point]] = []
        axis = None
        for part in spec["parts"]:
            p, a = _shape_polys(part, segments, where)
            polys.extend(p)
            axis = axis if a is None else a
        return polys, axis
    if "ellipse" in spec:
        cx, cy, rx, ry, *rot = (float(v) for v in spec["ellipse"])
        axis = float(spec["axis"]) if "axis" in spec else None
        return [_ellipse_points(cx, cy, rx, ry, rot[0] if rot else 0.0)], axis
    try:
        seg = segments[spec["seg"]]
    except KeyError as exc:
        raise ValueError(f"{where}: unknown segment {exc}") from None
    if "box" in spec:
        t0, t1, y0, y1 = (float(v) for v in spec["box"])
        corners = [(t0, y0), (t0, y1), (t1, y1), (t1, y0)]
    elif "poly" in spec:
        corners = [(float(t), float(y)) for t, y in spec["poly"]]
    else:
        return [seg.outline()], seg.axis
    return [seg.polygon(corners)], seg.axis


def _place(polys: list[list[Point]], axis: float, sign: int) -> list[tuple[Point, ...]]:
    return [tuple((axis + sign * x, y) for x, y in poly) for poly in polys]


def _bbox(polys: Sequence[Sequence[Point]]) -> tuple[float, float, float, float]:
    xs = [x for poly in polys for x, _ in poly]
    ys = [y for poly in polys for _, y in poly]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _parse_geometry(doc: dict) -> _Geometry:
    atlas = load_atlas()
    canvas = doc["canvas"]
    width, height, midline = float(canvas["width"]), float(canvas["height"]), float(canvas["midline"])
    segments = {name: _parse_segment(name, raw, midline) for name, raw in doc["segments"].items()}

    missing = sorted(set(atlas.bases) - set(doc["regions"]))
    extra = sorted(set(doc["regions"]) - set(atlas.bases))
    if missing or extra:
        raise ValueError(f"body chart geometry out of step with the atlas: missing {missing}, unknown {extra}")

    shapes: dict[str, _RegionShape] = {}
    by_base: dict[str, list[Region]] = {}
    for region in atlas.regions.values():
        by_base.setdefault(region.base.id, []).append(region)
    for base_id, spec in doc["regions"].items():
        base = atlas.bases[base_id]
        polys, seg_axis = _shape_polys(spec, segments, base_id)
        axis = seg_axis if seg_axis is not None else midline
        for seg_name in _segment_names(spec):
            if base.view not in segments[seg_name].views:
                raise ValueError(f"{base_id}: segment {seg_name!r} is not drawn on the {base.view} view")
        for region in by_base[base_id]:
            sign = _side_sign(base.view, region.side)
            dense = _place(polys, axis, sign)
            placed = [_simplify_closed(list(poly), 0.2) for poly in dense]  # only for the path data
            for poly in placed:
                if _area(poly) < 1.0:
                    raise ValueError(f"{region.id}: degenerate shape")
            shapes[region.id] = _RegionShape(
                region.id, base.view, axis, sign, region.side is None, tuple(placed), _path_d(placed), _bbox(dense)
            )

    silhouettes: dict[View, str] = {}
    for view in View:
        polys = []
        for seg in segments.values():
            if view not in seg.views:
                continue
            outline = _simplify_closed(seg.outline(), 0.2)
            polys.extend(_place([outline], seg.axis, 1))
            if seg.mirror:
                polys.extend(_place([outline], seg.axis, -1))
        silhouettes[view] = _path_d(polys)

    details: dict[View, str] = {}
    for view in View:
        polys = []
        for item in doc.get("details", {}).get(view.value, ()):
            if "seg" in item:
                seg = segments[item["seg"]]
                line = [seg.point(float(t), float(y)) for t, y in item["line"]]
                axis = seg.axis
            else:
                line = [(float(x), float(y)) for x, y in item["line"]]
                axis = float(item.get("axis", midline))
            polys.append(_place([line], axis, 1)[0])
            if item.get("mirror", True):
                polys.append(_place([line], axis, -1)[0])
        details[view] = "".join("M" + "L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in p) for p in polys)

    labels: dict[View, tuple[tuple[str, float, float, str, str], ...]] = {}
    for view in View:
        labels[view] = tuple(
            (str(lab["text"]), float(lab["x"]), float(lab["y"]), str(lab.get("anchor", "middle")), str(lab.get("class", "")))
            for lab in doc.get("labels", {}).get(view.value, ())
        )
    return _Geometry(width, height, midline, segments, shapes, silhouettes, details, labels)


def _segment_names(spec: dict) -> list[str]:
    if "parts" in spec:
        return [n for part in spec["parts"] for n in _segment_names(part)]
    return [spec["seg"]] if "seg" in spec else []


@cache
def _geometry() -> _Geometry:
    text = resources.files("myomap.atlas").joinpath("data/bodychart_geometry.yaml").read_text(encoding="utf-8")
    return _parse_geometry(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


# --- queries ----------------------------------------------------------------------------------------


def _shape(region_id: str) -> _RegionShape:
    shapes = _geometry().shapes
    if region_id not in shapes:
        load_atlas().region(region_id)  # raises UnknownRegionError with suggestions
    return shapes[region_id]


def view_box() -> tuple[float, float, float, float]:
    """The SVG viewBox shared by both views: ``(0, 0, width, height)``."""
    g = _geometry()
    return 0.0, 0.0, g.width, g.height


def region_box(region_id: str) -> tuple[str, float, float, float, float]:
    """``(view, x, y, w, h)``: the bounding box of a chart region in its view's SVG coordinates."""
    s = _shape(region_id)
    return (s.view.value, *s.box)


def region_axis(region_id: str) -> float:
    """The x of the axis a region is mirrored about (the figure's midline, or the soles' inset)."""
    return _shape(region_id).axis


def region_path(region_id: str) -> str:
    """SVG path data of a chart region."""
    return _shape(region_id).d


def point_in_region(region_id: str, u: float, v: float) -> tuple[str, float, float]:
    """``(view, x, y)`` of a point in a region's bounding box.

    ``u`` runs from medial (0) to lateral (1), so left and right regions mirror each other; for a
    midline region ``u = 0.5`` is the midline. ``v`` runs from top (0) to bottom (1). Both are
    clamped to ``[0, 1]``.
    """
    s = _shape(region_id)
    u, v = min(1.0, max(0.0, u)), min(1.0, max(0.0, v))
    x, y, w, h = s.box
    px = x + u * w if s.sign > 0 else x + (1 - u) * w
    return s.view.value, px, y + v * h


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
        return " heat", f' fill="{heat_colour(value)}" data-intensity="{_num(round(value, 1))}"', True
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
        return f"{name}: {_num(round(min(10.0, float(fill.intensity)), 1))}/10"
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
    g = _geometry()
    names = _names()
    pattern_id = f"{dom_id}-{view.value}-stipple"
    body_id = f"{dom_id}-{view.value}-body"
    label = _VIEW_LABEL[view]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bodychart-view bodychart-{view.value}" '
        f'viewBox="0 0 {_fmt(g.width)} {_fmt(g.height)}" role="group" aria-label="{label}" data-view="{view.value}">',
        f'<defs>{_stipple(pattern_id)}<path id="{body_id}" d="{g.silhouettes[view]}"/></defs>',
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
            f'<path class="region{classes}" data-region="{rid}" d="{shape.d}"{attrs}><title>{title}</title></path>'
        )
    out.append("</g>")
    if g.details[view]:
        out.append(
            f'<path class="details" aria-hidden="true" d="{g.details[view]}" fill="none" stroke="{REGION_STROKE}" '
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
    styles = {f.style for f in fills.values() if f.style != "heat" or (f.intensity or 0) > 0}
    items: list[str] = []
    said: list[str] = []  # the legend in words, for its accessible name
    x = 0.0
    if "heat" in styles or interactive:
        said.append("pain intensity 1 to 10, from pale yellow to dark red")
        items.append(f'<text x="{_fmt(x)}" y="13" class="legend-title">Pain intensity</text>')
        x += 94
        for i in range(1, 11):
            items.append(
                f'<rect x="{_fmt(x)}" y="2" width="14" height="14" fill="{heat_colour(i)}" stroke="{REGION_STROKE}" stroke-width="0.5"/>'
                f'<text x="{_fmt(x + 7)}" y="28" text-anchor="middle" class="legend-tick">{i}</text>'
            )
            x += 15
        x += 14
    patt = f"{dom_id}-legend-stipple"
    swatches = (
        ("essential", f'fill="{ESSENTIAL_FILL}"', "Essential pain", "solid red"),
        ("spillover", f'fill="url(#{patt})"', "Spillover pain", "red dots"),
        ("selected", f'fill="{BASE_FILL}" stroke="{SELECTED_STROKE}" stroke-width="2"', "Selected", "blue outline"),
    )
    for style, attrs, text, look in swatches:
        if style in styles:
            said.append(f"{text.lower()}, {look}")
            items.append(f'<rect x="{_fmt(x + 1)}" y="3" width="13" height="13" rx="2" {attrs}/>')
            items.append(f'<text x="{_fmt(x + 19)}" y="13">{text}</text>')
            x += 24 + 6.2 * len(text)
    if marks:
        said.append("trigger point, a cross")
        items.append(f'<path d="{_cross(x + 7, 9.5, 4.5)}" stroke="{MARK_INK}" stroke-width="2" stroke-linecap="round" fill="none"/>')
        items.append(f'<text x="{_fmt(x + 19)}" y="13">Trigger point</text>')
        x += 24 + 6.2 * 13
    if not items:
        return ""
    width = max(x, 10.0)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bodychart-legend" viewBox="0 0 {_fmt(width)} 32" '
        f'role="img" aria-label="Legend: {"; ".join(said)}"><defs>{_stipple(patt)}</defs>' + "".join(items) + "</svg>"
    )


def render_chart(
    *,
    fills: Mapping[str, RegionFill] = _EMPTY,
    marks: Sequence[ChartMark] = (),
    interactive: bool = False,
    dom_id: str = "bodychart",
    caption: str | None = None,
    views: Sequence[View] = (View.ANTERIOR, View.POSTERIOR),
) -> str:
    """The body chart as an HTML ``<figure>`` with one inline ``<svg>`` per view.

    ``fills`` maps chart region ids to how they are painted; ``marks`` are crosses at points in
    regions. ``interactive`` marks the figure for ``bodychart.js``, which makes every region a
    focusable toggle button (only then, so that without JavaScript nothing pretends to be a button).
    The markup is well-formed XML, uses presentation attributes only (no ``style=``), and escapes
    every text. Unknown region ids raise :class:`~myomap.atlas.regions.UnknownRegionError`.
    """
    if not _DOM_ID.match(dom_id):
        raise ValueError(f"dom_id must be a plain identifier, got {dom_id!r}")
    g = _geometry()
    for rid in fills:
        if rid not in g.shapes:
            load_atlas().region(rid)
    for mark in marks:
        _shape(mark.region_id)
    attrs = ' data-interactive="true"' if interactive else ""
    parts = [f'<figure class="bodychart" id="{dom_id}"{attrs}><div class="bodychart-views">']
    parts.extend(_render_view(View(v), fills, marks, interactive, dom_id) for v in views)
    parts.append("</div>")
    parts.append(_legend(fills, marks, interactive, dom_id))
    if caption:
        parts.append(f"<figcaption>{escape(caption)}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)
