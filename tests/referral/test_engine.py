"""Referral ranking on a small, hand-made atlas, so each rule of the model is checked alone."""

import pytest

from myomap.atlas.regions import UnknownRegionError, load_atlas
from myomap.knowledge.library import Knowledge, load_knowledge
from myomap.knowledge.schema import Muscle
from myomap.referral import EmptyDrawingError, PainMark, Priors, rank_muscles


def muscle(mid, essential, spillover=(), tp_region="top_of_shoulder", conditions=()):
    return Muscle.model_validate(
        {
            "id": mid, "name": mid.replace("_", " ").title(), "area": "neck",
            "attachments": "a to b", "action": "moves", "innervation": "a nerve",
            "trigger_points": [{"id": "tp1", "location": "in the belly", "region": tp_region}],
            "essential_zones": list(essential), "spillover_zones": list(spillover),
            "conditions": list(conditions),
            "palpation": {"position": "supine", "technique": "flat", "direction": "down"},
            "self_care": "stretch it", "sources": [{"source": "ts1", "locator": "ch. 1"}],
        }
    )


def knowledge(*muscles):
    real = load_knowledge()
    return Knowledge(load_atlas(), real.sources, real.conditions, real.sites, {m.id: m for m in muscles})


KB = knowledge(
    muscle("alpha", ["temple", "posterior_neck"], ["eye"], conditions=["tension_headache"]),
    muscle("beta", ["eye"]),
    muscle("gamma", ["sacrum"], tp_region="lumbar_paraspinal"),
    muscle("delta", [{"region": "forehead", "side": "bilateral"}]),
    muscle("crossed", [{"region": "cheek", "side": "contralateral"}]),
    *(muscle(f"shared_{i}", ["lumbar_paraspinal"], tp_region="iliac_crest") for i in range(6)),
    muscle("specific", ["coccyx", "lumbar_paraspinal"], tp_region="iliac_crest"),
)


def rank(*marks, priors=None, kb=KB):
    return rank_muscles([PainMark(r, i) for r, i in marks], priors, knowledge=kb)


def test_it_ranks_the_muscle_whose_essential_zones_match_on_the_painful_side():
    top = rank(("temple.right", 7), ("posterior_neck.right", 4)).candidates[0]
    assert (top.muscle, top.side) == ("alpha", "right")
    assert top.essential == ("temple.right", "posterior_neck.right")
    assert any("essential referral zone covers Temple (right)" in r for r in top.reasons)


def test_essential_zones_count_for_more_than_spillover():
    ranking = rank(("eye.left", 6))
    order = [c.muscle for c in ranking.candidates]
    assert order.index("beta") < order.index("alpha")
    alpha = next(c for c in ranking.candidates if c.muscle == "alpha")
    assert alpha.spillover == ("eye.left",)
    assert any("not drawn" in r for r in alpha.reasons)  # temple and neck are missing


def test_specific_zones_count_for_more_than_zones_many_muscles_share():
    ranking = rank(("lumbar_paraspinal.left", 5), ("coccyx", 5))
    assert ranking.candidates[0].muscle == "specific"


def test_referral_is_ipsilateral_unless_the_data_says_otherwise():
    assert rank(("temple.left", 5)).candidates[0].side == "left"
    crossed = rank(("cheek.right", 5)).candidates[0]
    assert (crossed.muscle, crossed.side) == ("crossed", "left")  # trigger point on the other side
    both = rank(("forehead.left", 5), ("forehead.right", 5)).candidates[0]
    assert both.muscle == "delta" and set(both.essential) == {"forehead.left", "forehead.right"}


def test_pain_on_both_sides_is_explained_by_both_sides_of_one_muscle():
    top = rank(("temple.left", 5), ("temple.right", 5), ("posterior_neck.left", 5)).candidates[0]
    assert (top.muscle, top.side) == ("alpha", "both")


def test_midline_pain_takes_either_side():
    top = rank(("sacrum", 6)).candidates[0]
    assert (top.muscle, top.side) == ("gamma", "either")


def test_local_pain_at_a_trigger_point_alone_proposes_nothing():
    ranking = rank(("top_of_shoulder.left", 8), ("temple.left", 3))
    alpha = next(c for c in ranking.candidates if c.muscle == "alpha")
    assert alpha.local == ("top_of_shoulder.left",)
    assert "top_of_shoulder.left" not in alpha.explains
    assert ranking.unexplained == ("top_of_shoulder.left",)


def test_the_cover_is_the_smallest_set_and_lists_what_nothing_explains():
    ranking = rank(("temple.right", 5), ("sacrum", 5), ("heel.left", 4))
    assert sorted(ranking.cover) == ["alpha", "gamma"]
    assert ranking.unexplained == ("heel.left",)


def test_priors_reorder_candidates_and_say_why_but_never_invent_one():
    plain = rank(("eye.left", 6))
    boosted = rank(("eye.left", 6), priors=Priors(conditions=frozenset({"tension_headache"}),
                                                  findings={"alpha": (1.0, "forward head posture")}))
    score = {c.muscle: c.score for c in plain.candidates}
    alpha = next(c for c in boosted.candidates if c.muscle == "alpha")
    assert alpha.score > score["alpha"]
    assert any("Tension-type headache" in r for r in alpha.reasons)
    assert any("forward head posture" in r for r in alpha.reasons)
    only_prior = rank(("eye.left", 6), priors=Priors(findings={"gamma": (1.0, "sway back")}))
    assert "gamma" not in [c.muscle for c in only_prior.candidates]


def test_ranking_is_deterministic():
    marks = (("lumbar_paraspinal.right", 5),)
    first, second = rank(*marks), rank(*marks)
    assert first == second
    shared = [c.muscle for c in first.candidates if c.muscle.startswith("shared_")]
    assert shared == sorted(shared)


def test_an_empty_drawing_is_an_error_not_an_empty_ranking():
    with pytest.raises(EmptyDrawingError, match="empty"):
        rank()
    with pytest.raises(EmptyDrawingError):
        rank(("temple.left", 0))


def test_bad_input_is_rejected_clearly():
    with pytest.raises(UnknownRegionError, match="did you mean"):
        rank(("tempel.left", 5))
    with pytest.raises(ValueError, match="between 0 and 10"):
        rank(("temple.left", 11))


def test_json_shape_matches_the_documented_contract():
    data = rank(("temple.right", 7)).to_json(top=2)
    assert set(data) == {"candidates", "cover", "unexplained"}
    first = data["candidates"][0]
    assert {"muscle", "name", "score", "explains", "essential", "spillover", "reasons"} <= set(first)
