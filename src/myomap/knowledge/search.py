"""Find muscles the way a therapist asks: by name, synonym, symptom, condition or painful place.

Every word of the query must match something about the muscle. Results are ranked by how the
words matched, most telling first, so that "headache" lists the muscles whose referral zones lie
on the head before those that only mention headaches:

- the muscle's name or a synonym (the therapist is looking for that muscle);
- a place on the chart ("temple", "heel", "headache" read as the head): the muscle's essential
  referral zones there, ranked by the share of its essential pattern that lies there; a
  spillover zone there counts for less;
- a condition it is involved in, a nerve it can entrap, a symptom it causes (in that order).

Each hit carries its reasons, in the words the pages, the API and the CLI show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from myomap.atlas.regions import Side, UnknownRegionError
from myomap.knowledge.library import Knowledge
from myomap.knowledge.schema import Muscle, Zone

#: Points per kind of match, for one query word (a word matched several ways adds them up).
WEIGHTS = {
    "whole name": 1000,  # the query is the muscle's name, id or a synonym
    "name": 100,
    "synonym": 80,
    "essential zone": 50,  # plus up to ESSENTIAL_SHARE for the share of the pattern in the place
    "spillover zone": 20,
    "condition": 15,
    "entrapment": 12,
    "symptom": 10,
}
ESSENTIAL_SHARE = 30
"""Extra points when all of a muscle's essential zones lie in the place asked about."""

_ACHE = re.compile(r"^([a-z]{3,}?)-?aches?$")  # "headache", "backache", "toothache": pain in the head...


@dataclass(frozen=True)
class MuscleHit:
    muscle: Muscle
    matched: tuple[str, ...]  # why it matched, e.g. "name", "refers pain to the temple (essential zone)"
    score: int = 0  # higher is more relevant; 0 when the query is empty


def search_muscles(kb: Knowledge, query: str, limit: int = 50) -> list[MuscleHit]:
    """Muscles matching every word of ``query``, most relevant first (see the module docstring).

    A query of several words may also match as a whole ("carpal tunnel", "back of the head").
    An empty query lists every muscle, by body area and name.
    """
    words = [w for w in query.lower().replace(",", " ").split() if w]
    muscles = sorted(kb.muscles.values(), key=lambda m: (m.area, m.name))
    if not words:
        return [MuscleHit(m, ()) for m in muscles[:limit]]
    whole = " ".join(words)
    hits: list[MuscleHit] = []
    # The query as one phrase first ("carpal tunnel", "back of the head", "upper trap"); when
    # nothing matches it so, every word on its own.
    for parts in ([whole], words) if len(words) > 1 else ([whole],):
        places = {p: _place(kb, p) for p in parts}
        muscle_words = {p for p in parts if _names_a_muscle(kb, p)}
        hits = [hit for m in muscles if (hit := _score(kb, m, whole, parts, places, muscle_words)) is not None]
        if hits:
            break
    hits.sort(key=lambda h: (-h.score, h.muscle.name))
    return hits[:limit]


