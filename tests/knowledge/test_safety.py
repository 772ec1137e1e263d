"""Safety notes read as whole sentences and reach the muscles where they matter."""

import re

from myomap.knowledge.library import load_knowledge

kb = load_knowledge()


def test_every_caution_is_a_whole_sentence() -> None:
    # An unquoted YAML flow list splits "A, b." into two bullets "A" and "b.": both fail here.
    fragments = [
        (m.id, c)
        for m in kb.muscles.values()
        for c in m.cautions
        if not (c[0].isupper() and c.endswith(".") and len(c.split()) >= 5)
    ]
    assert fragments == []


def test_a_caution_is_never_split_mid_sentence() -> None:
    for m in kb.muscles.values():
        for first, second in zip(m.cautions, m.cautions[1:], strict=False):
            assert not re.match(r"[a-z]", second), f"{m.id}: {first!r} / {second!r}"
