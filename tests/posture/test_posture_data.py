"""The metric catalogue (metrics.yaml) is complete, cited and consistent with the code."""

from __future__ import annotations

from myomap.posture.catalog import TIERS, VIEWS, load_catalog
from myomap.posture.landmarks import ALL_LANDMARKS
from myomap.posture.metrics import COMPUTE
from myomap.posture.protocol import CAPTURE_STEPS, VIEW_INSTRUCTIONS, protocol_text

REQUIRED = {
    "head_tilt", "shoulder_height_difference", "pelvic_obliquity", "trunk_lateral_shift", "knee_frontal_alignment",
    "foot_progression_angle", "q_angle", "rearfoot_angle", "forward_head", "craniovertebral_angle", "neck_inclination",
    "shoulder_protraction", "trunk_lean", "plumb_ear", "plumb_shoulder", "plumb_hip", "plumb_knee",
    "knee_hyperextension", "pelvic_tilt",
}


def test_every_required_metric_is_defined_and_computed() -> None:
    cat = load_catalog()
    assert REQUIRED <= set(cat.metrics)
    assert set(COMPUTE) == set(cat.metrics)


def test_every_metric_is_cited_with_a_threshold_source() -> None:
    cat = load_catalog()
    for m in cat.metrics.values():
        assert m.sources and any(s.id == "posture_research" for s in m.sources), m.id
        assert m.threshold_source.strip(), m.id
        assert m.norm_text.strip(), m.id
        assert m.formula.strip(), m.id
        assert m.tier in TIERS and set(m.views) <= set(VIEWS)
        assert m.unit in ("deg", "cm")
        for s in m.sources:
            assert s.id in cat.references


def test_clinical_metrics_use_only_therapist_points() -> None:
    cat = load_catalog()
    for mid in ("q_angle", "rearfoot_angle", "craniovertebral_angle", "pelvic_tilt"):
        assert cat.metrics[mid].tier == "clinical landmark"


def test_metric_landmark_names_exist() -> None:
    cat = load_catalog()
    for m in cat.metrics.values():
        for name in (*m.landmarks, *m.clinical_landmarks, *m.fallback_landmarks):
            for side in ("left", "right"):
                resolved = name.format(side=side, near=side)
                assert resolved in ALL_LANDMARKS, (m.id, resolved)


def test_capture_protocol_covers_the_four_views() -> None:
    assert [v.view for v in VIEW_INSTRUCTIONS] == list(VIEWS)
    text = protocol_text()
    assert "hip height" in text and "whole body" in text.lower()
    assert len(CAPTURE_STEPS) >= 5
