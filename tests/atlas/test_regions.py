"""The body-region atlas: integrity of the data and how therapists' words resolve to regions."""

import pytest

from myomap.atlas.regions import Laterality, Side, UnknownRegionError, load_atlas

atlas = load_atlas()

REQUIRED_DETAIL = [
    "temple", "tmj", "jaw", "occiput", "suboccipital", "lateral_neck", "posterior_neck", "top_of_shoulder",
    "anterior_shoulder", "posterior_shoulder", "lateral_elbow", "medial_elbow", "anterior_forearm",
    "posterior_forearm", "volar_wrist", "palm", "thenar", "hypothenar", "dorsal_hand", "thumb",
    "fingers_radial", "fingers_ulnar", "pectoral", "umbilical", "upper_thoracic_paraspinal",
    "lumbar_paraspinal", "sacrum", "sacroiliac", "upper_buttock", "lateral_hip", "groin", "anterior_thigh",
    "lateral_thigh", "medial_thigh", "posterior_thigh", "patella", "medial_knee", "popliteal",
    "anterior_leg", "lateral_leg", "medial_malleolus", "lateral_malleolus", "heel", "arch", "dorsal_foot",
    "great_toe", "lesser_toes",
]


def test_it_has_at_least_120_chart_regions_on_both_views() -> None:
    assert len(atlas.regions) >= 120
    views = {r.view.value for r in atlas.regions.values()}
    assert views == {"anterior", "posterior"}


def test_it_covers_the_detail_nmt_needs() -> None:
    missing = [b for b in REQUIRED_DETAIL if b not in atlas.bases]
    assert not missing


def test_bilateral_regions_have_a_left_and_right_and_midline_regions_have_no_side() -> None:
    for base in atlas.bases.values():
        if base.laterality is Laterality.BILATERAL:
            assert {f"{base.id}.left", f"{base.id}.right"} <= set(atlas.regions)
            assert base.id not in atlas.regions
        else:
            assert atlas.regions[base.id].side is None


def test_every_area_is_used_and_snomed_codes_are_numeric() -> None:
    assert {b.area for b in atlas.bases.values()} == set(atlas.areas)
    for code in [b.snomed for b in atlas.bases.values()] + [a.snomed for a in atlas.areas.values()]:
        assert code is None or code.isdigit()


@pytest.mark.parametrize("base", sorted(load_atlas().bases))
def test_every_synonym_resolves_to_its_own_region_on_each_side(base: str) -> None:
    b = atlas.bases[base]
    for term in (b.id, b.name, *b.synonyms):
        for side in (Side.LEFT, Side.RIGHT):
            found = atlas.interpret(term, side)
            own = [r for r in found.regions if r.base.id == base]
            assert len(own) == 1 and own[0].side is (None if b.is_midline else side), term
            if len(found.regions) == 1:
                assert atlas.resolve(term, side) == own[0]
            else:  # only a region's name may be shared, by a coarse area that contains it ("Shin")
                assert term == b.name and found.expanded_from, term


@pytest.mark.parametrize(
    ("text", "side", "expected"),
    [
        ("angle of jaw", "left", "jaw.left"),
        ("Temple", "right", "temple.right"),
        ("lateral epicondyle", "right", "lateral_elbow.right"),
        ("SI joint", "left", "sacroiliac.left"),
        ("instep", "right", "dorsal_foot.right"),
        ("left SI joint", None, "sacroiliac.left"),
        ("temple.left", None, "temple.left"),
        ("sacrum", "left", "sacrum"),
        ("  Greater   Trochanter ", "right", "lateral_hip.right"),
    ],
)
def test_it_resolves_what_a_therapist_types(text: str, side: str | None, expected: str) -> None:
    assert atlas.resolve(text, side).id == expected


def test_unknown_text_gets_close_matches_in_words_and_ids() -> None:
    with pytest.raises(UnknownRegionError) as err:
        atlas.resolve("tmpel region pain", "left")  # two edits off: not a typo it may guess
    assert "temple" in err.value.suggestions
    assert "temple" in err.value.words
    assert "did you mean: temple" in str(err.value)


def test_resolve_refuses_a_phrase_that_covers_several_regions_naming_them() -> None:
    with pytest.raises(UnknownRegionError, match="covers several regions") as err:
        atlas.resolve("wrist", "left")
    assert err.value.suggestions == ["volar_wrist.left", "dorsal_wrist.left"]


def test_a_two_sided_region_without_a_side_is_an_error_naming_both() -> None:
    with pytest.raises(UnknownRegionError, match="needs a side") as err:
        atlas.resolve("temple")
    assert err.value.suggestions == ["temple.left", "temple.right"]


def test_conflicting_sides_are_rejected() -> None:
    with pytest.raises(UnknownRegionError, match="says left"):
        atlas.resolve("left temple", "right")
    with pytest.raises(UnknownRegionError, match="right side"):
        atlas.resolve("temple.right", "left")
