"""The annotated PNG draws on a synthetic analysis without the model."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from posture_helpers import SIZE, anterior_figure, lateral_figure, therapist, tilt_pair

from myomap.posture import recompute


def test_annotated_png_has_the_photo_and_a_legend_panel() -> None:
    lms = tilt_pair(anterior_figure(), "left_shoulder", "right_shoulder", 5.0)
    lms["asis_left"] = therapist("asis_left", 360, 540)
    analysis = recompute(lms, view="anterior", image_size=SIZE, height_cm=170)
    rgb = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
    png = analysis.annotated_png(rgb)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.height == SIZE[1] and image.width > SIZE[0]  # photo plus the legend panel on the right
    arr = np.asarray(image.convert("RGB"))
    assert (arr[:, : SIZE[0]] != 90).any()  # something was drawn on the photo
    # The therapist's diamond is drawn in magenta at its point.
    x, y = 360, 540
    patch = arr[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3)
    assert any(r > 180 and g < 120 and b > 180 for r, g, b in patch)


def test_large_photos_are_downscaled_and_lateral_views_draw() -> None:
    lms = lateral_figure("left")
    lms["tragus"] = therapist("tragus", 288, 152)
    lms["c7"] = therapist("c7", 320, 240)
    analysis = recompute(lms, view="left", image_size=SIZE)
    big = np.zeros((SIZE[1] * 2, SIZE[0] * 2, 3), np.uint8)
    scaled = {n: lm.__class__(n, lm.x * 2, lm.y * 2, lm.visibility, lm.source) for n, lm in analysis.landmarks.items()}
    analysis2 = recompute(scaled, view="left", image_size=(SIZE[0] * 2, SIZE[1] * 2))
    image = Image.open(io.BytesIO(analysis2.annotated_png(big, max_side=1200)))
    assert image.height == 1200
