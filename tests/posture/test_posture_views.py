"""A photo clearly taken from another side than the view chosen is refused with what to retake;
a borderline one (the client a little turned) is analysed with a warning (issue #7)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from posture_helpers import SIZE, anterior_figure, lateral_figure, posterior_figure

from myomap.posture import PhotoError, analyse_photo, recompute
from myomap.posture.landmarks import Landmark
from myomap.posture.stance import NotStandingError, check_stance
from myomap.posture.view_check import WrongViewError, check_view
from tests.standing_photo import standing_front_photo


@pytest.fixture(scope="module")
def front_photo() -> bytes:
    photo = standing_front_photo()
    if not photo.exists():
        pytest.skip("the standing photo could not be made from the squat video")
    return photo.read_bytes()


def test_the_front_photo_is_accepted_as_the_front_view(front_photo: bytes) -> None:
    assert analyse_photo(front_photo, view="anterior").view == "anterior"


@pytest.mark.parametrize(("view", "message"), [
    ("posterior", r"looks like a front view .* not the back view chosen\. Retake the photo with the client's back to the camera"),
    ("left", r"looks like a front or back view .* not the left side view chosen\. Retake the photo with the client's left side to the camera"),
    ("right", r"looks like a front or back view .* not the right side view chosen\. Retake the photo with the client's right side"),
])
def test_the_front_photo_uploaded_as_another_view_is_refused_saying_what_to_retake(front_photo: bytes, view: str, message: str) -> None:
    with pytest.raises(WrongViewError, match=message) as refused:
        analyse_photo(front_photo, view=view)
    assert isinstance(refused.value, PhotoError)  # so every face shows it as a refused photo, nothing stored


def test_a_side_photo_as_the_front_view_is_refused() -> None:
    with pytest.raises(WrongViewError, match=r"looks like a side view .* not the front view chosen"):
        check_view(lateral_figure("left"), "anterior", 0.5)


def test_left_and_right_side_views_swapped_are_refused() -> None:
    check_view(lateral_figure("left"), "left", 0.5)
    check_view(lateral_figure("right"), "right", 0.5)
    with pytest.raises(WrongViewError, match=r"looks like a left side view .* not the right side view chosen.*or choose the left side view"):
        check_view(lateral_figure("left"), "right", 0.5)
    with pytest.raises(WrongViewError, match=r"looks like a right side view"):
        check_view(lateral_figure("right"), "left", 0.5)


def test_a_back_photo_as_the_front_view_is_refused_and_each_frontal_figure_fits_its_own_view() -> None:
    check_view(anterior_figure(), "anterior", 0.5)
    check_view(posterior_figure(), "posterior", 0.5)
    with pytest.raises(WrongViewError, match=r"looks like a back view .* Retake the photo with the client facing the camera"):
        check_view(posterior_figure(), "anterior", 0.5)


def _turned(lms: dict[str, Landmark], factor: float) -> dict[str, Landmark]:
    """The figure turned about its midline: horizontal offsets shrink by ``factor``."""
    mid = SIZE[0] / 2
    return {n: replace(lm, x=mid + (lm.x - mid) * factor) for n, lm in lms.items()}


def test_a_client_a_little_turned_is_analysed_with_a_warning_not_refused() -> None:
    turned = _turned(anterior_figure(), 0.85)  # shoulders 0.33 of the torso height apart
    check_view(turned, "anterior", 0.5)
    check_stance(turned, "anterior", 0.5)
    analysis = recompute(turned, view="anterior", image_size=SIZE)
    assert any("looks like a side view or the client is turned" in w for w in analysis.warnings)
    with pytest.raises(NotStandingError, match="the body turned away from the camera"):
        check_stance(_turned(anterior_figure(), 0.7), "anterior", 0.5)  # 0.27: turned well away
    with pytest.raises(WrongViewError):
        check_view(_turned(anterior_figure(), 0.4), "anterior", 0.5)  # 0.15: side-on


def test_points_the_model_is_unsure_of_decide_nothing() -> None:
    unsure = {n: replace(lm, visibility=0.2) for n, lm in lateral_figure("left").items()}
    check_view(unsure, "anterior", 0.5)
