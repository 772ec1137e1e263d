"""The pose model on real photos: landmark regression against published references, people checks,
and metamorphic checks (mirror, rotate). Each image goes through the model once per session."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from posture_helpers import fixture_path, png_bytes

from myomap.posture import (
    Landmark,
    MetricResult,
    PhotoError,
    PostureAnalysis,
    analyse_photo,
    decode_photo,
    detect_landmarks,
    recompute,
)
from myomap.posture.landmarks import BLAZEPOSE_INDEX, LandmarkSet
from tests.standing_photo import standing_front_photo

pytestmark = pytest.mark.slow

# Expected BlazePose landmarks for tfjs pose.jpg, from tensorflow/tfjs-models
# pose-detection/src/blazepose_mediapipe/mediapipe_test.ts (taken from mediapipe's pose_test.py).
TFJS_EXPECTED = [
    [460, 283], [467, 273], [471, 273], [474, 273], [465, 273], [465, 273], [466, 273], [491, 277], [480, 277],
    [470, 294], [465, 294], [545, 319], [453, 329], [622, 323], [375, 316], [696, 316], [299, 307], [719, 316],
    [278, 306], [721, 311], [274, 304], [713, 313], [283, 306], [520, 476], [467, 471], [612, 550], [358, 490],
    [701, 613], [349, 611], [709, 624], [363, 630], [730, 633], [303, 628],
]
IMAGE_TOLERANCE_PX = 11  # the tfjs test's tolerance for this image
VIDEO_TOLERANCE_PX = 31  # the tfjs test's tolerance for the squat video
# Angle noise of the model on this frame: a few px on short segments (ears ~45 px, hips ~80 px apart)
# moves a line by 2-2.5 deg (posture.md §3.3), so metamorphic checks allow that much.
ANGLE_NOISE_DEG = {"shoulder_height_difference": 1.5, "head_tilt": 2.5, "pelvic_obliquity": 2.5}


def _errors(landmarks: Mapping[str, Landmark], expected: Sequence[Sequence[float]] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    got = np.asarray([[landmarks[name].x, landmarks[name].y] for name in BLAZEPOSE_INDEX.values()], dtype=np.float64)
    exp = np.asarray([expected[i] for i in BLAZEPOSE_INDEX], dtype=np.float64)
    errors: npt.NDArray[np.float64] = np.abs(got - exp)
    return errors


@pytest.fixture(scope="module")
def tfjs_landmarks(tfjs_jpeg: bytes) -> LandmarkSet:
    """The Warrior II photo's points (the photo itself is refused as a lunge: see test_posture_stance)."""
    return detect_landmarks(decode_photo(tfjs_jpeg))


@pytest.fixture(scope="module")
def standing_analysis() -> PostureAnalysis:
    photo = standing_front_photo()
    if not photo.exists():
        pytest.skip("the standing photo could not be made from the squat video")
    return analyse_photo(photo.read_bytes(), view="anterior")


def _signed_tilt(result: MetricResult) -> float:
    """Shoulder/head tilt signed: positive when the client's left side is higher (anterior view)."""
    if result.side is None:
        return 0.0
    assert result.value is not None, result  # a tilt with a side was measured
    higher_left = result.side == "left" if result.base_id != "head_tilt" else result.side == "right"
    return result.value if higher_left else -result.value


def test_tfjs_image_landmarks_match_the_reference(tfjs_landmarks: LandmarkSet) -> None:
    err = _errors(tfjs_landmarks, TFJS_EXPECTED)
    assert err.max() <= IMAGE_TOLERANCE_PX, f"max error {err.max():.1f} px"
    assert all(lm.source == "model" for lm in tfjs_landmarks.values())


def test_squat_frame0_landmarks_match_the_reference(squat_landmarks: LandmarkSet, squat_expected: npt.NDArray[np.float64]) -> None:
    err = _errors(squat_landmarks, squat_expected)
    assert err.max() <= VIDEO_TOLERANCE_PX, f"max error {err.max():.1f} px"
    assert err.mean() < 5


@pytest.fixture(scope="module")
def squat_mirrored(squat_frame0: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint8], LandmarkSet]:
    flipped = np.ascontiguousarray(squat_frame0[:, ::-1])
    return flipped, detect_landmarks(flipped)


