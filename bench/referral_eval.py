"""Evaluate referral ranking against textbook pain patterns (bench/referral_cases/*.yaml).

Prints top-1, top-3 and top-5 recall: for each case, the share of the textbook's muscles found
among the first k candidates (out of at most k expected), averaged over cases. Cases are never
used to tune data files silently: a miss is listed so a person can judge the data or the model.
Usage: .venv/bin/python bench/referral_eval.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from myomap.knowledge.library import load_knowledge
from myomap.referral import PainMark, rank_muscles

CASES = Path(__file__).with_name("referral_cases")


def load_cases() -> list[dict]:
    kb = load_knowledge()
    cases: list[dict] = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text())["cases"]:
            unknown = [m for m in case["expected"] if m not in kb.muscles]
            if unknown:
                raise SystemExit(f"{path.name}:{case['id']}: unknown muscle(s) {unknown}")
            if case["source"]["source"] not in kb.sources:
                raise SystemExit(f"{path.name}:{case['id']}: unknown source {case['source']['source']}")
            case["file"] = path.name
            cases.append(case)
    return cases


def marks_for(case: dict) -> list[PainMark]:
    atlas = load_knowledge().atlas
    return [PainMark(atlas.for_side(p["region"], p.get("side")).id, p.get("intensity", 5)) for p in case["pain"]]


def evaluate(cases: list[dict], ks: tuple[int, ...] = (1, 3, 5)) -> tuple[dict[int, float], list[tuple[dict, list[str]]]]:
    totals = {k: 0.0 for k in ks}
    misses: list[tuple[dict, list[str]]] = []
    for case in cases:
        ranked = [c.muscle for c in rank_muscles(marks_for(case)).candidates]
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
    cases = load_cases()
    recall, misses = evaluate(cases)
    print(f"referral evaluation: {len(cases)} cases from {len(list(CASES.glob('*.yaml')))} files")
    for k, value in recall.items():
        print(f"top-{k} recall: {value:.1%}")
    if args.misses:
        for case, top in misses:
            print(f"  miss {case['file']}:{case['id']}: expected {case['expected']}, got {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
