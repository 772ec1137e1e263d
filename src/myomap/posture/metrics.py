"""Postural metrics for one view, computed from the final landmarks (model and therapist points).

Each metric's definition, norm and threshold come from ``data/metrics.yaml``; ``frontal.py`` and
``lateral.py`` do the geometry; this module runs them for a view and judges each value against its
threshold. A metric whose points are missing, uncertain or outside the photo is returned
as ``"not measured"`` with the reason, never as a confident wrong number (posture.md §5).

Sign conventions (posture.md §2): image y points down. Frontal asymmetries are reported as a
magnitude plus ``side`` (the higher shoulder / hip, the side the head tilts to, the side the trunk
shifts to). Lateral metrics are signed along the client's facing direction: positive = anterior
or forward. The facing direction comes from the nose relative to the ear, or from the view
(left view: the client faces the image's left).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from myomap.posture import frontal, lateral
from myomap.posture.catalog import (
    FRONTAL_VIEWS,
    HEIGHT_RANGE_CM,
    LATERAL_VIEWS,
    SEXES,
    VIEWS,
    MetricDef,
    Sex,
    Threshold,
    Tier,
    load_catalog,
)
from myomap.posture.context import Context, Measurement, NotMeasured, Scale
from myomap.posture.landmarks import CLINICAL_LANDMARKS, Landmark, coerce_landmarks
from myomap.posture.settings import Settings

Status = Literal["normal", "deviation", "not measured"]
STATUSES: tuple[str, ...] = ("normal", "deviation", "not measured")


@dataclass(frozen=True, slots=True)
class MetricResult:
    id: str  # unique within a view: the metric id, plus _left / _right for per-side metrics
    name: str
    value: float | None
    unit: str
    status: Status
    reason: str
    source: Tier
    side: str | None = None
    norm: str = ""
    base_id: str = ""  # the metric id in metrics.yaml
    view: str = ""
    threshold: str = ""  # the normal range applied, in words
    threshold_source: str = ""
    extras: Mapping[str, Any] = field(default_factory=dict)
    landmarks: tuple[str, ...] = ()  # the points the value was computed from
    #: How far the value moves between the model passes (± in the metric's unit); None when the points
    #: have no passes (therapist points, or landmarks stored before passes were kept).
    uncertainty: float | None = None

    @property
    def value_text(self) -> str:
        """The value as the pages, the CLI and the annotated image show it (see ``value_text``)."""
        return value_text(self.base_id or self.id, self.value, self.unit, self.uncertainty)

    @property
    def label(self) -> str:
        """Its short name and value, as on the annotated image and the editor's summary (see ``short_label``)."""
        return short_label(self.id, self.base_id, self.view, self.side, self.value_text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "value": None if self.value is None else round(self.value, 2),
            "value_text": self.value_text,
            "label": self.label,
            "uncertainty": None if self.uncertainty is None else round(self.uncertainty, 2),
            "unit": self.unit,
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
            "side": self.side,
            "norm": self.norm,
            "metric": self.base_id,
            "view": self.view,
            "threshold": self.threshold,
            "threshold_source": self.threshold_source,
            "landmarks": list(self.landmarks),
            **({"extras": dict(self.extras)} if self.extras else {}),
        }


@dataclass(frozen=True, slots=True)
class ViewMetrics:
    view: str
    results: tuple[MetricResult, ...]
    warnings: tuple[str, ...]
    scale: Scale

    def by_id(self) -> dict[str, MetricResult]:
        return {r.id: r for r in self.results}