def test_mirroring_swaps_left_and_right(squat_landmarks: LandmarkSet, squat_mirrored: tuple[npt.NDArray[np.uint8], LandmarkSet], squat_frame0: npt.NDArray[np.uint8]) -> None:
    h, w = squat_frame0.shape[:2]
    a = recompute(squat_landmarks, view="anterior", image_size=(w, h))
    b = recompute(squat_mirrored[1], view="anterior", image_size=(w, h))
    for mid in ("shoulder_height_difference", "pelvic_obliquity", "head_tilt"):
        ma, mb = a.metric(mid), b.metric(mid)
        if "unstable" in ma.reason or "unstable" in mb.reason:  # the eye line in this frame: too short to trust
            continue
        assert ma.side is not None and mb.side is not None and ma.side != mb.side, mid
        assert ma.value is not None and mb.value is not None, mid
        assert abs(ma.value - mb.value) < 2.5, (mid, ma.value, mb.value)
    # The model names the image-right shoulder "left" in both, so the physical shoulders swap labels.
    assert abs(squat_landmarks["left_shoulder"].x - (w - squat_mirrored[1]["right_shoulder"].x)) < 6


def test_rotating_the_photo_moves_the_tilts_by_that_angle(squat_frame0: npt.NDArray[np.uint8], squat_landmarks: LandmarkSet) -> None:
    h, w = squat_frame0.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 4.0, 1.0)  # 4 deg counter-clockwise on screen
    rotated = np.asarray(cv2.warpAffine(squat_frame0, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE), dtype=np.uint8)
    turned = recompute(detect_landmarks(rotated), view="anterior", image_size=(w, h))
    base = recompute(squat_landmarks, view="anterior", image_size=(w, h))
    # Counter-clockwise turns raise the image-right side, which is the client's left in an anterior view.
    for mid in ("shoulder_height_difference", "head_tilt"):
        if "unstable" in turned.metric(mid).reason or "unstable" in base.metric(mid).reason:
            continue
        delta = _signed_tilt(turned.metric(mid)) - _signed_tilt(base.metric(mid))
        assert delta == pytest.approx(4.0, abs=ANGLE_NOISE_DEG[mid]), (mid, delta)


def test_two_people_need_a_box(squat_frame0: npt.NDArray[np.uint8], squat_mirrored: tuple[npt.NDArray[np.uint8], LandmarkSet], squat_landmarks: LandmarkSet) -> None:
    pair = np.ascontiguousarray(np.hstack([squat_frame0, squat_mirrored[0]]))
    with pytest.raises(PhotoError, match=r"2 people found in the photo; mark the client with a box"):
        analyse_photo(png_bytes(pair), view="anterior")
    w = squat_frame0.shape[1]
    # The box picks the right-hand person; points come back in full-photo coordinates.
    boxed = analyse_photo(png_bytes(pair), view="anterior", box=(w, 0, w, squat_frame0.shape[0]))
    for name, lm in boxed.landmarks.items():
        assert lm.x == pytest.approx(squat_mirrored[1][name].x + w, abs=0.5)
        assert lm.y == pytest.approx(squat_mirrored[1][name].y, abs=0.5)
    assert boxed.image_size == (2 * w, squat_frame0.shape[0])


def test_a_person_cut_off_is_refused(squat_frame0: npt.NDArray[np.uint8]) -> None:
    no_feet = np.ascontiguousarray(squat_frame0[:880])
    with pytest.raises(PhotoError, match=r"the feet \(.*\) are cut off at the bottom edge"):
        detect_landmarks(no_feet)
    no_face = np.ascontiguousarray(squat_frame0[260:])
    with pytest.raises(PhotoError, match=r"the head \(.*\) is cut off at the top edge"):
        detect_landmarks(no_face)


def test_no_person(tmp_path: Path) -> None:
    with pytest.raises(PhotoError, match="no person found"):
        analyse_photo(png_bytes(np.full((480, 360, 3), 128, np.uint8)), view="anterior")


def test_bad_box_is_refused(tfjs_jpeg: bytes) -> None:
    with pytest.raises(PhotoError, match="reaches beyond the 1000×667 photo"):
        analyse_photo(tfjs_jpeg, view="anterior", box=(5000, 0, 100, 100))


def test_analysis_json_and_annotation(standing_analysis: PostureAnalysis) -> None:
    out = standing_analysis.to_json()
    assert set(out) == {"view", "landmarks", "metrics", "patterns"}
    assert set(out["landmarks"]) == set(BLAZEPOSE_INDEX.values())
    png = standing_analysis.annotated_png()
    assert png.startswith(b"\x89PNG")


def test_a_seated_or_crouching_client_is_asked_to_stand(squat_frame0: npt.NDArray[np.uint8]) -> None:
    seated = decode_photo(fixture_path("mps_pose_test_image.jpg").read_bytes())
    with pytest.raises(PhotoError, match=r"(sitting or crouching|cut off|not visible).*Retake the photo"):
        detect_landmarks(seated)
    cap = cv2.VideoCapture(str(fixture_path("tfjs_pose_squats.mp4")))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, 8)  # the bottom of the first squat
        ok, frame = cap.read()
    finally:
        cap.release()
    if not ok:
        pytest.skip("could not read frame 8 of the squat video")
    with pytest.raises(PhotoError, match="sitting or crouching .* standing upright"):
        detect_landmarks(np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
