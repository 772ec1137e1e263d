"""Helpers for the posture tests: the shared fixture folder, and hand-built landmark sets with known
geometry for metric and pattern tests. (A uniquely named module, not conftest, so that imports never
pick up another test folder's conftest.)"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from myomap.posture.landmarks import Landmark, LandmarkSource

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
SIZE = (600, 1200)  # width, height of the synthetic photos


def fixture_path(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"posture fixture {name} not found in {FIXTURES} (the shared fixtures folder is not checked out)")
    return path


def png_bytes(rgb: npt.NDArray[np.uint8]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _lm(name: str, x: float, y: float, vis: float = 0.99, source: LandmarkSource = "model") -> Landmark:
    return Landmark(name=name, x=float(x), y=float(y), visibility=vis, source=source)


def anterior_figure() -> dict[str, Landmark]:
    """A level, symmetric client facing the camera (their left on the image's right)."""
    pts = {
        "nose": (300, 150),
        "left_eye": (310, 140), "right_eye": (290, 140),
        "left_ear": (322, 146), "right_ear": (278, 146),
        "left_shoulder": (360, 250), "right_shoulder": (240, 250),
        "left_elbow": (372, 400), "right_elbow": (228, 400),
        "left_wrist": (376, 530), "right_wrist": (224, 530),
        "left_hip": (340, 560), "right_hip": (260, 560),
        "left_knee": (338, 800), "right_knee": (262, 800),
        "left_ankle": (336, 1040), "right_ankle": (264, 1040),
        "left_heel": (336, 1060), "right_heel": (264, 1060),
        "left_foot_index": (348, 1090), "right_foot_index": (252, 1090),
    }
    return {n: _lm(n, *xy) for n, xy in pts.items()}


def posterior_figure() -> dict[str, Landmark]:
    """The anterior figure seen from behind: the client's left is on the image's left."""
    return {n: _lm(n, SIZE[0] - lm.x, lm.y, lm.visibility) for n, lm in anterior_figure().items()}


def tilt_pair(lms: dict[str, Landmark], left: str, right: str, degrees: float) -> dict[str, Landmark]:
    """Raise the *client's right* point so the pair's line tilts by ``degrees`` about its midpoint."""
    a, b = lms[left], lms[right]
    half = abs(a.x - b.x) / 2 * math.tan(math.radians(degrees))
    out = dict(lms)
    out[left] = _lm(left, a.x, a.y + half, a.visibility, a.source)
    out[right] = _lm(right, b.x, b.y - half, b.visibility, b.source)
    return out


def lateral_figure(view: str = "left") -> dict[str, Landmark]:
    """A client side-on; view 'left' = their left side to the camera, facing the image's left."""
    near, far = (view, "right" if view == "left" else "left")
    pts = {
        "nose": (250, 150),
        f"{near}_eye": (262, 140), f"{far}_eye": (258, 141),
        f"{near}_ear": (290, 150), f"{far}_ear": (292, 151),
        f"{near}_shoulder": (300, 250), f"{far}_shoulder": (305, 252),
        f"{near}_elbow": (302, 400), f"{far}_elbow": (306, 400),
        f"{near}_wrist": (298, 530), f"{far}_wrist": (300, 530),
        f"{near}_hip": (300, 560), f"{far}_hip": (303, 560),
        f"{near}_knee": (298, 800), f"{far}_knee": (300, 800),
        f"{near}_ankle": (304, 1040), f"{far}_ankle": (306, 1040),
        f"{near}_heel": (322, 1060), f"{far}_heel": (324, 1060),
        f"{near}_foot_index": (250, 1070), f"{far}_foot_index": (252, 1070),
    }
    lms = {n: _lm(n, *xy, vis=0.99 if not n.startswith(far) else 0.7) for n, xy in pts.items()}
    if view == "right":  # mirror so that the client faces the image's right
        lms = {n: _lm(n, SIZE[0] - lm.x, lm.y, lm.visibility) for n, lm in lms.items()}
    return lms


def therapist(name: str, x: float, y: float) -> Landmark:
    return _lm(name, x, y, 1.0, "therapist")
