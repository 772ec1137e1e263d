"""Pose backends: find the 33 BlazePose landmarks of one person in an RGB image.

The default backend is MediaPipe's legacy ``solutions.pose`` with ``model_complexity=1`` (the FULL
BlazePose model bundled in the mediapipe 0.10.21 wheel). Complexities 0 and 2 download their model
at run time and fail offline (posture.md §3.2), so they are never used: nothing is downloaded.
The model is built once per process, lazily, and calls to it are serialised by a lock (a MediaPipe
graph is not safe to call from two threads at once).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

#: Name recorded with model landmarks so stored results say which model found them.
MODEL_NAME = "mediapipe-0.10.21 BlazePose full (static image mode)"
NUM_LANDMARKS = 33


@dataclass(frozen=True, slots=True)
class RawLandmark:
    """One model landmark in pixel coordinates of the image the backend was given."""

    x: float
    y: float
    visibility: float


@runtime_checkable
class PoseBackend(Protocol):
    """Anything that returns 33 BlazePose-ordered landmarks for the most prominent person, or None."""

    name: str

    def detect(self, rgb: np.ndarray) -> list[RawLandmark] | None: ...


@contextlib.contextmanager
def _quiet_native_stderr(enabled: bool) -> Iterator[None]:
    """Silence C++ log lines (TF-Lite's XNNPACK notice, absl warnings) written straight to fd 2.

    Used only while the graph starts and runs its first detection (when they are printed); set
    ``MYOMAP_POSE_VERBOSE=1`` to see them.
    """
    if not enabled:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (some embedded hosts)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class MediaPipeBackend:
    """BlazePose FULL through ``mediapipe.solutions.pose`` (static image mode)."""

    name = MODEL_NAME

    def __init__(self, *, min_detection_confidence: float = 0.5) -> None:
        self._min_detection_confidence = min_detection_confidence
        self._pose = None  # built lazily
        self._lock = threading.Lock()
        self._quiet_pending = os.environ.get("MYOMAP_POSE_VERBOSE", "") in ("", "0")

    def _build(self):  # type: ignore[no-untyped-def]
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("GLOG_minloglevel", "2")
        with contextlib.suppress(Exception):
            import absl.logging

            absl.logging.set_verbosity(absl.logging.ERROR)
        logging.getLogger("mediapipe").setLevel(logging.ERROR)
        from mediapipe.python.solutions import pose as mp_pose

        pose = mp_pose.Pose(
            static_image_mode=True,
            model_complexity=1,  # FULL: the only model bundled in the wheel
            smooth_landmarks=False,
            enable_segmentation=False,
            min_detection_confidence=self._min_detection_confidence,
        )
        # The graph opens its calculators (and TF-Lite logs about its delegate) asynchronously; one
        # run on a blank image waits for that while stderr is still quiet.
        pose.process(np.zeros((64, 64, 3), np.uint8))
        return pose

    def load(self) -> None:
        """Build the graph now (otherwise the first ``detect`` does)."""
        with self._lock:
            if self._pose is None:
                with _quiet_native_stderr(self._quiet_pending):
                    self._pose = self._build()

    def detect(self, rgb: np.ndarray) -> list[RawLandmark] | None:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError("detect() needs an RGB uint8 image of shape (height, width, 3)")
        height, width = rgb.shape[:2]
        image = np.ascontiguousarray(rgb)
        with self._lock:
            with _quiet_native_stderr(self._quiet_pending):
                if self._pose is None:
                    self._pose = self._build()
                result = self._pose.process(image)
                found = result.pose_landmarks is not None
                if found:
                    # The C++ warnings come with the first graph run that finds someone.
                    self._quiet_pending = False
        if not found:
            return None
        return [
            RawLandmark(x=float(lm.x) * width, y=float(lm.y) * height, visibility=float(lm.visibility))
            for lm in result.pose_landmarks.landmark
        ]

    def close(self) -> None:
        with self._lock:
            if self._pose is not None:
                self._pose.close()
                self._pose = None


_default_backend: MediaPipeBackend | None = None
_default_lock = threading.Lock()


def default_backend() -> MediaPipeBackend:
    """The process-wide MediaPipe backend (created on first use, model built on first detect)."""
    global _default_backend
    if _default_backend is None:
        with _default_lock:
            if _default_backend is None:
                _default_backend = MediaPipeBackend()
    return _default_backend
