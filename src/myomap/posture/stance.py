"""Refuse a photo that does not show relaxed standing posture, saying what is wrong and what to retake.

Postural metrics and the patterns drawn from them assume the capture protocol's stance: standing,
weight on both feet, feet about hip-width apart, arms hanging, square to the camera for the view. A
lunge, a raised arm or a turned body gives real-looking deviations (a lunge tilts the pelvis by
tens of degrees) that would become distortion patterns and referral priors, so such a photo is
refused like a wrong view: nothing is stored. Only clear cases are refused; the thresholds are
project settings read off the geometry of the stance, not published norms. Runs on the model's
points of a new photo (``analyse_photo``), after ``view_check``; sitting and crouching are refused
earlier (``people.check_standing``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from myomap.posture.catalog import FRONTAL_VIEWS, LATERAL_VIEWS
from myomap.posture.errors import PhotoError
from myomap.posture.geometry import deviation_from_straight
from myomap.posture.landmarks import Landmark

#: One knee bent this many degrees more than the other: a lunge or a step, not standing on both feet.
UNEVEN_KNEES_DEG = 25.0
#: Front/back view: ankles further apart than this many hip-joint widths (hip-width stance is about 1).
WIDE_STANCE_RATIO = 2.5
#: Front/back view: one ankle this fraction of the torso height lower in the photo than the other:
#: one foot stepped towards or away from the camera (about 20 cm at 3 m).
STEP_IN_DEPTH = 0.12
#: Side view: ankles this fraction of the torso height apart front to back (about 25 cm): a step.
STEP_IN_SIDE_VIEW = 0.5
#: An arm lifted more than this from hanging (shoulder-to-wrist line against straight down).
ARM_RAISED_DEG = 60.0
#: Front/back view: shoulders under this fraction of the torso height apart: turned well away
#: (about 60° for a typical build; under view_check.SIDE_ON_BELOW it is a side view).
TURNED_FRONTAL_BELOW = 0.3
#: Side view: shoulders over this fraction apart: turned towards or away from the camera
#: (over view_check.SQUARE_ON_ABOVE it is a front or back view).
TURNED_LATERAL_ABOVE = 0.4

_SIDES = ("left", "right")


@dataclass(frozen=True, slots=True)
class StanceProblem:
    """One reason the photo is not standing posture: what is seen, and what to do instead."""

    what: str
    retake: str


class NotStandingError(PhotoError):
    """The photo shows a lunge, a raised arm or a turned body: no metric or pattern may come from it."""

    def __init__(self, problems: tuple[StanceProblem, ...]) -> None:
        self.problems = problems
        seen = "; ".join(p.what for p in problems)
        retake = "; ".join(dict.fromkeys(p.retake for p in problems))
        super().__init__(f"this photo does not show relaxed standing posture: {seen}. Retake the photo with {retake}. "
                         "No metrics or patterns were taken from it.")


def stance_problems(landmarks: Mapping[str, Landmark], view: str, visibility_threshold: float) -> tuple[StanceProblem, ...]:
    """Every clear departure from the protocol's standing stance that the points show (none: empty)."""
    seen = {n: lm for n, lm in landmarks.items() if lm.visibility >= visibility_threshold}
    torso = _torso(seen)
    if torso is None:
        return ()
    problems = [*_legs(seen, view, torso), *_arms(seen), *_turned(seen, view, torso)]
    return tuple(problems)


def check_stance(landmarks: Mapping[str, Landmark], view: str, visibility_threshold: float) -> None:
    """Raise NotStandingError when the points clearly show something other than standing posture."""
    problems = stance_problems(landmarks, view, visibility_threshold)
    if problems:
        raise NotStandingError(problems)


def _torso(seen: Mapping[str, Landmark]) -> float | None:
    """Vertical shoulder-midpoint to hip-midpoint distance in pixels, the unit of the checks."""
    names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(n in seen for n in names):
        return None
    ls, rs, lh, rh = (seen[n] for n in names)
    torso = abs((ls.y + rs.y) / 2 - (lh.y + rh.y) / 2)
    return torso if torso > 0 else None


