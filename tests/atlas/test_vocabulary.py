"""The therapist's own words: phrases from symptom indexes and client speech resolve to the chart.

``vocabulary_phrases.yaml`` was written by hand, apart from the atlas data, so the rate below
measures the vocabulary against an independent list rather than against itself.
"""

from pathlib import Path

import pytest
import yaml

from myomap.atlas.regions import Side, UnknownRegionError, load_atlas
from myomap.atlas.vocabulary import key, one_edit, read_sides, trimmings

atlas = load_atlas()
PHRASES: dict[str, list[str]] = yaml.safe_load((Path(__file__).parent / "vocabulary_phrases.yaml").read_text("utf-8"))


def _outcome(text: str, expected: list[str]) -> str | None:
    """None when ``text`` resolves to exactly the expected regions, else what happened."""
    try:
        got = sorted(r.id for r in atlas.interpret(text).regions)
    except UnknownRegionError as exc:
        return f"{text!r}: {exc}"
    return None if got == sorted(expected) else f"{text!r}: got {got}, expected {sorted(expected)}"


def test_the_phrase_list_is_large_and_names_only_real_regions() -> None:
    assert len(PHRASES) >= 300
    unknown = {rid for ids in PHRASES.values() for rid in ids if rid not in atlas.regions}
    assert not unknown


def test_at_least_97_percent_of_the_phrases_resolve_to_the_expected_regions(capsys: pytest.CaptureFixture[str]) -> None:
    misses = [m for text, ids in PHRASES.items() if (m := _outcome(text, ids))]
    rate = 1 - len(misses) / len(PHRASES)
    with capsys.disabled():
        print(f"\nvocabulary: {len(PHRASES) - len(misses)}/{len(PHRASES)} phrases resolved exactly ({rate:.1%})")
        for miss in misses:
            print("  miss:", miss)
    assert rate >= 0.97


@pytest.mark.parametrize(
    ("text", "expected", "expanded_from"),
    [
        ("wrist, left", {"volar_wrist.left", "dorsal_wrist.left"}, "wrist"),
        ("R calf", {"upper_calf.right", "lower_calf.right"}, "calf"),
        ("sole of the foot", None, "sole of the foot"),
        ("left temple", {"temple.left"}, None),
    ],
)
def test_a_coarse_area_expands_to_its_regions_and_says_so(text: str, expected: set[str] | None, expanded_from: str | None) -> None:
    if expected is None:
        with pytest.raises(UnknownRegionError, match="needs a side"):
            atlas.interpret(text)
        assert atlas.interpret(text, "left").expanded_from == expanded_from
        return
    found = atlas.interpret(text)
    assert {r.id for r in found.regions} == expected
    assert found.expanded_from == expanded_from
    ids = [r.id for r in found.regions]
    assert ids == sorted(ids, key=list(atlas.regions).index)  # atlas order


@pytest.mark.parametrize(
    ("text", "side", "expected"),
    [
        ("left temple", None, {"temple.left"}),
        ("temple, right", None, {"temple.right"}),
        ("right-sided temple", None, {"temple.right"}),
        ("R temple", None, {"temple.right"}),
        ("temple L", None, {"temple.left"}),
        ("temple on the left side", None, {"temple.left"}),
        ("temple", Side.RIGHT, {"temple.right"}),
        ("temple", "LEFT", {"temple.left"}),
        ("both temples", None, {"temple.left", "temple.right"}),
        ("temple, bilateral", None, {"temple.left", "temple.right"}),
        ("temples on both sides", None, {"temple.left", "temple.right"}),
        ("sacrum", "left", {"sacrum"}),
        ("left side of the neck", None, {"lateral_neck.left"}),
    ],
)
def test_sides_come_from_the_words_or_the_argument(text: str, side: Side | str | None, expected: set[str]) -> None:
    assert {r.id for r in atlas.interpret(text, side).regions} == expected


def test_a_two_sided_place_without_a_side_is_an_error_and_conflicts_are_refused() -> None:
    with pytest.raises(UnknownRegionError, match="needs a side"):
        atlas.interpret("angle of the jaw")
    with pytest.raises(UnknownRegionError, match="says left"):
        atlas.interpret("left calf", "right")
    with pytest.raises(UnknownRegionError, match="side must be left or right"):
        atlas.interpret("calf", "middle")


@pytest.mark.parametrize(
    ("text", "term"),
    [("calves", "calf"), ("Shins", "shin"), ("heels", "heel"), ("lateral ribs", "lateral rib"), ("feet", "foot")],
)
def test_plurals_case_and_hyphens_do_not_matter(text: str, term: str) -> None:
    found = atlas.interpret(text, "left")
    assert found.term == term and found.corrected is None
    assert atlas.interpret(text.upper().replace(" ", "-"), "left").regions == found.regions


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("tempel", "temple"), ("shouldr blade", "shoulder blade"), ("piriformus", "piriformis"), ("kneecp", "kneecap")],
)
def test_one_typo_is_corrected_and_reported(typo: str, meant: str) -> None:
    found = atlas.interpret(typo, "right")
    assert found.corrected == meant
    assert found.regions == atlas.interpret(meant, "right").regions


def test_typos_are_not_guessed_in_short_words_or_when_two_terms_are_as_close() -> None:
    with pytest.raises(UnknownRegionError):
        atlas.interpret("jaq", "left")  # three letters: too short to correct
    with pytest.raises(UnknownRegionError) as err:
        atlas.interpret("heal", "left")  # one edit from both "heel" and "head"
    assert {"heel", "head"} <= set(err.value.words)


def test_a_phrase_that_is_not_a_body_region_gets_close_matches_in_words() -> None:
    with pytest.raises(UnknownRegionError, match="unknown body region 'shouldre bladee'") as err:
        atlas.interpret("shouldre bladee", "left")
    assert "shoulder blade" in err.value.words
    assert "did you mean: shoulder blade" in str(err.value)
    with pytest.raises(UnknownRegionError, match="unknown body region 'car keys'"):
        atlas.interpret("car keys")


def test_muscle_named_areas_are_where_the_muscle_trigger_points_lie() -> None:
    from myomap.knowledge.library import load_knowledge

    checked = 0
    for muscle in load_knowledge().muscles.values():
        if muscle.name in atlas.vocabulary:  # a region word first ("soleus area" is the lower calf)
            continue
        found = atlas.interpret(f"over the {muscle.name}", "left")
        assert {r.base.id for r in found.regions} == {tp.region for tp in muscle.trigger_points}, muscle.name
        checked += 1
    assert checked >= 100


def test_vocabulary_sources_are_cited_sources_of_the_knowledge_base() -> None:
    from myomap.knowledge.library import load_knowledge

    doc = yaml.safe_load(Path(atlas_data("vocabulary.yaml")).read_text("utf-8"))
    cited = {item["source"]["source"] for section in ("areas", "phrases", "lay", "muscles") for item in doc[section] if "source" in item}
    assert cited and cited <= set(load_knowledge().sources)


def atlas_data(name: str) -> str:
    import myomap.atlas

    return str(Path(myomap.atlas.__file__).parent / "data" / name)


def test_the_building_blocks() -> None:
    assert key("The client's Calves-area") == "client calf"
    assert read_sides(("left", "sided", "temple"))[1] == ("temple",)
    assert read_sides(("left", "side", "of", "neck"))[1] == ("side", "of", "neck")
    assert list(trimmings(("pain", "in", "calf")))[-1] == ("calf",)
    assert one_edit("tempel", "temple") and one_edit("calf", "calfs") and one_edit("calf", "cal")
    assert not one_edit("temple", "temple") and not one_edit("tmpel", "temple")
