"""Annotated PNG of a posture photo: grid, reference line, skeleton, landmarks, angle arcs, legend.

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
    legend: bool = True,
    image_format: ImageFormat = "png",
) -> bytes:
    """Draw the analysis over the photo and return PNG or JPEG bytes (downscaled to ``max_side`` if larger).

    JPEG (quality 90) encodes in about 2 ms where PNG takes about 35 ms for a photo: the pages use it.
    """
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
        draw.text((rx + 4 * unit, 4 * unit), "reference line", font=small, fill=REFERENCE_COLOUR + (255,),
                  stroke_width=max(1, round(unit)), stroke_fill=(0, 0, 0, 200))

    # Skeleton.
    for a, b in SKELETON:
        if a in landmarks and b in landmarks:
            bad = uncertain[a] or uncertain[b]
            colour = UNCERTAIN_COLOUR if bad else (255, 255, 255)
            draw.line([P(landmarks[a]), P(landmarks[b])], fill=colour + ((110 if bad else 190),), width=max(1, round(2 * unit)))

    # Angle arcs.
    by_id = [m for m in metrics if m.status != "not measured" and m.value is not None]
    for m in by_id:
        ref = ARCS.get(m.base_id)
        pts = [landmarks[n] for n in m.landmarks if n in landmarks]
        if ref is None or len(pts) < 2:
            continue
        _metric_arc(draw, m, [P(p) for p in pts[:2]], ref, unit, small)

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

    out = base
    if legend:
        out = _with_legend_panel(out, view, metrics, font, small, unit)
    buf = io.BytesIO()
    if image_format == "jpeg":
        out.save(buf, format="JPEG", quality=JPEG_QUALITY)
    else:
        out.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


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


def _metric_arc(draw: ImageDraw, m: MetricResult, pts: Sequence[Point], ref: str, unit: float, font: Font) -> None:
    if m.value is None:
        return
    colour = STATUS_COLOUR[m.status] + (255,)
    p0, p1 = pts
    if ref == "horizontal" and m.base_id != "craniovertebral_angle":
        p0, p1 = sorted(pts)  # vertex at the point further left on screen
    elif m.base_id == "craniovertebral_angle":
        p0, p1 = pts[1], pts[0]  # vertex at C7, line to the tragus
    length = g.distance(p0, p1)
    if length < 4:
        return
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
    # Label just outside the arc, on the side of the reference line away from the measured line.
    mid = math.radians(-(start + end) / 2)
    tx, ty = p0[0] + math.cos(mid) * (rad + 8 * unit), p0[1] - math.sin(mid) * (rad + 8 * unit)
    if ref == "horizontal":
        below = math.sin(math.radians(line_dir)) > 0  # line rises: put the label under the reference
        ty += (12 if below else -12) * unit
        anchor = "lm"
    else:
        anchor = "lm" if math.cos(math.radians(line_dir)) >= 0 else "rm"
    label = f"{_num(m.value)}°" + ("" if m.uncertainty is None else f" ±{m.uncertainty:.1f}")
    draw.text((tx, ty), label, font=font, fill=colour, anchor=anchor, stroke_width=max(1, round(unit)), stroke_fill=(0, 0, 0, 220))


_PLAIN = str.maketrans({"–": "-", "—": "-", "→": "->", "≥": ">=", "≤": "<="})


def _num(value: float) -> str:
    """One decimal, without a minus sign on zero."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _plain(text: str) -> str:
    """Characters the bundled default font lacks, replaced (it has ° and ±)."""
    return text.translate(_PLAIN)


def _with_legend_panel(photo: PILImage, view: str, metrics: Sequence[MetricResult], font: Font, small: Font, unit: float) -> PILImage:
    """The photo with a legend panel on its right, so the legend never hides the client."""
    from PIL import Image, ImageDraw

    measured = [m for m in metrics if m.status != "not measured"]
    lines: list[tuple[str, tuple[int, int, int], Font]] = [(f"{view} view", (255, 255, 255), font)]
    for m in measured:
        if m.value is None:
            continue
        u = "°" if m.unit == "deg" else f" {m.unit}"
        side = f" [{m.side}]" if m.side and not m.name.endswith(f"({m.side})") else ""
        spread = "" if m.uncertainty is None else f" ±{m.uncertainty:.1f}{'°' if m.unit == 'deg' else ''}"
        lines.append((f"{m.name}: {_num(m.value)}{u}{spread}{side}", STATUS_COLOUR[m.status], small))
        lines.append((f"    {m.status}; normal range {m.threshold}", STATUS_COLOUR[m.status], small))
    missing = [m for m in metrics if m.status == "not measured"]
    if missing:
        lines.append((f"not measured: {len(missing)}", STATUS_COLOUR["not measured"], small))
        lines += [(f"    {m.name}" + ("" if m.uncertainty is None or "unstable" not in m.reason
                                      else f": unstable (±{m.uncertainty:.1f})"), STATUS_COLOUR["not measured"], small)
                  for m in missing]
    lines += [
        ("", (0, 0, 0), small),
        ("dot: model point   diamond: therapist point", (210, 210, 210), small),
        ("hollow grey: uncertain point", (210, 210, 210), small),
        ("dashed cyan: reference line (not a norm)", REFERENCE_COLOUR, small),
        ("blue: client's left   orange: client's right", (210, 210, 210), small),
    ]
    pad = round(10 * unit)
    line_h = round(17 * unit)
    probe = ImageDraw.Draw(photo)
    panel_w = int(max(probe.textlength(_plain(t), font=f) for t, _, f in lines) + 2 * pad)
    height = max(photo.height, pad * 2 + line_h * len(lines))
    canvas = Image.new("RGB", (photo.width + panel_w, height), (28, 28, 30))
    canvas.paste(photo, (0, 0))
    draw = ImageDraw.Draw(canvas)
    x0 = photo.width + pad
    for i, (text, colour, f) in enumerate(lines):
        if text:
            draw.text((x0, pad + i * line_h), _plain(text), font=f, fill=colour)
    return canvas
