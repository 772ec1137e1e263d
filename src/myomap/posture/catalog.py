"""Typed loader for ``data/metrics.yaml`` (metric definitions, norms, thresholds, references)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

#: The four photos of an assessment; every list of views (pages, API, CLI, database) derives from this one.
VIEWS: tuple[str, ...] = ("anterior", "posterior", "left", "right")
#: The client heights accepted, in cm (the height gives offsets in cm).
HEIGHT_RANGE_CM: tuple[float, float] = (50.0, 250.0)
FRONTAL_VIEWS = ("anterior", "posterior")
LATERAL_VIEWS = ("left", "right")
Tier = Literal["pose estimate", "clinical landmark"]
#: The client's sex, for the norms that differ by sex (Q-angle); None when not given.
Sex = Literal["female", "male"]
SEXES: tuple[str, ...] = ("female", "male")
TIERS: tuple[str, ...] = ("pose estimate", "clinical landmark")


@dataclass(frozen=True, slots=True)
class Threshold:
    """Normal range of a metric's value. A value outside it is a deviation."""

    max_abs: float | None = None
    min: float | None = None
    max: float | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Threshold:
        unknown = set(data) - {"max_abs", "min", "max"}
        if unknown:
            raise ValueError(f"unknown threshold keys {sorted(unknown)}")
        t = cls(**{k: float(v) for k, v in data.items()})
        if t.max_abs is None and t.min is None and t.max is None:
            raise ValueError("a threshold needs max_abs, min or max")
        return t

    def merged(self, override: Mapping[str, float] | None) -> Threshold:
        if not override:
            return self
        if "max_abs" in override and not ({"min", "max"} & set(override)):
            return Threshold(max_abs=override["max_abs"])
        return Threshold(
            max_abs=override.get("max_abs", None if {"min", "max"} & set(override) else self.max_abs),
            min=override.get("min", self.min),
            max=override.get("max", self.max),
        )

    def scaled(self, factor: float) -> Threshold:
        return Threshold(*(None if v is None else v * factor for v in (self.max_abs, self.min, self.max)))

    def is_deviation(self, value: float, *, margin: float = 0.0) -> bool:
        """Outside the normal range by more than ``margin`` (the value's uncertainty)."""
        if self.max_abs is not None and abs(value) > self.max_abs + margin:
            return True
        if self.min is not None and value < self.min - margin:
            return True
        return self.max is not None and value > self.max + margin

    def tolerance(self) -> float | None:
        """How far a value may wander and stay meaningful against this range: ``max_abs``, else
        half the width of a two-sided range; None for a one-sided range (no stability check)."""
        if self.max_abs is not None:
            return self.max_abs
        if self.min is not None and self.max is not None:
            return (self.max - self.min) / 2
        return None

    def describe(self, unit: str) -> str:
        u = "°" if unit == "deg" else f" {unit}"
        parts = []
        if self.max_abs is not None:
            parts.append(f"±{_fmt(self.max_abs)}{u}")
        if self.min is not None and self.max is not None:
            parts.append(f"{_fmt(self.min)} to {_fmt(self.max)}{u}")
        elif self.min is not None:
            parts.append(f"≥ {_fmt(self.min)}{u}")
        elif self.max is not None:
            parts.append(f"≤ {_fmt(self.max)}{u}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, float]:
        return {k: v for k, v in (("max_abs", self.max_abs), ("min", self.min), ("max", self.max)) if v is not None}


def _fmt(v: float) -> str:
    return f"{round(v, 2):g}"


@dataclass(frozen=True, slots=True)
class SourceRef:
    id: str
    locator: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, **({"locator": self.locator} if self.locator else {})}


