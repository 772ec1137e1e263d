"""Postural analysis from photos: landmarks (model and therapist), metrics, patterns, annotation.

Public API::

    from myomap.posture import analyse_photo, recompute
    analysis = analyse_photo(jpeg_bytes, view="anterior", height_cm=170)
    analysis.to_json()          # {"view", "landmarks", "metrics", "patterns"}
    png = analysis.annotated_png()

The model (MediaPipe BlazePose full) is imported only when a photo is analysed; ``recompute`` and
the metric and pattern functions never load it.
"""

from __future__ import annotations

from myomap.posture.analysis import (
    PostureAnalysis,
    analyse_photo,
    detect_landmarks,
    patterns_for_assessment,
    recompute,
)
from myomap.posture.catalog import VIEWS, MetricDef, Threshold, load_catalog
from myomap.posture.errors import PhotoError, SeveralPeopleError
from myomap.posture.images import DecodedPhoto, decode_photo
from myomap.posture.landmarks import ALL_LANDMARKS, CLINICAL_LANDMARKS, MODEL_LANDMARKS, Landmark
from myomap.posture.metrics import MetricResult, ViewMetrics, compute_metrics
from myomap.posture.patterns import Pattern, detect_patterns, load_patterns
from myomap.posture.pose import MediaPipeBackend, PoseBackend, RawLandmark, default_backend
from myomap.posture.protocol import CAPTURE_STEPS, VIEW_INSTRUCTIONS, protocol_text
from myomap.posture.settings import Settings

__all__ = [
    "ALL_LANDMARKS",
    "CAPTURE_STEPS",
    "CLINICAL_LANDMARKS",
    "MODEL_LANDMARKS",
    "VIEWS",
    "VIEW_INSTRUCTIONS",
    "DecodedPhoto",
    "Landmark",
    "MediaPipeBackend",
    "MetricDef",
    "MetricResult",
    "Pattern",
    "PhotoError",
    "SeveralPeopleError",
    "PoseBackend",
    "PostureAnalysis",
    "RawLandmark",
    "Settings",
    "Threshold",
    "ViewMetrics",
    "analyse_photo",
    "compute_metrics",
    "decode_photo",
    "default_backend",
    "detect_landmarks",
    "detect_patterns",
    "load_catalog",
    "load_patterns",
    "patterns_for_assessment",
    "protocol_text",
    "recompute",
]
