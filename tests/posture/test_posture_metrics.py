"""Metric maths on synthetic landmark sets with known geometry (no model)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
from posture_helpers import SIZE, anterior_figure, lateral_figure, posterior_figure, therapist, tilt_pair

from myomap.posture import Landmark, MetricResult, Settings, ViewMetrics, compute_metrics, recompute
from myomap.posture.catalog import load_catalog


def by_id(vm: ViewMetrics) -> dict[str, MetricResult]:
    return {m.id: m for m in vm.results}


def measured(m: MetricResult) -> float:
    """The metric's value; fails the test when the metric was not measured."""
    assert m.value is not None, f"{m.id}: {m.reason}"
    return m.value


def test_a_level_figure_is_normal_with_zero_tilts() -> None:
    m = by_id(compute_metrics(anterior_figure(), view="anterior", image_size=SIZE, height_cm=170))
    for mid in ("head_tilt", "shoulder_height_difference", "pelvic_obliquity"):
        assert m[mid].value == pytest.approx(0, abs=1e-6)
        assert m[mid].status == "normal"
        assert m[mid].unit == "deg"
        assert m[mid].source == "pose estimate"
    assert m["trunk_lateral_shift"].value == pytest.approx(0, abs=1e-6)
    assert m["trunk_lateral_shift"].unit == "cm"
    assert m["knee_frontal_alignment_left"].value == pytest.approx(0, abs=1e-6)
    assert m["knee_frontal_alignment_left"].status == "normal"
    # Model heel/toe points facing the camera are not trusted for foot direction ...
    assert m["foot_progression_angle_left"].status == "not measured"
    assert "landmark editor" in m["foot_progression_angle_left"].reason
    # ... points the therapist checked are.
    checked = {k: replace(v, source="therapist") if k.endswith(("heel", "foot_index")) else v
               for k, v in anterior_figure().items()}
    m = by_id(compute_metrics(checked, view="anterior", image_size=SIZE, height_cm=170))
    assert measured(m["foot_progression_angle_left"]) > 0  # toes point outwards
    assert m["foot_progression_angle_left"].status == "normal"


def test_raised_right_shoulder_is_a_deviation_named_right() -> None:
    lms = tilt_pair(anterior_figure(), "left_shoulder", "right_shoulder", 5.0)
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE, height_cm=170))["shoulder_height_difference"]
    assert m.value == pytest.approx(5.0, abs=1e-6)
    assert m.status == "deviation"
    assert m.side == "right"
    assert "right shoulder higher" in m.reason
    assert m.extras["height_difference_unit"] == "cm"
    assert m.extras["height_difference"] > 0


def test_posterior_view_names_the_same_side() -> None:
    front = tilt_pair(anterior_figure(), "left_shoulder", "right_shoulder", 5.0)
    back = {n: Landmark(n, SIZE[0] - lm.x, lm.y, lm.visibility) for n, lm in front.items()}
    m = by_id(compute_metrics(back, view="posterior", image_size=SIZE))["shoulder_height_difference"]
    assert (m.side, m.status) == ("right", "deviation")
    assert m.value == pytest.approx(5.0, abs=1e-6)


def test_head_tilt_and_pelvis_name_the_right_side() -> None:
    lms = tilt_pair(anterior_figure(), "left_eye", "right_eye", 6.0)  # right eye higher: head tilts left
    lms = tilt_pair(lms, "left_hip", "right_hip", 4.0)
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))
    assert (m["head_tilt"].side, m["head_tilt"].status) == ("left", "deviation")
    assert "eye line" in m["head_tilt"].reason
    # Uncertain eyes: the ear line is used instead, and the reason says why.
    lms["left_eye"] = Landmark("left_eye", 310, 140, visibility=0.1)
    lms = tilt_pair(lms, "left_ear", "right_ear", 4.0)
    head = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))["head_tilt"]
    assert head.side == "left" and head.value == pytest.approx(4.0) and "ear line (left eye uncertain" in head.reason
    assert (m["pelvic_obliquity"].side, m["pelvic_obliquity"].status) == ("right", "deviation")


def test_low_visibility_point_means_not_measured() -> None:
    lms = anterior_figure()
    lms["left_shoulder"] = Landmark("left_shoulder", 360, 250, visibility=0.2)
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))["shoulder_height_difference"]
    assert m.status == "not measured"
    assert m.value is None
    assert "left shoulder uncertain" in m.reason
    # The threshold is a setting.
    m2 = by_id(compute_metrics(lms, view="anterior", image_size=SIZE, settings={"visibility_threshold": 0.1}))
    assert m2["shoulder_height_difference"].status == "normal"


