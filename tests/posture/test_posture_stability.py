"""Metrics that do not move when nothing moved (issue #7): real photos and transformed copies of them.

For the yoga (Warrior II) photo and standing frames of the squat video, the test makes copies
(mirror, 0.5x and 2x scale, JPEG quality 60, a small crop shift) and analyses each. The yoga photo
is refused by the stance check (a lunge), but measurement stability does not depend on the stance:
it is measured one level below that gate, on the landmark passes and the metrics computed from them
(``decode_photo`` + ``detect_landmarks`` + ``recompute``, what ``analyse_photo`` does before and
after its view and stance checks). Every angle measured in two
copies must agree in size within 1.5°; a mirror swaps the client's left and right metrics. A metric
that cannot be that stable must say "unstable" instead of giving a number.
"""

from __future__ import annotations

import io
import itertools

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from posture_helpers import fixture_path

from myomap.posture import PostureAnalysis, analyse_photo, recompute
from myomap.posture.analysis import detect_landmarks
from myomap.posture.images import decode_photo
from myomap.posture.metrics import MetricResult
from myomap.posture.passes import MIRROR_INDEX, combine, unmirror
from myomap.posture.pose import RawLandmark
from tests.conftest import squat_frame

pytestmark = pytest.mark.slow

AGREEMENT_DEG = 1.5
COPIES = ("original", "mirror", "scale 0.5", "scale 2", "jpeg 60", "crop shift")