@dataclass(frozen=True, slots=True)
class MetricDef:
    id: str
    name: str
    views: tuple[str, ...]
    tier: Tier
    kind: Literal["angle", "distance"]
    unit: str
    landmarks: tuple[str, ...]
    formula: str
    norm_text: str
    threshold: Threshold
    threshold_source: str
    sources: tuple[SourceRef, ...]
    per_side: bool = False
    fallback_landmarks: tuple[str, ...] = ()
    clinical_landmarks: tuple[str, ...] = ()
    clinical_landmarks_posterior: tuple[str, ...] = ()
    clinical_threshold: Threshold | None = None
    clinical_threshold_source: str | None = None
    norm_numbers: Mapping[str, float] | None = None
    threshold_male: Threshold | None = None  # where the norm differs by sex (Q-angle); ``threshold`` otherwise
    threshold_male_source: str | None = None
    #: Words for the sign of a signed value (positive, negative), e.g. ("valgus", "varus"): the value is
    #: shown as its size and the word, never with a minus sign. None for magnitudes (sided metrics).
    directions: tuple[str, str] | None = None
    short: str = ""  # the name beside the value on the annotated image

    def threshold_for_sex(self, sex: Sex | None) -> tuple[Threshold, str]:
        """The normal range for a client of this sex, and where it comes from (None: not given)."""
        if sex == "male" and self.threshold_male is not None:
            return self.threshold_male, self.threshold_male_source or self.threshold_source
        return self.threshold, self.threshold_source


@dataclass(frozen=True, slots=True)
class Catalog:
    metrics: Mapping[str, MetricDef]
    references: Mapping[str, str]

    def for_view(self, view: str) -> list[MetricDef]:
        return [m for m in self.metrics.values() if view in m.views]


def _metric(raw: Mapping[str, Any]) -> MetricDef:
    norm = dict(raw.get("norm") or {})
    norm_text = str(norm.pop("text", ""))
    views = tuple(raw["views"])
    for v in views:
        if v not in VIEWS:
            raise ValueError(f"metric {raw['id']}: unknown view {v!r}")
    if raw["tier"] not in TIERS:
        raise ValueError(f"metric {raw['id']}: unknown tier {raw['tier']!r}")
    clinical = raw.get("clinical_threshold")
    directions = raw.get("directions")
    if directions is not None and (len(directions) != 2 or not all(isinstance(w, str) and w for w in directions)):
        raise ValueError(f"metric {raw['id']}: directions must be two words (positive, negative)")
    return MetricDef(
        id=raw["id"],
        name=raw["name"],
        views=views,
        tier=raw["tier"],
        kind=raw["kind"],
        unit=raw["unit"],
        landmarks=tuple(raw["landmarks"]),
        formula=raw["formula"],
        norm_text=norm_text,
        norm_numbers={k: float(v) for k, v in norm.items()} or None,
        threshold=Threshold.from_mapping(raw["threshold"]),
        threshold_source=raw["threshold_source"],
        sources=tuple(SourceRef(s["id"], s.get("locator")) for s in raw["sources"]),
        per_side=bool(raw.get("per_side", False)),
        fallback_landmarks=tuple(raw.get("fallback_landmarks", ())),
        clinical_landmarks=tuple(raw.get("clinical_landmarks", ())),
        clinical_landmarks_posterior=tuple(raw.get("clinical_landmarks_posterior", ())),
        clinical_threshold=Threshold.from_mapping(clinical) if clinical else None,
        clinical_threshold_source=raw.get("clinical_threshold_source"),
        threshold_male=Threshold.from_mapping(raw["threshold_male"]) if raw.get("threshold_male") else None,
        threshold_male_source=raw.get("threshold_male_source"),
        directions=(directions[0], directions[1]) if directions else None,
        short=str(raw.get("short") or raw["name"]),
    )


@cache
def load_catalog() -> Catalog:
    text = resources.files("myomap.posture").joinpath("data/metrics.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    refs = {r["id"]: r["citation"] for r in data["references"]}
    metrics: dict[str, MetricDef] = {}
    for raw in data["metrics"]:
        m = _metric(raw)
        if m.id in metrics:
            raise ValueError(f"metric {m.id} defined twice")
        for s in m.sources:
            if s.id not in refs:
                raise ValueError(f"metric {m.id}: unknown source {s.id!r}")
        metrics[m.id] = m
    return Catalog(metrics=metrics, references=refs)