def test_point_outside_the_photo_is_not_used() -> None:
    lms = anterior_figure()
    lms["left_ankle"] = Landmark("left_ankle", 336, 1400)
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))
    assert m["trunk_lateral_shift"].status == "not measured"
    assert "outside the photo" in m["trunk_lateral_shift"].reason


def test_coincident_points_are_not_measured_rather_than_an_error() -> None:
    lms = anterior_figure()
    lms["right_shoulder"] = Landmark("right_shoulder", 360, 250, source="therapist")  # dragged onto the left one
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))["shoulder_height_difference"]
    assert m.status == "not measured" and "coincide" in m.reason


def test_clinical_metrics_need_therapist_points() -> None:
    m = by_id(compute_metrics(anterior_figure(), view="anterior", image_size=SIZE))
    assert m["q_angle_left"].status == "not measured"
    assert "left ASIS not placed" in m["q_angle_left"].reason
    assert m["q_angle_left"].source == "clinical landmark"


def test_q_angle_from_therapist_points() -> None:
    lms = anterior_figure()
    # Left leg (image right): ASIS above and lateral, patella, tuberosity straight below the patella.
    lms["asis_left"] = therapist("asis_left", 360, 540)
    lms["patella_left"] = therapist("patella_left", 330, 790)
    lms["tibial_tuberosity_left"] = therapist("tibial_tuberosity_left", 330, 850)
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))["q_angle_left"]
    import math

    assert m.value == pytest.approx(math.degrees(math.atan2(30, 250)), abs=1e-6)
    assert m.status == "normal"
    assert m.source == "clinical landmark"


def test_asis_line_replaces_the_hip_line_and_uses_the_clinical_threshold() -> None:
    lms = anterior_figure()
    lms["asis_left"] = therapist("asis_left", 360, 540)
    lms["asis_right"] = therapist("asis_right", 240, 540 - 120 * 0.0489)  # right side 2.8 deg higher
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))["pelvic_obliquity"]
    assert m.source == "clinical landmark"
    assert m.side == "right"
    assert m.status == "deviation"  # 2.8 > 2.5 (clinical threshold) though < 3 (pose threshold)
    assert "ASIS line" in m.reason


def test_rearfoot_angle_from_heel_bisection() -> None:
    lms = posterior_figure()  # client's left on the image's left
    lms["calcaneus_top_left"] = therapist("calcaneus_top_left", 264, 1030)
    lms["calcaneus_bottom_left"] = therapist("calcaneus_bottom_left", 256, 1070)  # bottom lateral: everted
    m = by_id(compute_metrics(lms, view="posterior", image_size=SIZE))["rearfoot_angle_left"]
    assert m.value == pytest.approx(11.3, abs=0.1) and m.status == "deviation"  # beyond 8.8 deg everted
    assert "everted" in m.reason
    lms["calcaneus_bottom_left"] = therapist("calcaneus_bottom_left", 260, 1070)
    m = by_id(compute_metrics(lms, view="posterior", image_size=SIZE))["rearfoot_angle_left"]
    assert m.value == pytest.approx(5.7, abs=0.1) and m.status == "normal"  # near Sobel's healthy mean


def test_knee_valgus_is_positive() -> None:
    lms = anterior_figure()
    lms["left_knee"] = Landmark("left_knee", 320, 800)  # left knee moved towards the midline
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))["knee_frontal_alignment_left"]
    assert measured(m) > 5 and m.status == "deviation"
    assert "valgus" in m.reason


def test_distances_without_height_are_percent_of_body_height() -> None:
    lms = anterior_figure()
    lms = {**lms, "left_shoulder": Landmark("left_shoulder", 400, 250), "right_shoulder": Landmark("right_shoulder", 280, 250)}
    with_h = by_id(compute_metrics(lms, view="anterior", image_size=SIZE, height_cm=170))["trunk_lateral_shift"]
    without = by_id(compute_metrics(lms, view="anterior", image_size=SIZE))["trunk_lateral_shift"]
    assert with_h.unit == "cm" and without.unit == "% of body height"
    assert with_h.side == "left"  # shoulders moved to the image's right = the client's left
    assert with_h.value == pytest.approx(measured(without) * 1.7, rel=1e-6)
    assert with_h.status == without.status == "deviation"
    assert with_h.extras["percent_of_shoulder_width"] == pytest.approx(100 * 40 / 120, abs=0.1)


def test_thresholds_are_overridable() -> None:
    lms = tilt_pair(anterior_figure(), "left_shoulder", "right_shoulder", 5.0)
    m = by_id(compute_metrics(lms, view="anterior", image_size=SIZE, settings={"thresholds": {"shoulder_height_difference": 6}}))
    assert m["shoulder_height_difference"].status == "normal"
    assert m["shoulder_height_difference"].threshold == "±6°"