def _score(
    kb: Knowledge, m: Muscle, whole: str, parts: list[str], places: dict[str, frozenset[str]], muscle_words: set[str],
) -> MuscleHit | None:
    """The muscle's hit when every part of the query matches something about it, else None."""
    names = [m.name.lower(), m.id.replace("_", " ")]
    if whole in names or whole in (s.lower() for s in m.synonyms):
        reason = "name" if whole in names else f"also called {next(s for s in m.synonyms if s.lower() == whole)}"
        return MuscleHit(m, (reason,), WEIGHTS["whole name"])
    essential, spillover = _zones(m)
    reasons: list[str] = []
    score = 0

    def add(kind: str, reason: str, points: int | None = None) -> None:
        nonlocal score
        score += WEIGHTS[kind] if points is None else points
        if reason not in reasons:
            reasons.append(reason)

    def match(phrase: str) -> bool:
        before = score
        found = re.compile(r"\b" + re.escape(phrase)).search  # at the start of a word: "trap", not "strap"
        if any(found(n) for n in names):
            add("name", "name")
        # A place is a synonym only at its start ("head" is not "biceps brachii long head").
        also = (lambda text: text.startswith(phrase)) if places[phrase] else found
        if synonym := next((s for s in m.synonyms if also(s.lower())), None):
            add("synonym", f"also called {synonym}")
        if places[phrase]:
            _place_match(kb, essential, spillover, places[phrase], add)
        if condition := next((kb.conditions[c].name for c in m.conditions if found(kb.conditions[c].name.lower())), None):
            add("condition", f"condition: {condition}")
        if nerve := next((e.nerve for e in m.entrapments if found(e.nerve.lower())), None):
            add("entrapment", f"can entrap the {nerve}")
        if symptom := next((s for s in m.symptoms if found(s.lower())), None):
            add("symptom", f"symptom: {symptom}")
        if score == before and not places[phrase] and phrase not in muscle_words:
            # Part of a zone's name or synonym that is no place on its own ("tempor").
            zone = next((r for r in (*essential, *spillover) if found(_region_words(kb, r))), None)
            if zone is not None:
                add("spillover zone", f"refers pain to the {_names(kb, [zone])}")
        return score > before

    if all(match(part) for part in parts):
        return MuscleHit(m, tuple(reasons), score)
    return None


def _place_match(kb: Knowledge, essential: list[str], spillover: list[str], place: frozenset[str], add: _Add) -> None:
    if inside := [r for r in essential if r in place]:
        add("essential zone", f"refers pain to the {_names(kb, inside)} (essential zone)",
            WEIGHTS["essential zone"] + round(ESSENTIAL_SHARE * len(inside) / len(essential)))
    elif spill := [r for r in spillover if r in place]:
        add("spillover zone", f"refers pain to the {_names(kb, spill)} (spillover zone)")


class _Add(Protocol):
    def __call__(self, kind: str, reason: str, points: int | None = None) -> None: ...


def _zones(m: Muscle) -> tuple[list[str], list[str]]:
    """Base regions of the muscle's essential and spillover zones, its trigger points' own included."""
    essential: list[Zone] = [*m.essential_zones]
    spillover: list[Zone] = [*m.spillover_zones]
    for tp in m.trigger_points:
        essential += tp.essential_zones or []
        spillover += tp.spillover_zones or []
    ess = list(dict.fromkeys(z.region for z in essential))
    return ess, [r for r in dict.fromkeys(z.region for z in spillover) if r not in ess]


def _names(kb: Knowledge, regions: Iterable[str]) -> str:
    """"temple, forehead and back of head"."""
    names = [kb.atlas.bases[r].name.lower() for r in regions]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _region_words(kb: Knowledge, base_id: str) -> str:
    base = kb.atlas.bases[base_id]
    return " ".join([base.name, *base.synonyms]).lower()


_PLACES: dict[tuple[int, str], frozenset[str]] = {}


def _place(kb: Knowledge, text: str) -> frozenset[str]:
    """The base regions ``text`` names on the chart ("temple", "the heel", "headache": the head),
    or nothing when it names no place."""
    key = (id(kb.atlas), text)
    if key not in _PLACES:
        _PLACES[key] = _read_place(kb, text)
        if len(_PLACES) > 4096:  # a bound, since queries come from people typing
            _PLACES.pop(next(iter(_PLACES)))
    return _PLACES[key]


def _names_a_muscle(kb: Knowledge, text: str) -> bool:
    found = re.compile(r"\b" + re.escape(text)).search
    return any(found(m.name.lower()) or any(found(s.lower()) for s in m.synonyms) for m in kb.muscles.values())


def _read_place(kb: Knowledge, text: str) -> frozenset[str]:
    ache = _ACHE.match(text)
    for side in Side:  # the side does not matter here: only the base regions are kept
        try:
            found = kb.atlas.interpret(ache.group(1) if ache else text, side)
        except UnknownRegionError:
            continue
        # The area over a muscle ("trap", "SCM") is the muscle itself here: its name matches.
        return frozenset(r.base.id for r in found.regions) if found.term in kb.atlas.vocabulary.entries else frozenset()
    return frozenset()
