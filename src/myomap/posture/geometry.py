"""Plane geometry for posture metrics, in image coordinates (x to the right, **y pointing down**).

Every angle is in degrees. "Counter-clockwise" always means counter-clockwise *as seen on the
screen*, so a line that rises to the right has a positive angle even though its image y falls.
Pure functions over ``(x, y)`` tuples; no numpy needed by callers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

Point = tuple[float, float]


def _xy(p: Sequence[float]) -> Point:
    return float(p[0]), float(p[1])


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    (ax, ay), (bx, by) = _xy(a), _xy(b)
    return math.hypot(bx - ax, by - ay)


def midpoint(a: Sequence[float], b: Sequence[float]) -> Point:
    (ax, ay), (bx, by) = _xy(a), _xy(b)
    return (ax + bx) / 2.0, (ay + by) / 2.0


def line_angle(p1: Sequence[float], p2: Sequence[float]) -> float:
    """Direction of p1 -> p2 against the horizontal, counter-clockwise on screen, in (-180, 180].

    ``atan2(-(y2 - y1), x2 - x1)`` (posture.md §2, conventions).
    """
    (x1, y1), (x2, y2) = _xy(p1), _xy(p2)
    if x1 == x2 and y1 == y2:
        raise ValueError("the two points coincide; the line has no direction")
    return math.degrees(math.atan2(y1 - y2, x2 - x1))


def tilt_from_horizontal(p1: Sequence[float], p2: Sequence[float]) -> float:
    """Tilt of the (undirected) line through p1 and p2 against the horizontal, in (-90, 90].

    Positive when the point further right on screen is higher; independent of the point order.
    """
    (x1, y1), (x2, y2) = _xy(p1), _xy(p2)
    if x2 < x1:
        x1, y1, x2, y2 = x2, y2, x1, y1
    angle = line_angle((x1, y1), (x2, y2))
    if angle <= -90.0:
        angle += 180.0
    elif angle > 90.0:
        angle -= 180.0
    return angle


def tilt_from_vertical(lower: Sequence[float], upper: Sequence[float]) -> float:
    """Lean of the segment lower -> upper against the vertical, in (-180, 180].

    Positive when ``upper`` lies to the right of ``lower`` on screen (a clockwise lean).
    """
    (x1, y1), (x2, y2) = _xy(lower), _xy(upper)
    if x1 == x2 and y1 == y2:
        raise ValueError("the two points coincide; the segment has no direction")
    return math.degrees(math.atan2(x2 - x1, y1 - y2))


def angle_between(u: Sequence[float], v: Sequence[float]) -> float:
    """Unsigned angle between two vectors, in [0, 180]."""
    (ux, uy), (vx, vy) = _xy(u), _xy(v)
    nu, nv = math.hypot(ux, uy), math.hypot(vx, vy)
    if nu == 0 or nv == 0:
        raise ValueError("a zero-length vector has no direction")
    cos = max(-1.0, min(1.0, (ux * vx + uy * vy) / (nu * nv)))
    return math.degrees(math.acos(cos))


def segment_angle(a1: Sequence[float], a2: Sequence[float], b1: Sequence[float], b2: Sequence[float]) -> float:
    """Unsigned angle between segments a1->a2 and b1->b2, in [0, 180] (0 = same direction)."""
    (ax1, ay1), (ax2, ay2), (bx1, by1), (bx2, by2) = map(_xy, (a1, a2, b1, b2))
    return angle_between((ax2 - ax1, ay2 - ay1), (bx2 - bx1, by2 - by1))


def vertex_angle(a: Sequence[float], vertex: Sequence[float], c: Sequence[float]) -> float:
    """Unsigned angle a-vertex-c, in [0, 180] (180 = the three points are collinear, vertex between)."""
    (ax, ay), (bx, by), (cx, cy) = _xy(a), _xy(vertex), _xy(c)
    return angle_between((ax - bx, ay - by), (cx - bx, cy - by))


def signed_vertex_angle(a: Sequence[float], vertex: Sequence[float], c: Sequence[float]) -> float:
    """Angle from ray vertex->a to ray vertex->c, counter-clockwise on screen positive, in (-180, 180]."""
    (ax, ay), (bx, by), (cx, cy) = _xy(a), _xy(vertex), _xy(c)
    if (ax, ay) == (bx, by) or (cx, cy) == (bx, by):
        raise ValueError("a ray of zero length has no direction")
    diff = line_angle((bx, by), (cx, cy)) - line_angle((bx, by), (ax, ay))
    while diff <= -180.0:
        diff += 360.0
    while diff > 180.0:
        diff -= 360.0
    return diff


def deviation_from_straight(a: Sequence[float], vertex: Sequence[float], c: Sequence[float]) -> float:
    """``180 - vertex_angle``: 0 when a, vertex, c lie on a straight line (e.g. hip, knee, ankle)."""
    return 180.0 - vertex_angle(a, vertex, c)


def offset_from_vertical(p: Sequence[float], line_x: float) -> float:
    """Horizontal offset of p from the vertical line x = line_x (positive = right on screen)."""
    return _xy(p)[0] - float(line_x)


def offset_from_line(p: Sequence[float], a: Sequence[float], b: Sequence[float]) -> float:
    """Horizontal offset of p from the line through a and b, measured at p's height.

    Positive when p lies to the right of the line on screen. The line must not be horizontal.
    """
    (px, py), (ax, ay), (bx, by) = _xy(p), _xy(a), _xy(b)
    if ay == by:
        raise ValueError("the reference line is horizontal")
    x_at = ax + (bx - ax) * (py - ay) / (by - ay)
    return px - x_at


def rotate_point(p: Sequence[float], angle_deg: float, center: Sequence[float]) -> Point:
    """Rotate p about center by angle_deg, counter-clockwise on screen."""
    (px, py), (cx, cy) = _xy(p), _xy(center)
    t = math.radians(angle_deg)
    dx, dy = px - cx, py - cy
    # With y down, a counter-clockwise screen rotation is clockwise in (x, y) maths coordinates.
    return cx + dx * math.cos(t) + dy * math.sin(t), cy - dx * math.sin(t) + dy * math.cos(t)


def rotate_points(points: Iterable[Sequence[float]], angle_deg: float, center: Sequence[float]) -> list[Point]:
    return [rotate_point(p, angle_deg, center) for p in points]


def mirror_point(p: Sequence[float], width: float) -> Point:
    """Mirror p left-right in an image ``width`` pixels wide (continuous coordinates: x -> width - x)."""
    x, y = _xy(p)
    return float(width) - x, y


def mirror_points(points: Iterable[Sequence[float]], width: float) -> list[Point]:
    return [mirror_point(p, width) for p in points]
