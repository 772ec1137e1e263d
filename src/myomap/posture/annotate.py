"""Annotated image of a posture photo: marks only, the words stay in the page (issue #9).

Drawn on the photo: a light grid, the reference line, the skeleton, the landmarks, each measured
angle's arc, and one short label per measured metric (its short name and value with its ± and the
word for its sign: "Knee 4.2° ± 0.5° varus"). Labels are placed by ``label_layout`` so that none
overlaps another; one away from its metric has a leader line. The longer text (norms, reasons, the
key to the marks) is in the page beside the image, readable at any width, and not drawing a text
panel keeps the drawing a small part of the analysis time (issue #7).

The vertical line is labelled "reference line": it is drawn for orientation and patient education,
not as a norm (the Kendall plumb-line ideal is contested, posture.md §0.5). Therapist-placed points
are drawn as diamonds, model points as dots, uncertain points hollow and grey.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from myomap.posture import geometry as g
from myomap.posture.label_layout import Box, LabelRequest, Layout, leader_end, place_labels
from myomap.posture.landmarks import Landmark
from myomap.posture.metrics import MetricResult

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont, ImageFont

Font: TypeAlias = "FreeTypeFont | ImageFont"
Point = tuple[float, float]
Colour = tuple[int, ...]

SKELETON: tuple[tuple[str, str], ...] = (
    ("left_ear", "right_ear"),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("tragus", "c7"),
    ("asis_left", "asis_right"),
    ("psis_left", "psis_right"),
    ("asis_left", "patella_left"),
    ("patella_left", "tibial_tuberosity_left"),
    ("asis_right", "patella_right"),
    ("patella_right", "tibial_tuberosity_right"),
    ("calcaneus_top_left", "calcaneus_bottom_left"),
    ("calcaneus_top_right", "calcaneus_bottom_right"),
    ("acromion_left", "acromion_right"),
    ("asis_left", "psis_left"),
    ("asis_right", "psis_right"),
)
ImageFormat = Literal["png", "jpeg"]
IMAGE_FORMATS: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg"}
JPEG_QUALITY = 90
LABEL_PAD = 2.0  # pixels of dark background around a label's text
LEFT_COLOUR = (64, 160, 255)
RIGHT_COLOUR = (255, 140, 60)
MID_COLOUR = (235, 235, 235)
THERAPIST_COLOUR = (220, 60, 220)
UNCERTAIN_COLOUR = (150, 150, 150)
REFERENCE_COLOUR = (0, 210, 210)
STATUS_COLOUR = {"normal": (60, 190, 90), "deviation": (255, 170, 0), "not measured": (170, 170, 170)}
#: Metrics drawn with an angle arc between their first two landmarks and a reference direction.
ARCS = {
    "head_tilt": "horizontal",
    "shoulder_height_difference": "horizontal",
    "pelvic_obliquity": "horizontal",
    "neck_inclination": "vertical",
    "trunk_lean": "vertical",
    "craniovertebral_angle": "horizontal",
    "rearfoot_angle": "vertical",
    "pelvic_tilt": "horizontal",
}


def _colour(lm: Landmark, uncertain: bool) -> tuple[int, int, int]:
    if uncertain:
        return UNCERTAIN_COLOUR
    if lm.source == "therapist":
        return THERAPIST_COLOUR
    if lm.name.startswith("left_") or lm.name.endswith("_left"):
        return LEFT_COLOUR
    if lm.name.startswith("right_") or lm.name.endswith("_right"):
        return RIGHT_COLOUR
    return MID_COLOUR


def render_annotation(
    rgb: npt.NDArray[np.uint8],
    *,
    view: str,
    landmarks: Mapping[str, Landmark],
    metrics: Sequence[MetricResult],
    visibility_threshold: float = 0.5,
    max_side: int = 1600,
    image_format: ImageFormat = "png",
) -> bytes:
    """Draw the analysis over the photo and return PNG or JPEG bytes (downscaled to ``max_side`` if larger).

    JPEG (quality 90) encodes in about 2 ms where PNG takes about 35 ms for a photo: the pages use it.
    """
    image, _ = draw_annotation(rgb, view=view, landmarks=landmarks, metrics=metrics,
                               visibility_threshold=visibility_threshold, max_side=max_side)
    buf = io.BytesIO()
    if image_format == "jpeg":
        image.save(buf, format="JPEG", quality=JPEG_QUALITY)
    else:
        image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def draw_annotation(
    rgb: npt.NDArray[np.uint8],
    *,
    view: str,
    landmarks: Mapping[str, Landmark],
    metrics: Sequence[MetricResult],
    visibility_threshold: float = 0.5,
    max_side: int = 1600,
) -> tuple[PILImage, Layout]:
    """The annotated image and where its labels went (boxes in the image's pixels, after downscaling)."""
    from PIL import Image, ImageDraw

    base = Image.fromarray(np.ascontiguousarray(rgb)).convert("RGB")  # a copy: the photo is never drawn on
    scale = min(1.0, max_side / max(base.size))
    if scale < 1.0:
        base = base.resize((round(base.width * scale), round(base.height * scale)), Image.Resampling.BILINEAR)
    width, height = base.size
    # Drawn straight onto the RGB copy, each shape blended by its alpha (no overlay to composite).
    draw = ImageDraw.Draw(base, "RGBA")
    unit = max(1.0, max(width, height) / 700.0)  # line and marker size unit
    font = _font(max(11, round(13 * unit)))
    small = _font(max(10, round(11 * unit)))

    def P(lm: Landmark) -> tuple[float, float]:
        return lm.x * scale, lm.y * scale

    # Light grid.
    step = max(20, round(height / 16))
    for x in range(step, width, step):
        draw.line([(x, 0), (x, height)], fill=(255, 255, 255, 40), width=1)
    for y in range(step, height, step):
        draw.line([(0, y), (width, y)], fill=(255, 255, 255, 40), width=1)

    uncertain = {n: lm.visibility < visibility_threshold for n, lm in landmarks.items()}

    # Reference line (vertical through the ankle midpoint, or the ankle / lateral malleolus in a side view).
    ref_x = _reference_x(view, landmarks, uncertain)
    if ref_x is not None:
        rx = ref_x * scale
        _dashed(draw, (rx, 0), (rx, height), fill=REFERENCE_COLOUR + (200,), width=max(1, round(1.5 * unit)), dash=round(10 * unit))

    # Skeleton.
    for a, b in SKELETON:
        if a in landmarks and b in landmarks:
            bad = uncertain[a] or uncertain[b]
            colour = UNCERTAIN_COLOUR if bad else (255, 255, 255)
            draw.line([P(landmarks[a]), P(landmarks[b])], fill=colour + ((110 if bad else 190),), width=max(1, round(2 * unit)))

    # Angle arcs; each measured metric's label is anchored at its arc's vertex, else at its points' middle.
    labels: list[tuple[LabelRequest, Colour]] = []
    for m in (m for m in metrics if m.status != "not measured" and m.value is not None):
        pts = [P(landmarks[n]) for n in m.landmarks if n in landmarks]
        if not pts:
            continue
        ref = ARCS.get(m.base_id)
        anchor = _metric_arc(draw, m, pts[:2], ref, unit) if ref is not None and len(pts) >= 2 else None
        text = metric_label(m)
        labels.append((_request(draw, text, anchor or pts[len(pts) // 2], font), STATUS_COLOUR[m.status] + (255,)))
    if ref_x is not None:
        labels.append((_request(draw, "reference line", (ref_x * scale, 0.0), small), REFERENCE_COLOUR + (255,)))

    # Landmarks.
    r = 3.5 * unit
    far = {"left": "right_", "right": "left_"}.get(view)
    order = sorted(landmarks.items(), key=lambda item: 0 if far and item[0].startswith(far) else 1)  # near side on top
    for name, lm in order:
        px, py = P(lm)
        colour = _colour(lm, uncertain[name])
        if lm.source == "therapist":
            d = r * 1.5
            draw.polygon([(px, py - d), (px + d, py), (px, py + d), (px - d, py)], fill=colour + (255,), outline=(255, 255, 255, 255))
        elif uncertain[name]:
            draw.ellipse([px - r, py - r, px + r, py + r], outline=colour + (255,), width=max(1, round(unit)))
        else:
            draw.ellipse([px - r, py - r, px + r, py + r], fill=colour + (255,), outline=(0, 0, 0, 255))

    dots: list[Box] = [(x - r * 1.5, y - r * 1.5, x + r * 1.5, y + r * 1.5) for x, y in (P(lm) for lm in landmarks.values())]
    layout = place_labels([req for req, _ in labels], bounds=(width, height), gap=6 * unit, obstacles=dots)
    for label in layout.placed:
        ink = labels[label.index][1]
        if label.leader:
            draw.line([label.anchor, leader_end(label)], fill=ink[:3] + (220,), width=max(1, round(unit)))
        x0, y0, x1, y1 = label.box
        draw.rectangle([x0, y0, x1, y1], fill=(0, 0, 0, 150))
        draw.text((x0 + LABEL_PAD, y0 + LABEL_PAD), label.text, font=small if label.text == "reference line" else font,
                  fill=ink, anchor="lt")
    return base, layout


def metric_label(m: MetricResult) -> str:
    """A metric's label on the image (``MetricResult.label``), in characters the bundled font has."""
    return _plain(m.label)


def _request(draw: ImageDraw, text: str, anchor: Point, font: Font) -> LabelRequest:
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font, anchor="lt")
    return LabelRequest(text=text, anchor=anchor, size=(x1 + 2 * LABEL_PAD, y1 + 2 * LABEL_PAD))


@functools.lru_cache(maxsize=8)
def _font(size: int) -> Font:
    """The bundled font at ``size`` (loaded once: decoding it took a millisecond per image)."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def _reference_x(view: str, lms: Mapping[str, Landmark], uncertain: Mapping[str, bool]) -> float | None:
    def ok(n: str) -> bool:
        return n in lms and not uncertain[n]

    if view in ("left", "right"):
        for n in ("lateral_malleolus", f"{view}_ankle"):
            if ok(n):
                return lms[n].x
        return None
    if ok("left_ankle") and ok("right_ankle"):
        return (lms["left_ankle"].x + lms["right_ankle"].x) / 2
    return None


def _dashed(draw: ImageDraw, a: Point, b: Point, *, fill: Colour, width: int, dash: int) -> None:
    length = g.distance(a, b)
    if length == 0:
        return
    dash = max(3, dash)
    n = int(length // dash)
    for i in range(0, n, 2):
        t0, t1 = i * dash / length, min(1.0, (i + 1) * dash / length)
        draw.line([(a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0), (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)],
                  fill=fill, width=width)


def _metric_arc(draw: ImageDraw, m: MetricResult, pts: Sequence[Point], ref: str, unit: float) -> Point | None:
    """Draw the angle between the metric's line and its reference direction; return the vertex."""
    colour = STATUS_COLOUR[m.status] + (255,)
    p0, p1 = pts
    if ref == "horizontal" and m.base_id != "craniovertebral_angle":
        p0, p1 = sorted(pts)  # vertex at the point further left on screen
    elif m.base_id == "craniovertebral_angle":
        p0, p1 = pts[1], pts[0]  # vertex at C7, line to the tragus
    length = g.distance(p0, p1)
    if length < 4:
        return None
    line_dir = g.line_angle(p0, p1)
    if ref == "horizontal":
        ref_dir = 0.0 if abs(line_dir) <= 90 else 180.0
    else:
        ref_dir = 90.0 if p1[1] <= p0[1] else -90.0
    rad = max(12 * unit, min(0.45 * length, 60 * unit))
    ref_end = (p0[0] + math.cos(math.radians(ref_dir)) * rad * 1.6, p0[1] - math.sin(math.radians(ref_dir)) * rad * 1.6)
    _dashed(draw, p0, ref_end, fill=colour, width=max(1, round(unit)), dash=round(5 * unit))
    draw.line([p0, p1], fill=colour, width=max(2, round(2.5 * unit)))
    a, b = -ref_dir, -line_dir  # Pillow measures angles clockwise on screen
    while b - a > 180:
        b -= 360
    while b - a < -180:
        b += 360
    start, end = min(a, b), max(a, b)
    if end - start > 0.2:
        draw.arc([p0[0] - rad, p0[1] - rad, p0[0] + rad, p0[1] + rad], start=start, end=end, fill=colour, width=max(1, round(1.5 * unit)))
    return p0


_PLAIN = str.maketrans({"–": "-", "—": "-", "→": "->", "≥": ">=", "≤": "<="})


def _num(value: float) -> str:
    """One decimal, without a minus sign on zero."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _plain(text: str) -> str:
    """Characters the bundled default font lacks, replaced (it has ° and ±)."""
    return text.translate(_PLAIN)
