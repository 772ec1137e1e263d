"""Pose backends: find the 33 BlazePose landmarks of one person in an RGB image.

The default backend is MediaPipe's legacy pose graph with ``model_complexity=1`` (the FULL
BlazePose model bundled in the mediapipe 0.10.21 wheel). Complexities 0 and 2 download their model
at run time and fail offline (posture.md §3.2), so they are never used: nothing is downloaded.

BlazePose is two models: a person detector (about 12 ms on one core) that finds the region to
read, then the landmark model (about 18 ms) on that region. A first pass runs both on the photo;
the extra passes for stable landmarks (``passes.py``) already know where the person is, so they
run the landmark model alone on a given region (the graph MediaPipe itself uses when it tracks a
person from frame to frame). The graphs are built once per process, lazily, and calls to them are
serialised by a lock (a MediaPipe graph is not safe to call from two threads at once).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

#: Name recorded with model landmarks so stored results say which model found them.
MODEL_NAME = "mediapipe-0.10.21 BlazePose full (static image mode)"
NUM_LANDMARKS = 33

RGBImage = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class RawLandmark:
    """One model landmark in pixel coordinates of the image the backend was given."""

    x: float
    y: float
    visibility: float


@dataclass(frozen=True, slots=True)
class Region:
    """The square the landmark model reads, in pixels of the image: centre, side and rotation
    (radians, as MediaPipe measures it: positive turns the square clockwise on screen)."""

    x: float
    y: float
    side: float
    rotation: float = 0.0


@dataclass(frozen=True, slots=True)
class FoundPose:
    """What one full pass finds: the client's points and how many people the person detector saw
    in the image (the client included)."""

    landmarks: list[RawLandmark]
    people_seen: int


@runtime_checkable
class PoseBackend(Protocol):
    """A BlazePose-ordered landmark finder for the most prominent person."""

    name: str

    def detect(self, rgb: RGBImage) -> list[RawLandmark] | None:
        """One full pass (detector, then landmark model): the 33 points, or None."""
        ...

    def find(self, rgb: RGBImage) -> FoundPose | None:
        """One full pass with what the further passes and the people check need, or None."""
        ...

    def landmarks_in(self, rgb: RGBImage, region: Region) -> list[RawLandmark] | None:
        """The landmark model alone on ``region`` (no detector), or None when it sees no one there."""
        ...


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


class _Graphs:
    """The two MediaPipe graphs, behind typed calls (MediaPipe ships no type information)."""

    def __init__(self, min_detection_confidence: float) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("GLOG_minloglevel", "2")
        with contextlib.suppress(Exception):
            import absl.logging

            absl.logging.set_verbosity(absl.logging.ERROR)
        logging.getLogger("mediapipe").setLevel(logging.ERROR)
        from mediapipe.framework import calculator_pb2
        from mediapipe.python.solution_base import SolutionBase
        from mediapipe.python.solutions import pose as mp_pose

        full = calculator_pb2.CalculatorGraphConfig()
        with open(_mediapipe_path(mp_pose._BINARYPB_FILE_PATH), "rb") as f:
            full.ParseFromString(f.read())
        # Every person the detector kept, not only the first (the people check reads how many).
        full.output_stream.append("DETECTIONS:pose_detections")
        self._full: Any = SolutionBase(
            graph_config=full,
            side_inputs={"model_complexity": 1,  # FULL: the only model bundled in the wheel
                         "smooth_landmarks": False, "enable_segmentation": False,
                         "smooth_segmentation": False, "use_prev_landmarks": False},
            calculator_params={"posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": min_detection_confidence},
            # Not "pose_rect_from_landmarks": MediaPipe smooths it across calls, even for still images.
            outputs=["pose_landmarks", "pose_detections"],
        )
        # The landmark model alone on a given region: MediaPipe's own subgraph, the one its tracking uses.
        streams = {"input_stream": ["IMAGE:image", "ROI:roi"], "output_stream": ["LANDMARKS:landmarks"],
                   "input_side_packet": ["MODEL_COMPLEXITY:model_complexity", "ENABLE_SEGMENTATION:enable_segmentation"]}
        by_region = calculator_pb2.CalculatorGraphConfig(
            node=[calculator_pb2.CalculatorGraphConfig.Node(calculator="PoseLandmarkByRoiCpu", **streams)], **streams)
        self._by_region: Any = SolutionBase(
            graph_config=by_region, side_inputs={"model_complexity": 1, "enable_segmentation": False},
            outputs=["landmarks"],
        )
        # The graphs open their calculators (and TF-Lite logs about its delegate) asynchronously;
        # one run on a blank image waits for that while stderr is still quiet.
        blank = np.zeros((64, 64, 3), np.uint8)
        self._full.process(blank)
        self._by_region.process({"image": blank, "roi": self._roi(Region(32, 32, 64), 64, 64)})

    @staticmethod
    def _roi(region: Region, width: int, height: int) -> Any:
        from mediapipe.framework.formats import rect_pb2

        return rect_pb2.NormalizedRect(x_center=region.x / width, y_center=region.y / height,
                                       width=region.side / width, height=region.side / height,
                                       rotation=region.rotation)

    def full(self, image: RGBImage) -> FoundPose | None:
        height, width = image.shape[:2]
        result = self._full.process(image)
        if result.pose_landmarks is None:
            return None
        return FoundPose(landmarks=_points(result.pose_landmarks.landmark, width, height),
                         people_seen=len(result.pose_detections or ()))

    def by_region(self, image: RGBImage, region: Region) -> list[RawLandmark] | None:
        height, width = image.shape[:2]
        result = self._by_region.process({"image": image, "roi": self._roi(region, width, height)})
        if result.landmarks is None:
            return None
        return _points(result.landmarks.landmark, width, height)

    def close(self) -> None:
        self._full.close()
        self._by_region.close()


def _mediapipe_path(relative: str) -> str:
    """A path inside the wheel, given as MediaPipe gives it (relative to site-packages)."""
    import mediapipe

    return os.path.join(os.path.dirname(os.path.dirname(mediapipe.__file__)), relative)


def _points(landmarks: Any, width: int, height: int) -> list[RawLandmark]:
    return [RawLandmark(x=float(lm.x) * width, y=float(lm.y) * height, visibility=float(lm.visibility))
            for lm in landmarks]


def _rgb(image: RGBImage) -> RGBImage:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError("the pose model needs an RGB uint8 image of shape (height, width, 3)")
    return np.ascontiguousarray(image)


class MediaPipeBackend:
    """BlazePose FULL through MediaPipe's pose graphs (static images: every full pass detects anew)."""

    name = MODEL_NAME

    def __init__(self, *, min_detection_confidence: float = 0.5) -> None:
        self._min_detection_confidence = min_detection_confidence
        self._graphs: _Graphs | None = None  # built lazily
        self._lock = threading.Lock()
        self._quiet_pending = os.environ.get("MYOMAP_POSE_VERBOSE", "") in ("", "0")

    def _ready(self) -> _Graphs:
        """The graphs, built on first use (call with the lock held)."""
        if self._graphs is None:
            with _quiet_native_stderr(self._quiet_pending):
                self._graphs = _Graphs(self._min_detection_confidence)
        return self._graphs

    def load(self) -> None:
        """Build the graphs now (otherwise the first pass does)."""
        with self._lock:
            self._ready()

    def find(self, rgb: RGBImage) -> FoundPose | None:
        image = _rgb(rgb)
        with self._lock:
            graphs = self._ready()
            with _quiet_native_stderr(self._quiet_pending):
                found = graphs.full(image)
                if found is not None:
                    # The C++ warnings come with the first graph run that finds someone.
                    self._quiet_pending = False
        return found

    def detect(self, rgb: RGBImage) -> list[RawLandmark] | None:
        found = self.find(rgb)
        return None if found is None else found.landmarks

    def landmarks_in(self, rgb: RGBImage, region: Region) -> list[RawLandmark] | None:
        image = _rgb(rgb)
        with self._lock:
            graphs = self._ready()
            with _quiet_native_stderr(self._quiet_pending):
                return graphs.by_region(image, region)

    def close(self) -> None:
        with self._lock:
            if self._graphs is not None:
                self._graphs.close()
                self._graphs = None


_default_backend: MediaPipeBackend | None = None
_default_lock = threading.Lock()


def default_backend() -> MediaPipeBackend:
    """The process-wide MediaPipe backend (created on first use, graphs built on first pass)."""
    global _default_backend
    if _default_backend is None:
        with _default_lock:
            if _default_backend is None:
                _default_backend = MediaPipeBackend()
    return _default_backend

