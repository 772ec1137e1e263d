"""Muscle-named areas: "over the middle deltoid", "in the piriformis" name the place a muscle lies.

A muscle's name (and each synonym in the trigger-point atlas) stands for the chart regions of its
trigger points, so the places follow the muscle files instead of being copied here. The trigger-point
atlas (``myomap.knowledge``) itself imports the region atlas, so this module imports it only when a
phrase first needs a muscle word, never at import time. Short lay words for muscles ("trap", "pecs")
are region vocabulary in ``data/vocabulary.yaml`` and win over these.
"""

from __future__ import annotations

from collections.abc import Set

from myomap.atlas.vocabulary import Entry, key


def muscle_areas(bases: Set[str]) -> dict[str, Entry]:
    """Key of every muscle name and synonym -> the base regions of that muscle's trigger points.

    Only regions in ``bases`` count; a word two muscles share with different places is left out
    (an error with suggestions serves better than a guess).
    """
    from myomap.knowledge.library import load_knowledge

    entries: dict[str, Entry] = {}
    shared: set[str] = set()
    for muscle in load_knowledge().muscles.values():
        places = tuple(dict.fromkeys(tp.region for tp in muscle.trigger_points if tp.region in bases))
        if not places:
            continue
        entry = Entry(muscle.name, places, muscle.name if len(places) > 1 else None)
        for term in (muscle.name, *muscle.synonyms):
            k = key(term)
            if k in entries and entries[k].bases != places:
                shared.add(k)
            entries.setdefault(k, entry)
    return {k: e for k, e in entries.items() if k not in shared}
