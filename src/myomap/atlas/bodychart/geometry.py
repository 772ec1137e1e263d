"""Body-chart geometry: where each of the atlas's chart regions lies, as plain coordinates.

The shapes live in ``data/bodychart_geometry.yaml`` and are described there in detail. In short, the
figure is a union of *segments* (head, neck, trunk, arm, hand, fingers, leg, foot ...); each one is a
centre line with a medial and a lateral half-width, all given as smooth functions of ``y``. A region
is drawn either in a segment's own coordinates ``(t, y)`` -- ``t`` runs from -1 (medial edge) over
0 (centre line) to +1 (lateral edge) -- so that it follows the body's contour, or as a small ellipse.
Every shape is defined once, for one side, in *offset* coordinates (``x`` = distance from the mirror
axis, positive = lateral) and mirrored to the other side, which keeps left and right identical.

Pure and markup-free: polygons and boxes in the chart's coordinate space (the SVG viewBox); turning
them into SVG is :mod:`myomap.atlas.bodychart.svg`'s job.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from myomap.atlas.regions import Region, RegionAtlas, Side, View, load_atlas

__all__ = [
    "ChartGeometry",
    "Inset",
    "Point",
    "RegionShape",
    "chart_geometry",
    "point_in_region",
    "region_axis",
    "region_box",
    "region_shape",
    "view_box",
]

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
        der = (
            (6 * s2 - 6 * s) * y0 + (3 * s2 - 4 * s + 1) * h * d0 + (-6 * s2 + 6 * s) * y1 + (3 * s2 - 2 * s) * h * d1
        ) / h
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


Polygon = tuple[Point, ...]
Label = tuple[str, float, float, str, str]  # text, x, y, anchor, CSS class


@dataclass(frozen=True)
class RegionShape:
    """One chart region's outline on its view, in absolute chart coordinates."""

    region_id: str
    view: View
    axis: float
    sign: int  # +1: lateral is +x (drawn right of its axis); -1: mirrored; midline regions: +1
    midline: bool
    polys: tuple[Polygon, ...]  # closed polygons, simplified to what is drawn
    box: tuple[float, float, float, float]  # x, y, w, h of the exact (unsimplified) shape


@dataclass(frozen=True)
class Inset:
    """An enlarged view of small regions (head and neck, a hand, the feet) that the zoom bar jumps
    to: on each view, the box ``(x, y, w, h)`` framing its regions (views without any are absent)."""

    id: str
    label: str
    areas: frozenset[str]  # the atlas areas it enlarges
    side: Side | None  # one side only (a hand), or both
    boxes: dict[View, tuple[float, float, float, float]]

    def frames(self, region: Region) -> bool:
        """Whether the region is one this inset enlarges."""
        return region.area in self.areas and (self.side is None or region.side in (None, self.side))


@dataclass(frozen=True)
class ChartGeometry:
    """The whole figure: canvas size, region shapes, body outline, detail lines and labels."""

    width: float
    height: float
    midline: float
    segments: dict[str, _Segment]
    shapes: dict[str, RegionShape]  # chart region id -> shape, in drawing (z) order
    silhouettes: dict[View, tuple[Polygon, ...]]  # the body outline per view: one polygon per segment
    details: dict[View, tuple[Polygon, ...]]  # decorative open lines (nose, navel ...) per view
    labels: dict[View, tuple[Label, ...]]
    insets: tuple[Inset, ...] = ()


def _side_sign(view: View, side: Side | None) -> int:
    """+1 when a side's lateral direction is +x. The chart shows the client facing the viewer on the
    anterior view (client's left on the viewer's right) and from behind on the posterior view."""
    if side is None:
        return 1
    if view is View.ANTERIOR:
        return 1 if side is Side.LEFT else -1
    return -1 if side is Side.LEFT else 1


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


def _parse_segment(name: str, raw: dict[str, Any], midline: float) -> _Segment:
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


def _shape_polys(
    spec: dict[str, Any], segments: dict[str, _Segment], where: str
) -> tuple[list[list[Point]], float | None]:
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


def _place(polys: Sequence[Sequence[Point]], axis: float, sign: int) -> list[Polygon]:
    return [tuple((axis + sign * x, y) for x, y in poly) for poly in polys]


