"""The body-region atlas: typed access to ``data/regions.yaml``.

A *base* region (``temple``) is what knowledge files refer to; a *chart region* (``temple.left``)
is what a pain drawing marks. Bilateral bases expand to a left and a right chart region, midline
bases to one. Keeping knowledge side-free lets referral patterns be mirrored instead of copied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from typing import Any

from myomap.atlas.vocabulary import Entry, SideWord, Vocabulary, key, key_words, read_sides, trimmings


class View(StrEnum):
    ANTERIOR = "anterior"
    POSTERIOR = "posterior"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def opposite(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


class Laterality(StrEnum):
    BILATERAL = "bilateral"
    MIDLINE = "midline"


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    name: str
    snomed: str | None = None


@dataclass(frozen=True, slots=True)
class BaseRegion:
    """A region as the knowledge base names it, before a side is chosen."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    view: View
    laterality: Laterality
    area: str
    snomed: str | None = None

    @property
    def is_midline(self) -> bool:
        return self.laterality is Laterality.MIDLINE


@dataclass(frozen=True, slots=True)
class Region:
    """A region on the body chart: a base region on one side (or the midline)."""

    id: str
    base: BaseRegion
    side: Side | None

    @property
    def name(self) -> str:
        """As a therapist says it: "Jaw, right" (the side after a comma, never in brackets)."""
        return self.base.name if self.side is None else f"{self.base.name}, {self.side.value}"

    @property
    def view(self) -> View:
        return self.base.view

    @property
    def area(self) -> str:
        return self.base.area


class UnknownRegionError(LookupError):
    """Raised when text names no region; carries close matches for the error message.

    ``suggestions`` are ids (chart or base ids) for programs; ``words`` are the same matches as a
    therapist says them ("temple", "angle of jaw") and are what the message shows when given.
    """

    def __init__(
        self, text: str, suggestions: list[str], reason: str | None = None, words: list[str] | None = None
    ) -> None:
        self.text = text
        self.suggestions = suggestions
        self.words = words or []
        msg = reason or f"unknown body region {text!r}"
        shown = self.words or suggestions
        if shown:
            msg += "; did you mean: " + ", ".join(shown) + "?"
        super().__init__(msg)


def name_list(names: Iterable[str]) -> str:
    """Region names in a sentence: "Temple, right; Jaw, right" (a name holds a comma before its side)."""
    return "; ".join(names)