def _knee_bend(seen: Mapping[str, Landmark], side: str) -> float | None:
    points = [seen.get(f"{side}_{joint}") for joint in ("hip", "knee", "ankle")]
    if any(p is None for p in points):
        return None
    try:
        return deviation_from_straight(*(p.xy for p in points if p is not None))
    except ValueError:
        return None


def _legs(seen: Mapping[str, Landmark], view: str, torso: float) -> list[StanceProblem]:
    out: list[StanceProblem] = []
    feet = "the client standing on both feet, feet about hip-width apart, knees relaxed and straight"
    bends = {side: _knee_bend(seen, side) for side in _SIDES}
    left, right = bends["left"], bends["right"]
    if left is not None and right is not None and abs(left - right) > UNEVEN_KNEES_DEG:
        bent = "left" if left > right else "right"
        out.append(StanceProblem(
            f"a lunge or a step (the {bent} knee bent about {max(left, right):.0f}°, the other {min(left, right):.0f}°)", feet))
    la, ra = seen.get("left_ankle"), seen.get("right_ankle")
    if la is None or ra is None:
        return out
    if view in FRONTAL_VIEWS:
        lh, rh = seen.get("left_hip"), seen.get("right_hip")
        hips = abs(lh.x - rh.x) if lh is not None and rh is not None else 0.0
        apart = abs(la.x - ra.x)
        if hips > 0 and apart / hips > WIDE_STANCE_RATIO:
            out.append(StanceProblem(f"the feet wide apart (ankles {apart / hips:.1f} hip widths apart)", feet))
        if abs(la.y - ra.y) / torso > STEP_IN_DEPTH:
            forward = "left" if (la.y > ra.y) else "right"
            out.append(StanceProblem(
                f"one foot in front of the other (the {forward} foot is nearer the camera)", feet))
    elif view in LATERAL_VIEWS and abs(la.x - ra.x) / torso > STEP_IN_SIDE_VIEW:
        out.append(StanceProblem(
            f"the feet a step apart front to back ({abs(la.x - ra.x) / torso:.0%} of the torso height)", feet))
    return out


def _arms(seen: Mapping[str, Landmark]) -> list[StanceProblem]:
    raised: list[tuple[str, float]] = []
    for side in _SIDES:
        shoulder, wrist = seen.get(f"{side}_shoulder"), seen.get(f"{side}_wrist")
        if shoulder is None or wrist is None:
            continue
        dx, dy = wrist.x - shoulder.x, wrist.y - shoulder.y
        if dx == 0 and dy == 0:
            continue
        lifted = math.degrees(math.atan2(abs(dx), dy))  # 0: hanging straight down; 90: held out; 180: overhead
        if lifted > ARM_RAISED_DEG:
            raised.append((side, lifted))
    if not raised:
        return []
    which = " and ".join(side for side, _ in raised)
    how = ", ".join(f"{side} {angle:.0f}° from hanging" for side, angle in raised)
    word = "arms" if len(raised) == 2 else "arm"
    return [StanceProblem(f"the {which} {word} raised or held out ({how})", "the arms hanging relaxed at the sides")]


def _turned(seen: Mapping[str, Landmark], view: str, torso: float) -> list[StanceProblem]:
    spread = abs(seen["left_shoulder"].x - seen["right_shoulder"].x) / torso
    if view in FRONTAL_VIEWS and spread < TURNED_FRONTAL_BELOW:
        facing = "facing the camera" if view == "anterior" else "with their back to the camera"
        return [StanceProblem(f"the body turned away from the camera (shoulders only {spread:.0%} of the torso height apart)",
                              f"the client square to the camera, {facing}")]
    if view in LATERAL_VIEWS and spread > TURNED_LATERAL_ABOVE:
        return [StanceProblem(f"the body turned towards or away from the camera (shoulders {spread:.0%} of the torso height apart)",
                              f"the client's {view} side square to the camera, shoulders in line")]
    return []
