"""Settings for posture analysis: one typed object with safe defaults, overridable per call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from myomap.posture.catalog import HEIGHT_RANGE_CM
from myomap.posture.images import DEFAULT_MAX_BYTES, DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_PIXELS

_THRESHOLD_KEYS = ("max_abs", "min", "max")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of the posture analysis.

    - ``visibility_threshold``: a model landmark below this visibility is "uncertain" and the
      metrics that need it are "not measured" (default 0.5).
    - ``thresholds``: per-metric overrides of the normal range, keyed by metric id
      (``"shoulder_height_difference"``), each a number (meaning ``max_abs``) or a mapping with any
      of ``max_abs``, ``min``, ``max``. Applies to the pose-estimate and the clinical-landmark
      threshold of that metric. Distances are in cm.
    - ``reference_height_cm``: when no client height is given, distances are read as % of body
      height and cm thresholds are converted with this stature (default 170 cm).
    - ``eye_height_ratio``: eye level as a fraction of stature, used to estimate the top of the head
      from the eyes (0.936, Winter 2009 after Drillis & Contini 1966).
    - ``max_bytes`` / ``max_pixels``: upload limits (20 MB, 40 megapixels).
    - ``max_decoded_bytes``: memory one decode may take, known from the header before decoding
      (``images.decoded_bytes``; 160 MiB): a tiny file can hold a huge image.
    - ``check_several_people``: run the HOG people check (default on; a ``box`` skips it).
    - ``stable_landmarks``: run the model three times (photo, crop, mirrored crop) and take each
      point's median (default on; off: one pass, no uncertainty, for comparison only).
    - ``max_uncertainty_deg`` / ``max_uncertainty_cm``: a metric whose value moves more than this
      between the model passes (or more than its normal range allows) is "not measured: unstable".
      1.5° / 1.5 cm: the repeatability asked of a measure followed over months (issue #7); a clinic
      setting, not a published norm.
    """

    visibility_threshold: float = 0.5
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    reference_height_cm: float = 170.0
    eye_height_ratio: float = 0.936
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES
    check_several_people: bool = True
    stable_landmarks: bool = True
    max_uncertainty_deg: float = 1.5
    max_uncertainty_cm: float = 1.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.visibility_threshold <= 1.0:
            raise ValueError("visibility_threshold must lie between 0 and 1")
        low, high = HEIGHT_RANGE_CM
        if not low <= self.reference_height_cm <= high:
            raise ValueError(f"reference_height_cm must lie between {low:g} and {high:g}")
        if self.max_uncertainty_deg <= 0 or self.max_uncertainty_cm <= 0:
            raise ValueError("max_uncertainty_deg and max_uncertainty_cm must be positive")
        if not 0.5 < self.eye_height_ratio < 1.0:
            raise ValueError("eye_height_ratio must lie between 0.5 and 1")
        # A number given for a threshold (allowed) means max_abs: stored as the mapping it stands for.
        normalised = {metric_id: _threshold(metric_id, value) for metric_id, value in dict(self.thresholds).items()}
        object.__setattr__(self, "thresholds", normalised)

    @classmethod
    def coerce(cls, value: Settings | Mapping[str, Any] | None) -> Settings:
        """Accept None (defaults), a Settings, or a plain dict of the fields above."""
        if value is None:
            return cls()
        if isinstance(value, Settings):
            return value
        if isinstance(value, Mapping):
            known = {f.name for f in fields(cls)}
            unknown = set(value) - known
            if unknown:
                raise ValueError(f"unknown posture settings: {sorted(unknown)}")
            return cls(**dict(value))
        raise TypeError(f"settings must be a Settings or a mapping, not {type(value).__name__}")

    def with_thresholds(self, **overrides: float | Mapping[str, float]) -> Settings:
        merged = {**self.thresholds, **{metric_id: _threshold(metric_id, v) for metric_id, v in overrides.items()}}
        return replace(self, thresholds=merged)


def _threshold(metric_id: str, value: object) -> dict[str, float]:
    """One threshold override as its mapping: a bare number is ``max_abs``. Raises ValueError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"max_abs": float(value)}
    if isinstance(value, Mapping):
        unknown = set(value) - set(_THRESHOLD_KEYS)
        if unknown:
            raise ValueError(f"threshold for {metric_id!r}: unknown keys {sorted(unknown)} (use max_abs, min, max)")
        return {str(k): float(v) for k, v in value.items() if v is not None}
    raise ValueError(f"threshold for {metric_id!r} must be a number or a mapping")
