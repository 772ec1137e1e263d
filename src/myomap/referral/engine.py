"""Rank muscles by how well their trigger-point referral patterns explain a pain drawing.

The model (deterministic; every number below is a named constant):

1. **Pattern per side.** A muscle with trigger points on side *s* refers to chart regions: each
   zone's base region on side *s* (ipsilateral, the default), the opposite side (contralateral),
   or both (bilateral); midline regions match either side. Zones carry a kind weight:
   essential 1.0, spillover ``SPILLOVER_WEIGHT``, and the trigger point's own region (local
   tenderness) ``LOCAL_WEIGHT``.
2. **Specificity.** A base region that many muscles refer to says little about which muscle is
   responsible, so each region gets an inverse-document-frequency weight
   ``idf(b) = ln(1 + M / (1 + n_b))``, with M muscles and n_b the number of muscles that list b
   (spillover counted as half).
3. **Pain mass.** A painted region r weighs ``w_r = (0.5 + 0.5 * intensity / 10) * idf(b_r)``,
   so mild pain still counts but severe pain counts more.
4. **Score** for a muscle on a side = ``recall ** RECALL_EXP * fit ** PRECISION_EXP``:
   *recall* is the share of the drawing's pain mass the pattern explains (each region at its
   best kind weight); *precision* is the share of the muscle's essential pattern (idf-weighted)
   that is present in the drawing, and ``fit = PRECISION_FLOOR + (1 - PRECISION_FLOOR) *
   precision``, so a muscle whose hallmark zones are missing ranks lower but a spillover-only
   match still counts a little.
   Both sides together ("both") are scored too, as the union, when each side explains something.
5. **Priors** multiply the score: a matching client condition by ``1 + CONDITION_BOOST`` and a
   muscle implicated by posture or movement findings by ``1 + FINDING_BOOST * weight``
   (weights 0..1). Priors only re-order muscles that already explain some pain; they never
   create a candidate on their own.
6. **Cover.** Separately, the smallest set of candidates that together explain every region any
   muscle can explain (exact search up to ``MAX_EXACT_COVER`` muscles among the top
   ``COVER_POOL`` candidates, preferring the highest total score; greedy beyond that), and the
   regions no muscle explains.

Ties are broken by muscle id so the same drawing always gives the same ranking.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from myomap.atlas.regions import Region, RegionAtlas, Side
from myomap.knowledge.library import Knowledge, load_knowledge
from myomap.knowledge.schema import Muscle, ZoneSide

SPILLOVER_WEIGHT = 0.6
LOCAL_WEIGHT = 0.5
RECALL_EXP = 0.6
PRECISION_EXP = 0.4
PRECISION_FLOOR = 0.2
CONDITION_BOOST = 0.25
FINDING_BOOST = 0.3
MAX_EXACT_COVER = 4
COVER_POOL = 25

ESSENTIAL, SPILLOVER, LOCAL = "essential", "spillover", "local"
_KIND_WEIGHT = {ESSENTIAL: 1.0, SPILLOVER: SPILLOVER_WEIGHT, LOCAL: LOCAL_WEIGHT}


class EmptyDrawingError(ValueError):
    """The drawing has no painful region, so there is nothing to explain."""

    def __init__(self) -> None:
        super().__init__("the pain drawing is empty: mark at least one region with an intensity above 0")


@dataclass(frozen=True, slots=True)
class PainMark:
    """One painted chart region (e.g. ``temple.left``) with its intensity 0-10."""

    region: str
    intensity: float = 5.0


@dataclass(frozen=True)
class Priors:
    """Clinical context that may raise a muscle: the client's conditions and findings that
    implicate muscles (muscle id -> (weight 0..1, reason shown to the therapist))."""

    conditions: frozenset[str] = frozenset()
    findings: Mapping[str, tuple[float, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    muscle: str
    name: str
    side: str  # "left", "right", "both" or "either" (only midline regions involved)
    score: float
    explains: tuple[str, ...]
    essential: tuple[str, ...]
    spillover: tuple[str, ...]
    local: tuple[str, ...]
    missing_essential: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "muscle": self.muscle,
            "name": self.name,
            "side": self.side,
            "score": round(self.score, 4),
            "explains": list(self.explains),
            "essential": list(self.essential),
            "spillover": list(self.spillover),
            "local": list(self.local),
            "missing_essential": list(self.missing_essential),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Ranking:
    candidates: tuple[Candidate, ...]
    cover: tuple[str, ...]
    unexplained: tuple[str, ...]

    def to_json(self, top: int | None = None) -> dict[str, object]:
        shown = self.candidates if top is None else self.candidates[:top]
        return {
            "candidates": [c.to_json() for c in shown],
            "cover": list(self.cover),
            "unexplained": list(self.unexplained),
        }


# --- precomputed patterns ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    """A muscle's referral on one side: chart region id -> (kind, idf); plus essential mass."""

    muscle: Muscle
    side: Side
    regions: Mapping[str, str]
    essential: Mapping[str, float]  # essential chart region -> idf weight
    essential_mass: float


