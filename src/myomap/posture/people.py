"""Checks on the person in the photo: whole body in frame, and only one person.

Several people: BlazePose follows only the most prominent person, so a second person in the photo
is found with OpenCV's built-in HOG people detector (``cv2.HOGDescriptor_getDefaultPeopleDetector``,
shipped with OpenCV; nothing is downloaded). A detection counts as another person only when it is
confident, tall (at least 60 % of the client's height) and mostly outside the client's box, so that
only *clearly* separate people stop the analysis.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from myomap.posture.errors import PhotoError
from myomap.posture.pose import RawLandmark, RGBImage

if TYPE_CHECKING:
    import cv2

# BlazePose indices (posture.md §2).
HEAD = {"nose": 0, "left eye": 2, "right eye": 5, "left ear": 7, "right ear": 8}
FEET = {"left ankle": 27, "right ankle": 28, "left heel": 29, "right heel": 30, "left toes": 31, "right toes": 32}

#: How far (as a fraction of the image size) a landmark may sit beyond the edge and still count as in frame.
EDGE_TOLERANCE = 0.01
HOG_MIN_WEIGHT = 1.0
HOG_MIN_RELATIVE_HEIGHT = 0.6
HOG_WINDOW_HEIGHT = 128  # the default people detector's window; a person fills about 3/4 of it
HOG_PYRAMID_SCALE = 1.1
HOG_MAX_OVERLAP = 0.3

Box = tuple[int, int, int, int]  # x, y, width, height in pixels


@dataclass(frozen=True, slots=True)
class PersonBox:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _outside(lm: RawLandmark, width: int, height: int) -> bool:
    mx, my = EDGE_TOLERANCE * width, EDGE_TOLERANCE * height
    return lm.x < -mx or lm.x > width + mx or lm.y < -my or lm.y > height + my


def check_whole_body(raw: Sequence[RawLandmark], width: int, height: int, visibility_threshold: float) -> None:
    """Raise PhotoError when the head or the feet are out of frame or not visible at all.

    One visible point per group is enough for the group to count (in a side view the far ear and
    foot are hidden behind the body), but any point of the group beyond the edge means cut off.
    """
    problems: list[str] = []
    for part, group in (("head", HEAD), ("feet", FEET)):
        outside = [name for name, i in group.items() if _outside(raw[i], width, height)]
        if outside:
            edge = _edge(raw, group.values(), width, height)
            problems.append(f"the {part} ({', '.join(outside)}) {'is' if part == 'head' else 'are'} cut off{edge}")
            continue
        if all(raw[i].visibility < visibility_threshold for i in group.values()):
            problems.append(f"the {part} {'is' if part == 'head' else 'are'} not visible (cut off or hidden)")
    if problems:
        raise PhotoError(
            "the person is not fully in the photo: " + "; ".join(problems)
            + ". Retake the photo with the whole body, head to feet, in frame."
        )


#: A knee bent more than this (degrees from straight) on both sides means the client is not standing.
#: One knee bent (a lunge) is refused later, with the other stance checks (``stance.check_stance``).
BENT_KNEE_DEG = 45.0
LEGS = {"left": (23, 25, 27), "right": (24, 26, 28)}  # hip, knee, ankle


def check_standing(raw: Sequence[RawLandmark], visibility_threshold: float) -> None:
    """Raise PhotoError when both knees are clearly bent: the client is sitting or crouching."""
    from myomap.posture.geometry import deviation_from_straight

    bends: list[float] = []
    for hip, knee, ankle in LEGS.values():
        points = [raw[hip], raw[knee], raw[ankle]]
        if any(p.visibility < visibility_threshold for p in points):
            return  # a leg not seen well: leave it to the metrics, which will say "not measured"
        try:
            bends.append(deviation_from_straight(*((p.x, p.y) for p in points)))
        except ValueError:
            return
    if all(b > BENT_KNEE_DEG for b in bends):
        raise PhotoError(
            f"the client seems to be sitting or crouching (knees bent about {bends[0]:.0f}° and {bends[1]:.0f}°). "
            "Retake the photo with the client standing upright, knees relaxed and straight, feet on the floor."
        )


def _edge(raw: Sequence[RawLandmark], indices: Iterable[int], width: int, height: int) -> str:
    pts = [raw[i] for i in indices]
    if any(p.y < 0 for p in pts):
        return " at the top edge"
    if any(p.y > height for p in pts):
        return " at the bottom edge"
    if any(p.x < 0 for p in pts):
        return " at the left edge"
    return " at the right edge"


def person_box(raw: Sequence[RawLandmark], width: int, height: int) -> PersonBox:
    """Box around all landmarks, clipped to the image, widened by 5 % of its height for the head."""
    xs = [p.x for p in raw]
    ys = [p.y for p in raw]
    pad = 0.05 * (max(ys) - min(ys))
    return PersonBox(
        max(0.0, min(xs) - pad), max(0.0, min(ys) - 2 * pad), min(float(width), max(xs) + pad), min(float(height), max(ys) + pad)
    )


_hog: cv2.HOGDescriptor | None = None
_hog_lock = threading.Lock()


def _hog_detector() -> cv2.HOGDescriptor:
    global _hog
    with _hog_lock:
        if _hog is None:
            import cv2

            hog = cv2.HOGDescriptor()
            hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32))
            _hog = hog
        return _hog


def other_people(rgb: RGBImage, client: PersonBox) -> list[PersonBox]:
    """People-shaped detections (HOG) that are clearly not the client, in full-image pixels."""
    import cv2

    height, width = rgb.shape[:2]
    # Only people at least HOG_MIN_RELATIVE_HEIGHT of the client's height matter, so shrink the photo
    # until the smallest such person just fills the detector window (with a 20 % margin): much faster.
    smallest = 0.8 * HOG_MIN_RELATIVE_HEIGHT * max(client.height, 1.0)
    scale = min(1.0, 0.75 * HOG_WINDOW_HEIGHT / smallest)
    small = rgb if scale == 1.0 else cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    hog = _hog_detector()
    with _hog_lock:  # the descriptor object is shared; keep calls serial
        rects, weights = hog.detectMultiScale(small, winStride=(8, 8), padding=(8, 8), scale=HOG_PYRAMID_SCALE)
    found: list[PersonBox] = []
    for (x, y, w, h), weight in zip(np.asarray(rects).reshape(-1, 4), np.ravel(weights), strict=True):
        if float(weight) < HOG_MIN_WEIGHT:
            continue
        box = PersonBox(x / scale, y / scale, (x + w) / scale, (y + h) / scale)
        # HOG windows include margins: the person fills about 3/4 of the window height.
        if 0.75 * box.height < HOG_MIN_RELATIVE_HEIGHT * client.height:
            continue
        if _overlap_fraction(box, client) > HOG_MAX_OVERLAP:
            continue
        if any(_overlap_fraction(box, other) > 0.5 for other in found):
            continue
        found.append(box)
    return found


def _overlap_fraction(a: PersonBox, b: PersonBox) -> float:
    """Share of box a's area that lies inside box b."""
    ix = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    iy = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    area = max(1e-9, (a.x1 - a.x0) * (a.y1 - a.y0))
    return ix * iy / area


