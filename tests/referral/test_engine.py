"""Referral ranking on a small, hand-made atlas, so each rule of the model is checked alone."""

from collections.abc import Iterable

import pytest

from myomap.atlas.regions import UnknownRegionError, load_atlas
from myomap.knowledge.library import Knowledge, load_knowledge
from myomap.knowledge.schema import Muscle
from myomap.referral import EmptyDrawingError, PainMark, Priors, Ranking, rank_muscles


def muscle(
    mid: str,
    essential: Iterable[str | dict[str, str]],
    spillover: Iterable[str | dict[str, str]] = (),
    tp_region: str = "top_of_shoulder",
    conditions: Iterable[str] = (),
) -> Muscle:
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


def knowledge(*muscles: Muscle) -> Knowledge:
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


def rank(*marks: tuple[str, float], priors: Priors | None = None, kb: Knowledge = KB) -> Ranking:
    return rank_muscles([PainMark(r, i) for r, i in marks], priors, knowledge=kb)


def test_it_ranks_the_muscle_whose_essential_zones_match_on_the_painful_side() -> None:
    top = rank(("temple.right", 7), ("posterior_neck.right", 4)).candidates[0]
    assert (top.muscle, top.side) == ("alpha", "right")
    assert top.essential == ("temple.right", "posterior_neck.right")
    assert any("essential referral zone covers Temple, right" in r for r in top.reasons)


def test_essential_zones_count_for_more_than_spillover() -> None:
    ranking = rank(("eye.left", 6))
    order = [c.muscle for c in ranking.candidates]
    assert order.index("beta") < order.index("alpha")
    alpha = next(c for c in ranking.candidates if c.muscle == "alpha")
    assert alpha.spillover == ("eye.left",)
    assert any("not drawn" in r for r in alpha.reasons)  # temple and neck are missing


def test_specific_zones_count_for_more_than_zones_many_muscles_share() -> None:
    ranking = rank(("lumbar_paraspinal.left", 5), ("coccyx", 5))
    assert ranking.candidates[0].muscle == "specific"


def test_referral_is_ipsilateral_unless_the_data_says_otherwise() -> None:
    assert rank(("temple.left", 5)).candidates[0].side == "left"
    crossed = rank(("cheek.right", 5)).candidates[0]
    assert (crossed.muscle, crossed.side) == ("crossed", "left")  # trigger point on the other side
    both = rank(("forehead.left", 5), ("forehead.right", 5)).candidates[0]
    assert both.muscle == "delta" and set(both.essential) == {"forehead.left", "forehead.right"}


def test_pain_on_both_sides_is_explained_by_both_sides_of_one_muscle() -> None:
    top = rank(("temple.left", 5), ("temple.right", 5), ("posterior_neck.left", 5)).candidates[0]
    assert (top.muscle, top.side) == ("alpha", "both")


def test_midline_pain_takes_either_side() -> None:
    top = rank(("sacrum", 6)).candidates[0]
    assert (top.muscle, top.side) == ("gamma", "either")


def test_local_pain_at_a_trigger_point_alone_proposes_nothing() -> None:
    ranking = rank(("top_of_shoulder.left", 8), ("temple.left", 3))
    alpha = next(c for c in ranking.candidates if c.muscle == "alpha")
    assert alpha.local == ("top_of_shoulder.left",)
    assert "top_of_shoulder.left" not in alpha.explains
    assert ranking.unexplained == ("top_of_shoulder.left",)


def test_the_cover_is_the_smallest_set_and_lists_what_nothing_explains() -> None:
    ranking = rank(("temple.right", 5), ("sacrum", 5), ("heel.left", 4))
    assert sorted(ranking.cover) == ["alpha", "gamma"]
    assert ranking.unexplained == ("heel.left",)


def test_priors_reorder_candidates_and_say_why_but_never_invent_one() -> None:
    plain = rank(("eye.left", 6))
    boosted = rank(("eye.left", 6), priors=Priors(conditions=frozenset({"tension_headache"}),
                                                  findings={("alpha", None): (1.0, "forward head posture")}))
    score = {c.muscle: c.score for c in plain.candidates}
    alpha = next(c for c in boosted.candidates if c.muscle == "alpha")
    assert alpha.score > score["alpha"]
    assert any("Tension-type headache" in r for r in alpha.reasons)
    assert any("forward head posture" in r for r in alpha.reasons)
    only_prior = rank(("eye.left", 6), priors=Priors(findings={("gamma", None): (1.0, "sway back")}))
    assert "gamma" not in [c.muscle for c in only_prior.candidates]