@dataclass(frozen=True)
class _Index:
    atlas: RegionAtlas
    idf: Mapping[str, float]
    sides: Mapping[str, tuple[_Pattern, _Pattern]]  # muscle id -> (left, right)
    by_region: Mapping[str, frozenset[str]]  # chart region -> muscles whose pattern touches it


def _zone_regions(atlas: RegionAtlas, base_id: str, tp_side: Side, zone_side: ZoneSide) -> list[Region]:
    base = atlas.bases[base_id]
    if base.is_midline:
        return [atlas.regions[base.id]]
    sides = {
        ZoneSide.IPSILATERAL: (tp_side,),
        ZoneSide.CONTRALATERAL: (tp_side.opposite,),
        ZoneSide.BILATERAL: (Side.LEFT, Side.RIGHT),
    }[zone_side]
    return [atlas.for_side(base_id, s) for s in sides]


def _build_index(kb: Knowledge) -> _Index:
    atlas = kb.atlas
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
    idf = {b: math.log(1 + n / (1 + counts.get(b, 0.0))) for b in atlas.bases}
    sides: dict[str, tuple[_Pattern, _Pattern]] = {}
    by_region: dict[str, set[str]] = {}
    for m in sorted(kb.muscles.values(), key=lambda m: m.id):
        pair: list[_Pattern] = []
        for side in (Side.LEFT, Side.RIGHT):
            regions: dict[str, str] = {}
            for tp in m.trigger_points:
                for r in _zone_regions(atlas, tp.region, side, ZoneSide.IPSILATERAL):
                    regions.setdefault(r.id, LOCAL)
            for kind, zones in ((SPILLOVER, m.spillover_zones), (ESSENTIAL, m.essential_zones)):
                for z in zones:
                    for r in _zone_regions(atlas, z.region, side, z.side):
                        if _KIND_WEIGHT[kind] >= _KIND_WEIGHT.get(regions.get(r.id, ""), 0.0):
                            regions[r.id] = kind
            essential = {r: idf[atlas.regions[r].base.id] for r, k in regions.items() if k == ESSENTIAL}
            pair.append(_Pattern(m, side, regions, essential, sum(essential.values())))
            for r in regions:
                by_region.setdefault(r, set()).add(m.id)
        sides[m.id] = (pair[0], pair[1])
    return _Index(atlas, idf, sides, {r: frozenset(ms) for r, ms in by_region.items()})


@cache
def _default_index() -> _Index:
    return _build_index(load_knowledge())


# --- ranking -------------------------------------------------------------------------------------


def _normalise_drawing(atlas: RegionAtlas, marks: Iterable[PainMark]) -> dict[str, float]:
    drawing: dict[str, float] = {}
    for mark in marks:
        region = atlas.region(mark.region)  # raises UnknownRegionError with suggestions
        if not 0 <= mark.intensity <= 10:
            raise ValueError(f"intensity for {region.id} must be between 0 and 10, not {mark.intensity}")
        if mark.intensity > 0:
            drawing[region.id] = max(drawing.get(region.id, 0.0), float(mark.intensity))
    if not drawing:
        raise EmptyDrawingError()
    return drawing


