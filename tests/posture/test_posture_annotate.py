"""The annotated image: marks and short labels on the photo, no two labels overlapping (issue #9)."""

from __future__ import annotations

import io
import itertools
import random

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image
from posture_helpers import SIZE, anterior_figure, lateral_figure, therapist, tilt_pair

from myomap.posture import PostureAnalysis, recompute
from myomap.posture.analysis import detect_landmarks
from myomap.posture.annotate import draw_annotation, metric_label
from myomap.posture.images import decode_photo
from myomap.posture.label_layout import LabelRequest, Layout, overlaps, place_labels
from myomap.posture.landmarks import CLINICAL_LANDMARKS, Landmark

#: The tablet in portrait (820x1180): the assessment page shows the photo at most 70 % of the
#: viewport high and at most the column's width (about 780 px).
TABLET_IMAGE_MAX = (780.0, 0.7 * 1180)
READABLE_CSS_PX = 11.0


def _layout(analysis: PostureAnalysis) -> tuple[Image.Image, Layout]:
    w, h = analysis.image_size
    return draw_annotation(np.full((h, w, 3), 90, np.uint8), view=analysis.view, landmarks=analysis.landmarks,
                           metrics=analysis.metrics)


def _assert_apart_and_inside(layout: Layout, size: tuple[int, int]) -> None:
    for a, b in itertools.combinations(layout.placed, 2):
        assert not overlaps(a.box, b.box), f"{a.text!r} {a.box} overlaps {b.text!r} {b.box}"
    for label in layout.placed:
        x0, y0, x1, y1 = label.box
        assert 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1], label


def _expected_labels(analysis: PostureAnalysis) -> set[str]:
    measured = {metric_label(m) for m in analysis.metrics if m.value is not None and m.status != "not measured"}
    return measured | {"reference line"}


def test_the_image_is_the_photo_with_marks_and_value_labels_no_text_panel() -> None:
    lms = tilt_pair(anterior_figure(), "left_shoulder", "right_shoulder", 5.0)
    lms["asis_left"] = therapist("asis_left", 360, 540)
    analysis = recompute(lms, view="anterior", image_size=SIZE, height_cm=170)
    png = analysis.annotated_png(np.full((SIZE[1], SIZE[0], 3), 90, np.uint8))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size == SIZE  # the words are in the page, not in a panel beside the photo
    arr = np.asarray(image.convert("RGB"))
    x, y = 360, 540  # the therapist's diamond is drawn in magenta at its point
    patch = arr[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3)
    assert any(r > 180 and g < 120 and b > 180 for r, g, b in patch)
    _, layout = _layout(analysis)
    shoulders = analysis.metric("shoulder_height_difference")
    texts = {p.text for p in layout.placed}
    assert texts == _expected_labels(analysis) and not layout.unplaced
    label = metric_label(shoulders)
    assert label.startswith("Shoulders 5.0°") and label.endswith(f", {shoulders.side}")
    # Each label is drawn: its box holds light text pixels on the dark background.
    [box] = [p.box for p in layout.placed if p.text == label]
    region = np.asarray(Image.open(io.BytesIO(png)).convert("L"))[round(box[1]) : round(box[3]), round(box[0]) : round(box[2])]
    assert region.max() > 150 and region.min() < 60


def test_large_photos_are_downscaled_and_lateral_views_draw() -> None:
    lms = lateral_figure("left")
    lms["tragus"] = therapist("tragus", 288, 152)
    lms["c7"] = therapist("c7", 320, 240)
    scaled = {n: Landmark(n, lm.x * 2, lm.y * 2, lm.visibility, lm.source) for n, lm in lms.items()}
    analysis = recompute(scaled, view="left", image_size=(SIZE[0] * 2, SIZE[1] * 2))
    big = np.zeros((SIZE[1] * 2, SIZE[0] * 2, 3), np.uint8)
    image = Image.open(io.BytesIO(analysis.annotated_png(big, max_side=1200)))
    assert image.height == 1200
    drawn, layout = _layout(analysis)
    assert any(p.text.startswith("CVA ") for p in layout.placed)
    _assert_apart_and_inside(layout, drawn.size)


