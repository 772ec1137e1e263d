"""Referral ranking on the textbook evaluation set (bench/referral_cases): a quality floor.

The benchmark script prints the exact figures; this test fails if a data or model change makes
the ranking clearly worse than the issue's aim (top-3 recall at least 90 %).
"""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "referral_eval.py"
spec = importlib.util.spec_from_file_location("referral_eval", BENCH)
referral_eval = importlib.util.module_from_spec(spec)
spec.loader.exec_module(referral_eval)


def test_there_are_at_least_60_sourced_cases():
    cases = referral_eval.load_cases()
    assert len(cases) >= 60
    assert all(c["source"]["locator"] for c in cases)
    assert len({c["id"] for c in cases}) == len(cases)


def test_top3_recall_meets_the_aim():
    recall, misses = referral_eval.evaluate(referral_eval.load_cases())
    assert recall[3] >= 0.90, [c["id"] for c, _ in misses]
    assert recall[1] <= recall[3] <= recall[5]
