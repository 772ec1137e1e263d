"""What a metric computation sees: the landmarks with their quality, the view's directions and scale.

A computation asks the context for points; a missing, uncertain or out-of-photo point raises
``NotMeasured`` with the reason, which becomes the metric's "not measured: <reason>".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from myomap.posture.catalog import LATERAL_VIEWS, Sex, Tier
from myomap.posture.landmarks import CLINICAL_LANDMARKS, Landmark, LandmarkSet, landmark_words
from myomap.posture.settings import Settings

#: Fraction of the image size a landmark may lie beyond the edge and still be used.
EDGE_TOLERANCE = 0.02
#: Ankle level as a fraction of stature (Winter 2009, after Drillis & Contini 1966).
ANKLE_HEIGHT_RATIO = 0.039


@dataclass(frozen=True, slots=True)
class Scale:
    """Pixel scale of one photo. ``cm_per_px`` only when the client's height was given."""

    body_height_px: float | None
    cm_per_px: float | None
    note: str


class NotMeasured(Exception):
    """Raised inside a metric computation: the reason the metric cannot be measured."""


@dataclass
class Measurement:
    value: float
    detail: str
    side: str | None = None
    tier: Tier | None = None  # None: decided from the landmarks used
    extras: dict[str, Any] = field(default_factory=dict)


class Context:
    def __init__(self, landmarks: LandmarkSet, view: str, image_size: tuple[int, int], height_cm: float | None,
                 settings: Settings, sex: Sex | None = None):
        self.sex = sex
        self.lms = landmarks
        self.view = view
        self.width, self.height = image_size
        self.height_cm = height_cm
        self.settings = settings
        self.used: list[str] = []
        self.warnings: list[str] = []
        self.near = view if view in LATERAL_VIEWS else None
        self.scale = self._scale()
        self.facing = self._facing() if view in LATERAL_VIEWS else 0

    # -- landmarks
    def why_unusable(self, name: str) -> str | None:
        lm = self.lms.get(name)
        if lm is None:
            return f"{landmark_words(name)} not placed (therapist point)" if name in CLINICAL_LANDMARKS else f"{landmark_words(name)} not found"
        mx, my = EDGE_TOLERANCE * self.width, EDGE_TOLERANCE * self.height
        if not (-mx <= lm.x <= self.width + mx and -my <= lm.y <= self.height + my):
            return f"{landmark_words(name)} lies outside the photo"
        if lm.visibility < self.settings.visibility_threshold:
            return f"{landmark_words(name)} uncertain (visibility {lm.visibility:.2f} < {self.settings.visibility_threshold:g})"
        return None

    def usable(self, name: str) -> bool:
        return self.why_unusable(name) is None

    def get(self, name: str) -> Landmark:
        why = self.why_unusable(name)
        if why is not None:
            raise NotMeasured(why)
        self.used.append(name)
        return self.lms[name]

    def all(self, *names: str) -> list[Landmark]:
        problems = [w for w in (self.why_unusable(n) for n in names) if w]
        if problems:
            raise NotMeasured("; ".join(problems))
        return [self.get(n) for n in names]

    def placed(self, *names: str) -> bool:
        """True when every named point is present (placed), whatever its quality."""
        return all(n in self.lms for n in names)

    def prefer(self, clinical: str, model: str) -> Landmark:
        """The therapist's clinical point when placed, else the model's point."""
        return self.get(clinical) if clinical in self.lms else self.get(model)

    # -- directions
    def medial_dir(self, side: str) -> int:
        """+1 when the client's midline lies to the right (on screen) of this side's limb, else -1."""
        other = "right" if side == "left" else "left"
        for part in ("hip", "ankle", "knee", "shoulder"):
            a, b = f"{side}_{part}", f"{other}_{part}"
            if self.usable(a) and self.usable(b) and self.lms[a].x != self.lms[b].x:
                return 1 if self.lms[b].x > self.lms[a].x else -1
        # Anterior view: the client's left appears on the image's right, so their midline is to the left.
        left_medial = -1 if self.view == "anterior" else 1
        return left_medial if side == "left" else -left_medial

    def _facing(self) -> int:
        by_view = -1 if self.view == "left" else 1
        ear = next((e for e in (f"{self.near}_ear", "left_ear", "right_ear") if self.usable(e)), None)
        if self.usable("nose") and ear is not None:
            dx = self.lms["nose"].x - self.lms[ear].x
            if abs(dx) > 0.003 * self.width:
                by_face = 1 if dx > 0 else -1
                if by_face != by_view:
                    self.warnings.append(
                        f"the client faces the image's {'right' if by_face > 0 else 'left'}, which does not match a "
                        f"{self.view} view (client's {self.view} side to the camera faces the image's "
                        f"{'left' if by_view < 0 else 'right'}); check the view. Metrics use the face direction."
                    )
                return by_face
        return by_view

    # -- scale
    def _scale(self) -> Scale:
        eyes = [self.lms[n].y for n in ("left_eye", "right_eye") if self.usable(n)]
        floor = [self.lms[n].y for n in ("left_heel", "right_heel", "left_foot_index", "right_foot_index") if self.usable(n)]
        bottom_ratio = 0.0
        if not floor:
            floor = [self.lms[n].y for n in ("left_ankle", "right_ankle") if self.usable(n)]
            bottom_ratio = ANKLE_HEIGHT_RATIO
        if not eyes or not floor:
            return Scale(None, None, "no scale: the eyes or the feet are not found")
        span = max(floor) - sum(eyes) / len(eyes)
        if span <= 0:
            return Scale(None, None, "no scale: the feet are not below the eyes")
        body_px = span / (self.settings.eye_height_ratio - bottom_ratio)
        how = f"stature ≈ {body_px:.0f} px (eye level at {self.settings.eye_height_ratio:g} of stature, Winter 2009)"
        if self.height_cm is None:
            return Scale(body_px, None, how + "; no client height given, so distances are % of body height")
        return Scale(body_px, self.height_cm / body_px, how + f"; client height {self.height_cm:g} cm")

    def length(self, px: float) -> tuple[float, str]:
        if self.scale.cm_per_px is not None:
            return px * self.scale.cm_per_px, "cm"
        if self.scale.body_height_px is not None:
            return 100.0 * px / self.scale.body_height_px, "% of body height"
        raise NotMeasured(self.scale.note)

    def length_text(self, px: float) -> str:
        try:
            value, unit = self.length(px)
        except NotMeasured:
            return f"{px:.0f} px"
        return f"{value:.1f} cm" if unit == "cm" else f"{value:.1f} % of body height"