def region_id(base_id: str, side: Side | None) -> str:
    return base_id if side is None else f"{base_id}.{side.value}"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a phrase means on the chart, and how it was read."""

    text: str  # what the person typed
    regions: tuple[Region, ...]  # one or more chart regions, in atlas order
    term: str  # the vocabulary term that matched (normalised)
    expanded_from: str | None  # the coarse area's name when a phrase expanded to several regions, else None
    corrected: str | None  # the term a one-typo correction matched, else None


def _side(side: Side | str | None) -> Side | None:
    if isinstance(side, str):
        try:
            return Side(side.strip().lower())
        except ValueError:
            raise UnknownRegionError(
                side, [s.value for s in Side], reason=f"side must be left or right, not {side!r}"
            ) from None
    return side


@dataclass(frozen=True)
class RegionAtlas:
    """All regions with lookup by id, name, synonym and the words of ``data/vocabulary.yaml``."""

    version: int
    areas: dict[str, Area]
    bases: dict[str, BaseRegion]
    regions: dict[str, Region]
    vocabulary: Vocabulary = field(repr=False)

    def base(self, base_id: str) -> BaseRegion:
        try:
            return self.bases[base_id]
        except KeyError:
            raise self._unknown(base_id) from None

    def region(self, rid: str) -> Region:
        try:
            return self.regions[rid]
        except KeyError:
            raise self._unknown(rid) from None

    def for_side(self, base_id: str, side: Side | str | None) -> Region:
        """The chart region of ``base_id`` on ``side``; midline regions ignore the side."""
        base = self.base(base_id)
        side = _side(side)
        if base.is_midline:
            return self.regions[base.id]
        if side is None:
            raise UnknownRegionError(
                base_id, [region_id(base_id, s) for s in Side], reason=f"{base.name!r} needs a side"
            )
        return self.regions[region_id(base.id, side)]

    def resolve(self, text: str, side: Side | str | None = None) -> Region:
        """The one chart region a therapist means by ``text`` (see :meth:`interpret`).

        A phrase that covers several regions ("wrist") is an error here, naming them.
        """
        found = self.interpret(text, side)
        if len(found.regions) > 1:
            ids = [r.id for r in found.regions]
            raise UnknownRegionError(text, ids, reason=f"{text!r} covers several regions; name one")
        return found.regions[0]

    def interpret(self, text: str, side: Side | str | None = None) -> Resolution:
        """What ``text`` means on the chart: one region, or several for a coarse area.

        Understands chart and base ids, names, synonyms, coarse areas ("wrist"), compound and lay
        phrases ("web of the thumb", "funny bone") and muscle-named areas ("in the trap", "over
        the middle deltoid"), ignoring case, hyphens, plurals, pain words and one typo. Side words
        in the text ("left", "R", "right-sided", "both sides") or ``side`` choose the side; a
        two-sided place with no side is an error unless the text says both; a conflict is an error.
        """
        side = _side(side)
        raw = text.strip()
        if raw in self.regions:
            region = self.regions[raw]
            if side is not None and region.side is not None and region.side is not side:
                raise UnknownRegionError(raw, [], reason=f"{raw!r} is on the {region.side} side, not {side}")
            return Resolution(raw, (region,), raw, None, None)
        said, words = read_sides(key_words(raw))
        if said is not None and side is not None and said.value != side.value:
            raise UnknownRegionError(raw, [], reason=f"{raw!r} says {said} but --side says {side}")
        cuts = list(trimmings(words))
        match = self.vocabulary.find(cuts) or self._full_vocabulary.find(cuts)
        if match is None:
            raise self._unknown(raw, cuts)
        entry = match.entry
        sides: tuple[Side | None, ...]
        if said is SideWord.BOTH:
            sides = (Side.LEFT, Side.RIGHT)
        else:
            sides = (Side(said.value) if said else side,)
        bases = [self.bases[b] for b in entry.bases]
        if None in sides and not all(b.is_midline for b in bases):
            name = entry.name or match.key
            ids = [region_id(bases[0].id, s) for s in Side] if len(bases) == 1 else [f"{s} {name}" for s in Side]
            raise UnknownRegionError(raw, ids, reason=f"{name!r} needs a side (left, right or both)")
        found = {self.regions[b.id] if b.is_midline else self.regions[region_id(b.id, s)] for b in bases for s in sides}
        ordered = tuple(sorted(found, key=lambda r: self._order[r.id]))
        return Resolution(
            text=raw,
            regions=ordered,
            term=match.key,
            expanded_from=entry.name if len(entry.bases) > 1 else None,
            corrected=match.key if match.corrected else None,
        )

    @cached_property
    def _order(self) -> dict[str, int]:
        return {rid: i for i, rid in enumerate(self.regions)}

    @cached_property
    def _full_vocabulary(self) -> Vocabulary:
        """The region vocabulary plus muscle-named areas (loaded on first need: see muscle_areas)."""
        from myomap.atlas.muscle_areas import muscle_areas

        return self.vocabulary.merged(muscle_areas(set(self.bases)))

    def _unknown(self, text: str, cuts: list[tuple[str, ...]] | None = None) -> UnknownRegionError:
        if cuts is None:
            cuts = list(trimmings(read_sides(key_words(text))[1]))
        close = self.vocabulary.close(cuts)
        ids = list(dict.fromkeys(b for _, e in close for b in e.bases))
        return UnknownRegionError(text, ids, words=[term for term, _ in close])


def _parse(doc: dict[str, Any], vocabulary_doc: dict[str, Any]) -> RegionAtlas:
    areas = {a["id"]: Area(a["id"], a["name"], a.get("snomed")) for a in doc["areas"]}
    bases: dict[str, BaseRegion] = {}
    regions: dict[str, Region] = {}
    entries: dict[str, Entry] = {}
    for raw in doc["regions"]:
        base = BaseRegion(
            id=raw["id"],
            name=raw["name"],
            synonyms=tuple(raw.get("synonyms", ())),
            view=View(raw["view"]),
            laterality=Laterality(raw["laterality"]),
            area=raw["area"],
            snomed=raw.get("snomed"),
        )
        if base.id in bases:
            raise ValueError(f"duplicate region id {base.id!r}")
        if base.area not in areas:
            raise ValueError(f"region {base.id!r} names unknown area {base.area!r}")
        bases[base.id] = base
        sides: tuple[Side | None, ...] = (None,) if base.is_midline else (Side.LEFT, Side.RIGHT)
        for side in sides:
            rid = region_id(base.id, side)
            regions[rid] = Region(rid, base, side)
        for term in (base.id, base.name, *base.synonyms):
            owner = entries.setdefault(key(term), Entry(term, (base.id,)))
            if owner.bases != (base.id,):
                raise ValueError(f"term {term!r} names both {owner.bases[0]!r} and {base.id!r}")
    names = {key(b.name): b.id for b in bases.values()}
    problems: list[str] = []
    for section in ("areas", "phrases", "lay", "muscles"):
        for item in vocabulary_doc.get(section, ()):
            problems += _add_vocabulary_item(entries, names, bases, item, section)
    if problems:
        raise ValueError("vocabulary.yaml: " + "; ".join(problems))
    return RegionAtlas(doc["version"], areas, bases, regions, Vocabulary(entries))


def _add_vocabulary_item(
    entries: dict[str, Entry], names: dict[str, str], bases: dict[str, BaseRegion], item: dict[str, Any], section: str
) -> list[str]:
    """Add one vocabulary.yaml item. A term may take over a region's *name* only for an area that
    contains that region ("shoulder blade"); any other clash is an error in the data."""
    say, ids = list(item["say"]), tuple(item["regions"])
    where = f"{section} {say[0]!r}"
    unknown = [b for b in ids if b not in bases]
    if unknown or not ids or len(set(ids)) != len(ids):
        return [f"{where}: regions must be distinct base ids; unknown {unknown}"]
    entry = Entry(say[0], ids, str(item.get("name", say[0])) if len(ids) > 1 else None)
    problems = []
    for term in say:
        k = key(term)
        if not k:
            problems.append(f"{where}: {term!r} has no words left after normalising")
        elif k in entries and entries[k] is not entry and not (names.get(k) in ids and entries[k].bases == (names[k],)):
            problems.append(f"{where}: {term!r} is already {entries[k].term!r} ({', '.join(entries[k].bases)})")
        else:
            entries[k] = entry
    return problems


def _read_yaml(name: str) -> dict[str, Any]:
    import yaml  # here, not at the top: a cached atlas needs no YAML parser

    text = resources.files("myomap.atlas").joinpath(f"data/{name}").read_text(encoding="utf-8")
    doc: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return doc


@cache
def load_atlas() -> RegionAtlas:
    """The packaged atlas and its vocabulary, parsed and checked once per process, and kept in
    the compiled cache (see :mod:`myomap.data_cache`) so later processes skip the parsing."""
    from myomap.data_cache import load_compiled

    return load_compiled("atlas", kind=RegionAtlas, packages=["myomap.atlas"], build=build_atlas)


def build_atlas() -> RegionAtlas:
    """The atlas parsed and checked from its YAML files (no cache)."""
    return _parse(_read_yaml("regions.yaml"), _read_yaml("vocabulary.yaml"))
