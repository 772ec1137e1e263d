"""Condition codes are real, billable and name the condition's own concept.

ICD-10-CM codes are checked against the CMS/NCHS table shipped in simple-icd-10-cm; SNOMED CT has
no offline table, so its ids are checked for shape, for a term beside them, and against ids we
know to name a different concept."""

import pytest
import simple_icd_10_cm as icd  # type: ignore[import-untyped]  # ships no type information

from myomap.knowledge.library import load_knowledge
from myomap.knowledge.schema import Condition

kb = load_knowledge()
coded = [c for c in kb.conditions.values() if c.icd10cm is not None]


def test_most_conditions_carry_a_billable_icd10cm_code() -> None:
    assert len(coded) >= 24


@pytest.mark.parametrize("condition", coded, ids=lambda c: c.id)
def test_each_icd10cm_code_is_a_billable_leaf_with_its_table_title(condition: Condition) -> None:
    code = condition.icd10cm
    assert icd.is_valid_item(code), f"{condition.id}: {code} is not in ICD-10-CM"
    assert icd.is_leaf(code), f"{condition.id}: {code} is a heading, not a billable code"
    assert condition.icd10cm_term == icd.get_description(code)


def test_no_condition_keeps_a_who_icd10_heading_as_its_code() -> None:
    # WHO ICD-10 and ICD-10-CM share headings such as M54.5; only the CM leaf is billable.
    assert all(len(icd.remove_dot(c.icd10cm)) >= 4 for c in coded)


def test_coded_concepts_match_the_condition() -> None:
    # Our reading of each code: the title or an inclusion term that names the condition.
    def names(code: str) -> str:
        terms = [icd.get_description(code)]
        for ancestor in [code, *icd.get_ancestors(code)]:
            terms += icd.get_inclusion_term(ancestor)
        return " | ".join(terms).lower()

    expected = {
        "tension_headache": "tension-type headache", "cervicogenic_headache": "cervicogenic",
        "tmj_dysfunction": "temporomandibular", "whiplash": "whiplash", "neck_pain": "cervicalgia",
        "thoracic_outlet_syndrome": "thoracic outlet", "carpal_tunnel_syndrome": "carpal tunnel",
        "rotator_cuff": "rotator cuff", "frozen_shoulder": "adhesive capsulitis", "tendonitis": "tendinitis",
        "lateral_epicondylalgia": "lateral epicondylitis", "medial_epicondylalgia": "medial epicondylitis",
        "low_back_pain": "low back pain", "pelvic_pain": "pelvic", "sciatica": "sciatica",
        "piriformis_syndrome": "sciatic nerve", "scoliosis": "scoliosis", "postural_imbalance": "posture",
        "knee_pain": "pain in unspecified knee", "shin_splints": "lower leg", "compartment_syndrome":
        "compartment syndrome nos", "plantar_heel_pain": "plantar fasciitis", "bunion": "hallux valgus",
        "hammer_toe": "hammer toe", "chest_pain_musculoskeletal": "chest-wall pain",
    }
    for c in coded:
        assert c.icd10cm is not None
        assert expected[c.id] in names(c.icd10cm), f"{c.id}: {c.icd10cm} reads {names(c.icd10cm)!r}"


def test_snomed_ids_have_a_term_and_are_not_known_mismatches() -> None:
    known_other_concepts = {
        "1337003008": "anterior tibial compartment syndrome",
        "263126002": "ligament injury",
        "202855006": "lateral epicondylitis",
    }
    for c in kb.conditions.values():
        if c.snomed is None:
            assert c.code_note, c.id
            continue
        assert c.snomed_term, c.id
        other = known_other_concepts.get(c.snomed)
        assert other is None or other == c.snomed_term.lower(), f"{c.id}: {c.snomed} is {other}"


def test_compartment_syndrome_and_sprain_strain_are_not_coded_as_narrower_concepts() -> None:
    compartment, sprain = kb.conditions["compartment_syndrome"], kb.conditions["sprain_strain"]
    assert compartment.snomed_term == "Compartment syndrome"
    assert compartment.icd10cm is not None and compartment.icd10cm.startswith("T79.A0")
    assert sprain.snomed is None and sprain.code_note and "site" in sprain.code_note
