"""Landmarks: the BlazePose points the model finds and the clinical points a therapist places.

BlazePose's "shoulder" and "hip" are joint centres, not the acromion or ASIS, and it has no C7,
tragus, patella, tibial tuberosity or heel bisection (posture.md §0.2). Clinical metrics therefore
use therapist-placed points and say so; the model's points give the "pose estimate" tier.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

LandmarkSource = Literal["model", "therapist"]
LANDMARK_SOURCES: tuple[str, ...] = ("model", "therapist")

#: BlazePose landmark index -> Myomap name, for the points Myomap uses (posture.md §2 indices).
BLAZEPOSE_INDEX: dict[int, str] = {
    0: "nose",
    2: "left_eye",
    5: "right_eye",
    7: "left_ear",
    8: "right_ear",
    11: "left_shoulder",
    12: "right_shoulder",
    13: "left_elbow",
    14: "right_elbow",
    15: "left_wrist",
    16: "right_wrist",
    23: "left_hip",
    24: "right_hip",
    25: "left_knee",
    26: "right_knee",
    27: "left_ankle",
    28: "right_ankle",
    29: "left_heel",
    30: "right_heel",
    31: "left_foot_index",
    32: "right_foot_index",
}
MODEL_LANDMARKS: tuple[str, ...] = tuple(BLAZEPOSE_INDEX.values())

#: Clinical landmarks the model lacks, with a short placement hint for the landmark editor.
CLINICAL_LANDMARKS: dict[str, str] = {
    "tragus": "tragus of the ear facing the camera (lateral view)",
    "c7": "spinous process of C7 (lateral view)",
    "acromion_left": "left acromion (AC joint)",
    "acromion_right": "right acromion (AC joint)",
    "asis_left": "left anterior superior iliac spine",
    "asis_right": "right anterior superior iliac spine",
    "psis_left": "left posterior superior iliac spine",
    "psis_right": "right posterior superior iliac spine",
    "patella_left": "centre of the left patella",
    "patella_right": "centre of the right patella",
    "tibial_tuberosity_left": "left tibial tuberosity",
    "tibial_tuberosity_right": "right tibial tuberosity",
    "calcaneus_top_left": "upper end of the left heel bisection (posterior view)",
    "calcaneus_bottom_left": "lower end of the left heel bisection (posterior view)",
    "calcaneus_top_right": "upper end of the right heel bisection (posterior view)",
    "calcaneus_bottom_right": "lower end of the right heel bisection (posterior view)",
    "lateral_malleolus": "lateral malleolus of the ankle facing the camera (lateral view)",
    "greater_trochanter": "greater trochanter facing the camera (lateral view)",
}
ALL_LANDMARKS: tuple[str, ...] = MODEL_LANDMARKS + tuple(CLINICAL_LANDMARKS)

#: Words a therapist uses for the parts of a landmark id that are not plain English.
_LABEL_WORDS = {"c7": "C7", "asis": "ASIS", "psis": "PSIS", "foot index": "toes", "calcaneus top": "heel bisection, top",
                "calcaneus bottom": "heel bisection, bottom"}


def _label(name: str) -> str:
    words = name.split("_")
    side = next((w for w in (words[0], words[-1]) if w in ("left", "right") and len(words) > 1), None)
    if side:
        words.remove(side)
    rest = " ".join(words)
    rest = _LABEL_WORDS.get(rest, " ".join(_LABEL_WORDS.get(w, w) for w in words))
    text = f"{side} {rest}" if side else rest
    return text[:1].upper() + text[1:]


#: Every landmark's name as a therapist says it ("Left ASIS", "Right toes", "C7"): the one source of the
#: labels on the annotated image, the pages and the landmark editor.
LANDMARK_LABELS: dict[str, str] = {name: _label(name) for name in ALL_LANDMARKS}


def landmark_label(name: str) -> str:
    """'asis_left' -> 'Left ASIS', 'left_shoulder' -> 'Left shoulder', 'c7' -> 'C7'."""
    return LANDMARK_LABELS.get(name, name.replace("_", " "))


def landmark_words(name: str) -> str:
    """The label inside a sentence: 'left ASIS', 'the' not added; acronyms keep their capitals ('C7')."""
    label = landmark_label(name)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]

DEFAULT_VISIBILITY_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Landmark:
    """One point in full-image pixel coordinates (x right, y down)."""

    name: str
    x: float
    y: float
    visibility: float = 1.0
    source: LandmarkSource = "model"
    #: Where each model pass put the point, as (dx, dy) offsets from it in pixels (model points only; see
    #: ``passes.py``): the point is their robust mean, and the metrics' uncertainty comes from their spread.
    passes: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if self.name not in ALL_LANDMARKS:
            raise ValueError(f"unknown landmark {self.name!r}")
        if self.source not in LANDMARK_SOURCES:
            raise ValueError(f"landmark source must be 'model' or 'therapist', not {self.source!r}")
        if not (math.isfinite(self.x) and math.isfinite(self.y)):
            raise ValueError(f"landmark {self.name!r} has a non-finite position")
        if not all(len(p) == 2 and math.isfinite(p[0]) and math.isfinite(p[1]) for p in self.passes):
            raise ValueError(f"landmark {self.name!r}: each pass must be a finite (x, y)")

    @property
    def xy(self) -> tuple[float, float]:
        return self.x, self.y

    def is_uncertain(self, threshold: float = DEFAULT_VISIBILITY_THRESHOLD) -> bool:
        return self.visibility < threshold

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"x": round(self.x, 2), "y": round(self.y, 2), "visibility": round(self.visibility, 3),
                               "source": self.source}
        if self.passes:
            out["passes"] = [[round(x, 2), round(y, 2)] for x, y in self.passes]
        return out

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> Landmark:
        """From the JSON form. A point without ``source`` is the therapist's; without ``visibility``, 1.0."""
        visibility = data.get("visibility")
        source = data.get("source", "therapist")
        passes = (data.get("passes") or ()) if source == "model" else ()
        return cls(
            name=name,
            x=float(data["x"]),
            y=float(data["y"]),
            visibility=1.0 if visibility is None else float(visibility),
            source=source,
            passes=tuple((float(p[0]), float(p[1])) for p in passes),
        )


LandmarkSet = dict[str, Landmark]


def coerce_landmarks(landmarks: Mapping[str, Any] | Iterable[Landmark]) -> LandmarkSet:
    """Accept ``{name: Landmark}``, ``{name: {"x", "y", ...}}`` (the JSON form) or an iterable of Landmarks."""
    out: LandmarkSet = {}
    if isinstance(landmarks, Mapping):
        for name, value in landmarks.items():
            if isinstance(value, Landmark):
                if value.name != name:
                    raise ValueError(f"landmark stored under {name!r} is named {value.name!r}")
                out[name] = value
            elif isinstance(value, Mapping):
                out[name] = Landmark.from_dict(name, value)
            else:
                raise TypeError(f"landmark {name!r}: expected a Landmark or a mapping, got {type(value).__name__}")
    else:
        for lm in landmarks:
            out[lm.name] = lm
    return out


def side_name(name: str) -> str | None:
    """'left' / 'right' for a sided landmark name, else None."""
    if name.startswith("left_") or name.endswith("_left"):
        return "left"
    if name.startswith("right_") or name.endswith("_right"):
        return "right"
    return None
