"""Where the annotated image's labels go, so that no two overlap (issue #9).

Greedy placement: labels are placed in the order given (the caller puts the most useful first). Each
tries boxes around its anchor, nearest first, in eight directions at growing distances, and takes
the first that stays inside the image, clears the labels already placed and, if possible, the
obstacles (the landmark dots). When nothing near is free, the nearest free cell of a grid over the
whole image is used; a label placed away from its anchor gets a leader line. A label that finds no
room at all is returned as unplaced (the page lists every value anyway), never drawn over another.

Pure geometry (boxes are (x0, y0, x1, y1) in image pixels, y down): no drawing, no fonts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]
Point = tuple[float, float]

#: Unit directions tried around an anchor, in order of preference (right, left, then the diagonals, then up, down).
DIRECTIONS: tuple[Point, ...] = ((1, 0), (-1, 0), (1, -1), (1, 1), (-1, -1), (-1, 1), (0, -1), (0, 1))
#: Distances from the anchor tried, in multiples of ``gap``.
RINGS: tuple[float, ...] = (1.0, 2.5, 4.5, 7.0, 10.0, 14.0)


@dataclass(frozen=True, slots=True)
class LabelRequest:
    text: str
    anchor: Point
    size: tuple[float, float]  # (width, height) of the text box, in pixels


@dataclass(frozen=True, slots=True)
class PlacedLabel:
    index: int  # the request's position in the list given
    text: str
    anchor: Point
    box: Box
    leader: bool  # drawn away from its anchor: a line joins them


@dataclass(frozen=True, slots=True)
class Layout:
    placed: tuple[PlacedLabel, ...]
    unplaced: tuple[LabelRequest, ...]


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share any area (touching edges do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inflate(box: Box, by: float) -> Box:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _box_towards(anchor: Point, size: tuple[float, float], direction: Point, distance: float) -> Box:
    """The label box on the ``direction`` side of the anchor, its nearest edge ``distance`` away."""
    (ax, ay), (w, h), (dx, dy) = anchor, size, direction
    cx = ax + dx * (distance + w / 2)
    cy = ay + dy * (distance + h / 2)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _grid(anchor: Point, size: tuple[float, float], bounds: tuple[float, float]) -> list[Box]:
    """Every box of a half-label grid over the image, nearest to the anchor first."""
    (w, h), (width, height) = size, bounds
    sx, sy = max(1.0, w / 2), max(1.0, h / 2)
    boxes = [(x, y, x + w, y + h)
             for y in _steps(0.0, height - h, sy) for x in _steps(0.0, width - w, sx)]
    return sorted(boxes, key=lambda b: math.hypot((b[0] + b[2]) / 2 - anchor[0], (b[1] + b[3]) / 2 - anchor[1]))


def _steps(start: float, stop: float, step: float) -> Iterable[float]:
    n = int(math.floor((stop - start) / step)) if stop >= start else -1
    return (start + i * step for i in range(n + 1))


def place_labels(
    requests: Sequence[LabelRequest], *, bounds: tuple[float, float], gap: float,
    obstacles: Sequence[Box] = (), padding: float = 2.0,
) -> Layout:
    """Boxes for the labels within ``bounds`` (width, height), none overlapping another (see the module)."""
    width, height = bounds
    placed: list[PlacedLabel] = []
    unplaced: list[LabelRequest] = []

    def inside(box: Box) -> bool:
        return box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height

    def free(box: Box, avoid_obstacles: bool) -> bool:
        grown = _inflate(box, padding)
        if any(overlaps(grown, p.box) for p in placed):
            return False
        return not (avoid_obstacles and any(overlaps(box, o) for o in obstacles))

    for index, req in enumerate(requests):
        near = [(_box_towards(req.anchor, req.size, d, gap * ring), ring > RINGS[0])
                for ring in RINGS for d in DIRECTIONS]
        choice: tuple[Box, bool] | None = None
        for avoid in (True, False):
            choice = next(((b, far) for b, far in near if inside(b) and free(b, avoid)), None)
            if choice is not None:
                break
        if choice is None:
            box = next((b for b in _grid(req.anchor, req.size, bounds) if free(b, False)), None)
            choice = None if box is None else (box, True)
        if choice is None:
            unplaced.append(req)
            continue
        placed.append(PlacedLabel(index=index, text=req.text, anchor=req.anchor, box=choice[0], leader=choice[1]))
    return Layout(placed=tuple(placed), unplaced=tuple(unplaced))


def leader_end(label: PlacedLabel) -> Point:
    """The point of the label's box nearest its anchor, where a leader line meets it."""
    x0, y0, x1, y1 = label.box
    ax, ay = label.anchor
    return min(max(ax, x0), x1), min(max(ay, y0), y1)
