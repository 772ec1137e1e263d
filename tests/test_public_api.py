"""The library's public names are listed, sorted and importable, and the library ranks a drawing."""

from __future__ import annotations

import myomap


def test_all_is_sorted_and_every_name_imports() -> None:
    assert myomap.__all__ == sorted(myomap.__all__)
    for name in myomap.__all__:
        assert getattr(myomap, name) is not None


def test_ranking_from_the_library() -> None:
    ranking = myomap.rank_muscles([myomap.PainMark("temple.right", 6)])
    names = [c.name for c in ranking.candidates]
    assert "Temporalis" in names[:3]  # temple pain: temporalis is the textbook source (Travell & Simons vol. 1, ch. 9)
    scores = [c.score for c in ranking.candidates]
    assert scores == sorted(scores, reverse=True)  # best first
    assert all(c.reasons for c in ranking.candidates)  # every suggestion says why