def _jpeg(rgb: npt.NDArray[np.uint8], quality: int = 95) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _copy(rgb: npt.NDArray[np.uint8], kind: str) -> bytes:
    h, w = rgb.shape[:2]
    if kind == "mirror":
        return _jpeg(np.ascontiguousarray(rgb[:, ::-1]))
    if kind == "scale 0.5":
        return _jpeg(np.asarray(cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA), dtype=np.uint8))
    if kind == "scale 2":
        return _jpeg(np.asarray(cv2.resize(rgb, (w * 2, h * 2), interpolation=cv2.INTER_LINEAR), dtype=np.uint8))
    if kind == "jpeg 60":
        return _jpeg(rgb, 60)
    if kind == "crop shift":
        return _jpeg(np.ascontiguousarray(rgb[h // 40:, w // 40:]))
    return _jpeg(rgb)


def _photo(name: str) -> npt.NDArray[np.uint8]:
    """The yoga photo, or a standing frame of the squat video."""
    if name == "yoga":
        return decode_photo(fixture_path("tfjs_pose.jpg").read_bytes()).rgb
    return squat_frame(int(name.split()[-1]))


def _analyse_below_the_stance_gate(data: bytes, *, view: str) -> PostureAnalysis:
    """Landmark passes and the metrics computed from them, without the view and stance checks."""
    photo = decode_photo(data)
    return recompute(detect_landmarks(photo), view=view, image_size=photo.size)


def _key(m: MetricResult, mirrored: bool) -> str:
    """The metric's id in the original photo's terms: a mirror makes the client's left their right."""
    if mirrored and m.id.endswith(("_left", "_right")):
        stem, side = m.id.rsplit("_", 1)
        return f"{stem}_{'right' if side == 'left' else 'left'}"
    return m.id


@pytest.fixture(scope="module", params=["yoga", "squat frame 0", "squat frame 1", "squat frame 44"])
def analyses(request: pytest.FixtureRequest) -> dict[str, PostureAnalysis]:
    rgb = _photo(request.param)
    # The Warrior II photo is a lunge: analyse_photo refuses it, so it is measured below that gate.
    analyse = _analyse_below_the_stance_gate if request.param == "yoga" else analyse_photo
    return {kind: analyse(_copy(rgb, kind), view="anterior") for kind in COPIES}


@pytest.fixture(scope="module")
def copies(analyses: dict[str, PostureAnalysis]) -> dict[str, dict[str, MetricResult]]:
    return {kind: {_key(m, kind == "mirror"): m for m in a.metrics} for kind, a in analyses.items()}


def test_each_measured_angle_agrees_across_the_copies_or_says_unstable(copies: dict[str, dict[str, MetricResult]]) -> None:
    ids = set().union(*(set(metrics) for metrics in copies.values()))
    compared = 0
    for metric_id in sorted(ids):
        results = {kind: copies[kind][metric_id] for kind in COPIES if metric_id in copies[kind]}
        for m in results.values():
            if m.value is None:
                assert m.status == "not measured" and m.reason.startswith("not measured:"), m
        angles = {kind: abs(m.value) for kind, m in results.items() if m.value is not None and m.unit == "deg"}
        for (ka, a), (kb, b) in itertools.combinations(angles.items(), 2):
            assert abs(a - b) <= AGREEMENT_DEG, f"{metric_id}: {a:.2f}° ({ka}) vs {b:.2f}° ({kb})"
            compared += 1
    assert compared > 0, "no angle was measured in two copies: nothing was compared"


def test_every_measured_metric_carries_its_uncertainty_and_flags_only_beyond_it(copies: dict[str, dict[str, MetricResult]]) -> None:
    for metrics in copies.values():
        for m in metrics.values():
            if m.status == "not measured":
                continue
            assert m.uncertainty is not None and m.uncertainty >= 0, m
            assert m.to_dict()["uncertainty"] == round(m.uncertainty, 2)


def test_an_unstable_metric_gives_its_spread_instead_of_a_number(copies: dict[str, dict[str, MetricResult]]) -> None:
    unstable = [m for metrics in copies.values() for m in metrics.values() if "unstable" in m.reason]
    # The eyes of the squat frames are a few pixels apart:
    # some metric must be unstable somewhere, or the check is not exercised.
    if not unstable:
        pytest.skip("no unstable metric in this photo's copies")
    for m in unstable:
        assert m.value is None and m.status == "not measured"
        assert m.uncertainty is not None and f"±{m.uncertainty:.1f}" in m.reason


def test_a_raised_shoulder_implicates_the_muscles_of_its_own_side(analyses: dict[str, PostureAnalysis]) -> None:
    """Side is kept from the metric to the muscles: the mirror copy names the other side throughout."""
    checked = 0
    for kind in ("original", "mirror"):
        shoulder = analyses[kind].metric("shoulder_height_difference")
        if shoulder.status != "deviation":
            continue
        [pattern] = [p.to_dict() for p in analyses[kind].patterns if p.id == "elevated_shoulder"]
        assert pattern["side"] == shoulder.side
        assert {"muscle": "upper_trapezius", "side": shoulder.side} in pattern["shortened"]
        other = "left" if shoulder.side == "right" else "right"
        assert {"muscle": "upper_trapezius", "side": other} not in pattern["shortened"]
        checked += 1
    if checked == 2:
        assert analyses["original"].metric("shoulder_height_difference").side != analyses["mirror"].metric(
            "shoulder_height_difference").side
    elif not checked:
        pytest.skip("no shoulder deviation in this photo")


# ---- the passes themselves (no model) ----------------------------------------------------------------


def _points(offset: float = 0.0) -> list[RawLandmark]:
    return [RawLandmark(100.0 + i + offset, 200.0 + 3 * i, 0.9) for i in range(33)]


def test_unmirror_maps_points_back_and_swaps_left_and_right() -> None:
    points = _points()
    back = unmirror(unmirror(points, 640), 640)
    assert [(p.x, p.y) for p in back] == [(p.x, p.y) for p in points]
    once = unmirror(points, 640)
    assert once[11].x == pytest.approx(640 - points[12].x) and once[11].y == points[12].y  # left shoulder <- right
    assert once[0].x == pytest.approx(640 - points[0].x)  # the nose is its own partner
    assert sorted(MIRROR_INDEX) == list(range(33))


def test_combine_averages_agreeing_passes_and_ignores_one_that_wandered_off() -> None:
    a, b = _points(0.0), _points(2.0)
    wild = _points(1.0)
    wild[25] = RawLandmark(900.0, 900.0, 0.9)  # a knee far from where the others put it
    combined = combine([a, b, wild])
    assert combined[0].x == pytest.approx(101.0)  # mean of 100, 102, 101
    assert combined[25].x == pytest.approx(125.0 + 1.0)  # mean of the two agreeing passes only