def _with_every_clinical_point(lms: dict[str, Landmark], view: str) -> dict[str, Landmark]:
    """The model's points plus therapist points near the joints they belong to: the most labels a view gets."""
    out = dict(lms)
    near = {"acromion": "shoulder", "asis": "hip", "psis": "hip", "patella": "knee", "tibial_tuberosity": "knee",
            "calcaneus_top": "heel", "calcaneus_bottom": "heel"}
    for name in CLINICAL_LANDMARKS:
        stem, _, side = name.rpartition("_")
        if side in ("left", "right") and stem in near:
            base = lms[f"{side}_{near[stem]}"]
            dy = {"tibial_tuberosity": 25.0, "calcaneus_top": -12.0, "calcaneus_bottom": 6.0}.get(stem, 0.0)
            out[name] = therapist(name, base.x + 3, base.y + dy)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("photo", ["yoga", "squat frame 0"])
@pytest.mark.parametrize("view", ["anterior", "posterior"])
def test_labels_never_overlap_on_real_photos_and_are_readable_on_a_tablet(
    photo: str, view: str, tfjs_jpeg: bytes, squat_frame0: npt.NDArray[np.uint8],
) -> None:
    """Real model landmarks (the yoga photo below the stance gate) with every clinical point placed."""
    rgb = decode_photo(tfjs_jpeg).rgb if photo == "yoga" else squat_frame0
    lms = detect_landmarks(rgb)
    h, w = rgb.shape[:2]
    if view == "posterior":  # the same figure seen from behind: the client's left on the image's left
        lms = {n: Landmark(n, w - lm.x, lm.y, lm.visibility, lm.source) for n, lm in lms.items()}
    analysis = recompute(_with_every_clinical_point(lms, view), view=view, image_size=(w, h), height_cm=172)
    image, layout = _layout(analysis)
    assert {p.text for p in layout.placed} == _expected_labels(analysis) and not layout.unplaced
    assert len(layout.placed) >= 6, [p.text for p in layout.placed]
    _assert_apart_and_inside(layout, image.size)
    shown = min(TABLET_IMAGE_MAX[0] / image.width, TABLET_IMAGE_MAX[1] / image.height, 1.0)
    for label in layout.placed:
        if label.text != "reference line":
            assert (label.box[3] - label.box[1]) * shown >= READABLE_CSS_PX, (label.text, label.box, shown)


def test_a_crowded_synthetic_case_still_separates_every_label() -> None:
    """Thirty labels anchored on four points of a small image: all placed, none overlapping, leaders where moved."""
    rng = random.Random(9)
    anchors = [(150.0, 100.0), (152.0, 104.0), (160.0, 98.0), (40.0, 290.0)]
    requests = [LabelRequest(f"label {i}", anchors[i % 4], (rng.uniform(40, 110), 16.0)) for i in range(30)]
    obstacles = [(a[0] - 5, a[1] - 5, a[0] + 5, a[1] + 5) for a in anchors]
    layout = place_labels(requests, bounds=(400.0, 300.0), gap=6.0, obstacles=obstacles)
    assert len(layout.placed) == 30 and not layout.unplaced
    _assert_apart_and_inside(layout, (400, 300))
    assert any(p.leader for p in layout.placed) and not layout.placed[0].leader
    assert [p.index for p in layout.placed] == list(range(30))


def test_a_label_with_no_room_is_left_out_never_drawn_over_another() -> None:
    requests = [LabelRequest(f"wide {i}", (50.0, 10.0), (90.0, 18.0)) for i in range(3)]
    layout = place_labels(requests, bounds=(100.0, 30.0), gap=4.0)  # room for one such label only
    assert [p.text for p in layout.placed] == ["wide 0"] and [r.text for r in layout.unplaced] == ["wide 1", "wide 2"]
    _assert_apart_and_inside(layout, (100, 30))
