"""The posture facade: analyse a photo, or recompute after the therapist moves or adds points.

``analyse_photo`` decodes the upload, finds the client's landmarks with the pose model, checks the
photo (one person, whole body in frame), computes the metrics for the view and the patterns they
support. ``recompute`` does the same from given landmarks without the model (fast: a few ms).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from myomap.posture.annotate import ImageFormat
from myomap.posture.catalog import VIEWS, Sex
from myomap.posture.context import Scale
from myomap.posture.errors import PhotoError, SeveralPeopleError
from myomap.posture.images import DecodedPhoto, decode_photo
from myomap.posture.landmarks import BLAZEPOSE_INDEX, Landmark, LandmarkSet, coerce_landmarks
from myomap.posture.metrics import MetricResult, ViewMetrics, compute_metrics
from myomap.posture.passes import combine, extra_passes
from myomap.posture.patterns import Pattern, detect_patterns
from myomap.posture.people import Box, check_standing, check_whole_body, other_people, parse_box, person_box
from myomap.posture.pose import PoseBackend, RawLandmark, RGBImage, default_backend
from myomap.posture.settings import Settings
from myomap.posture.stance import check_stance
from myomap.posture.view_check import check_view


@dataclass(frozen=True, slots=True, eq=False)
class PostureAnalysis:
    """The result for one photo (one view)."""

    view: str
    image_size: tuple[int, int]  # (width, height) of the upright photo
    landmarks: Mapping[str, Landmark]
    metrics: tuple[MetricResult, ...]
    patterns: tuple[Pattern, ...]
    warnings: tuple[str, ...] = ()
    scale: Scale | None = None
    height_cm: float | None = None
    model: str | None = None  # which pose model found the "model" points
    box: Box | None = None  # the client's box the analysis was limited to (x, y, width, height), if any
    photo: DecodedPhoto | None = field(default=None, repr=False)  # the decoded photo (analyse_photo only)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form: view, landmarks, metrics and patterns."""
        return {
            "view": self.view,
            "landmarks": {name: lm.to_dict() for name, lm in self.landmarks.items()},
            "metrics": [m.to_dict() for m in self.metrics],
            "patterns": [p.to_dict() for p in self.patterns],
        }

    def details_json(self) -> dict[str, Any]:
        """What else the app may show or store next to ``to_json()``."""
        return {
            "image_size": list(self.image_size),
            "warnings": list(self.warnings),
            "height_cm": self.height_cm,
            "model": self.model,
            "box": None if self.box is None else list(self.box),
            "scale": None
            if self.scale is None
            else {"body_height_px": self.scale.body_height_px, "cm_per_px": self.scale.cm_per_px, "note": self.scale.note},
        }

    def metric(self, metric_id: str) -> MetricResult:
        for m in self.metrics:
            if m.id == metric_id:
                return m
        raise KeyError(metric_id)

    def annotated_png(self, rgb: RGBImage | None = None, *, max_side: int = 1600, settings: Settings | Mapping[str, Any] | None = None) -> bytes:
        """The annotated photo as PNG bytes (uses the analysed photo unless ``rgb`` is given)."""
        return self.annotated_image(rgb, max_side=max_side, settings=settings, image_format="png")

    def annotated_image(
        self, rgb: RGBImage | None = None, *, max_side: int = 1600, settings: Settings | Mapping[str, Any] | None = None,
        image_format: ImageFormat = "jpeg",
    ) -> bytes:
        """The annotated photo as JPEG (fast, the default) or PNG bytes."""
        from myomap.posture.annotate import render_annotation

        if rgb is None:
            if self.photo is None:
                raise ValueError("no photo held by this analysis: pass rgb")
            rgb = self.photo.rgb
        return render_annotation(
            rgb, view=self.view, landmarks=self.landmarks, metrics=self.metrics,
            visibility_threshold=Settings.coerce(settings).visibility_threshold, max_side=max_side,
            image_format=image_format,
        )


#: Photos decoded and analysed at once in this process (the others wait their turn): each takes up
#: to ``Settings.max_decoded_bytes`` while it is decoded, so this bounds the memory uploads can take.
DEFAULT_CONCURRENT_ANALYSES = 1
_analysis_slots = threading.BoundedSemaphore(DEFAULT_CONCURRENT_ANALYSES)


def set_concurrent_analyses(count: int) -> None:
    """How many photos this process may decode and analyse at once (the app sets it from its settings)."""
    global _analysis_slots
    if count < 1:
        raise ValueError("at least one analysis must be allowed at a time")
    _analysis_slots = threading.BoundedSemaphore(count)


def _check_view(view: str) -> str:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    return view


def model_landmarks(
    raw: Sequence[RawLandmark], *, offset: tuple[float, float] = (0.0, 0.0),
    passes: Sequence[Sequence[RawLandmark]] = (),
) -> LandmarkSet:
    """The named BlazePose points Myomap uses, in full-image coordinates, with where each pass put them
    (as offsets from the point, so that they follow it if it is moved)."""
    ox, oy = offset
    return {
        name: Landmark(name=name, x=raw[i].x + ox, y=raw[i].y + oy, visibility=raw[i].visibility, source="model",
                       passes=tuple((p[i].x - raw[i].x, p[i].y - raw[i].y) for p in passes) if len(passes) > 1 else ())
        for i, name in BLAZEPOSE_INDEX.items()
    }


