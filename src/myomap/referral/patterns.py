"""Referral patterns as chart regions, precomputed once per knowledge base.

A muscle has one pattern per *division*: trigger points that carry their own zones in the atlas
(SCM sternal vs clavicular, gluteus minimus anterior vs posterior...) form one division each,
and the others share the muscle's zones. Each division is mirrored to both sides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from myomap.atlas.regions import Region, RegionAtlas, Side
from myomap.knowledge.library import Knowledge, load_knowledge
from myomap.knowledge.schema import Muscle, TriggerPoint, Zone, ZoneSide

SPILLOVER_WEIGHT = 0.6
LOCAL_WEIGHT = 0.5

ESSENTIAL, SPILLOVER, LOCAL = "essential", "spillover", "local"
KIND_WEIGHT = {ESSENTIAL: 1.0, SPILLOVER: SPILLOVER_WEIGHT, LOCAL: LOCAL_WEIGHT}


@dataclass(frozen=True)
class Division:
    """Trigger points of one muscle that share a referral pattern (base region zones)."""

    label: str | None  # None when the muscle has a single pattern
    trigger_points: tuple[TriggerPoint, ...]
    essential: tuple[Zone, ...]
    spillover: tuple[Zone, ...]


def divisions(muscle: Muscle) -> tuple[Division, ...]:
    """The muscle's referral patterns: one per named division, plus the muscle's own zones for
    trigger points without a pattern of their own, in trigger-point order."""
    order: list[str | None] = []
    members: dict[str | None, list[TriggerPoint]] = {}
    for tp in muscle.trigger_points:
        key = tp.division if tp.essential_zones is not None else None
        if key not in members:
            order.append(key)
            members[key] = []
        members[key].append(tp)
    single = len(order) == 1
    out: list[Division] = []
    for key in order:
        tps = tuple(members[key])
        first = tps[0]
        if key is None:
            ess, spill = tuple(muscle.essential_zones), tuple(muscle.spillover_zones)
        else:
            ess, spill = tuple(first.essential_zones or ()), tuple(first.spillover_zones or ())
        label = None if single else (key or "other trigger points")
        out.append(Division(label, tps, ess, spill))
    return tuple(out)


@dataclass(frozen=True)
class Pattern:
    """One division of a muscle on one side: chart region id -> kind; plus its essential mass."""

    muscle: Muscle
    division: Division
    side: Side
    regions: Mapping[str, str]
    essential: Mapping[str, float]  # essential chart region -> idf weight
    essential_mass: float


@dataclass(frozen=True)
class PatternIndex:
    atlas: RegionAtlas
    idf: Mapping[str, float]
    patterns: Mapping[str, tuple[tuple[Pattern, Pattern], ...]]  # muscle id -> per division (left, right)
    by_region: Mapping[str, frozenset[str]]  # chart region -> muscles whose patterns touch it


def zone_regions(atlas: RegionAtlas, base_id: str, tp_side: Side, zone_side: ZoneSide) -> list[Region]:
    base = atlas.bases[base_id]
    if base.is_midline:
        return [atlas.regions[base.id]]
    sides = {
        ZoneSide.IPSILATERAL: (tp_side,),
        ZoneSide.CONTRALATERAL: (tp_side.opposite,),
        ZoneSide.BILATERAL: (Side.LEFT, Side.RIGHT),
    }[zone_side]
    return [atlas.for_side(base_id, s) for s in sides]


def _idf(kb: Knowledge) -> dict[str, float]:
    counts: dict[str, float] = {}
    for m in kb.muscles.values():
        seen: dict[str, float] = {}
        for z in m.essential_zones:
            seen[z.region] = 1.0
        for z in m.spillover_zones:
            seen[z.region] = max(seen.get(z.region, 0.0), 0.5)
        for b, c in seen.items():
            counts[b] = counts.get(b, 0.0) + c
    n = max(len(kb.muscles), 1)
    return {b: math.log(1 + n / (1 + counts.get(b, 0.0))) for b in kb.atlas.bases}


def _pattern(atlas: RegionAtlas, idf: Mapping[str, float], m: Muscle, d: Division, side: Side) -> Pattern:
    regions: dict[str, str] = {}
    for tp in d.trigger_points:
        for r in zone_regions(atlas, tp.region, side, ZoneSide.IPSILATERAL):
            regions.setdefault(r.id, LOCAL)
    for kind, zones in ((SPILLOVER, d.spillover), (ESSENTIAL, d.essential)):
        for z in zones:
            for r in zone_regions(atlas, z.region, side, z.side):
                if KIND_WEIGHT[kind] >= KIND_WEIGHT.get(regions.get(r.id, ""), 0.0):
                    regions[r.id] = kind
    essential = {r: idf[atlas.regions[r].base.id] for r, k in regions.items() if k == ESSENTIAL}
    return Pattern(m, d, side, regions, essential, sum(essential.values()))


def build_index(kb: Knowledge) -> PatternIndex:
    atlas = kb.atlas
    idf = _idf(kb)
    patterns: dict[str, tuple[tuple[Pattern, Pattern], ...]] = {}
    by_region: dict[str, set[str]] = {}
    for m in sorted(kb.muscles.values(), key=lambda m: m.id):
        per_division = tuple(
            (_pattern(atlas, idf, m, d, Side.LEFT), _pattern(atlas, idf, m, d, Side.RIGHT)) for d in divisions(m)
        )
        patterns[m.id] = per_division
        for pair in per_division:
            for p in pair:
                for r in p.regions:
                    by_region.setdefault(r, set()).add(m.id)
    return PatternIndex(atlas, idf, patterns, {r: frozenset(ms) for r, ms in by_region.items()})


@cache
def default_index() -> PatternIndex:
    return build_index(load_knowledge())
