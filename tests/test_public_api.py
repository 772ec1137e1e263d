"""The library's public names are listed, sorted and importable."""

import myomap


def test_all_is_sorted_and_every_name_imports() -> None:
    assert myomap.__all__ == sorted(myomap.__all__)
    for name in myomap.__all__:
        assert getattr(myomap, name) is not None


def test_ranking_from_the_library() -> None:
    ranking = myomap.rank_muscles([myomap.PainMark("temple.right", 6)])
    assert ranking.candidates
