"""Stable landmarks: several model passes over one photo, combined robustly.

One BlazePose pass wanders by a few pixels with the framing, the scale and the JPEG noise; on short
segments (eyes, hips) that is several degrees, more than some thresholds. So the model runs three
times (test-time augmentation):

1. on the photo (detector and landmark model; this pass also feeds the photo checks);
2. on a square crop around the person, resampled to the landmark model's input size (256 px);
3. on the same crop mirrored left-right; its points are mirrored back and left and right swapped.

Passes 2 and 3 run the landmark model alone on the whole crop (no detector: the first pass already
found the person), which makes each about 40 % cheaper than the first. Each point is the mean of the passes
that agree with their median, so one wandering pass cannot move it while the pixel noise of the
others averages out; the passes are kept with the point: a metric's uncertainty is how far its
value moves between them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from myomap.posture.pose import NUM_LANDMARKS, PoseBackend, RawLandmark, Region, RGBImage

#: The landmark model's input size (BlazePose full: 256 x 256).
MODEL_INPUT_PX = 256
#: The crop's side as a multiple of the person's larger extent: about the framing the detector gives
#: a standing person (1.25 x the circle around the body), which the landmark model was trained on.
#: (Of 1.25 and 1.4 around the bounding box and 1.1 and 1.25 around the hips, this kept every angle
#: of tests/posture/test_posture_stability.py within 0.91°; 1.25 let a head tilt move 2.1°.)
CROP_MARGIN = 1.4
#: A pass further than this fraction of the person's extent from a point's median is an outlier there.
OUTLIER_FRACTION = 0.05


def _mirror_index() -> tuple[int, ...]:
    """BlazePose index of each point's mirror partner (left <-> right; the nose is its own)."""
    pairs = [(1, 4), (2, 5), (3, 6)] + [(i, i + 1) for i in range(7, NUM_LANDMARKS, 2)]
    out = list(range(NUM_LANDMARKS))
    for a, b in pairs:
        out[a], out[b] = b, a
    return tuple(out)


MIRROR_INDEX = _mirror_index()


@dataclass(frozen=True, slots=True)
class Crop:
    """A square region of the photo resampled to ``size`` pixels: photo = origin + crop / scale."""

    x0: float
    y0: float
    scale: float
    size: int

    def to_photo(self, lm: RawLandmark) -> RawLandmark:
        return RawLandmark(self.x0 + lm.x / self.scale, self.y0 + lm.y / self.scale, lm.visibility)


def person_crop(raw: Sequence[RawLandmark], size: int = MODEL_INPUT_PX) -> Crop:
    """The square around the person's points, centred on them, ``CROP_MARGIN`` times their extent."""
    xs, ys = [p.x for p in raw], [p.y for p in raw]
    side = CROP_MARGIN * max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return Crop(cx - side / 2, cy - side / 2, size / side, size)


def crop_image(rgb: RGBImage, crop: Crop) -> RGBImage:
    """The crop's pixels (area-averaged when shrinking; black beyond the photo's edges)."""
    import cv2

    matrix = np.array([[crop.scale, 0.0, -crop.x0 * crop.scale], [0.0, crop.scale, -crop.y0 * crop.scale]])
    interpolation = cv2.INTER_AREA if crop.scale < 1 else cv2.INTER_LINEAR
    warped = cv2.warpAffine(rgb, matrix, (crop.size, crop.size), flags=interpolation, borderMode=cv2.BORDER_CONSTANT)
    out = np.asarray(warped, dtype=np.uint8)
    return out


def unmirror(raw: Sequence[RawLandmark], width: int) -> list[RawLandmark]:
    """Points found on a left-right mirrored image, back in the original image, sides swapped."""
    return [RawLandmark(width - raw[MIRROR_INDEX[i]].x, raw[MIRROR_INDEX[i]].y, raw[MIRROR_INDEX[i]].visibility)
            for i in range(len(raw))]


def body_rotation(raw: Sequence[RawLandmark]) -> float:
    """How far the trunk (hip midpoint to shoulder midpoint) leans from upright, in MediaPipe's
    convention for a region (radians, positive clockwise on screen): the detector aligns its region
    the same way, so the landmark model sees the body as it was trained to."""
    hx, hy = (raw[23].x + raw[24].x) / 2, (raw[23].y + raw[24].y) / 2
    sx, sy = (raw[11].x + raw[12].x) / 2, (raw[11].y + raw[12].y) / 2
    if hx == sx and hy == sy:
        return 0.0
    angle = math.pi / 2 - math.atan2(hy - sy, sx - hx)
    return math.atan2(math.sin(angle), math.cos(angle))  # within -pi..pi


def extra_passes(backend: PoseBackend, rgb: RGBImage, first: Sequence[RawLandmark]) -> list[list[RawLandmark]]:
    """The crop and mirrored-crop passes, in the coordinates of ``rgb``; a pass that finds no one is left out.

    The landmark model reads the whole crop, turned by the trunk's lean (negated for the mirror),
    without running the detector.
    """
    out: list[list[RawLandmark]] = []
    crop = person_crop(first)
    rotation = body_rotation(first)
    pixels = crop_image(rgb, crop)
    centre = crop.size / 2
    for mirrored in (False, True):
        image = np.ascontiguousarray(pixels[:, ::-1] if mirrored else pixels)
        found = backend.landmarks_in(image, Region(centre, centre, crop.size, -rotation if mirrored else rotation))
        if found is None or len(found) < NUM_LANDMARKS:
            continue
        points = unmirror(found, crop.size) if mirrored else list(found)
        out.append([crop.to_photo(p) for p in points])
    return out


def combine(passes: Sequence[Sequence[RawLandmark]]) -> list[RawLandmark]:
    """Per point, the mean of the passes that agree with the median (robust to one wandering pass).

    A pass further than ``OUTLIER_FRACTION`` of the person's extent from the median point (say the
    model took the left knee for the right in it) is left out of that point's mean; the mean of the
    rest averages the model's pixel noise, which a median alone would keep.
    """
    if not passes:
        raise ValueError("combine() needs at least one pass")
    medians = [(statistics.median(p[i].x for p in passes), statistics.median(p[i].y for p in passes))
               for i in range(len(passes[0]))]
    xs, ys = [m[0] for m in medians], [m[1] for m in medians]
    limit = OUTLIER_FRACTION * max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    out = []
    for i, (mx, my) in enumerate(medians):
        near = [p[i] for p in passes if math.hypot(p[i].x - mx, p[i].y - my) <= limit] or [RawLandmark(mx, my, 0.0)]
        out.append(RawLandmark(statistics.fmean(p.x for p in near), statistics.fmean(p.y for p in near),
                               statistics.median(p[i].visibility for p in passes)))
    return out
