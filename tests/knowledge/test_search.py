"""The atlas search ranks muscles by how the query matched them, and says why."""

from __future__ import annotations

from myomap.atlas.regions import Side
from myomap.knowledge.library import Knowledge, load_knowledge
from myomap.knowledge.search import search_muscles


def _kb() -> Knowledge:
    return load_knowledge()


def _essential(kb: Knowledge, muscle_id: str) -> set[str]:
    m = kb.muscles[muscle_id]
    zones = {z.region for z in m.essential_zones}
    for tp in m.trigger_points:
        zones |= {z.region for z in tp.essential_zones or []}
    return zones


def test_headache_lists_the_muscles_referring_to_the_head_first() -> None:
    kb = _kb()
    head = {r.base.id for r in kb.atlas.interpret("head", Side.LEFT).regions}
    hits = search_muscles(kb, "headache", limit=200)
    on_head = [bool(_essential(kb, h.muscle.id) & head) for h in hits]
    assert on_head.count(True) >= 8 and on_head.count(False) >= 1  # both kinds are found...
    first_other = on_head.index(False)
    assert all(on_head[:first_other]) and not any(on_head[first_other:])  # ...the head ones first
    top = hits[0]
    assert any(r.endswith("(essential zone)") and r.startswith("refers pain to the ") for r in top.matched)
    # The others only mention headaches (or refer there as spillover), and say so.
    others = hits[first_other:]
    assert all(r.startswith(("symptom: ", "condition: ")) or "(spillover zone)" in r for h in others for r in h.matched)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_essential_zones_in_the_place_come_before_spillover_ones() -> None:
    kb = _kb()
    hits = search_muscles(kb, "back of the head", limit=200)
    occiput = kb.atlas.interpret("back of the head", Side.LEFT).regions[0].base.id
    shares = [len(_essential(kb, h.muscle.id) & {occiput}) / len(_essential(kb, h.muscle.id)) for h in hits]
    essential = [s for s in shares if s > 0]
    assert essential and shares[: len(essential)] == essential  # essential zones there before spillover ones
    assert all(h.matched == ("refers pain to the back of head (spillover zone)",) for h in hits[len(essential):])



def test_a_larger_share_of_the_essential_pattern_in_the_place_ranks_higher() -> None:
    """Between muscles matched the same ways, the one with more of its pattern on the head is first."""
    kb = _kb()
    head = {r.base.id for r in kb.atlas.interpret("head", Side.LEFT).regions}
    by_ways: dict[tuple[str, ...], list[float]] = {}
    for h in search_muscles(kb, "headache", limit=200):
        ways = tuple(sorted(r.split(":")[0] if ":" in r else r.split("(")[-1] for r in h.matched))
        essential = _essential(kb, h.muscle.id)
        by_ways.setdefault(ways, []).append(len(essential & head) / len(essential))
    compared = [shares for shares in by_ways.values() if len(set(shares)) > 1]
    assert compared and all(shares == sorted(shares, reverse=True) for shares in compared)


def test_a_muscles_own_name_or_abbreviation_comes_first_and_alone_when_exact() -> None:
    kb = _kb()
    scm = search_muscles(kb, "SCM")
    assert [h.muscle.id for h in scm] == ["sternocleidomastoid"] and scm[0].matched == ("also called SCM",)
    traps = search_muscles(kb, "trap")
    assert {h.muscle.id for h in traps[:3]} == {"upper_trapezius", "middle_trapezius", "lower_trapezius"}
    assert all("name" in h.matched for h in traps[:3]) and all("name" not in h.matched for h in traps[3:])
    assert "subscapularis" not in {h.muscle.id for h in traps}  # its "strap-like" pain: words start with the query


def test_a_phrase_matches_as_a_whole_before_word_by_word() -> None:
    kb = _kb()
    tunnel = search_muscles(kb, "carpal tunnel", limit=200)
    with_condition = {m.id for m in kb.muscles.values() if "carpal_tunnel" in m.conditions}
    assert with_condition <= {h.muscle.id for h in tunnel}
    assert all(any(r == "condition: Carpal tunnel syndrome" or "wrist" in r for r in h.matched) for h in tunnel)
    low_back = search_muscles(kb, "low back", limit=200)
    assert "lower_trapezius" not in {h.muscle.id for h in low_back}  # not "low" in one place and "back" in another


def test_every_word_must_match_and_an_empty_query_lists_all_by_area() -> None:
    kb = _kb()
    both = search_muscles(kb, "tension headache", limit=200)
    assert both and all(any("Tension-type headache" in r for r in h.matched) for h in both)
    assert search_muscles(kb, "headache xyzzy") == []
    everything = search_muscles(kb, "", limit=500)
    assert len(everything) == len(kb.muscles) and all(h.matched == () for h in everything)
    assert [(h.muscle.area, h.muscle.name) for h in everything] == sorted((m.area, m.name) for m in kb.muscles.values())
