"""The body-region atlas: typed access to ``data/regions.yaml``.

A *base* region (``temple``) is what knowledge files refer to; a *chart region* (``temple.left``)
is what a pain drawing marks. Bilateral bases expand to a left and a right chart region, midline
bases to one. Keeping knowledge side-free lets referral patterns be mirrored instead of copied.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml


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
        return self.base.name if self.side is None else f"{self.base.name} ({self.side.value})"

    @property
    def view(self) -> View:
        return self.base.view

    @property
    def area(self) -> str:
        return self.base.area


class UnknownRegionError(LookupError):
    """Raised when text names no region; carries close matches for the error message."""

    def __init__(self, text: str, suggestions: list[str], reason: str | None = None) -> None:
        self.text = text
        self.suggestions = suggestions
        msg = reason or f"unknown body region {text!r}"
        if suggestions:
            msg += "; did you mean: " + ", ".join(suggestions) + "?"
        super().__init__(msg)


def region_id(base_id: str, side: Side | None) -> str:
    return base_id if side is None else f"{base_id}.{side.value}"


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("’", "'")
    return re.sub(r"[\s_\-]+", " ", text)


_SIDE_WORDS = {"left": Side.LEFT, "l": Side.LEFT, "right": Side.RIGHT, "r": Side.RIGHT}


@dataclass(frozen=True)
class RegionAtlas:
    """All regions with lookup by id, name and synonym."""

    version: int
    areas: dict[str, Area]
    bases: dict[str, BaseRegion]
    regions: dict[str, Region]
    _terms: dict[str, str] = field(repr=False)  # normalised term -> base id

    def base(self, base_id: str) -> BaseRegion:
        try:
            return self.bases[base_id]
        except KeyError:
            raise UnknownRegionError(base_id, self._close(base_id)) from None

    def region(self, rid: str) -> Region:
        try:
            return self.regions[rid]
        except KeyError:
            raise UnknownRegionError(rid, self._close(rid)) from None

    def for_side(self, base_id: str, side: Side | str | None) -> Region:
        """The chart region of ``base_id`` on ``side``; midline regions ignore the side."""
        base = self.base(base_id)
        if isinstance(side, str):
            side = Side(side.lower())
        if base.is_midline:
            return self.regions[base.id]
        if side is None:
            raise UnknownRegionError(
                base_id, [region_id(base_id, s) for s in Side], reason=f"{base.name!r} needs a side"
            )
        return self.regions[region_id(base.id, side)]

    def resolve(self, text: str, side: Side | str | None = None) -> Region:
        """Find the chart region a therapist means by ``text``.

        Accepts chart ids (``temple.left``), base ids, names and synonyms, case-insensitively,
        with an optional leading ``left``/``right`` word. A bilateral region needs a side, from the
        text or the ``side`` argument; a conflict between the two is an error.
        """
        if isinstance(side, str):
            side = Side(side.lower())
        raw = text.strip()
        if raw in self.regions:
            region = self.regions[raw]
            if side is not None and region.side is not None and region.side is not side:
                raise UnknownRegionError(raw, [], reason=f"{raw!r} is on the {region.side} side, not {side}")
            return region
        norm = _normalise(raw)
        words = norm.split(" ", 1)
        text_side: Side | None = None
        if len(words) == 2 and words[0] in _SIDE_WORDS and words[1] in self._terms:
            text_side, norm = _SIDE_WORDS[words[0]], words[1]
        if text_side and side and text_side is not side:
            raise UnknownRegionError(raw, [], reason=f"{raw!r} says {text_side} but --side says {side}")
        base_id = self._terms.get(norm)
        if base_id is None:
            raise UnknownRegionError(raw, self._close(norm))
        return self.for_side(base_id, text_side or side)

    def _close(self, text: str) -> list[str]:
        norm = _normalise(text)
        matches = difflib.get_close_matches(norm, list(self._terms), n=5, cutoff=0.6)
        names: list[str] = []
        for term in matches:
            label = self.bases[self._terms[term]].id
            if label not in names:
                names.append(label)
        return names


def _parse(doc: dict) -> RegionAtlas:
    areas = {a["id"]: Area(a["id"], a["name"], a.get("snomed")) for a in doc["areas"]}
    bases: dict[str, BaseRegion] = {}
    regions: dict[str, Region] = {}
    terms: dict[str, str] = {}
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
            key = _normalise(term)
            owner = terms.setdefault(key, base.id)
            if owner != base.id:
                raise ValueError(f"term {term!r} names both {owner!r} and {base.id!r}")
    return RegionAtlas(doc["version"], areas, bases, regions, terms)


@cache
def load_atlas() -> RegionAtlas:
    """The packaged atlas, parsed and checked once per process."""
    text = resources.files("myomap.atlas").joinpath("data/regions.yaml").read_text(encoding="utf-8")
    return _parse(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
