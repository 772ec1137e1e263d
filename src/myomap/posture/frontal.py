"""Frontal-view metrics (anterior, posterior): asymmetries as a magnitude plus the side, knee and foot angles."""

from __future__ import annotations

import math
from typing import Any

from myomap.posture import geometry as g
from myomap.posture.catalog import MetricDef
from myomap.posture.context import Context, Measurement, NotMeasured
from myomap.posture.landmarks import Landmark


def _higher_side(left: Landmark, right: Landmark) -> str | None:
    if abs(left.y - right.y) < 1e-6:
        return None
    return "left" if left.y < right.y else "right"


def head_tilt(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    # Anterior: the eye (pupil) line, as PostureScreen; posterior: the ear line, as SAPO. The eyes are
    # also the steadier model points from the front (the ears are often under hair).
    pairs = [("left_eye", "right_eye", "eye line"), ("left_ear", "right_ear", "ear line")]
    if ctx.view == "posterior":
        pairs.reverse()
    first_problem: NotMeasured | None = None
    for i, (a, b, line) in enumerate(pairs):
        try:
            left, right = ctx.all(a, b)
        except NotMeasured as exc:
            first_problem = first_problem or exc
            continue
        if i > 0:
            line += f" ({first_problem})"
        break
    else:
        assert first_problem is not None
        raise first_problem
    angle = abs(g.tilt_from_horizontal(left.xy, right.xy))
    higher = _higher_side(left, right)
    lower = None if higher is None else ("right" if higher == "left" else "left")
    where = "level" if lower is None else f"tilted towards the {lower} ({lower} side lower)"
    return Measurement(angle, f"head {where}: {line} {angle:.1f}° from horizontal", side=lower)


def shoulder_height_difference(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    if ctx.placed("acromion_left", "acromion_right"):
        left, right = ctx.all("acromion_left", "acromion_right")
        what = "acromion line"
    else:
        left, right = ctx.all("left_shoulder", "right_shoulder")
        what = "shoulder-joint line"
    angle = abs(g.tilt_from_horizontal(left.xy, right.xy))
    higher = _higher_side(left, right)
    extras = _height_extras(ctx, abs(left.y - right.y))
    diff = ctx.length_text(abs(left.y - right.y))
    text = "shoulders level" if higher is None else f"{higher} shoulder higher by {angle:.1f}° ({diff})"
    return Measurement(angle, f"{text}; {what}", side=higher, extras=extras)


def _height_extras(ctx: Context, px: float) -> dict[str, Any]:
    try:
        value, unit = ctx.length(px)
    except NotMeasured:
        return {"height_difference_px": round(px, 1)}
    return {"height_difference": round(value, 2), "height_difference_unit": unit}


def pelvic_obliquity(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    bony = ("asis_left", "asis_right"), ("psis_left", "psis_right")
    if ctx.view == "posterior":
        bony = bony[::-1]
    for pair in bony:
        if ctx.placed(*pair):
            left, right = ctx.all(*pair)
            what = f"{pair[0].split('_')[0].upper()} line"
            break
    else:
        left, right = ctx.all("left_hip", "right_hip")
        what = "hip-joint-centre line"
    angle = abs(g.tilt_from_horizontal(left.xy, right.xy))
    higher = _higher_side(left, right)
    diff = ctx.length_text(abs(left.y - right.y))
    text = "pelvis level" if higher is None else f"{higher} side of the pelvis higher by {angle:.1f}° ({diff})"
    return Measurement(angle, f"{text}; {what}", side=higher, extras=_height_extras(ctx, abs(left.y - right.y)))


def _client_side_towards(ctx: Context, dx: float) -> str | None:
    """Which client side lies in screen direction sign(dx)."""
    if dx == 0:
        return None
    left_is_right_on_screen = ctx.medial_dir("left") < 0
    return "left" if (dx > 0) == left_is_right_on_screen else "right"


def trunk_lateral_shift(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    ls, rs, la, ra = ctx.all("left_shoulder", "right_shoulder", "left_ankle", "right_ankle")
    sh_mid = g.midpoint(ls.xy, rs.xy)
    line_x = g.midpoint(la.xy, ra.xy)[0]
    shift = g.offset_from_vertical(sh_mid, line_x)
    towards = _client_side_towards(ctx, shift)
    extras: dict[str, Any] = {}
    width = abs(ls.x - rs.x)
    if width > 0:
        extras["percent_of_shoulder_width"] = round(100.0 * abs(shift) / width, 1)
    if ctx.usable("left_hip") and ctx.usable("right_hip"):
        hip_shift = g.offset_from_vertical(g.midpoint(ctx.lms["left_hip"].xy, ctx.lms["right_hip"].xy), line_x)
        value, unit = ctx.length(abs(hip_shift))
        extras.update(hip_midpoint_offset=round(value, 2), hip_midpoint_offset_unit=unit,
                      hip_midpoint_side=_client_side_towards(ctx, hip_shift))
    text = "shoulder midpoint over the ankle midpoint" if towards is None else (
        f"shoulder midpoint {ctx.length_text(abs(shift))} towards the client's {towards} of the reference line"
        f" ({extras.get('percent_of_shoulder_width', 0):.0f} % of shoulder width)"
    )
    return Measurement(abs(shift), text, side=towards, extras=extras)


def knee_frontal_alignment(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    assert side is not None
    hip, knee, ankle = ctx.all(f"{side}_hip", f"{side}_knee", f"{side}_ankle")
    if abs(hip.y - ankle.y) < 1:
        raise NotMeasured(f"{side} hip and ankle at the same height: the leg is not upright")
    dev = g.deviation_from_straight(hip.xy, knee.xy, ankle.xy)
    medial = g.offset_from_line(knee.xy, hip.xy, ankle.xy) * ctx.medial_dir(side)
    value = dev if medial > 0 else -dev
    kind = "valgus (knee medial of the hip–ankle line)" if value > 0 else "varus (knee lateral of the hip–ankle line)"
    return Measurement(value, f"{side} knee {abs(value):.1f}° {kind}" if dev >= 0.05 else f"{side} hip, knee and ankle in line", side=side)


def foot_progression_angle(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    assert side is not None
    heel, toe = ctx.all(f"{side}_heel", f"{side}_foot_index")
    if "model" in (heel.source, toe.source):
        # Facing the camera, the foot points into the picture: BlazePose's heel and toe points are
        # then a few pixels apart and often swapped, giving confident nonsense (70° seen on a
        # straight-footed client). Only points a therapist has checked are used.
        raise NotMeasured(
            f"the model's {side} heel and toe points are not reliable for foot direction in a frontal "
            "photo; check or move them in the landmark editor to measure it"
        )
    along = abs(toe.y - heel.y)
    lateral = (toe.x - heel.x) * -ctx.medial_dir(side)
    if math.hypot(along, lateral) < 3:
        raise NotMeasured(f"{side} heel and toes are too close together in the photo to give a direction")
    angle = math.degrees(math.atan2(lateral, along))
    kind = "toes out" if angle > 0 else "toes in"
    return Measurement(angle, f"{side} foot {abs(angle):.0f}° {kind} in the image (foreshortened proxy)", side=side)


def q_angle(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    assert side is not None
    asis, patella, tt = ctx.all(f"asis_{side}", f"patella_{side}", f"tibial_tuberosity_{side}")
    q = g.deviation_from_straight(asis.xy, patella.xy, tt.xy)
    note = ""
    if q > 0.5 and asis.y != patella.y:
        lateral = g.offset_from_line(tt.xy, asis.xy, patella.xy) * -ctx.medial_dir(side)
        if lateral < 0:
            note = "; the tuberosity lies medial of the ASIS–patella line (unusual: check the points)"
    return Measurement(q, f"{side} Q-angle {q:.1f}°{note}", side=side)


def rearfoot_angle(ctx: Context, d: MetricDef, side: str | None) -> Measurement:
    assert side is not None
    top, bottom = ctx.all(f"calcaneus_top_{side}", f"calcaneus_bottom_{side}")
    vertical = bottom.y - top.y
    if vertical <= 0:
        raise NotMeasured(f"the {side} heel bisection's top point must be above its bottom point")
    lateral = (bottom.x - top.x) * -ctx.medial_dir(side)
    angle = math.degrees(math.atan2(lateral, vertical))
    kind = "everted (valgus)" if angle > 0 else "inverted (varus)"
    return Measurement(angle, f"{side} heel {abs(angle):.1f}° {kind}", side=side)
