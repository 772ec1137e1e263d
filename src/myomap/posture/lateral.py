"""Lateral-view metrics (left, right): offsets and angles signed along the client's facing direction."""

from __future__ import annotations

import math
from collections.abc import Callable

from myomap.posture import geometry as g
from myomap.posture.catalog import MetricDef
from myomap.posture.context import Context, Measurement, NotMeasured
from myomap.posture.landmarks import Landmark, landmark_words


def _anterior_offset(ctx: Context, point: Landmark, ref: Landmark) -> float:
    return (point.x - ref.x) * ctx.facing


def _offset_text(ctx: Context, what: str, of: str, px: float) -> str:
    where = "in front of" if px > 0 else "behind"
    return f"{what} {ctx.length_text(abs(px))} {where} {of}"


def forward_head(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    ear = ctx.prefer("tragus", f"{ctx.near}_ear")
    shoulder = ctx.prefer(f"acromion_{ctx.near}", f"{ctx.near}_shoulder")
    px = _anterior_offset(ctx, ear, shoulder)
    return Measurement(px, _offset_text(ctx, landmark_words(ear.name), f"the {landmark_words(shoulder.name)}", px), side=ctx.near)


def craniovertebral_angle(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    tragus, c7 = ctx.all("tragus", "c7")
    if (tragus.x, tragus.y) == (c7.x, c7.y):
        raise NotMeasured("tragus and c7 are on the same spot")
    cva = math.degrees(math.atan2(c7.y - tragus.y, abs(tragus.x - c7.x)))
    note = "" if _anterior_offset(ctx, tragus, c7) >= 0 else "; the tragus lies behind C7 (check the points or the view)"
    return Measurement(cva, f"CVA {cva:.1f}° (smaller = head further forward){note}", side=ctx.near)


def neck_inclination(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    shoulder, ear = ctx.all(f"{ctx.near}_shoulder", f"{ctx.near}_ear")
    angle = g.tilt_from_vertical(shoulder.xy, ear.xy) * ctx.facing
    return Measurement(angle, f"shoulder→ear {abs(angle):.1f}° {'forward' if angle > 0 else 'backward'} of vertical", side=ctx.near)


def shoulder_protraction(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    shoulder = ctx.prefer(f"acromion_{ctx.near}", f"{ctx.near}_shoulder")
    hip = ctx.prefer("greater_trochanter", f"{ctx.near}_hip")
    px = _anterior_offset(ctx, shoulder, hip)
    return Measurement(px, _offset_text(ctx, landmark_words(shoulder.name), f"the {landmark_words(hip.name)}", px), side=ctx.near)


def trunk_lean(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    hip, shoulder = ctx.all(f"{ctx.near}_hip", f"{ctx.near}_shoulder")
    angle = g.tilt_from_vertical(hip.xy, shoulder.xy) * ctx.facing
    return Measurement(angle, f"trunk {abs(angle):.1f}° {'forward' if angle > 0 else 'backward'} of vertical", side=ctx.near)


def plumb(point_model: str, point_clinical: str | None) -> Callable[[Context, MetricDef, str | None], Measurement]:
    def compute(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
        model_name = f"{ctx.near}_{point_model}"
        point = ctx.prefer(point_clinical.format(near=ctx.near), model_name) if point_clinical else ctx.get(model_name)
        base = ctx.prefer("lateral_malleolus", f"{ctx.near}_ankle")
        px = _anterior_offset(ctx, point, base)
        return Measurement(px, _offset_text(ctx, landmark_words(point.name), "the reference line", px), side=ctx.near)

    return compute


def knee_hyperextension(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    hip, knee, ankle = ctx.all(f"{ctx.near}_hip", f"{ctx.near}_knee", f"{ctx.near}_ankle")
    if abs(hip.y - ankle.y) < 1:
        raise NotMeasured("hip and ankle at the same height: the leg is not upright")
    dev = g.deviation_from_straight(hip.xy, knee.xy, ankle.xy)
    forward = g.offset_from_line(knee.xy, hip.xy, ankle.xy) * ctx.facing
    value = -dev if forward > 0 else dev
    kind = "hyperextended (knee behind the hip–ankle line)" if value > 0 else "flexed (knee in front of the hip–ankle line)"
    return Measurement(value, f"{ctx.near} knee {abs(value):.1f}° {kind}", side=ctx.near)


def pelvic_tilt(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    sides = [ctx.near] + [s for s in ("left", "right") if s != ctx.near]
    chosen = next((s for s in sides if ctx.placed(f"asis_{s}", f"psis_{s}")), ctx.near)
    asis, psis = ctx.all(f"asis_{chosen}", f"psis_{chosen}")
    if asis.x == psis.x:
        raise NotMeasured("ASIS and PSIS are vertically aligned: check the points")
    angle = math.degrees(math.atan2(asis.y - psis.y, abs(asis.x - psis.x)))
    note = "" if _anterior_offset(ctx, asis, psis) > 0 else "; the ASIS lies behind the PSIS (check the points or the view)"
    kind = "anterior" if angle > 0 else "posterior"
    return Measurement(angle, f"pelvis {abs(angle):.1f}° {kind} tilt (ASIS {'below' if angle > 0 else 'above'} PSIS){note}", side=chosen)