def _bbox(polys: Sequence[Sequence[Point]]) -> tuple[float, float, float, float]:
    xs = [x for poly in polys for x, _ in poly]
    ys = [y for poly in polys for _, y in poly]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _parse_geometry(doc: dict[str, Any]) -> ChartGeometry:
    atlas = load_atlas()
    canvas = doc["canvas"]
    width, height, midline = float(canvas["width"]), float(canvas["height"]), float(canvas["midline"])
    segments = {name: _parse_segment(name, raw, midline) for name, raw in doc["segments"].items()}

    missing = sorted(set(atlas.bases) - set(doc["regions"]))
    extra = sorted(set(doc["regions"]) - set(atlas.bases))
    if missing or extra:
        raise ValueError(f"body chart geometry out of step with the atlas: missing {missing}, unknown {extra}")

    shapes: dict[str, RegionShape] = {}
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
            placed = [tuple(_simplify_closed(list(poly), 0.2)) for poly in dense]  # as drawn
            for poly in placed:
                if _area(poly) < 1.0:
                    raise ValueError(f"{region.id}: degenerate shape")
            shapes[region.id] = RegionShape(
                region.id, base.view, axis, sign, region.side is None, tuple(placed), _bbox(dense)
            )

    silhouettes: dict[View, tuple[Polygon, ...]] = {}
    for view in View:
        outlines: list[Polygon] = []
        for seg in segments.values():
            if view not in seg.views:
                continue
            outline = _simplify_closed(seg.outline(), 0.2)
            outlines.extend(_place([outline], seg.axis, 1))
            if seg.mirror:
                outlines.extend(_place([outline], seg.axis, -1))
        silhouettes[view] = tuple(outlines)

    details: dict[View, tuple[Polygon, ...]] = {}
    for view in View:
        lines: list[Polygon] = []
        for item in doc.get("details", {}).get(view.value, ()):
            if "seg" in item:
                seg = segments[item["seg"]]
                line = [seg.point(float(t), float(y)) for t, y in item["line"]]
                axis = seg.axis
            else:
                line = [(float(x), float(y)) for x, y in item["line"]]
                axis = float(item.get("axis", midline))
            lines.append(_place([line], axis, 1)[0])
            if item.get("mirror", True):
                lines.append(_place([line], axis, -1)[0])
        details[view] = tuple(lines)

    labels: dict[View, tuple[Label, ...]] = {}
    for view in View:
        labels[view] = tuple(
            (
                str(lab["text"]),
                float(lab["x"]),
                float(lab["y"]),
                str(lab.get("anchor", "middle")),
                str(lab.get("class", "")),
            )
            for lab in doc.get("labels", {}).get(view.value, ())
        )
    insets = _parse_insets(doc.get("insets", {}), shapes, atlas)
    return ChartGeometry(width, height, midline, segments, shapes, silhouettes, details, labels, insets)


def _parse_insets(raw: dict[str, Any], shapes: dict[str, RegionShape], atlas: RegionAtlas) -> tuple[Inset, ...]:
    margin = float(raw.get("margin", 0))
    insets: list[Inset] = []
    for item in raw.get("list", ()):
        areas = set(item["areas"])
        unknown = areas - set(atlas.areas)
        if unknown:
            raise ValueError(f"inset {item['id']!r} names unknown areas {sorted(unknown)}")
        side = Side(item["side"]) if "side" in item else None
        boxes: dict[View, tuple[float, float, float, float]] = {}
        for view in View:
            inset = Inset(str(item["id"]), str(item["label"]), frozenset(areas), side, {})
            found = [shape.box for rid, shape in shapes.items() if shape.view is view and inset.frames(atlas.regions[rid])]
            if found:
                x0 = min(b[0] for b in found) - margin
                y0 = min(b[1] for b in found) - margin
                x1 = max(b[0] + b[2] for b in found) + margin
                y1 = max(b[1] + b[3] for b in found) + margin
                boxes[view] = (x0, y0, x1 - x0, y1 - y0)
        if not boxes:
            raise ValueError(f"inset {item['id']!r} frames no region")
        insets.append(Inset(str(item["id"]), str(item["label"]), frozenset(areas), side, boxes))
    return tuple(insets)


def _segment_names(spec: dict[str, Any]) -> list[str]:
    if "parts" in spec:
        return [n for part in spec["parts"] for n in _segment_names(part)]
    return [spec["seg"]] if "seg" in spec else []


@cache
def chart_geometry() -> ChartGeometry:
    """The packaged body-chart geometry, parsed and checked against the atlas once per process."""
    text = resources.files("myomap.atlas").joinpath("data/bodychart_geometry.yaml").read_text(encoding="utf-8")
    return _parse_geometry(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


# --- queries ----------------------------------------------------------------------------------------


def region_shape(region_id: str) -> RegionShape:
    """The shape of one chart region; an unknown id raises ``UnknownRegionError`` with suggestions."""
    shapes = chart_geometry().shapes
    if region_id not in shapes:
        load_atlas().region(region_id)  # raises UnknownRegionError with suggestions
    return shapes[region_id]


def view_box() -> tuple[float, float, float, float]:
    """The SVG viewBox shared by both views: ``(0, 0, width, height)``."""
    g = chart_geometry()
    return 0.0, 0.0, g.width, g.height


def region_box(region_id: str) -> tuple[str, float, float, float, float]:
    """``(view, x, y, w, h)``: the bounding box of a chart region in its view's SVG coordinates."""
    s = region_shape(region_id)
    return (s.view.value, *s.box)


def region_axis(region_id: str) -> float:
    """The x of the axis a region is mirrored about (the figure's midline, or the soles' inset)."""
    return region_shape(region_id).axis


def point_in_region(region_id: str, u: float, v: float) -> tuple[str, float, float]:
    """``(view, x, y)`` of a point in a region's bounding box.

    ``u`` runs from medial (0) to lateral (1), so left and right regions mirror each other; for a
    midline region ``u = 0.5`` is the midline. ``v`` runs from top (0) to bottom (1). Both are
    clamped to ``[0, 1]``.
    """
    s = region_shape(region_id)
    u, v = min(1.0, max(0.0, u)), min(1.0, max(0.0, v))
    x, y, w, h = s.box
    px = x + u * w if s.sign > 0 else x + (1 - u) * w
    return s.view.value, px, y + v * h