#: metric id (metrics.yaml) -> the function that measures it (frontal.py, lateral.py).
COMPUTE: dict[str, Callable[[Context, MetricDef, str | None], Measurement]] = {
    "head_tilt": frontal.head_tilt,
    "shoulder_height_difference": frontal.shoulder_height_difference,
    "pelvic_obliquity": frontal.pelvic_obliquity,
    "trunk_lateral_shift": frontal.trunk_lateral_shift,
    "knee_frontal_alignment": frontal.knee_frontal_alignment,
    "foot_progression_angle": frontal.foot_progression_angle,
    "q_angle": frontal.q_angle,
    "rearfoot_angle": frontal.rearfoot_angle,
    "forward_head": lateral.forward_head,
    "craniovertebral_angle": lateral.craniovertebral_angle,
    "neck_inclination": lateral.neck_inclination,
    "shoulder_protraction": lateral.shoulder_protraction,
    "trunk_lean": lateral.trunk_lean,
    "plumb_ear": lateral.plumb("ear", "tragus"),
    "plumb_shoulder": lateral.plumb("shoulder", "acromion_{near}"),
    "plumb_hip": lateral.plumb("hip", "greater_trochanter"),
    "plumb_knee": lateral.plumb("knee", None),
    "knee_hyperextension": lateral.knee_hyperextension,
    "pelvic_tilt": lateral.pelvic_tilt,
}


# ----------------------------------------------------------------------------- driver


def _evaluate(ctx: Context, d: MetricDef, side: str | None, pass_contexts: Sequence[Context] = ()) -> MetricResult:
    result_id = f"{d.id}_{side}" if side else d.id
    name = f"{d.name} ({side})" if side else d.name
    ctx.used = []

    def not_measured(why: object, unit: str, source: Tier, threshold_source: str) -> MetricResult:
        return MetricResult(id=result_id, name=name, value=None, unit=unit, status="not measured",
                            reason=f"not measured: {why}", source=source, side=side, norm=d.norm_text, base_id=d.id,
                            view=ctx.view, threshold_source=threshold_source)

    try:
        out = COMPUTE[d.id](ctx, d, side)
    except (NotMeasured, ValueError, ZeroDivisionError) as exc:  # ValueError: degenerate geometry, e.g. coincident points
        return not_measured(exc, _unit(ctx, d), d.tier, d.threshold_source)
    used = tuple(dict.fromkeys(ctx.used))
    tier: Tier = out.tier or ("clinical landmark" if used and all(n in CLINICAL_LANDMARKS for n in used) else "pose estimate")
    if tier == "clinical landmark" and d.clinical_threshold is not None:
        threshold, threshold_source = d.clinical_threshold, d.clinical_threshold_source or d.threshold_source
    else:
        threshold, threshold_source = d.threshold_for_sex(ctx.sex)
    threshold = threshold.merged(ctx.settings.thresholds.get(d.id))
    value, unit = out.value, d.unit
    if d.kind == "distance":
        try:
            value, unit = ctx.length(out.value)
        except NotMeasured as exc:
            return not_measured(exc, d.unit, tier, threshold_source)
        if unit != "cm":
            threshold = threshold.scaled(100.0 / ctx.settings.reference_height_cm)
            threshold_source += f"; no client height, so cm converted to % of a {ctx.settings.reference_height_cm:g} cm stature"
    result_side = out.side if out.side else side
    uncertainty = _uncertainty(d, side, value, unit, result_side, used, ctx, pass_contexts)
    limit = _stability_limit(threshold, unit, ctx.settings)
    margin = uncertainty or 0.0
    status: Status = "deviation" if threshold.is_deviation(value, margin=margin) else "normal"
    reason = out.detail
    if uncertainty is not None and uncertainty > limit:
        status, reported = "not measured", None
        reason = (f"not measured: unstable (±{_fmt_unit(uncertainty, unit)}; the model passes must agree within "
                  f"±{_fmt_unit(limit, unit)}); check the points in the landmark editor or retake the photo")
    else:
        reported = value
        if status == "normal" and margin and threshold.is_deviation(value):
            reason += f" (beyond the normal range by less than its uncertainty ±{_fmt_unit(margin, unit)}: not flagged)"
    return MetricResult(
        id=result_id, name=name, value=reported, unit=unit, status=status, reason=reason, source=tier, side=result_side,
        norm=d.norm_text, base_id=d.id, view=ctx.view, threshold=threshold.describe(unit),
        threshold_source=threshold_source, extras=out.extras if reported is not None else {}, landmarks=used,
        uncertainty=uncertainty,
    )


