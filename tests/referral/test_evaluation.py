"""Referral ranking on the textbook evaluation set (bench/referral_cases): a quality floor.

The benchmark script prints the exact figures; this test fails if a data or model change makes
the ranking clearly worse than the issue's aim (top-3 recall at least 90 %).
"""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

BENCH = Path(__file__).resolve().parents[2] / "bench" / "referral_eval.py"


def _load_bench() -> ModuleType:
    """The benchmark script as a module (bench/ is scripts, not a package on the path)."""
    spec = importlib.util.spec_from_file_location("referral_eval", BENCH)
    assert spec is not None and spec.loader is not None, BENCH
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:  # the checker reads the script itself, so the cases are typed here too
    import bench.referral_eval as referral_eval
else:
    referral_eval = _load_bench()


def test_there_are_at_least_60_sourced_cases() -> None:
    cases = referral_eval.load_cases()
    assert len(cases) >= 60
    assert all(c["source"]["locator"] for c in cases)
    assert len({c["id"] for c in cases}) == len(cases)


def test_top3_recall_meets_the_aim() -> None:
    recall, misses = referral_eval.evaluate(referral_eval.load_cases())
    assert recall[3] >= 0.90, [c["id"] for c, _ in misses]
    assert recall[1] <= recall[3] <= recall[5]


def test_the_independent_set_is_phrases_from_another_source_and_is_never_tuned_on() -> None:
    cases = referral_eval.load_cases(referral_eval.INDEPENDENT)
    assert len(cases) >= 60 and len({c["id"] for c in cases}) == len(cases)
    assert all(all(isinstance(p, str) for p in c["pain"]) for c in cases), "phrases, not region ids"
    assert {c["source"]["source"] for c in cases} == {"davies"}
    for path in referral_eval.INDEPENDENT.glob("*.yaml"):
        assert "NEVER used to tune" in path.read_text()


def test_independent_set_floor() -> None:
    """Floor at what the untuned model achieved when the set was written (top-3 89.8 %,
    7 of 175 phrases unread); a drop below means a change made the ranking worse on wording
    it was not written alongside."""
    unresolved: list[str] = []
    recall, misses = referral_eval.evaluate(referral_eval.load_cases(referral_eval.INDEPENDENT), unresolved=unresolved)
    assert recall[3] >= 0.85, [c["id"] for c, _ in misses]
    assert len(unresolved) <= 10, unresolved
