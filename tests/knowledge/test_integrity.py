"""The packaged trigger-point knowledge is complete, sourced and internally consistent."""

import re

from myomap.knowledge.library import integrity_problems, load_knowledge

kb = load_knowledge()


def test_the_knowledge_base_has_no_dangling_ids() -> None:
    assert integrity_problems(kb) == []


def test_the_atlas_covers_the_trigger_point_manuals() -> None:
    assert len(kb.muscles) >= 140
    areas = {m.area for m in kb.muscles.values()}
    for area in ("head", "neck", "shoulder", "forearm", "wrist_hand", "chest", "abdomen", "low_back",
                 "pelvis_hip", "thigh", "leg", "ankle_foot"):
        assert area in areas, f"no muscle in area {area}"


def test_every_muscle_is_sourced_with_a_trigger_point_and_an_essential_zone() -> None:
    for m in kb.muscles.values():
        assert m.sources and m.trigger_points and m.essential_zones, m.id
        assert all(ref.locator.strip() for ref in m.sources), m.id


def test_sides_are_mirrored_not_copied() -> None:
    side_words = re.compile(r"(^|[_\s])(left|right)([_\s]|$)", re.I)
    for m in kb.muscles.values():
        assert not side_words.search(m.id) and not side_words.search(m.name), m.id
    for zone_region in (z.region for m in kb.muscles.values() for z in m.essential_zones):
        assert "." not in zone_region  # base ids only; the side comes from the trigger point


def test_no_source_or_endangerment_site_is_an_orphan() -> None:
    cited = {r.source for m in kb.muscles.values() for r in m.sources}
    cited |= {r.source for c in kb.conditions.values() for r in (c.source, *c.codes_source)}
    cited |= {r.source for s in kb.sites.values() for r in s.sources}
    cited |= {r.source for t in kb.tests.values() for r in t.sources} | {n.source.source for n in kb.nerves.values()}
    # posture data cites posture_research, janda and kendall; the independent referral cases cite davies
    assert set(kb.sources) - cited <= {"posture_research", "janda", "kendall", "davies"}
    used_sites = {s for m in kb.muscles.values() for s in m.endangerment_sites}
    assert used_sites <= set(kb.sites)


def test_conditions_nmt_treats_are_linked_to_muscles() -> None:
    linked = {c for m in kb.muscles.values() for c in m.conditions}
    for condition in ("tension_headache", "tmj_dysfunction", "whiplash", "thoracic_outlet_syndrome",
                      "carpal_tunnel_syndrome", "rotator_cuff", "frozen_shoulder", "low_back_pain",
                      "sciatica", "bunion", "hammer_toe", "compartment_syndrome", "pelvic_pain"):
        assert condition in linked, condition


def test_endangerment_sites_cover_the_classic_list() -> None:
    for site in ("anterior_triangle_neck", "posterior_triangle_neck", "axilla", "cubital_fossa",
                 "femoral_triangle", "popliteal_fossa", "medial_upper_arm", "xiphoid_process",
                 "facial_nerve_preauricular", "eye_orbit"):
        assert site in kb.sites