def value_text(metric_id: str, value: float | None, unit: str, uncertainty: float | None = None) -> str:
    """A value shown one way: '73.8° ± 0.5° varus', '2.1 ± 0.3 cm forward', '4.0°', '—' when not measured.

    A signed metric shows its size and the word for its sign (``directions`` in metrics.yaml), never a
    minus sign, so the value and the reason cannot seem to disagree. ``metric_id`` may carry _left/_right.
    """
    if value is None:
        return "—"
    metrics = load_catalog().metrics
    d = metrics.get(metric_id) or metrics.get(metric_id.rsplit("_", 1)[0])
    size = f"{abs(value):.1f}" if d is not None and d.directions else f"{value:.1f}"
    size = "0.0" if size == "-0.0" else size
    word = ""
    if d is not None and d.directions and size != "0.0":
        word = f" {d.directions[0] if value > 0 else d.directions[1]}"
    if unit == "deg":
        spread = "" if uncertainty is None else f" ± {uncertainty:.1f}°"
        return f"{size}°{spread}{word}"
    spread = "" if uncertainty is None else f" ± {uncertainty:.1f}"
    return f"{size}{spread} {unit}{word}"


def short_label(result_id: str, base_id: str, view: str, side: str | None, text: str) -> str:
    """'Knee right 4.2° ± 0.5° varus', 'Shoulders 2.1°, right' (the higher side): a metric in a few words."""
    d = load_catalog().metrics.get(base_id)
    short = d.short if d is not None else result_id.replace("_", " ")
    per_side = f" {side}" if side and result_id != base_id else ""  # which knee, which foot
    higher = f", {side}" if side and result_id == base_id and view in FRONTAL_VIEWS else ""  # the side it leans to
    return f"{short}{per_side} {text}{higher}"


def _stability_limit(threshold: Threshold, unit: str, settings: Settings) -> float:
    """The largest uncertainty a value may carry: the normal range's tolerance, and at most the setting."""
    if unit == "deg":
        cap = settings.max_uncertainty_deg
    elif unit == "cm":
        cap = settings.max_uncertainty_cm
    else:  # % of body height
        cap = 100.0 * settings.max_uncertainty_cm / settings.reference_height_cm
    tolerance = threshold.tolerance()
    return cap if tolerance is None else min(cap, tolerance)


def _fmt_unit(value: float, unit: str) -> str:
    return f"{value:.1f}°" if unit == "deg" else f"{value:.1f} {unit}"


def _uncertainty(
    d: MetricDef, side: str | None, value: float, unit: str, result_side: str | None, used: Sequence[str],
    ctx: Context, pass_contexts: Sequence[Context],
) -> float | None:
    """The largest distance between the value and the same metric measured on one model pass alone.

    Frontal asymmetries are a size plus a side, so a pass that finds the other side higher counts
    as a negative size. None when none of the points used carry passes.
    """
    if not pass_contexts or not any(ctx.lms[n].passes for n in used if n in ctx.lms):
        return None
    spread = 0.0
    for pc in pass_contexts:
        pc.used = []
        try:
            out = COMPUTE[d.id](pc, d, side)
            v, u = pc.length(out.value) if d.kind == "distance" else (out.value, d.unit)
        except (NotMeasured, ValueError, ZeroDivisionError):
            continue  # this pass alone cannot measure it (e.g. a point off the photo): no spread to add
        if u != unit:
            continue
        if not d.per_side and result_side in ("left", "right") and out.side in ("left", "right") and out.side != result_side:
            v = -v
        spread = max(spread, abs(v - value))
    return spread


def _unit(ctx: Context, d: MetricDef) -> str:
    if d.kind != "distance":
        return d.unit
    if ctx.scale.cm_per_px is not None:
        return "cm"
    return "% of body height" if ctx.scale.body_height_px is not None else d.unit


