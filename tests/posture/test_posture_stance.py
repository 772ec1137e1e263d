"""A photo that does not show standing posture (a lunge, a step, an arm raised, the body turned) is
refused from its landmarks, saying what is wrong and what to retake; nothing is analysed from it
(issue #9). Thresholds: ``myomap.posture.stance``."""

from __future__ import annotations

from dataclasses import replace

import pytest
from posture_helpers import SIZE, anterior_figure, lateral_figure

from myomap.posture import PhotoError, analyse_photo
from myomap.posture.landmarks import Landmark
from myomap.posture.stance import NotStandingError, check_stance, stance_problems

Figure = dict[str, Landmark]


def _moved(lms: Figure, **points: tuple[float, float]) -> Figure:
    return {n: replace(lm, x=points[n][0], y=points[n][1]) if n in points else lm for n, lm in lms.items()}


def _whats(lms: Figure, view: str) -> list[str]:
    return [p.what for p in stance_problems(lms, view, 0.5)]


def test_the_standing_figures_pass_every_view() -> None:
    assert _whats(anterior_figure(), "anterior") == []
    assert _whats(lateral_figure("left"), "left") == []
    assert _whats(lateral_figure("right"), "right") == []


def test_a_lunge_in_a_side_view_is_a_bent_knee_and_a_step() -> None:
    # The near knee forward and bent, its ankle a long step ahead of the other.
    lunge = _moved(lateral_figure("left"), left_knee=(150, 760), left_ankle=(130, 1040))
    whats = _whats(lunge, "left")
    assert any(w.startswith("a lunge or a step (the left knee bent about") for w in whats), whats
    assert any(w.startswith("the feet a step apart front to back") for w in whats), whats


def test_one_foot_forward_in_a_front_view_is_seen_from_the_ankle_heights() -> None:
    step = _moved(anterior_figure(), right_ankle=(264, 1100))  # 60 px lower: 0.19 torso heights nearer
    assert _whats(step, "anterior") == ["one foot in front of the other (the right foot is nearer the camera)"]
    assert _whats(_moved(anterior_figure(), right_ankle=(264, 1060)), "anterior") == []  # 0.06: uneven floor, kept


def test_feet_wide_apart_are_refused_but_hip_width_is_not() -> None:
    wide = _moved(anterior_figure(), left_ankle=(520, 1040), right_ankle=(80, 1040))  # 440 px, hips 80 px
    assert _whats(wide, "anterior") == ["the feet wide apart (ankles 5.5 hip widths apart)"]
    assert _whats(_moved(anterior_figure(), left_ankle=(390, 1040), right_ankle=(210, 1040)), "anterior") == []  # 2.25


@pytest.mark.parametrize(("wrist", "refused"), [
    ((380, 530), False),  # hanging
    ((520, 420), False),  # held a little out: 53° from hanging
    ((560, 260), True),  # held out sideways, about shoulder height
    ((400, 60), True),  # overhead
])
def test_an_arm_raised_or_held_out_is_refused(wrist: tuple[float, float], refused: bool) -> None:
    whats = _whats(_moved(anterior_figure(), left_wrist=wrist), "anterior")
    assert bool(whats) is refused, whats
    if refused:
        assert whats[0].startswith("the left arm raised or held out (left ")


def test_a_side_view_turned_towards_the_camera_is_refused() -> None:
    turned = _moved(lateral_figure("left"), left_shoulder=(360, 250), right_shoulder=(230, 252))  # 0.42 apart
    assert _whats(turned, "left") == ["the body turned towards or away from the camera (shoulders 42% of the torso height apart)"]


def test_the_message_says_what_is_wrong_what_to_retake_and_that_nothing_was_taken() -> None:
    lunge = _moved(lateral_figure("left"), left_knee=(150, 760), left_ankle=(130, 1040), left_wrist=(120, 240))
    with pytest.raises(NotStandingError) as refused:
        check_stance(lunge, "left", 0.5)
    message = str(refused.value)
    assert isinstance(refused.value, PhotoError)  # every face shows it as a refused photo, nothing stored
    assert message.startswith("this photo does not show relaxed standing posture: a lunge or a step")
    assert "the left arm raised or held out" in message
    assert "Retake the photo with the client standing on both feet" in message and "the arms hanging relaxed" in message
    assert message.endswith("No metrics or patterns were taken from it.")


def test_points_the_model_is_unsure_of_decide_nothing() -> None:
    unsure = {n: replace(lm, visibility=0.2) if "wrist" in n else lm
              for n, lm in _moved(anterior_figure(), left_wrist=(400, 60)).items()}
    assert _whats(unsure, "anterior") == []
    assert SIZE == (600, 1200)  # the figures' frame, for the coordinates above


def test_the_warrior_ii_photo_is_refused_as_a_lunge_with_the_arms_held_out(tfjs_jpeg: bytes) -> None:
    """The fixture photo the analysis used to accept: its lunge tilted the pelvis, read as a pelvic obliquity and a pattern."""
    with pytest.raises(NotStandingError) as refused:
        analyse_photo(tfjs_jpeg, view="anterior")
    whats = [p.what for p in refused.value.problems]
    assert whats[0].startswith("a lunge or a step (the right knee bent about")
    assert any(w.startswith("the feet wide apart") for w in whats)
    assert any(w.startswith("the left and right arms raised or held out") for w in whats)