def test_lateral_view_metrics_and_facing_direction() -> None:
    lms = lateral_figure("left")
    m = by_id(compute_metrics(lms, view="left", image_size=SIZE, height_cm=170))
    # Ear 10 px in front of the shoulder (the client faces the image's left).
    assert measured(m["forward_head"]) > 0
    assert m["forward_head"].unit == "cm"
    assert m["forward_head"].side == "left"
    assert measured(m["neck_inclination"]) > 0
    assert m["craniovertebral_angle"].status == "not measured"
    assert "tragus not placed" in m["craniovertebral_angle"].reason
    right = by_id(compute_metrics(lateral_figure("right"), view="right", image_size=SIZE, height_cm=170))
    for mid in ("forward_head", "neck_inclination", "trunk_lean", "plumb_ear", "plumb_hip", "knee_hyperextension"):
        assert right[mid].value == pytest.approx(m[mid].value, abs=1e-6), mid


def test_cva_from_tragus_and_c7() -> None:
    lms = lateral_figure("left")
    lms["c7"] = therapist("c7", 320, 222)
    lms["tragus"] = therapist("tragus", 250, 152)
    m = by_id(compute_metrics(lms, view="left", image_size=SIZE))["craniovertebral_angle"]
    assert m.value == pytest.approx(45.0, abs=1e-6)
    assert m.status == "deviation"  # below the 45.5 deg cut-off
    assert m.source == "clinical landmark"
    lms["tragus"] = therapist("tragus", 250, 130)
    assert by_id(compute_metrics(lms, view="left", image_size=SIZE))["craniovertebral_angle"].status == "normal"


def test_knee_hyperextension_sign_uses_the_facing_direction() -> None:
    lms = lateral_figure("left")
    lms["left_hip"] = Landmark("left_hip", 300, 560)
    lms["left_ankle"] = Landmark("left_ankle", 300, 1040)
    lms["left_knee"] = Landmark("left_knee", 315, 800)  # behind the line (the client faces -x)
    m = by_id(compute_metrics(lms, view="left", image_size=SIZE))["knee_hyperextension"]
    assert measured(m) > 5 and m.status == "deviation"
    assert "hyperextended" in m.reason
    lms["left_knee"] = Landmark("left_knee", 290, 800)  # in front: flexed
    assert measured(by_id(compute_metrics(lms, view="left", image_size=SIZE))["knee_hyperextension"]) < 0


def test_pelvic_tilt_from_asis_and_psis() -> None:
    lms = lateral_figure("left")
    lms["asis_left"] = therapist("asis_left", 270, 560)
    lms["psis_left"] = therapist("psis_left", 330, 525)
    m = by_id(compute_metrics(lms, view="left", image_size=SIZE))["pelvic_tilt"]
    assert m.value == pytest.approx(30.26, abs=0.05)
    assert m.status == "deviation" and "anterior" in m.reason


def test_view_sanity_warnings() -> None:
    frontal_as_lateral = compute_metrics(anterior_figure(), view="left", image_size=SIZE)
    assert any("looks like a front or back photo" in w for w in frontal_as_lateral.warnings)
    lateral_as_frontal = compute_metrics(lateral_figure("left"), view="anterior", image_size=SIZE)
    assert any("looks like a side view" in w for w in lateral_as_frontal.warnings)
    wrong_side = compute_metrics(lateral_figure("left"), view="right", image_size=SIZE)
    assert any("does not match a right view" in w for w in wrong_side.warnings)
    swapped = compute_metrics(anterior_figure(), view="posterior", image_size=SIZE)
    assert any("swapped" in w for w in swapped.warnings)
    assert compute_metrics(anterior_figure(), view="anterior", image_size=SIZE).warnings == ()


def test_recompute_from_the_editors_json_gives_the_json_shape() -> None:
    """The landmark editor sends points in their JSON form (its speed: bench/posture_bench.py)."""
    lms = {n: lm.to_dict() for n, lm in tilt_pair(anterior_figure(), "left_shoulder", "right_shoulder", 5.0).items()}
    lms["asis_left"] = {"x": 360, "y": 540, "source": "therapist"}
    out = recompute(lms, view="anterior", image_size=SIZE, height_cm=170).to_json()
    assert set(out) == {"view", "landmarks", "metrics", "patterns"}
    assert out["landmarks"]["asis_left"]["source"] == "therapist"
    for m in out["metrics"]:
        assert {"id", "name", "value", "unit", "status", "reason", "source"} <= set(m)
        assert m["status"] in ("normal", "deviation", "not measured")
        assert m["source"] in ("pose estimate", "clinical landmark")
    assert [p["id"] for p in out["patterns"]] == ["elevated_shoulder"]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="view must be"):
        compute_metrics(anterior_figure(), view="side", image_size=SIZE)
    with pytest.raises(ValueError, match="height_cm"):
        compute_metrics(anterior_figure(), view="anterior", image_size=SIZE, height_cm=17)
    with pytest.raises(ValueError, match="unknown landmark"):
        Landmark("elbow", 1, 1)
    with pytest.raises(ValueError, match="unknown posture settings"):
        Settings.coerce({"visibility": 0.3})


