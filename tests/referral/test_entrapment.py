"""Tingling, numbness and burning raise the atlas's entrapment hypotheses, with the test to do."""

import pytest

from myomap.knowledge.library import load_knowledge
from myomap.referral import PainMark, rank_muscles


def test_every_entrapment_says_where_and_the_data_it_names_exists() -> None:
    kb = load_knowledge()
    with_entrapments = [m for m in kb.muscles.values() if m.entrapments]
    assert len(with_entrapments) >= 36
    entrapments = [e for m in with_entrapments for e in m.entrapments]
    assert all(len(e.site) > 10 for e in entrapments)
    used_nerves = {e.nerve_id for e in entrapments} - {None}
    used_tests = {e.test for e in entrapments} - {None}
    assert used_nerves == set(kb.nerves), "every nerve territory is used by an entrapment"
    assert used_tests == set(kb.tests), "every provocative test is named by an entrapment"
    assert all(t.sources for t in kb.tests.values()) and all(n.source for n in kb.nerves.values())


def test_tingling_in_the_median_territory_raises_pronator_teres_and_names_the_test() -> None:
    marks = [PainMark("thenar.right", 5, frozenset({"tingling"})), PainMark("fingers_radial.right", 4, frozenset({"numbness"})),
             PainMark("anterior_forearm.right", 6)]
    ranking = rank_muscles(marks)
    hyp = {(h.muscle, h.nerve_id): h for h in ranking.entrapments}
    pt = hyp[("pronator_teres", "median")]
    assert pt.test == "pronator_compression" and pt.test_name == "Pronator teres compression test"
    assert "between the humeral and ulnar heads" in pt.site and pt.side == "right"
    assert pt.regions == ("thenar.right", "fingers_radial.right") and pt.qualities == ("numbness", "tingling")
    assert "Ball of the thumb, right; Index and middle fingers, right" in pt.reason and "Median nerve" in pt.reason
    assert ("flexor_carpi_ulnaris", "ulnar") not in hyp  # ulnar territory not marked
    entrapments = ranking.to_json()["entrapments"]
    assert isinstance(entrapments, list) and entrapments[0]["nerve"]


def test_aching_alone_raises_no_entrapment() -> None:
    ranking = rank_muscles([PainMark("thenar.right", 5, frozenset({"aching"})), PainMark("palm.right", 4)])
    assert ranking.entrapments == ()


def test_numb_outer_thigh_points_at_the_lateral_femoral_cutaneous_nerve() -> None:
    ranking = rank_muscles([PainMark("lateral_thigh.left", 6, frozenset({"burning", "numbness"}))])
    muscles = {h.muscle for h in ranking.entrapments if h.nerve_id == "lateral_femoral_cutaneous"}
    assert muscles == {"sartorius", "psoas_major", "iliacus"}
    assert all(h.test == "tinel" for h in ranking.entrapments if h.nerve_id == "lateral_femoral_cutaneous")


def test_an_unknown_quality_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown pain quality 'fizzy'"):
        rank_muscles([PainMark("thenar.right", 5, frozenset({"fizzy"}))])