def compute_metrics(
    landmarks: Mapping[str, Any] | Sequence[Landmark],
    *,
    view: str,
    image_size: tuple[int, int],
    height_cm: float | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    sex: Sex | None = None,
) -> ViewMetrics:
    """Every metric defined for ``view`` (in metrics.yaml order), plus view warnings and the scale.

    ``sex`` picks the norm of the metrics whose norm differs by sex (Q-angle); without it, the wider.
    """
    if sex is not None and sex not in SEXES:
        raise ValueError(f"sex must be one of {', '.join(SEXES)} or None, not {sex!r}")
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    low, high = HEIGHT_RANGE_CM
    if height_cm is not None and not low <= float(height_cm) <= high:
        raise ValueError(f"height_cm must lie between {low:g} and {high:g}, not {height_cm!r}")
    width, height = int(image_size[0]), int(image_size[1])
    if width <= 0 or height <= 0:
        raise ValueError("image_size must be (width, height) in pixels")
    lms = coerce_landmarks(landmarks)
    cfg = Settings.coerce(settings)
    cm = None if height_cm is None else float(height_cm)
    ctx = Context(lms, view, (width, height), cm, cfg, sex)
    pass_contexts = [Context(pass_landmarks, view, (width, height), cm, cfg, sex) for pass_landmarks in split_passes(lms)]
    results: list[MetricResult] = []
    for d in load_catalog().for_view(view):
        for side in (("left", "right") if d.per_side else (None,)):
            results.append(_evaluate(ctx, d, side, pass_contexts))
    warnings = [*ctx.warnings, *_view_warnings(ctx)]
    return ViewMetrics(view=view, results=tuple(results), warnings=tuple(dict.fromkeys(warnings)), scale=ctx.scale)


def split_passes(landmarks: Mapping[str, Landmark]) -> list[dict[str, Landmark]]:
    """One landmark set per model pass (points without passes, e.g. the therapist's, in every set).

    Empty when no point carries passes, or when the points disagree on how many passes there were.
    """
    counts = {len(lm.passes) for lm in landmarks.values() if lm.passes}
    if len(counts) != 1 or min(counts) < 2:
        return []
    (n,) = counts
    return [
        {name: replace(lm, x=lm.x + lm.passes[k][0], y=lm.y + lm.passes[k][1], passes=()) if lm.passes else lm
         for name, lm in landmarks.items()}
        for k in range(n)
    ]


def _view_warnings(ctx: Context) -> list[str]:
    """Sanity checks that the photo matches the stated view (posture.md §6.4)."""
    out: list[str] = []
    names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(ctx.usable(n) for n in names):
        return out
    ls, rs, lh, rh = (ctx.lms[n] for n in names)
    torso = abs((ls.y + rs.y) / 2 - (lh.y + rh.y) / 2)
    if torso <= 0:
        return out
    ratio = abs(ls.x - rs.x) / torso
    if ctx.view in LATERAL_VIEWS and ratio > 0.3:
        out.append(
            f"the shoulders are {ratio:.0%} of the torso height apart horizontally: this looks like a front or back "
            f"photo, or the client is turned; a {ctx.view} view needs the client side-on to the camera"
        )
    elif ctx.view in FRONTAL_VIEWS:
        if ratio < 0.35:
            out.append(
                f"the shoulders are only {ratio:.0%} of the torso height apart horizontally: this looks like a side view "
                f"or the client is turned; frontal asymmetries will be unreliable"
            )
        expected_left_right = ctx.view == "anterior"  # anterior: the client's left is on the image's right
        if (ls.x > rs.x) != expected_left_right and abs(ls.x - rs.x) > 0.1 * torso:
            out.append(
                f"the client's left and right sides appear swapped for a {ctx.view} view "
                f"(an {'posterior' if ctx.view == 'anterior' else 'anterior'} photo, a mirrored selfie, or the model confused the sides)"
            )
        sw, hw = abs(ls.x - rs.x), abs(lh.x - rh.x)
        if hw > 0 and not 1.1 <= sw / hw <= 2.6:
            out.append("shoulder and hip widths disagree: the client may be rotated, which distorts frontal metrics")
    return out


def threshold_for(metric_id: str, settings: Settings | None = None, *, clinical: bool = False) -> Threshold:
    """The threshold a metric uses (after any override), in the metric's own unit."""
    d = load_catalog().metrics[metric_id]
    base = d.clinical_threshold if clinical and d.clinical_threshold else d.threshold
    return base.merged((settings or Settings()).thresholds.get(metric_id))
