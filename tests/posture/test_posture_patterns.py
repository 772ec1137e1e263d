"""Pattern detection from synthetic metric results, and the pattern data's integrity."""

from __future__ import annotations

from collections.abc import Iterable

from posture_helpers import SIZE, anterior_figure, lateral_figure, therapist, tilt_pair

from myomap.posture import MetricResult, Pattern, compute_metrics, detect_patterns, load_patterns
from myomap.posture.catalog import load_catalog
from myomap.posture.metrics import Status

# The muscle ids Myomap's knowledge base defines (project brief); patterns may use only these.
MUSCLE_IDS = set(
    """upper_trapezius middle_trapezius lower_trapezius sternocleidomastoid splenius_capitis semispinalis_capitis
    rectus_capitis_posterior_major rectus_capitis_posterior_minor obliquus_capitis_inferior obliquus_capitis_superior
    longus_colli longus_capitis levator_scapulae anterior_scalene middle_scalene posterior_scalene pectoralis_major
    pectoralis_minor serratus_anterior rhomboid_major rhomboid_minor latissimus_dorsi subscapularis infraspinatus
    teres_minor iliocostalis_lumborum longissimus_thoracis lumbar_multifidi rectus_abdominis external_oblique
    internal_oblique transversus_abdominis quadratus_lumborum psoas_major iliacus gluteus_maximus gluteus_medius
    gluteus_minimus piriformis tensor_fasciae_latae rectus_femoris vastus_medialis vastus_lateralis adductor_longus
    adductor_magnus biceps_femoris semitendinosus semimembranosus popliteus gastrocnemius soleus tibialis_anterior
    tibialis_posterior fibularis_longus""".split()
)


def mr(base_id: str, value: float | None, status: Status, side: str | None = None, view: str = "anterior") -> MetricResult:
    d = load_catalog().metrics[base_id]
    result_id = f"{base_id}_{side}" if d.per_side and side else base_id
    return MetricResult(
        id=result_id, name=d.name, value=value, unit=d.unit, status=status, reason="synthetic", source=d.tier,
        side=side, base_id=base_id, view=view, threshold=d.threshold.describe(d.unit),
    )


def ids(patterns: Iterable[Pattern]) -> list[str]:
    return [p.id for p in patterns]


def test_every_muscle_id_in_patterns_is_a_known_muscle() -> None:
    for p in load_patterns():
        unknown = p.muscle_ids() - MUSCLE_IDS
        assert not unknown, f"{p.id}: unknown muscle ids {sorted(unknown)}"


def test_pattern_sources_are_cited() -> None:
    for p in load_patterns():
        assert p.sources, p.id
        assert {s["id"] for s in p.sources} <= {"janda", "kendall", "posture_research"}


def test_normal_results_give_no_pattern() -> None:
    results = [mr("shoulder_height_difference", 0.5, "normal", "left"), mr("head_tilt", 1.0, "normal", "right")]
    assert detect_patterns({"anterior": results}) == []


def test_elevated_shoulder_names_the_side_and_its_muscles() -> None:
    [p] = detect_patterns({"anterior": [mr("shoulder_height_difference", 4.0, "deviation", "right")]})
    assert (p.id, p.side, p.kind) == ("elevated_shoulder", "right", "pattern")
    assert ("upper_trapezius", "right") in [(m.muscle, m.side) for m in p.shortened]
    assert "Shoulder height difference 4.0°" in p.reasons[0]
    assert p.views == ("anterior",)


def test_lateral_pelvic_tilt_puts_opposite_side_muscles_on_the_other_side() -> None:
    [p] = detect_patterns({"posterior": [mr("pelvic_obliquity", 4.0, "deviation", "left")]})
    assert p.id == "lateral_pelvic_tilt" and p.side == "left"
    shortened = {(m.muscle, m.side) for m in p.shortened}
    assert ("quadratus_lumborum", "left") in shortened
    assert ("tensor_fasciae_latae", "right") in shortened


def test_views_disagreeing_on_the_side_are_reported() -> None:
    found = detect_patterns({
        "anterior": [mr("shoulder_height_difference", 3.0, "deviation", "right")],
        "posterior": [mr("shoulder_height_difference", 3.0, "deviation", "left", view="posterior")],
    })
    [p] = [p for p in found if p.id == "elevated_shoulder"]
    assert p.side == "both"
    assert "disagree" in p.note


def test_upper_crossed_combines_two_lateral_views() -> None:
    results = {
        "left": [mr("forward_head", 6.0, "deviation", "left", view="left")],
        "right": [mr("shoulder_protraction", 5.0, "deviation", "right", view="right")],
    }
    found = detect_patterns(results)
    assert ids(found) == ["forward_head", "upper_crossed"]
    upper = found[1]
    assert set(upper.views) == {"left", "right"}
    assert len(upper.reasons) == 2
    assert {"pectoralis_minor", "upper_trapezius"} <= {m.muscle for m in upper.shortened}
    assert {"longus_colli", "lower_trapezius", "serratus_anterior"} <= {m.muscle for m in upper.lengthened}