@dataclass
class _Scored:
    muscle: Muscle
    side: str
    score: float
    hits: dict[str, str]
    missing: list[str]
    reasons: list[str]


def _score(
    patterns: Sequence[_Pattern], drawing: Mapping[str, float], mass: Mapping[str, float], total: float
) -> tuple[float, dict[str, str]]:
    hits: dict[str, str] = {}
    for p in patterns:
        for r in drawing:
            kind = p.regions.get(r)
            if kind and _KIND_WEIGHT[kind] > _KIND_WEIGHT.get(hits.get(r, ""), 0.0):
                hits[r] = kind
    if all(k == LOCAL for k in hits.values()):
        return 0.0, hits
    recall = sum(mass[r] * _KIND_WEIGHT[k] for r, k in hits.items()) / total
    essential_mass = sum(p.essential_mass for p in patterns)
    present = sum(p.essential.get(r, 0.0) for p in patterns for r in drawing)
    precision = present / essential_mass if essential_mass else 0.0
    fit = PRECISION_FLOOR + (1 - PRECISION_FLOOR) * precision
    return recall**RECALL_EXP * fit**PRECISION_EXP, hits


def _missing(patterns: Sequence[_Pattern], drawing: Mapping[str, float]) -> list[str]:
    return sorted({r for p in patterns for r in p.essential if r not in drawing})


def _region_names(atlas: RegionAtlas, ids: Iterable[str]) -> str:
    return ", ".join(atlas.regions[r].name for r in ids)


def rank_muscles(
    marks: Iterable[PainMark],
    priors: Priors | None = None,
    *,
    knowledge: Knowledge | None = None,
) -> Ranking:
    """Rank every atlas muscle against the drawing; see the module docstring for the model."""
    idx = _default_index() if knowledge is None else _build_index(knowledge)
    kb = knowledge or load_knowledge()
    priors = priors or Priors()
    atlas = idx.atlas
    drawing = _normalise_drawing(atlas, marks)
    mass = {r: (0.5 + 0.5 * i / 10) * idx.idf[atlas.regions[r].base.id] for r, i in drawing.items()}
    total = sum(mass.values())

    def lateral(hits: Mapping[str, str]) -> bool:
        return any(atlas.regions[r].side is not None for r in hits)

    touched = sorted(set().union(*(idx.by_region.get(r, frozenset()) for r in drawing)))
    scored: list[_Scored] = []
    for muscle_id in touched:
        left, right = idx.sides[muscle_id]
        options: list[tuple[str, Sequence[_Pattern], tuple[float, dict[str, str]]]] = [
            ("left", (left,), _score((left,), drawing, mass, total)),
            ("right", (right,), _score((right,), drawing, mass, total)),
        ]
        if lateral(options[0][2][1]) and lateral(options[1][2][1]):
            options.append(("both", (left, right), _score((left, right), drawing, mass, total)))
        side, used, (score, hits) = max(options, key=lambda o: o[2][0])  # the first wins ties
        if score <= 0:
            continue
        if not lateral(hits):
            side = "either"
        muscle = left.muscle
        missing = _missing(used, drawing)
        reasons = _explain(atlas, hits, missing)
        boost = 1.0
        matched = sorted(set(muscle.conditions) & priors.conditions)
        for c in matched:
            boost += CONDITION_BOOST
            reasons.append(f"linked to the client's condition: {kb.conditions[c].name}")
        if muscle_id in priors.findings:
            weight, why = priors.findings[muscle_id]
            boost += FINDING_BOOST * max(0.0, min(1.0, weight))
            reasons.append(f"raised by a finding: {why}")
        scored.append(_Scored(muscle, side, score * boost, hits, missing, reasons))

    scored.sort(key=lambda s: (-s.score, s.muscle.id))
    candidates = tuple(
        Candidate(
            muscle=s.muscle.id,
            name=s.muscle.name,
            side=s.side,
            score=s.score,
            explains=tuple(r for r in drawing if s.hits.get(r) in (ESSENTIAL, SPILLOVER)),
            essential=tuple(r for r in drawing if s.hits.get(r) == ESSENTIAL),
            spillover=tuple(r for r in drawing if s.hits.get(r) == SPILLOVER),
            local=tuple(r for r in drawing if s.hits.get(r) == LOCAL),
            missing_essential=tuple(s.missing),
            reasons=tuple(s.reasons),
        )
        for s in scored
    )
    cover, unexplained = _cover(candidates, list(drawing), mass)
    return Ranking(candidates, cover, unexplained)


