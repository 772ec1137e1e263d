"""Evaluate referral ranking on two case sets, reported separately.

1. ``bench/referral_cases/*.yaml``: textbook patterns as region ids, written alongside the atlas
   data, so they measure that the ranking is faithful to the atlas.
2. ``bench/referral_cases_independent/*.yaml``: cases in a workbook's symptom-guide wording, as
   phrases read by the same vocabulary as ``myomap refer``; never used to tune weights or data.
   Phrases the vocabulary cannot read are counted (and the case runs without them).

Prints top-1, top-3 and top-5 recall: for each case, the share of the expected muscles found
among the first k candidates (out of at most k expected), averaged over cases. A miss is listed
so a person can judge the data or the model.
Usage: .venv/bin/python bench/referral_eval.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NotRequired, TypedDict

import yaml

from myomap.knowledge.library import load_knowledge
from myomap.referral import PainMark, rank_muscles
from myomap.referral.drawing import parse_phrase, read_phrases

CASES = Path(__file__).with_name("referral_cases")
INDEPENDENT = Path(__file__).with_name("referral_cases_independent")


class CaseSource(TypedDict):
    source: str
    locator: str


class RegionPain(TypedDict):
    """A painted region by id, as in the atlas-aligned cases (midline regions have no side)."""

    region: str
    side: NotRequired[str]
    intensity: NotRequired[float]


class Case(TypedDict):
    """One case file entry; ``pain`` is region ids or, in the independent set, phrases."""

    id: str
    description: NotRequired[str]
    pain: list[RegionPain] | list[str]
    side: NotRequired[str]
    expected: list[str]
    source: CaseSource
    file: NotRequired[str]  # the case file's name, added on loading


def load_cases(folder: Path = CASES) -> list[Case]:
    kb = load_knowledge()
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text())["cases"]:
            unknown = [m for m in case["expected"] if m not in kb.muscles]
            if unknown:
                raise SystemExit(f"{path.name}:{case['id']}: unknown muscle(s) {unknown}")
            if case["source"]["source"] not in kb.sources:
                raise SystemExit(f"{path.name}:{case['id']}: unknown source {case['source']['source']}")
            case["file"] = path.name
            cases.append(case)
    return cases


def marks_for(case: Case, unresolved: list[str] | None = None) -> list[PainMark]:
    """Region-id cases map directly; phrase cases go through the shared reader, and phrases it
    cannot read are appended to ``unresolved``."""
    kb = load_knowledge()
    pain = case["pain"]
    phrases = [p for p in pain if isinstance(p, str)]
    regions = [p for p in pain if not isinstance(p, str)]
    if phrases and regions:
        raise SystemExit(f"{case['id']}: pain mixes phrases and region ids; use one or the other")
    if phrases:
        marks, _, errors = read_phrases(kb, [parse_phrase(p) for p in phrases], case.get("side"))
        if unresolved is not None:
            unresolved += [f"{case['id']}: {phrases[int(k.split('.')[1])]}" for k in errors]
        return marks
    return [PainMark(kb.atlas.for_side(p["region"], p.get("side")).id, p.get("intensity", 5)) for p in regions]


def evaluate(
    cases: list[Case], ks: tuple[int, ...] = (1, 3, 5), unresolved: list[str] | None = None
) -> tuple[dict[int, float], list[tuple[Case, list[str]]]]:
    totals = {k: 0.0 for k in ks}
    misses: list[tuple[Case, list[str]]] = []
    for case in cases:
        marks = marks_for(case, unresolved)
        ranked = [c.muscle for c in rank_muscles(marks).candidates] if marks else []
        expected = set(case["expected"])
        for k in ks:
            totals[k] += len(expected & set(ranked[:k])) / min(k, len(expected))
        if not expected & set(ranked[:3]):
            misses.append((case, ranked[:5]))
    return {k: v / len(cases) for k, v in totals.items()}, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list cases missed in the top 3")
    args = parser.parse_args()
    for label, folder in (("atlas-aligned textbook cases", CASES), ("independent workbook cases", INDEPENDENT)):
        cases = load_cases(folder)
        unresolved: list[str] = []
        recall, misses = evaluate(cases, unresolved=unresolved)
        phrases = sum(len(c["pain"]) for c in cases)
        print(f"referral evaluation, {label} ({folder.name}): {len(cases)} cases")
        for k, value in recall.items():
            print(f"  top-{k} recall: {value:.1%}")
        print(f"  unresolved phrases: {len(unresolved)} of {phrases}")
        if args.misses:
            for item in unresolved:
                print(f"    unresolved {item}")
            for case, top in misses:
                print(f"    miss {case['file']}:{case['id']}: expected {case['expected']}, got {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
