"""How therapists and clients say where it hurts, reduced to lookup keys.

A phrase and a vocabulary term meet when their *keys* are equal: :func:`key_words` ignores case,
hyphens, punctuation, possessives and plurals, and drops words that never locate anything ("the",
"my", "area"), so "the client's Calves" and "calf" share the key ``calf``. Around that key a
person adds side words ("left", "R", "both sides"), pain words and loose prepositions ("pain in
the ..."), which :func:`read_sides` and :func:`trimmings` take off. :func:`one_edit` is the typo
test: Damerau-Levenshtein distance 1 (one letter added, dropped, changed, or two swapped).

Pure functions and one lookup table; the data is ``data/vocabulary.yaml`` and ``data/regions.yaml``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

#: Plurals the "drop the s" rule gets wrong.
_IRREGULAR = {
    "calves": "calf",
    "halves": "half",
    "feet": "foot",
    "teeth": "tooth",
    "malleoli": "malleolus",
    "phalanges": "phalanx",
    "scapulae": "scapula",
    "vertebrae": "vertebra",
    "fossae": "fossa",
}
#: Words that never say where: dropped from phrases and terms alike.
_STOP = frozenset("the a an my his her their your its our this that area region zone".split())
#: Words a person puts before the place ("sharp pain deep in the ...").
_LEAD = frozenset(
    """pain ache aching achy sore soreness tender tenderness tight tightness stiff stiffness hurt hurting
    achey discomfort burning throbbing sharp dull deep severe mild constant nagging knot trigger point tp
    twinge cramp cramping spasm tingling numbness numb pin needle referred referring radiating spreading
    headache toothache earache client patient she he they say report complain
    i have got feel feeling felt it also just mostly mainly all whole entire and with
    in into at on over around across along through throughout within from to of""".split()
)
#: Words a person puts after the place ("calf muscles ache", "temple headache", "knee joint").
_TRAIL = frozenset(
    """pain ache aching soreness tenderness tightness stiffness discomfort symptom trouble problem
    tension knot spasm cramp muscle headache joint on""".split()
)
_SIDES = {"left": "left", "l": "left", "lt": "left", "right": "right", "r": "right", "rt": "right"}
_BOTH = frozenset({"both", "bilateral", "bilaterally", "each", "either"})
_WHOLE = frozenset({"whole", "entire", "all"})  # "the whole head": both sides unless one is named
_SIDED = frozenset({"sided", "side"})

#: Typos are corrected only in words and terms at least this long.
TYPO_MIN_LENGTH = 4


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def key_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as compared: lower case, singular, no punctuation or stop words."""
    text = text.lower().replace("’", "'").replace("`", "'")
    text = re.sub(r"'s\b", "", text).replace("s'", "s")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return tuple(w for w in (_singular(w) for w in words) if w not in _STOP)


def key(text: str) -> str:
    """The lookup key of a term or phrase (see :func:`key_words`)."""
    return " ".join(key_words(text))


class SideWord(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


def read_sides(words: tuple[str, ...]) -> tuple[SideWord | None, tuple[str, ...]]:
    """The side the words name, and the words without it.

    "left", "R", "rt", "right-sided", "on the left side", "both", "bilateral", "left and right" are
    understood anywhere in the phrase, and "whole"/"all" with no side means both; "side" stays when it belongs to the place ("left side of
    neck" keeps "side of neck").
    """
    said: set[str] = set()
    both = False
    whole = any(w in _WHOLE for w in words)
    out: list[str] = []
    for i, word in enumerate(words):
        if word in _SIDES:
            said.add(_SIDES[word])
        elif word in _BOTH:
            both = True
        elif word in _SIDED and i > 0 and (words[i - 1] in _SIDES or words[i - 1] in _BOTH):
            if i + 1 < len(words) and words[i + 1] == "of":  # "left side of neck": the place
                out.append(word)
        else:
            out.append(word)
    if both or len(said) == 2 or (whole and not said):
        return SideWord.BOTH, tuple(out)
    return (SideWord(said.pop()) if said else None), tuple(out)


def trimmings(words: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """``words`` and then ever shorter cuts without pain words and loose prepositions at the ends,
    the longest first, so that "point of shoulder" is tried before "shoulder"."""
    lead = 0
    while lead < len(words) and words[lead] in _LEAD:
        lead += 1
    trail = 0
    while trail < len(words) - lead and words[len(words) - 1 - trail] in _TRAIL:
        trail += 1
    cuts = [(i, j) for i in range(lead + 1) for j in range(trail + 1) if i + j < len(words)]
    for i, j in sorted(cuts, key=lambda c: (c[0] + c[1], c[0])):
        yield words[i : len(words) - j]


def one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or swap
    of two neighbouring characters (Damerau-Levenshtein distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


@dataclass(frozen=True, slots=True)
class Entry:
    """A vocabulary term and the base regions it stands for."""

    term: str  # as written in the data, for messages
    bases: tuple[str, ...]
    name: str | None = None  # the area's name when it spans several regions


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    entry: Entry
    corrected: bool


class Vocabulary:
    """Keys of every term a region (or a group of regions) is known by."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self._words = frozenset(w for k in entries for w in k.split())

    def __contains__(self, text: str) -> bool:
        return key(text) in self.entries

    def merged(self, extra: dict[str, Entry]) -> Vocabulary:
        """This vocabulary plus ``extra`` terms; on a shared key this vocabulary wins."""
        return Vocabulary({**extra, **self.entries})

    def find(self, cuts: Iterable[tuple[str, ...]]) -> Match | None:
        """The first cut that is a term; failing that, the first cut one typo away from exactly one
        term (a whole term, or one word of the cut corrected to a vocabulary word)."""
        cuts = [c for c in cuts if c]
        for cut in cuts:
            k = " ".join(cut)
            if k in self.entries:
                return Match(k, self.entries[k], corrected=False)
        for cut in cuts:
            match = self._typo(cut)
            if match is not None:
                return match
        return None

    def _typo(self, cut: tuple[str, ...]) -> Match | None:
        text = " ".join(cut)
        hits: set[str] = set()
        if len(text) >= TYPO_MIN_LENGTH:
            hits = {k for k in self.entries if len(k) >= TYPO_MIN_LENGTH and one_edit(text, k)}
        for i, word in enumerate(cut):
            if len(word) < TYPO_MIN_LENGTH or word in self._words:
                continue
            for fix in (w for w in self._words if len(w) >= TYPO_MIN_LENGTH and one_edit(word, w)):
                k = " ".join((*cut[:i], fix, *cut[i + 1 :]))
                if k in self.entries:
                    hits.add(k)
        targets = {self.entries[k].bases for k in hits}
        if len(targets) != 1:
            return None  # nothing, or ambiguous: better an error with suggestions than a guess
        k = min(hits, key=len)
        return Match(k, self.entries[k], corrected=True)

    def close(self, cuts: Iterable[tuple[str, ...]], n: int = 5) -> list[tuple[str, Entry]]:
        """Terms that look like the phrase, for "did you mean" (one term per group of regions)."""
        keys = list(self.entries)
        found: dict[tuple[str, ...], tuple[str, Entry]] = {}
        for cut in cuts:
            for k in difflib.get_close_matches(" ".join(cut), keys, n=n, cutoff=0.6):
                found.setdefault(self.entries[k].bases, (k, self.entries[k]))
            if len(found) >= n:
                break
        return list(found.values())[:n]
