"""Shared fixtures for the posture tests: fixture photos and one model run per image."""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt
import pytest
from posture_helpers import fixture_path

from myomap.posture.landmarks import LandmarkSet


@pytest.fixture(scope="session")
def tfjs_jpeg() -> bytes:
    return fixture_path("tfjs_pose.jpg").read_bytes()


@pytest.fixture(scope="session")
def squat_expected() -> npt.NDArray[np.float64]:
    data = json.loads(fixture_path("pose_squats.full.json").read_text())
    return np.asarray(data[0], dtype=float)[:, :2]


@pytest.fixture(scope="session")
def squat_landmarks(squat_frame0: npt.NDArray[np.uint8]) -> LandmarkSet:
    """Model landmarks of squat frame 0 (one model run, shared)."""
    from myomap.posture import detect_landmarks

    return detect_landmarks(squat_frame0)