#: The smallest client box accepted, in pixels: room for a whole person at the model's scale.
BOX_MIN_WIDTH = 32
BOX_MIN_HEIGHT = 64
BOX_FORMAT = "four whole numbers X,Y,W,H: the left and top edges, the width and the height, in pixels"


class BoxError(PhotoError):
    """The client's box is malformed or does not fit the photo (faces show it against their box field)."""


def read_box(box: str | Sequence[object] | None) -> Box | None:
    """The one parser of a client box: ``"X,Y,W,H"`` or four numbers; None or blank means no box.

    Four whole numbers, 0 or more, at least BOX_MIN_WIDTH x BOX_MIN_HEIGHT. Raises BoxError saying
    what is wrong. Whether it fits the photo is :func:`check_box_fits`.
    """
    if box is None:
        return None
    if isinstance(box, str):
        if not box.strip():
            return None
        parts = [p.strip() for p in box.split(",")]
    else:
        parts = [_whole(v) for v in box]
    shown = ",".join(parts)
    if len(parts) != 4:
        raise BoxError(f"give the box as {BOX_FORMAT}; {shown!r} has {len(parts)} values")
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise BoxError(f"the box must be {BOX_FORMAT} (0 or more, no decimals or signs), not {shown!r}")
    x, y, w, h = (int(p) for p in parts)
    if w < BOX_MIN_WIDTH or h < BOX_MIN_HEIGHT:
        raise BoxError(f"the box is {w}×{h} pixels: it must be at least {BOX_MIN_WIDTH} wide and {BOX_MIN_HEIGHT} high. "
                       "Draw it around the whole client, head to feet")
    return x, y, w, h


def _whole(value: object) -> str:
    """A number given in a sequence as text: 120.0 -> '120' (whole floats pass), anything else as typed."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_box_fits(box: Box, width: int, height: int) -> None:
    """Refuse a box that reaches beyond the upright photo."""
    x, y, w, h = box
    if x + w > width or y + h > height:
        raise BoxError(
            f"the box (x {x}, y {y}, {w}×{h}) reaches beyond the {width}×{height} photo: x + width must be at most "
            f"{width} and y + height at most {height}, in pixels of the photo as displayed (upright)"
        )


def parse_box(box: Sequence[float] | str, width: int, height: int) -> Box:
    """A client box that is well formed and lies within a ``width`` x ``height`` photo. Raises BoxError."""
    parsed = read_box(box)
    if parsed is None:
        raise BoxError(f"the box is empty: give it as {BOX_FORMAT}")
    check_box_fits(parsed, width, height)
    return parsed