def test_ranking_is_deterministic() -> None:
    marks = (("lumbar_paraspinal.right", 5),)
    first, second = rank(*marks), rank(*marks)
    assert first == second


def test_muscles_with_the_same_pattern_are_one_row_not_an_order_by_id() -> None:
    ranking = rank(("lumbar_paraspinal.right", 5))
    row = next(g for g in ranking.groups if any(c.muscle == "shared_0" for c in g.members))
    assert [c.muscle for c in row.members] == [f"shared_{i}" for i in range(6)]
    assert row.name == "Shared 0, Shared 1, Shared 2, Shared 3, Shared 4, Shared 5 (same referral pattern)"
    assert all(c.group == row.name for c in row.members)
    groups = ranking.to_json(top=1)["groups"]
    assert isinstance(groups, list)
    assert groups[0]["members"] == [c.muscle for c in ranking.groups[0].members]


def test_an_empty_drawing_is_an_error_not_an_empty_ranking() -> None:
    with pytest.raises(EmptyDrawingError, match="empty"):
        rank()
    with pytest.raises(EmptyDrawingError):
        rank(("temple.left", 0))


def test_bad_input_is_rejected_clearly() -> None:
    with pytest.raises(UnknownRegionError, match="did you mean"):
        rank(("tempel.left", 5))
    with pytest.raises(ValueError, match="between 0 and 10"):
        rank(("temple.left", 11))


def test_json_shape_matches_the_documented_contract() -> None:
    data = rank(("temple.right", 7)).to_json(top=2)
    assert set(data) == {"candidates", "groups", "cover", "unexplained", "symmetric", "entrapments"}
    candidates = data["candidates"]
    assert isinstance(candidates, list)
    first = candidates[0]
    assert {"muscle", "name", "score", "explains", "essential", "spillover", "reasons", "division",
            "trigger_points", "group", "nearby"} <= set(first)


def test_the_worst_region_outweighs_a_faint_one_on_the_real_atlas() -> None:
    """A 10/10 temple with a 1/10 upper back: muscles chosen for the temple come first."""
    ranking = rank_muscles([PainMark("temple.right", 10), PainMark("interscapular.right", 1),
                            PainMark("upper_thoracic_paraspinal.right", 1)])
    for c in ranking.candidates[:3]:
        assert "temple.right" in c.explains, (c.muscle, c.explains)
    faint_first = rank_muscles([PainMark("temple.right", 1), PainMark("interscapular.right", 10),
                                PainMark("upper_thoracic_paraspinal.right", 10)])
    assert "temple.right" not in faint_first.candidates[0].explains


def test_symmetric_pain_gives_both_sides_never_an_arbitrary_one() -> None:
    ranking = rank(("forehead.left", 5), ("forehead.right", 5))
    assert ranking.symmetric
    assert all(c.side in ("both", "either") for c in ranking.candidates)
    real = rank_muscles([PainMark("temple.left", 6), PainMark("temple.right", 6)])
    assert real.symmetric and {c.side for c in real.candidates} <= {"both", "either"}
    lopsided = rank(("forehead.left", 5), ("temple.left", 5))
    delta = next(c for c in lopsided.candidates if c.muscle == "delta")
    assert not lopsided.symmetric and delta.side == "both"  # a bilateral zone: either side fits as well


def test_midline_low_back_pain_brings_muscles_referring_beside_the_spine() -> None:
    ranking = rank_muscles([PainMark("lumbar_spine", 6)])
    by_id = {c.muscle: c for c in ranking.candidates}
    ql = by_id["quadratus_lumborum"]
    assert ql.side == "both" and "sacroiliac.left" in ql.nearby and "sacroiliac.right" in ql.nearby
    assert any("beside the midline pain at Lumbar spine" in r for r in ql.reasons)
    assert "sacroiliac.left" not in ranking.unexplained and ranking.unexplained in ((), ("lumbar_spine",))
    assert not any(c.nearby for c in rank_muscles([PainMark("heel.left", 6)]).candidates)


