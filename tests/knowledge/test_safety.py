"""Safety notes read as whole sentences and reach the muscles where they matter."""

import re

from myomap.knowledge.library import load_knowledge
from myomap.knowledge.schema import Muscle

kb = load_knowledge()


def test_every_caution_is_a_whole_sentence() -> None:
    # An unquoted YAML flow list splits "A, b." into two bullets "A" and "b.": both fail here.
    fragments = [
        (m.id, c)
        for m in kb.muscles.values()
        for c in m.cautions
        if not (c[0].isupper() and c.endswith(".") and len(c.split()) >= 5)
    ]
    assert fragments == []


def test_a_caution_is_never_split_mid_sentence() -> None:
    for m in kb.muscles.values():
        for first, second in zip(m.cautions, m.cautions[1:], strict=False):
            assert not re.match(r"[a-z]", second), f"{m.id}: {first!r} / {second!r}"


def _refers_to_temple(muscle: Muscle) -> bool:
    zones = [*muscle.essential_zones, *muscle.spillover_zones]
    for tp in muscle.trigger_points:  # trigger points may carry their own pattern
        zones += [*(getattr(tp, "essential_zones", None) or []), *(getattr(tp, "spillover_zones", None) or [])]
    return any(z.region == "temple" for z in zones)


def test_muscles_referring_to_the_temple_warn_of_giant_cell_arteritis() -> None:
    temple = [m for m in kb.muscles.values() if _refers_to_temple(m)]
    assert {"temporalis", "upper_trapezius", "masseter"} <= {m.id for m in temple}
    for m in [*temple, kb.muscles["sternocleidomastoid"]]:
        warning = [c for c in m.cautions if "giant-cell arteritis" in c]
        assert warning and "over 50" in warning[0], m.id
        assert any(r.source == "acr_gca_1990" for r in m.sources), m.id


def test_low_back_and_sciatica_muscles_warn_of_cauda_equina_signs() -> None:
    back = [m for m in kb.muscles.values() if {"low_back_pain", "sciatica", "piriformis_syndrome"} & set(m.conditions)]
    assert {"quadratus_lumborum", "psoas_major", "iliacus", "lumbar_multifidi", "piriformis",
            "gluteus_maximus", "gluteus_medius", "iliocostalis_lumborum", "longissimus_thoracis"} <= {m.id for m in back}
    for m in back:
        warning = [c for c in m.cautions if "cauda equina" in c]
        assert warning and "bladder" in warning[0] and "saddle" in warning[0], m.id


def test_endangerment_sites_near_the_face_arm_and_chest_are_listed_and_linked() -> None:
    linked: dict[str, set[str]] = {}
    for m in kb.muscles.values():
        for site in m.endangerment_sites:
            linked.setdefault(site, set()).add(m.id)
    expected = {"medial_upper_arm": {"biceps_brachii", "triceps_brachii", "coracobrachialis"},
                "xiphoid_process": {"rectus_abdominis", "diaphragm"},
                "facial_nerve_preauricular": {"masseter"},
                "eye_orbit": {"orbicularis_oculi"}}
    for site, muscles in expected.items():
        assert site in kb.sites, site
        assert muscles <= linked.get(site, set()), site
    assert set(kb.sites) <= set(linked), "every site is worked near by some muscle"