def detect_landmarks(
    photo: DecodedPhoto | RGBImage,
    *,
    box: Sequence[float] | str | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    backend: PoseBackend | None = None,
) -> LandmarkSet:
    """Find the client's landmarks, with the people checks. Raises PhotoError."""
    cfg = Settings.coerce(settings)
    rgb = photo.rgb if isinstance(photo, DecodedPhoto) else photo
    height, width = rgb.shape[:2]
    offset = (0, 0)
    region = rgb
    if box is not None:
        x, y, w, h = parse_box(box, width, height)
        region = rgb[y : y + h, x : x + w]
        offset = (x, y)
    backend = backend or default_backend()
    found = backend.find(np.ascontiguousarray(region))
    where = "in the box" if box is not None else "in the photo"
    if found is None:
        raise PhotoError(f"no person found {where}; photograph the client standing, whole body in frame, in good light")
    raw = found.landmarks
    if len(raw) < 33:
        raise PhotoError(f"the pose model returned {len(raw)} points instead of 33")
    rh, rw = region.shape[:2]
    check_whole_body(raw, rw, rh, cfg.visibility_threshold)
    check_standing(raw, cfg.visibility_threshold)
    # The pose model's person detector already counts people; the slower HOG check that decides
    # whether another person is clearly there runs only when it saw more than the client.
    if box is None and cfg.check_several_people and found.people_seen > 1:
        others = other_people(rgb, person_box(raw, width, height))
        if others:
            raise SeveralPeopleError(len(others) + 1)
    passes = [raw, *extra_passes(backend, region, raw)] if cfg.stable_landmarks else [raw]
    return model_landmarks(combine(passes), offset=(float(offset[0]), float(offset[1])), passes=passes)


def analyse_photo(
    data: bytes,
    *,
    view: str,
    height_cm: float | None = None,
    box: Sequence[float] | str | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    backend: PoseBackend | None = None,
) -> PostureAnalysis:
    """Decode a photo, find the landmarks, and compute this view's metrics and patterns.

    Raises PhotoError (a ValueError with a message for the therapist) for unusable photos and
    ValueError for bad arguments.
    """
    _check_view(view)
    cfg = Settings.coerce(settings)
    with _analysis_slots:  # decoding and the model are what take memory and time: a few at once
        photo = decode_photo(data, max_bytes=cfg.max_bytes, max_pixels=cfg.max_pixels, max_decoded_bytes=cfg.max_decoded_bytes)
        client_box = None if box is None else parse_box(box, *photo.size)
        landmarks = detect_landmarks(photo, box=client_box, settings=cfg, backend=backend)
    check_view(landmarks, view, cfg.visibility_threshold)
    check_stance(landmarks, view, cfg.visibility_threshold)
    backend_name = getattr(backend or default_backend(), "name", None)
    analysis = _assemble(landmarks, view=view, image_size=photo.size, height_cm=height_cm, settings=cfg, photo=photo,
                         model=backend_name)
    return replace(analysis, box=client_box)


def recompute(
    landmarks: Mapping[str, Any] | Iterable[Landmark],
    *,
    view: str,
    image_size: tuple[int, int],
    height_cm: float | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    sex: Sex | None = None,
) -> PostureAnalysis:
    """Metrics and patterns from given landmarks (model points, moved points, therapist points); no model.

    ``sex`` ("female" / "male") picks the norms that differ by sex (Q-angle); without it, the wider one.
    """
    _check_view(view)
    return _assemble(coerce_landmarks(landmarks), view=view, image_size=image_size, height_cm=height_cm,
                     settings=Settings.coerce(settings), photo=None, model=None, sex=sex)


def _assemble(
    landmarks: LandmarkSet, *, view: str, image_size: tuple[int, int], height_cm: float | None,
    settings: Settings, photo: DecodedPhoto | None, model: str | None, sex: Sex | None = None,
) -> PostureAnalysis:
    vm: ViewMetrics = compute_metrics(landmarks, view=view, image_size=image_size, height_cm=height_cm,
                                      settings=settings, sex=sex)
    patterns = detect_patterns({view: vm})
    return PostureAnalysis(
        view=view,
        image_size=(int(image_size[0]), int(image_size[1])),
        landmarks=dict(landmarks),
        metrics=vm.results,
        patterns=tuple(patterns),
        warnings=vm.warnings,
        scale=vm.scale,
        height_cm=height_cm,
        model=model,
        photo=photo,
    )


def patterns_for_assessment(analyses: Iterable[PostureAnalysis]) -> list[Pattern]:
    """Patterns from several views of one client (up to four photos) pooled together."""
    by_view: dict[str, list[MetricResult]] = {}
    for a in analyses:
        by_view.setdefault(a.view, []).extend(a.metrics)
    return detect_patterns(by_view)