def test_the_scalenes_tie_and_are_shown_as_one_named_group() -> None:
    ranking = rank_muscles([PainMark("pectoral.left", 6), PainMark("interscapular.left", 5),
                            PainMark("anterior_arm.left", 4), PainMark("radial_forearm.left", 4)])
    row = next(g for g in ranking.groups if any(c.muscle == "anterior_scalene" for c in g.members))
    assert {c.muscle for c in row.members} == {"anterior_scalene", "middle_scalene", "posterior_scalene"}
    assert row.name.startswith("Scalenes: ")
    assert ranking.label("middle_scalene") == row.name


def test_side_aware_findings_raise_only_that_side() -> None:
    priors = Priors(findings={("alpha", "right"): (1.0, "right shoulder elevated")})
    left = next(c for c in rank(("temple.left", 6), priors=priors).candidates if c.muscle == "alpha")
    right = next(c for c in rank(("temple.right", 6), priors=priors).candidates if c.muscle == "alpha")
    assert right.score > left.score
    assert not any("shoulder" in r for r in left.reasons)


def test_the_best_trigger_point_pattern_is_named_and_drawn() -> None:
    """SCM: the clavicular division refers to the forehead and ear, the sternal to the face."""
    from myomap.referral import referral_map

    ranking = rank_muscles([PainMark("forehead.left", 6), PainMark("forehead.right", 6), PainMark("ear.right", 5)])
    scm = next(c for c in ranking.candidates if c.muscle == "sternocleidomastoid")
    assert scm.division == "clavicular division" and scm.trigger_points == ("clavicular",)
    assert any("clavicular division pattern" in r for r in scm.reasons)
    face = rank_muscles([PainMark("cheek.left", 6), PainMark("eye.left", 5), PainMark("occiput.left", 3)])
    assert next(c for c in face.candidates if c.muscle == "sternocleidomastoid").division == "sternal division"
    clavicular = referral_map("sternocleidomastoid", "right", "clavicular division")
    whole = referral_map("sternocleidomastoid", "right")
    assert "ear.right" in clavicular.essential and "cheek.right" not in clavicular.essential
    assert "cheek.right" in whole.essential and len(clavicular.trigger_points) == 1


def test_gluteus_minimus_anterior_and_posterior_patterns_are_told_apart() -> None:
    side = rank_muscles([PainMark("lateral_thigh.right", 6), PainMark("lateral_leg.right", 5)])
    back = rank_muscles([PainMark("posterior_thigh.right", 6), PainMark("upper_calf.right", 5)])
    assert next(c for c in side.candidates if c.muscle == "gluteus_minimus").division == "anterior portion"
    assert next(c for c in back.candidates if c.muscle == "gluteus_minimus").division == "posterior portion"


def test_palpation_findings_reorder_and_reshape_the_cover() -> None:
    from myomap.referral import PalpationFinding

    marks = (("temple.right", 6), ("posterior_neck.right", 4), ("eye.right", 4))
    plain = {c.muscle: c for c in rank(*marks).candidates}
    reproduced = rank(*marks, priors=Priors(palpation={("beta", "right"): PalpationFinding(tender=True, referral_reproduced=True)}))
    beta = next(c for c in reproduced.candidates if c.muscle == "beta")
    assert beta.score > plain["beta"].score * 2 and beta.reproduced
    assert reproduced.cover[0] == "beta" and any("reproduced" in r for r in beta.reasons)
    not_tender = rank(*marks, priors=Priors(palpation={("alpha", "right"): PalpationFinding(tender=False)}))
    alpha = next(c for c in not_tender.candidates if c.muscle == "alpha")
    assert alpha.score < plain["alpha"].score and any("not tender" in r for r in alpha.reasons)
    other_side = rank(*marks, priors=Priors(palpation={("alpha", "left"): PalpationFinding(tender=False)}))
    assert next(c for c in other_side.candidates if c.muscle == "alpha").score == plain["alpha"].score
