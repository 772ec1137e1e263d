"""Load and cross-check the packaged knowledge files.

``load_knowledge()`` parses every file once per process and verifies that all ids resolve
(regions, conditions, sources, endangerment sites), so an inconsistent knowledge base cannot start.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from myomap.atlas.regions import RegionAtlas, load_atlas
from myomap.knowledge.schema import (
    Condition,
    EndangermentSite,
    MidlineNeighbours,
    Muscle,
    MuscleGroup,
    Nerve,
    ProvocativeTest,
    Source,
)

_M = TypeVar("_M", bound=BaseModel)


class KnowledgeError(ValueError):
    """The packaged knowledge is inconsistent; names the file and the problem."""


class UnknownMuscleError(LookupError):
    def __init__(self, text: str, suggestions: list[str]) -> None:
        self.text, self.suggestions = text, suggestions
        msg = f"unknown muscle {text!r}"
        if suggestions:
            msg += "; did you mean: " + ", ".join(suggestions) + "?"
        super().__init__(msg)


@dataclass(frozen=True)
class Knowledge:
    atlas: RegionAtlas
    sources: dict[str, Source]
    conditions: dict[str, Condition]
    sites: dict[str, EndangermentSite]
    muscles: dict[str, Muscle]
    groups: dict[str, MuscleGroup] = field(default_factory=dict)
    midline: dict[str, MidlineNeighbours] = field(default_factory=dict)
    tests: dict[str, ProvocativeTest] = field(default_factory=dict)
    nerves: dict[str, Nerve] = field(default_factory=dict)

    @cached_property
    def _terms(self) -> dict[str, str]:
        """Normalised id, name or synonym -> muscle id (names are unique: see integrity_problems)."""
        terms: dict[str, str] = {}
        for m in self.muscles.values():
            for t in (m.id, m.name, *m.synonyms):
                terms.setdefault(_norm(t), m.id)
        return terms

    def muscle(self, text: str) -> Muscle:
        """A muscle by id, name or synonym (case-insensitive)."""
        key = _norm(text)
        if key in self._terms:
            return self.muscles[self._terms[key]]
        close = difflib.get_close_matches(key, list(self._terms), n=5, cutoff=0.6)
        raise UnknownMuscleError(text, list(dict.fromkeys(self._terms[c] for c in close)))


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


def _read(path: str) -> Any:
    import yaml  # here, not at the top: a cached knowledge base needs no YAML parser

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(resources.files("myomap.knowledge").joinpath(path).read_text("utf-8"), Loader=loader)


def _parse(kind: type[_M], items: list[Any], where: str) -> list[_M]:
    out: list[_M] = []
    for i, item in enumerate(items):
        try:
            out.append(kind.model_validate(item))
        except ValidationError as exc:
            name = item.get("id") if isinstance(item, dict) else None
            raise KnowledgeError(f"{where}: item {i}{f' ({name})' if name else ''}: {exc}") from exc
    return out


def _unique(items: list[Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item.id in out:
            raise KnowledgeError(f"{where}: duplicate id {item.id!r}")
        out[item.id] = item
    return out


def _muscle_files() -> list[str]:
    folder = resources.files("myomap.knowledge").joinpath("data/muscles")
    return sorted(f"data/muscles/{p.name}" for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def load_knowledge() -> Knowledge:
    """The knowledge base, parsed and cross-checked once per process, and kept in the compiled
    cache (see :mod:`myomap.data_cache`) so later processes skip the parsing. Its atlas is
    :func:`load_atlas`'s own object."""
    from myomap.data_cache import load_compiled

    atlas = load_atlas()
    return load_compiled(
        "knowledge", kind=Knowledge, packages=["myomap.atlas", "myomap.knowledge"],
        build=lambda: build_knowledge(atlas), shared={"atlas": atlas},
    )


def build_knowledge(atlas: RegionAtlas) -> Knowledge:
    """The knowledge base parsed and cross-checked from its YAML files (no cache)."""
    sources = _unique(_parse(Source, _read("data/sources.yaml")["sources"], "sources.yaml"), "sources.yaml")
    conditions = _unique(
        _parse(Condition, _read("data/conditions.yaml")["conditions"], "conditions.yaml"), "conditions.yaml"
    )
    sites = _unique(
        _parse(EndangermentSite, _read("data/endangerment_sites.yaml")["sites"], "endangerment_sites.yaml"),
        "endangerment_sites.yaml",
    )
    muscles_list: list[Muscle] = []
    for path in _muscle_files():
        muscles_list += _parse(Muscle, _read(path)["muscles"], path)
    muscles = _unique(muscles_list, "muscles")
    groups = _unique(_parse(MuscleGroup, _read("data/muscle_groups.yaml")["groups"], "muscle_groups.yaml"),
                     "muscle_groups.yaml")
    midline = {n.region: n for n in _parse(MidlineNeighbours, _read("data/midline_neighbours.yaml")["midline"],
                                           "midline_neighbours.yaml")}
    tests = _unique(_parse(ProvocativeTest, _read("data/provocative_tests.yaml")["tests"], "provocative_tests.yaml"),
                    "provocative_tests.yaml")
    nerves = _unique(_parse(Nerve, _read("data/nerves.yaml")["nerves"], "nerves.yaml"), "nerves.yaml")
    kb = Knowledge(atlas, sources, conditions, sites, muscles, groups, midline, tests, nerves)
    problems = integrity_problems(kb)
    if problems:
        raise KnowledgeError("knowledge base is inconsistent:\n- " + "\n- ".join(problems))
    return kb