def _explain(atlas: RegionAtlas, hits: Mapping[str, str], missing: Sequence[str]) -> list[str]:
    reasons: list[str] = []
    for kind, phrase in (
        (ESSENTIAL, "its essential referral zone covers"),
        (SPILLOVER, "its spillover zone covers"),
        (LOCAL, "its trigger points lie in"),
    ):
        ids = [r for r, k in hits.items() if k == kind]
        if ids:
            reasons.append(f"{phrase} {_region_names(atlas, ids)}")
    if missing:
        reasons.append(f"but its essential zone is not drawn at {_region_names(atlas, missing)}")
    return reasons


def _cover(
    candidates: Sequence[Candidate], regions: Sequence[str], mass: Mapping[str, float]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Smallest set of candidates explaining all explainable regions (see module docstring)."""
    bit = {r: 1 << i for i, r in enumerate(regions)}
    # A candidate whose regions are a subset of a better-ranked candidate's can always be swapped
    # for it without losing coverage or score, so only undominated candidates are searched.
    pool: list[Candidate] = []
    masks: list[int] = []
    for c in candidates[:COVER_POOL]:
        mask = sum(bit[r] for r in c.explains)
        if mask and not any(m | mask == m for m in masks):
            pool.append(c)
            masks.append(mask)
    explainable = 0
    for m in masks:
        explainable |= m
    unexplained = tuple(r for r in regions if not explainable & bit[r])
    if not explainable:
        return (), unexplained
    for size in range(1, MAX_EXACT_COVER + 1):
        best: tuple[float, tuple[int, ...]] | None = None
        for combo in itertools.combinations(range(len(pool)), size):
            covered = 0
            for i in combo:
                covered |= masks[i]
            if covered == explainable:
                total = sum(pool[i].score for i in combo)
                if best is None or total > best[0]:
                    best = (total, combo)
        if best is not None:
            return tuple(pool[i].muscle for i in best[1]), unexplained
    # Greedy fallback: most uncovered pain mass per muscle, ties by rank.
    chosen: list[int] = []
    covered = 0
    while covered != explainable:
        gains = [
            (sum(mass[r] for r in regions if masks[i] & bit[r] and not covered & bit[r]), -i)
            for i in range(len(pool))
            if i not in chosen
        ]
        gain, neg_i = max(gains)
        if gain <= 0:
            break
        chosen.append(-neg_i)
        covered |= masks[-neg_i]
    return tuple(pool[i].muscle for i in chosen), unexplained


# --- referral maps for display ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralMap:
    """A muscle's referral pattern on one side, as chart regions, for drawing on the body chart."""

    muscle: str
    side: Side
    essential: tuple[str, ...]
    spillover: tuple[str, ...]
    trigger_points: tuple[tuple[str, float, float, str], ...]  # (chart region, u, v, label)


def referral_map(muscle_id: str, side: Side | str) -> ReferralMap:
    """The chart regions a muscle refers to when its trigger points are on ``side``."""
    idx = _default_index()
    side = Side(side)
    pattern = idx.sides[muscle_id][0 if side is Side.LEFT else 1]
    m = pattern.muscle
    tps = tuple(
        (idx.atlas.for_side(tp.region, side).id, tp.at[0], tp.at[1], f"{m.name} {tp.id.upper()}")
        for tp in m.trigger_points
    )
    return ReferralMap(
        muscle=m.id,
        side=side,
        essential=tuple(r for r, k in pattern.regions.items() if k == ESSENTIAL),
        spillover=tuple(r for r, k in pattern.regions.items() if k == SPILLOVER),
        trigger_points=tps,
    )
