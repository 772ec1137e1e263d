"""Input and output shapes for postural assessments (the API's models, also used by the pages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from myomap.posture.catalog import HEIGHT_RANGE_CM, VIEWS
from myomap.posture.landmarks import ALL_LANDMARKS
from myomap.posture.metrics import short_label, value_text
from myomap.records.validation import MAX_RECORD_ID, RequestModel

View = Literal["anterior", "posterior", "left", "right"]  # a type needs the words; checked against VIEWS below
if get_args(View) != VIEWS:
    raise RuntimeError("schemas.View must list myomap.posture.catalog.VIEWS, in order")
MIN_HEIGHT_CM, MAX_HEIGHT_CM = HEIGHT_RANGE_CM


# ---- landmarks, metrics, patterns (the JSON forms of myomap.posture) -----------------------------


class LandmarkIn(RequestModel):
    """One point in image pixels (x right, y down). Without ``source`` it counts as the therapist's."""

    x: float
    y: float
    visibility: float | None = Field(None, ge=0.0, le=1.0, description="0-1; default 1 (certain).")
    source: Literal["model", "therapist"] = "therapist"
    passes: list[tuple[float, float]] | None = Field(
        None, max_length=8, description="Model points only: each model pass's offset (dx, dy) from the point (as read)."
    )


class LandmarkRead(BaseModel):
    x: float
    y: float
    visibility: float
    source: Literal["model", "therapist"]
    passes: list[tuple[float, float]] | None = Field(
        None, description="Model points: where each model pass (photo, crop, mirrored crop) put the point, as (dx, dy) "
        "pixels from it; the point is their robust mean, and the metrics' uncertainty is how far they move the value."
    )


class MetricRead(BaseModel):
    """One metric of one view, judged against its norm (``myomap.posture`` MetricResult)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="Unique within the view: the metric id plus _left/_right for per-side metrics.")
    name: str
    value: float | None = Field(description="None when not measured.")
    uncertainty: float | None = Field(
        None, description="± in the metric's unit: how far the value moves between the model passes (None: no passes, "
        "e.g. therapist points). A deviation is flagged only beyond it; above the stability limit the metric is "
        "'not measured: unstable'."
    )
    value_text: str = Field("", description="The value as shown to the therapist, one way: its size with the word for "
                            "its sign where it has one and its uncertainty ('4.2° ± 0.5° varus'), or '—'.")
    label: str = Field("", description="Its short name and value, as on the annotated image: 'Knee right 4.2° ± 0.5° varus'.")
    unit: str = Field(description="deg, cm, or % of body height (no client height given).")
    status: Literal["normal", "deviation", "not measured"]
    reason: str = Field(description="How the value was found, or why it was not measured.")
    source: Literal["pose estimate", "clinical landmark"] = Field(
        description="'pose estimate' (from the model's joint centres) or 'clinical landmark' (therapist-placed points)."
    )
    side: str | None = None
    norm: str = ""
    metric: str = Field("", description="The metric id in the catalogue.")
    view: str = ""
    threshold: str = Field("", description="The normal range applied, in words.")
    threshold_source: str = ""
    landmarks: list[str] = Field(default_factory=list, description="The points the value was computed from.")
    extras: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _fill_value_text(self) -> MetricRead:
        """Results cached before ``value_text`` existed get it from the same function."""
        if not self.value_text:
            self.value_text = value_text(self.metric or self.id, self.value, self.unit, self.uncertainty)
        if not self.label:
            self.label = short_label(self.id, self.metric or self.id, self.view, self.side, self.value_text)
        return self


class MuscleRefRead(BaseModel):
    muscle: str = Field(description="Muscle id of the trigger-point atlas (/atlas/muscles/{id}).")
    side: str | None = None


class PatternRead(BaseModel):
    """A postural distortion pattern (or a referral flag) supported by the metrics."""

    id: str
    name: str
    kind: Literal["pattern", "referral"] = Field(description="'referral': a screen to refer on, not a diagnosis.")
    side: str | None = None
    views: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="The metric results that triggered it, in words.")
    shortened: list[MuscleRefRead] = Field(default_factory=list)
    lengthened: list[MuscleRefRead] = Field(default_factory=list)
    note: str = ""
    sources: list[dict[str, str]] = Field(default_factory=list)


class ScaleRead(BaseModel):
    body_height_px: float | None = None
    cm_per_px: float | None = None
    note: str = ""


class AnalysisDetails(BaseModel):
    image_size: list[int] = Field(description="[width, height] of the upright photo, in pixels.")
    warnings: list[str] = Field(default_factory=list)
    height_cm: float | None = None
    model: str | None = None
    scale: ScaleRead | None = None
    box: list[int] | None = Field(
        None, description="The client's box [x, y, width, height] the analysis was limited to, if one was given."
    )


class PhotoAnalysisRead(BaseModel):
    """The analysis of one photo (nothing stored)."""

    view: View
    landmarks: dict[str, LandmarkRead]
    metrics: list[MetricRead]
    patterns: list[PatternRead]
    details: AnalysisDetails


LandmarkName = Annotated[str, StringConstraints(max_length=max(len(n) for n in ALL_LANDMARKS))]
LandmarkSet = Annotated[dict[LandmarkName, LandmarkIn], Field(max_length=len(ALL_LANDMARKS))]
"""A view's landmarks by name: at most one per known landmark."""
Version = Annotated[int, Field(ge=0, le=MAX_RECORD_ID)]