def test_forward_head_alone_is_not_upper_crossed() -> None:
    found = detect_patterns({"left": [mr("forward_head", 6.0, "deviation", "left", view="left"),
                                      mr("shoulder_protraction", 1.0, "normal", "left", view="left")]})
    assert ids(found) == ["forward_head"]


def test_backward_forward_head_offset_does_not_trigger() -> None:
    assert detect_patterns({"left": [mr("forward_head", -4.0, "deviation", "left", view="left")]}) == []


def test_scoliosis_screen_is_a_referral_flag_not_a_diagnosis() -> None:
    found = detect_patterns({"posterior": [
        mr("shoulder_height_difference", 3.0, "deviation", "right", view="posterior"),
        mr("pelvic_obliquity", 4.0, "deviation", "left", view="posterior"),
    ]})
    [flag] = [p for p in found if p.id == "scoliosis_screen"]
    assert flag.kind == "referral"
    assert "consider referral for examination" in flag.note
    assert "not a diagnosis" in flag.note
    assert flag.shortened == () and flag.lengthened == ()
    # Same-side shoulder and pelvis do not raise the flag on their own.
    same = detect_patterns({"posterior": [
        mr("shoulder_height_difference", 3.0, "deviation", "right", view="posterior"),
        mr("pelvic_obliquity", 4.0, "deviation", "right", view="posterior"),
    ]})
    assert "scoliosis_screen" not in ids(same)


def test_bilateral_knee_valgus_is_both() -> None:
    [p] = detect_patterns({"anterior": [
        mr("knee_frontal_alignment", 8.0, "deviation", "left"),
        mr("knee_frontal_alignment", 7.0, "deviation", "right"),
    ]})
    assert (p.id, p.side) == ("knee_valgus", "both")
    assert all(m.side is None for m in p.shortened)


def test_sway_back_and_lower_crossed_from_a_lateral_view_with_therapist_points() -> None:
    lms = lateral_figure("left")
    lms["asis_left"] = therapist("asis_left", 270, 560)  # 30 deg anterior tilt
    lms["psis_left"] = therapist("psis_left", 330, 525)
    vm = compute_metrics(lms, view="left", image_size=SIZE)
    assert "lower_crossed" in ids(detect_patterns({"left": vm}))
    # Posterior tilt with the pelvis forward of the reference line: sway-back, not flat-back.
    lms["asis_left"] = therapist("asis_left", 270, 520)
    lms["psis_left"] = therapist("psis_left", 330, 540)
    lms["left_hip"] = lms["left_hip"].__class__("left_hip", 200, 560)
    found = ids(detect_patterns({"left": compute_metrics(lms, view="left", image_size=SIZE, height_cm=170)}))
    assert "sway_back" in found and "flat_back" not in found


def test_pattern_json() -> None:
    [p] = detect_patterns([mr("shoulder_height_difference", 4.0, "deviation", "left")])
    out = p.to_dict()
    assert set(out) >= {"id", "name", "kind", "side", "reasons", "shortened", "lengthened", "sources", "note"}
    assert out["shortened"][0] == {"muscle": "upper_trapezius", "side": "left"}


def test_a_right_elevated_shoulder_measured_from_landmarks_names_the_right_muscles_in_the_json() -> None:
    # tilt_pair raises the client's right point; in an anterior view that is the image's left.
    lms = tilt_pair(anterior_figure(), "left_shoulder", "right_shoulder", 6.0)
    vm = compute_metrics(lms, view="anterior", image_size=SIZE)
    shoulder = vm.by_id()["shoulder_height_difference"]
    assert (shoulder.status, shoulder.side) == ("deviation", "right")
    [p] = [p.to_dict() for p in detect_patterns({"anterior": vm}) if p.id == "elevated_shoulder"]
    assert p["side"] == "right"
    assert {"muscle": "upper_trapezius", "side": "right"} in p["shortened"]
    assert {"muscle": "levator_scapulae", "side": "right"} in p["shortened"]
    assert {"muscle": "lower_trapezius", "side": "right"} in p["lengthened"]
    assert all(m["side"] == "right" for m in p["shortened"] + p["lengthened"])


def test_a_midline_pattern_gives_no_side_to_its_muscles() -> None:
    [p] = detect_patterns({"left": [mr("forward_head", 6.0, "deviation", "left", view="left")]})
    assert p.id == "forward_head"
    assert all(m["side"] is None for m in p.to_dict()["shortened"] + p.to_dict()["lengthened"])