# ---- norms reviewed against their sources (issue #7) -------------------------------------------------


def _q_angle_figure(q_deg: float) -> dict[str, Landmark]:
    lms = dict(anterior_figure())
    # Right leg (image left): ASIS above the patella, the tuberosity turned laterally by q_deg.
    lms["asis_right"] = therapist("asis_right", 262, 560)
    lms["patella_right"] = therapist("patella_right", 262, 800)
    dx = 100 * math.tan(math.radians(q_deg))
    lms["tibial_tuberosity_right"] = therapist("tibial_tuberosity_right", 262 - dx, 900)
    return lms


def test_the_q_angle_norm_follows_the_clients_sex() -> None:
    lms = _q_angle_figure(18.5)
    unknown = compute_metrics(lms, view="anterior", image_size=SIZE).by_id()["q_angle_right"]
    male = compute_metrics(lms, view="anterior", image_size=SIZE, sex="male").by_id()["q_angle_right"]
    female = compute_metrics(lms, view="anterior", image_size=SIZE, sex="female").by_id()["q_angle_right"]
    assert unknown.value == pytest.approx(18.5, abs=0.05)
    assert (female.status, unknown.status, male.status) == ("normal", "normal", "deviation")
    assert "men 14 ± 3°" in male.threshold_source and "women 17 ± 3°" in female.threshold_source
    with pytest.raises(ValueError, match="sex must be one of female, male"):
        unchecked: Any = "other"  # as a caller outside the type checker might pass it
        compute_metrics(lms, view="anterior", image_size=SIZE, sex=unchecked)


def test_the_healthy_mean_rearfoot_eversion_of_its_source_is_within_the_normal_range() -> None:
    d = load_catalog().metrics["rearfoot_angle"]
    assert not d.threshold.is_deviation(6.07)  # Sobel 1999 healthy adults: 6.07 ± 2.7° everted
    assert d.threshold.is_deviation(6.07 + 2 * 2.7)
    assert d.threshold_source.startswith("clinic setting")


def test_norms_without_a_fitting_source_say_they_are_clinic_settings() -> None:
    catalog = load_catalog().metrics
    assert catalog["trunk_lateral_shift"].threshold_source.startswith("clinic setting")
    cva = catalog["craniovertebral_angle"]
    assert "moderate-to-severe" in cva.threshold_source and "mild" in cva.threshold_source
    assert cva.threshold.is_deviation(45.0) and not cva.threshold.is_deviation(47.0)


def test_a_signed_value_is_shown_one_way_with_the_word_for_its_sign() -> None:
    """'4.2° ± 0.5° varus', never '-4.2°' beside a reason saying varus (issue #9)."""
    from myomap.posture.metrics import value_text

    assert value_text("knee_frontal_alignment_left", -73.84, "deg", 0.46) == "73.8° ± 0.5° varus"
    assert value_text("knee_frontal_alignment", 3.0, "deg") == "3.0° valgus"
    assert value_text("plumb_ear", -2.14, "cm", 0.3) == "2.1 ± 0.3 cm behind"
    assert value_text("head_tilt", 4.0, "deg") == "4.0°"  # a size with a side: no word
    assert value_text("trunk_lean", -0.01, "deg") == "0.0°"  # no direction on zero
    assert value_text("q_angle_left", None, "deg") == "—"
    lms = anterior_figure()
    lms["left_knee"] = replace(lms["left_knee"], x=lms["left_knee"].x + 40)  # knee out: varus on the client's left
    knee = recompute(lms, view="anterior", image_size=SIZE).metric("knee_frontal_alignment_left")
    assert knee.value is not None and knee.value < 0 and "-" not in knee.value_text and knee.value_text.endswith("varus")
    assert knee.to_dict()["value_text"] == knee.value_text


def test_every_landmark_has_a_label_in_a_therapists_words() -> None:
    from myomap.posture.landmarks import ALL_LANDMARKS, landmark_label

    assert landmark_label("asis_left") == "Left ASIS" and landmark_label("c7") == "C7"
    assert landmark_label("calcaneus_top_right") == "Right heel bisection, top"
    for name in ALL_LANDMARKS:
        label = landmark_label(name)
        assert "_" not in label and label[0].isupper(), label
    assert len({landmark_label(n) for n in ALL_LANDMARKS}) == len(ALL_LANDMARKS)