def integrity_problems(kb: Knowledge) -> list[str]:
    """Every cross-reference that does not resolve, as readable sentences (empty when sound)."""
    problems: list[str] = []
    bases, areas = kb.atlas.bases, kb.atlas.areas

    def cite(owner: str, refs: list[Any]) -> None:
        for ref in refs:
            if ref.source not in kb.sources:
                problems.append(f"{owner} cites unknown source {ref.source!r}")

    for c in kb.conditions.values():
        cite(f"condition {c.id}", [c.source])
    for s in kb.sites.values():
        cite(f"site {s.id}", s.sources)
        problems += [f"site {s.id} names unknown region {r!r}" for r in s.regions if r not in bases]
    for m in kb.muscles.values():
        owner = f"muscle {m.id}"
        cite(owner, m.sources)
        if m.area not in areas:
            problems.append(f"{owner} names unknown area {m.area!r}")
        for z in (*m.essential_zones, *m.spillover_zones):
            if z.region not in bases:
                problems.append(f"{owner} has a zone in unknown region {z.region!r}")
        overlap = {z.region for z in m.essential_zones} & {z.region for z in m.spillover_zones}
        problems += [f"{owner} lists {r!r} as both essential and spillover" for r in sorted(overlap)]
        tp_ids = [tp.id for tp in m.trigger_points]
        if len(set(tp_ids)) != len(tp_ids):
            problems.append(f"{owner} repeats a trigger-point id")
        problems += [
            f"{owner} trigger point {tp.id} lies in unknown region {tp.region!r}"
            for tp in m.trigger_points
            if tp.region not in bases
        ]
        problems += [f"{owner} names unknown condition {c!r}" for c in m.conditions if c not in kb.conditions]
        problems += [f"{owner} names unknown site {s!r}" for s in m.endangerment_sites if s not in kb.sites]
    problems += _pattern_problems(kb)
    terms: dict[str, str] = {}
    for m in kb.muscles.values():
        for t in {_norm(x) for x in (m.id, m.name, *m.synonyms)}:
            if terms.setdefault(t, m.id) != m.id:
                problems.append(f"name {t!r} is used by both {terms[t]} and {m.id}")
    return problems


def _pattern_problems(kb: Knowledge) -> list[str]:
    """Cross-references of the referral data: per-trigger-point zones, groups, midline
    neighbours, nerves and provocative tests."""
    problems: list[str] = []
    bases = kb.atlas.bases
    for m in kb.muscles.values():
        owner = f"muscle {m.id}"
        muscle_zones = {z.region for z in (*m.essential_zones, *m.spillover_zones)}
        for tp in m.trigger_points:
            own = [*(tp.essential_zones or []), *(tp.spillover_zones or [])]
            if (tp.essential_zones is None) != (tp.division is None):
                problems.append(f"{owner} trigger point {tp.id}: own zones and a division go together")
            if tp.essential_zones is not None and tp.pattern_source is None:
                problems.append(f"{owner} trigger point {tp.id} has its own zones but no pattern_source")
            if tp.pattern_source is not None and tp.pattern_source.source not in kb.sources:
                problems.append(f"{owner} trigger point {tp.id} cites unknown source {tp.pattern_source.source!r}")
            problems += [f"{owner} trigger point {tp.id} has a zone in unknown region {z.region!r}"
                         for z in own if z.region not in bases]
            problems += [f"{owner} trigger point {tp.id} refers to {z.region!r}, missing from the muscle's zones"
                         for z in own if z.region in bases and z.region not in muscle_zones]
        for e in m.entrapments:
            if e.nerve_id is not None and e.nerve_id not in kb.nerves:
                problems.append(f"{owner} entrapment names unknown nerve {e.nerve_id!r}")
            if e.test is not None and e.test not in kb.tests:
                problems.append(f"{owner} entrapment names unknown test {e.test!r}")
    for g in kb.groups.values():
        problems += [f"group {g.id} names unknown muscle {x!r}" for x in g.members if x not in kb.muscles]
    for n in kb.midline.values():
        if n.region not in bases or not bases[n.region].is_midline:
            problems.append(f"midline neighbours: {n.region!r} is not a midline region")
        problems += [f"midline neighbours of {n.region}: unknown region {r!r}" for r in n.neighbours if r not in bases]
    for nv in kb.nerves.values():
        problems += [f"nerve {nv.id} covers unknown region {r!r}" for r in nv.regions if r not in bases]
    for t in kb.tests.values():
        problems += [f"test {t.id} cites unknown source {ref.source!r}" for ref in t.sources if ref.source not in kb.sources]
    return problems


def muscle_summary(muscle: Muscle, matched: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """A muscle in one line of a list, as the API and CLI show it (zones as base region ids)."""
    return {
        "id": muscle.id, "name": muscle.name, "area": muscle.area, "synonyms": list(muscle.synonyms),
        "essential_zones": [z.region for z in muscle.essential_zones],
        "spillover_zones": [z.region for z in muscle.spillover_zones],
        "matched": list(matched),
    }


def muscle_to_json(muscle: Muscle, atlas: RegionAtlas) -> dict[str, Any]:
    """A muscle as JSON for the CLI and API, with zones as base region ids (mirrored per side
    at use) and their sides listed separately."""
    data = muscle.model_dump(mode="json")
    data["essential_zones"] = [z.region for z in muscle.essential_zones]
    data["spillover_zones"] = [z.region for z in muscle.spillover_zones]
    data["zone_sides"] = {z.region: z.side.value for z in (*muscle.essential_zones, *muscle.spillover_zones)}
    data["area_name"] = atlas.areas[muscle.area].name
    return data
