"""Refuse a photo clearly taken from another side than the view chosen, saying what to retake.

Only clear cases are refused; borderline ones keep the soft warnings of ``metrics._view_warnings``
(a client slightly turned is a measurement caveat, not a wrong photo). Runs on the model's points
of a new photo (``analyse_photo``), never on points a therapist corrected.
"""

from __future__ import annotations

from collections.abc import Mapping

from myomap.posture.catalog import FRONTAL_VIEWS, LATERAL_VIEWS
from myomap.posture.errors import PhotoError
from myomap.posture.landmarks import Landmark

#: Shoulder width over torso height: under this in a front/back view, the client is side-on.
SIDE_ON_BELOW = 0.2
#: ... and over this in a side view, the client faces (or turns their back to) the camera.
SQUARE_ON_ABOVE = 0.55
#: Sides swapped by more than this fraction of the torso height: the photo is from the other side.
SWAPPED_BEYOND = 0.25
#: The nose this fraction of the body height ahead of the ear: the face clearly points that way.
FACING_BEYOND = 0.02

_TITLE = {"anterior": "front", "posterior": "back", "left": "left side", "right": "right side"}


class WrongViewError(PhotoError):
    """The photo shows the client from another side than the view chosen."""


def check_view(landmarks: Mapping[str, Landmark], view: str, visibility_threshold: float) -> None:
    """Raise WrongViewError when the points clearly show another view than ``view``."""
    seen = {n: lm for n, lm in landmarks.items() if lm.visibility >= visibility_threshold}
    needed = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(n in seen for n in needed):
        return
    ls, rs, lh, rh = (seen[n] for n in needed)
    torso = abs((ls.y + rs.y) / 2 - (lh.y + rh.y) / 2)
    if torso <= 0:
        return
    spread = abs(ls.x - rs.x) / torso
    chosen = _TITLE[view]
    if view in FRONTAL_VIEWS:
        if spread < SIDE_ON_BELOW:
            _refuse(chosen, "a side view (the shoulders overlap)",
                    f"the client facing {'the camera' if view == 'anterior' else 'away from the camera'}")
        # Facing the camera, the client's left shoulder is on the image's right; from behind, on its left.
        if (ls.x - rs.x) / torso * (1 if view == "anterior" else -1) < -SWAPPED_BEYOND:
            other, retake = ("back", "the client facing the camera") if view == "anterior" else (
                "front", "the client's back to the camera")
            _refuse(chosen, f"a {other} view (the client's left and right are on the wrong sides)", retake)
    elif view in LATERAL_VIEWS:
        if spread > SQUARE_ON_ABOVE:
            _refuse(chosen, "a front or back view (the shoulders are wide apart)",
                    f"the client's {view} side to the camera")
        ear = seen.get(f"{view}_ear") or seen.get("left_ear") or seen.get("right_ear")
        nose = seen.get("nose")
        feet = [seen[n].y for n in ("left_heel", "right_heel", "left_ankle", "right_ankle") if n in seen]
        if ear is not None and nose is not None and feet:
            height = max(feet) - nose.y
            # A client's left side to the camera faces the image's left; their right side, the image's right.
            facing = (nose.x - ear.x) / height if height > 0 else 0.0
            expected = -1 if view == "left" else 1
            if facing * expected < -FACING_BEYOND:
                other = "right" if view == "left" else "left"
                _refuse(chosen, f"a {other} side view (the client faces the image's {'right' if facing > 0 else 'left'})",
                        f"the client's {view} side to the camera (facing the image's {'left' if view == 'left' else 'right'}),"
                        f" or choose the {other} side view")


def _refuse(chosen: str, looks_like: str, retake: str) -> None:
    raise WrongViewError(f"this photo looks like {looks_like}, not the {chosen} view chosen. "
                         f"Retake the photo with {retake}.")