class RecomputeRequest(RequestModel):
    """Landmarks (moved or added by the therapist) to recompute a view's metrics from; nothing is saved."""

    view: View
    image_size: tuple[int, int] = Field(description="[width, height] of the photo, in pixels.")
    height_cm: float | None = Field(None, ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM)
    landmarks: LandmarkSet


class RecomputeResult(BaseModel):
    view: View
    metrics: list[MetricRead]
    patterns: list[PatternRead] = Field(description="Patterns this view alone supports.")
    warnings: list[str]
    scale: ScaleRead | None = None


# ---- assessments ---------------------------------------------------------------------------------


class PostureAssessmentCreate(RequestModel):
    assessed_on: date = Field(description="The date of the photos (not in the future).")
    height_cm: float | None = Field(
        None, ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM, description="The client's height, so that offsets come in cm."
    )
    note: str | None = Field(None, max_length=20000)


class PostureAssessmentUpdate(RequestModel):
    """Change the date, height or note; fields left out stay as they are. Metrics are recomputed."""

    version: Version = Field(description="The version the edit is based on (409 if it changed since).")
    assessed_on: date | None = None
    height_cm: float | None = Field(None, ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM, description="null clears it.")
    note: str | None = Field(None, max_length=20000)


class LandmarksUpdate(RequestModel):
    """The full set of a view's landmarks after the therapist's corrections."""

    version: Version = Field(description="The assessment version the edit is based on (409 if it changed since).")
    landmarks: LandmarkSet


class PosturePhotoRead(BaseModel):
    view: View
    content_type: str
    width: int
    height: int
    size_bytes: int
    model: str | None
    uploaded_at: datetime
    landmarks_edited_at: datetime | None
    landmarks: dict[str, LandmarkRead]
    metrics: list[MetricRead]
    patterns: list[PatternRead] = Field(description="Patterns this view alone supports.")
    warnings: list[str]
    scale: ScaleRead | None = None
    therapist_points: int = Field(description="How many points the therapist placed or moved.")
    box: list[int] | None = Field(
        None, description="The client's box [x, y, width, height] in pixels the photo was analysed in (given when "
        "the photo shows several people); drawn on the annotated image."
    )


class PostureAssessmentSummary(BaseModel):
    id: int
    client_id: int
    assessed_on: date
    height_cm: float | None
    version: int
    views: list[View] = Field(description="The views with a photo.")
    pattern_count: int
    created_at: datetime


class PostureAssessmentRead(PostureAssessmentSummary):
    note: str | None
    updated_at: datetime
    created_by: str | None = Field(None, description="Name of the user who created it.")
    photos: dict[str, PosturePhotoRead] = Field(description="By view; views without a photo are absent.")
    patterns: list[PatternRead] = Field(description="Patterns of all views pooled together.")


class MetricChange(BaseModel):
    """One metric of one view in a comparison of two assessments."""

    view: View
    id: str
    name: str
    unit: str
    before: float | None
    after: float | None
    change: float | None = Field(description="after - before; None when either is missing or the units differ.")
    side_before: str | None = None
    side_after: str | None = None
    status_before: str | None = None
    status_after: str | None = None
    trend: Literal["better", "worse", "same", "unknown"] = Field(
        description="By status: better (deviation -> normal), worse (normal -> deviation), same, or unknown "
        "(not measured in either)."
    )
    note: str = ""


class PostureComparison(BaseModel):
    before: PostureAssessmentSummary
    after: PostureAssessmentSummary
    changes: list[MetricChange]
    patterns_before: list[str] = Field(description="Names of the pooled patterns before.")
    patterns_after: list[str]
