"""Posture patterns become referral priors with their reasons."""

from typing import Literal

from myomap.posture.patterns import MuscleRef, Pattern
from myomap.posture.priors import muscle_findings
from myomap.referral import PainMark, Priors, rank_muscles


def pattern(
    pid: str = "forward_head", kind: Literal["pattern", "referral"] = "pattern", shortened: tuple[str, ...] = ("sternocleidomastoid",),
    lengthened: tuple[str, ...] = ("longus_colli",),
) -> Pattern:
    return Pattern(
        id=pid, name="Forward head posture", kind=kind, side=None, reasons=("forward head 4 cm",),
        shortened=tuple(MuscleRef(m, None) for m in shortened), lengthened=tuple(MuscleRef(m, "left") for m in lengthened),
        note="", sources=(), views=("left",),
    )


def test_shortened_muscles_weigh_more_than_lengthened_and_reasons_name_the_pattern() -> None:
    found = muscle_findings([pattern()])
    assert found[("sternocleidomastoid", None)][0] == 1.0 and found[("longus_colli", "left")][0] == 0.5
    assert "forward head posture" in found[("sternocleidomastoid", None)][1]
    assert "long and weak on the left" in found[("longus_colli", "left")][1]
    assert ("longus_colli", None) not in found and ("longus_colli", "right") not in found


def test_stored_json_works_and_referral_flags_implicate_nothing() -> None:
    assert muscle_findings([pattern().to_dict()]) == muscle_findings([pattern()])
    assert muscle_findings([pattern(kind="referral")]) == {}


def test_findings_raise_a_muscle_in_the_referral_ranking() -> None:
    marks = [PainMark("temple.right", 6), PainMark("eye.right", 4)]
    plain = {c.muscle: c.score for c in rank_muscles(marks).candidates}
    boosted = rank_muscles(marks, Priors(findings=muscle_findings([pattern()]))).candidates
    scm = next(c for c in boosted if c.muscle == "sternocleidomastoid")
    assert scm.score > plain["sternocleidomastoid"]
    assert any("forward head posture" in r for r in scm.reasons)


def elevated_right_shoulder() -> Pattern:
    return Pattern(
        id="elevated_shoulder", name="Elevated shoulder", kind="pattern", side="right", reasons=("right 2 cm higher",),
        shortened=(MuscleRef("upper_trapezius", "right"),), lengthened=(), note="", sources=(), views=("anterior",),
    )


def test_a_right_elevated_shoulder_raises_the_right_upper_trapezius_not_the_left() -> None:
    priors = Priors(findings=muscle_findings([elevated_right_shoulder().to_dict()]))
    assert set(priors.findings) == {("upper_trapezius", "right")}
    for side, raised in (("right", True), ("left", False)):
        marks = [PainMark(f"temple.{side}", 6), PainMark(f"posterior_neck.{side}", 5)]
        plain = next(c for c in rank_muscles(marks).candidates if c.muscle == "upper_trapezius")
        seen = next(c for c in rank_muscles(marks, priors).candidates if c.muscle == "upper_trapezius")
        assert plain.side == seen.side == side
        assert (seen.score > plain.score) is raised
        assert any("elevated shoulder" in r for r in seen.reasons) is raised
