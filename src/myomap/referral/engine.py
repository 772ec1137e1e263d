"""Rank muscles by how well their trigger-point referral patterns explain a pain drawing.

The model (deterministic; every number below is a named constant):

1. **Pattern per division and side.** A muscle refers to chart regions from its trigger points;
   where the references draw separate patterns (SCM sternal and clavicular divisions, gluteus
   minimus anterior and posterior, QL superficial and deep...) each *division* has its own
   zones, otherwise the muscle's zones apply (``patterns.divisions``). A zone's base region is on
   the trigger point's side (ipsilateral, the default), the opposite side (contralateral) or both
   (bilateral); midline regions match either side. Kind weights: essential 1.0, spillover
   ``SPILLOVER_WEIGHT``, the trigger point's own region (local tenderness) ``LOCAL_WEIGHT``.
2. **Specificity.** A base region that many muscles refer to says little about which muscle is
   responsible, so each region gets an inverse-document-frequency weight
   ``idf(b) = ln(1 + M / (1 + n_b))``, with M muscles and n_b the number of muscles that list b
   (spillover counted as half).
3. **Pain mass.** A painted region r weighs ``w_r = max(INTENSITY_FLOOR, (i/10) ** INTENSITY_EXP)
   * idf(b_r)``: the worst region dominates (a 10/10 temple weighs 10 times a 1/10 upper back)
   while faint pain still counts a little. Pain drawn on the spine or sacrum also spreads
   ``NEIGHBOUR_SHARE`` of its mass over the paraspinal and sacroiliac regions beside it on both
   sides (``midline_neighbours.yaml``), so muscles referring next to the midline are considered;
   these regions are reported as *nearby*, never as drawn.
4. **Score** for a division on a side = ``recall ** RECALL_EXP * fit ** PRECISION_EXP``:
   *recall* is the share of the pain mass the pattern explains (each region at its best kind
   weight); *precision* is the share of the division's essential pattern (idf-weighted) present
   in the drawing, and ``fit = PRECISION_FLOOR + (1 - PRECISION_FLOOR) * precision``. The best
   division names the trigger points to palpate.
5. **Sides.** Left, right and both sides together (the union, when each side explains
   something) are scored. When the drawing is symmetric (the same base regions painted on both
   sides) or both sides score the same, the candidate is "both", never an arbitrary side; when
   only midline regions are explained it is "either".
6. **Priors** multiply the score: a matching client condition by ``1 + CONDITION_BOOST``, a
   muscle implicated on that side (or both sides) by posture or movement findings by
   ``1 + FINDING_BOOST * weight`` (weights 0..1), and palpation findings recorded on the
   to-palpate list (``palpation.py``). Priors only re-order muscles that already explain some
   pain; they never create a candidate on their own.
7. **Ties are honest.** Candidates with the same pattern on the same side and the same score are
   one group (named from ``muscle_groups.yaml``, else by their names); other equal scores are
   ordered by name.
8. **Cover.** Separately, the smallest set of candidates that together explain every region any
   muscle can explain (exact search up to ``MAX_EXACT_COVER`` muscles among the top
   ``COVER_POOL`` candidates, preferring the highest total score; greedy beyond that), starting
   from the muscles whose palpation reproduced the referral; and the regions no muscle explains.
9. **Entrapments.** Tingling, numbness or burning in a nerve's skin territory raise the
   entrapment hypotheses of the atlas (``entrapment.py``), listed beside the candidates.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from myomap.atlas.regions import RegionAtlas, Side, name_list
from myomap.knowledge.library import Knowledge, load_knowledge
from myomap.knowledge.schema import Muscle
from myomap.referral.entrapment import EntrapmentHypothesis, entrapment_hypotheses
from myomap.referral.palpation import PalpationFinding, palpation_effect
from myomap.referral.patterns import (
    ESSENTIAL,
    KIND_WEIGHT,
    LOCAL,
    SPILLOVER,
    Pattern,
    PatternIndex,
    build_index,
    default_index,
)

RECALL_EXP = 0.6
PRECISION_EXP = 0.4
PRECISION_FLOOR = 0.2
INTENSITY_EXP = 2.0
INTENSITY_FLOOR = 0.1
NEIGHBOUR_SHARE = 0.5
CONDITION_BOOST = 0.25
FINDING_BOOST = 0.3
MAX_EXACT_COVER = 4
COVER_POOL = 25
_SAME = 1e-9

QUALITIES = ("aching", "burning", "sharp", "stabbing", "throbbing", "tingling", "numbness")

SCORE_MEANING = (
    "The score multiplies how much of the drawn pain a muscle's referral pattern explains (the worst pain and "
    "places few muscles refer to count most) by how much of its essential zone is drawn, so 1.0 is a pattern "
    "that fits completely; the client's conditions, posture findings and palpation findings then raise or lower it."
)
"""Steps 3, 4 and 6 of the model above in one sentence, for the page and the API description."""


class EmptyDrawingError(ValueError):
    """The drawing has no painful region, so there is nothing to explain."""

    def __init__(self) -> None:
        super().__init__("the pain drawing is empty: mark at least one region with an intensity above 0")


@dataclass(frozen=True, slots=True)
class PainMark:
    """One painted chart region (e.g. ``temple.left``) with its intensity 0-10 and qualities."""

    region: str
    intensity: float = 5.0
    qualities: frozenset[str] = frozenset()


FindingKey = tuple[str, str | None]  # (muscle id, "left"/"right", or None for both sides)


@dataclass(frozen=True)
class Priors:
    """Clinical context that may raise a muscle: the client's conditions; findings that
    implicate a muscle on a side ((muscle id, side or None) -> (weight 0..1, reason shown));
    and palpation findings ((muscle id, side as listed) -> finding)."""

    conditions: frozenset[str] = frozenset()
    findings: Mapping[FindingKey, tuple[float, str]] = field(default_factory=dict)
    palpation: Mapping[tuple[str, str], PalpationFinding] = field(default_factory=dict)


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
    division: str | None = None  # the pattern that fits best, when the muscle has several
    trigger_points: tuple[str, ...] = ()  # trigger-point ids of that pattern
    nearby: tuple[str, ...] = ()  # undrawn regions beside midline pain that the pattern covers
    group: str | None = None  # name of the tie group this candidate belongs to
    reproduced: bool = False  # palpation reproduced its referral

    def to_json(self) -> dict[str, object]:
        return {
            "muscle": self.muscle,
            "name": self.name,
            "side": self.side,
            "score": round(self.score, 4),
            "division": self.division,
            "trigger_points": list(self.trigger_points),
            "group": self.group,
            "explains": list(self.explains),
            "essential": list(self.essential),
            "spillover": list(self.spillover),
            "local": list(self.local),
            "nearby": list(self.nearby),
            "missing_essential": list(self.missing_essential),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class CandidateGroup:
    """One row of the ranking: a candidate, or muscles tied on the same pattern and side."""

    name: str
    side: str
    score: float
    members: tuple[Candidate, ...]

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "side": self.side, "score": round(self.score, 4),
                "members": [c.muscle for c in self.members]}


@dataclass(frozen=True)
class Ranking:
    candidates: tuple[Candidate, ...]
    groups: tuple[CandidateGroup, ...]
    cover: tuple[str, ...]
    unexplained: tuple[str, ...]
    entrapments: tuple[EntrapmentHypothesis, ...] = ()
    symmetric: bool = False

    def label(self, muscle: str) -> str:
        """The name a row shows for a muscle: its tie group's name, else its own."""
        for g in self.groups:
            if any(c.muscle == muscle for c in g.members):
                return g.name
        return muscle

    def to_json(self, top: int | None = None) -> dict[str, object]:
        """The first ``top`` rows (groups), with every member of each listed as a candidate."""
        rows = self.groups if top is None else self.groups[:top]
        return {
            "candidates": [c.to_json() for g in rows for c in g.members],
            "groups": [g.to_json() for g in rows],
            "cover": list(self.cover),
            "unexplained": list(self.unexplained),
            "symmetric": self.symmetric,
            "entrapments": [e.to_json() for e in self.entrapments],
        }


# --- drawing ---------------------------------------------------------------------------------------


def _normalise_drawing(atlas: RegionAtlas, marks: Iterable[PainMark]) -> tuple[dict[str, float], dict[str, set[str]]]:
    drawing: dict[str, float] = {}
    qualities: dict[str, set[str]] = {}
    for mark in marks:
        region = atlas.region(mark.region)  # raises UnknownRegionError with suggestions
        if not 0 <= mark.intensity <= 10:
            raise ValueError(f"intensity for {region.id} must be between 0 and 10, not {mark.intensity}")
        unknown = sorted(set(mark.qualities) - set(QUALITIES))
        if unknown:
            raise ValueError(f"unknown pain quality {unknown[0]!r} at {region.id}; known: {', '.join(QUALITIES)}")
        if mark.intensity > 0:
            drawing[region.id] = max(drawing.get(region.id, 0.0), float(mark.intensity))
            qualities.setdefault(region.id, set()).update(mark.qualities)
    if not drawing:
        raise EmptyDrawingError()
    return drawing, qualities


def intensity_weight(intensity: float) -> float:
    """How much a region's intensity counts (see the module docstring, point 3)."""
    return max(INTENSITY_FLOOR, float((intensity / 10) ** INTENSITY_EXP))


def is_symmetric(atlas: RegionAtlas, regions: Iterable[str]) -> bool:
    """True when every lateral base region painted is painted on both sides."""
    sides: dict[str, set[Side]] = {}
    for r in regions:
        region = atlas.regions[r]
        if region.side is not None:
            sides.setdefault(region.base.id, set()).add(region.side)
    return bool(sides) and all(len(s) == 2 for s in sides.values())


def _masses(
    kb: Knowledge, idx: PatternIndex, drawing: Mapping[str, float]
) -> tuple[dict[str, float], dict[str, str]]:
    """Pain mass per region (drawn and nearby) and, for nearby regions, the midline region
    they lie beside."""
    atlas = idx.atlas
    mass = {r: intensity_weight(i) * idx.idf[atlas.regions[r].base.id] for r, i in drawing.items()}
    beside: dict[str, str] = {}
    for r, i in drawing.items():
        rule = kb.midline.get(atlas.regions[r].base.id)
        if rule is None:
            continue
        near = [atlas.for_side(b, s).id for b in rule.neighbours for s in Side]
        near = [n for n in near if n not in drawing]
        for n in near:
            extra = NEIGHBOUR_SHARE * intensity_weight(i) * idx.idf[atlas.regions[n].base.id] / len(near)
            if extra > mass.get(n, 0.0):
                mass[n] = extra
                beside[n] = r
    return mass, beside


# --- scoring ---------------------------------------------------------------------------------------


@dataclass
class _Option:
    side: str
    patterns: tuple[Pattern, ...]
    score: float
    hits: dict[str, str]


def _score(patterns: tuple[Pattern, ...], mass: Mapping[str, float], total: float) -> tuple[float, dict[str, str]]:
    hits: dict[str, str] = {}
    for p in patterns:
        for r in mass:
            kind = p.regions.get(r)
            if kind and KIND_WEIGHT[kind] > KIND_WEIGHT.get(hits.get(r, ""), 0.0):
                hits[r] = kind
    if all(k == LOCAL for k in hits.values()):
        return 0.0, hits
    recall = sum(mass[r] * KIND_WEIGHT[k] for r, k in hits.items()) / total
    essential_mass = sum(p.essential_mass for p in patterns)
    present = sum(p.essential.get(r, 0.0) for p in patterns for r in mass)
    precision = present / essential_mass if essential_mass else 0.0
    fit = PRECISION_FLOOR + (1 - PRECISION_FLOOR) * precision
    return recall**RECALL_EXP * fit**PRECISION_EXP, hits


def _best_option(
    atlas: RegionAtlas, pairs: Sequence[tuple[Pattern, Pattern]], mass: Mapping[str, float], total: float,
    symmetric: bool,
) -> _Option | None:
    def lateral(hits: Mapping[str, str]) -> bool:
        return any(atlas.regions[r].side is not None for r, k in hits.items() if k != LOCAL)

    best: _Option | None = None
    for left, right in pairs:  # divisions in trigger-point order: the first wins ties
        ls, lh = _score((left,), mass, total)
        rs, rh = _score((right,), mass, total)
        both: _Option | None = None
        if lateral(lh) and lateral(rh):
            bs, bh = _score((left, right), mass, total)
            both = _Option("both", (left, right), bs, bh)
        if both is not None and (symmetric or abs(ls - rs) <= _SAME):
            option = both
        else:
            options = [_Option("left", (left,), ls, lh), _Option("right", (right,), rs, rh)]
            options += [both] if both is not None else []
            option = max(options, key=lambda o: o.score)
        if option.score <= 0:
            continue
        if not lateral(option.hits):
            option.side = "either"
        if best is None or option.score > best.score + _SAME:
            best = option
    return best


def _finding(priors: Priors, muscle: str, side: str) -> tuple[float, str] | None:
    """The strongest posture/movement finding for the muscle on this candidate's side."""
    sides: tuple[str | None, ...] = (side, None) if side in ("left", "right") else ("left", "right", None)
    found = [priors.findings[(muscle, s)] for s in sides if (muscle, s) in priors.findings]
    return max(found, key=lambda f: f[0]) if found else None


@dataclass
class _Scored:
    muscle: Muscle
    option: _Option
    score: float
    missing: list[str]
    reasons: list[str]
    reproduced: bool


def rank_muscles(
    marks: Iterable[PainMark],
    priors: Priors | None = None,
    *,
    knowledge: Knowledge | None = None,
) -> Ranking:
    """Rank every atlas muscle against the drawing; see the module docstring for the model."""
    idx = default_index() if knowledge is None else build_index(knowledge)
    kb = knowledge or load_knowledge()
    priors = priors or Priors()
    atlas = idx.atlas
    drawing, qualities = _normalise_drawing(atlas, marks)
    mass, beside = _masses(kb, idx, drawing)
    total = sum(mass.values())
    symmetric = is_symmetric(atlas, drawing)

    touched = sorted(set().union(*(idx.by_region.get(r, frozenset()) for r in mass)))
    scored: list[_Scored] = []
    for muscle_id in touched:
        option = _best_option(atlas, idx.patterns[muscle_id], mass, total, symmetric)
        if option is None:
            continue
        muscle = option.patterns[0].muscle
        missing = sorted({r for p in option.patterns for r in p.essential if r not in mass})
        reasons = _explain(atlas, option, drawing, beside, missing)
        boost = 1.0
        for c in sorted(set(muscle.conditions) & priors.conditions):
            boost += CONDITION_BOOST
            reasons.append(f"linked to the client's condition: {kb.conditions[c].name}")
        found = _finding(priors, muscle_id, option.side)
        if found is not None:
            weight, why = found
            boost += FINDING_BOOST * max(0.0, min(1.0, weight))
            reasons.append(f"raised by a finding: {why}")
        factor, said, reproduced = palpation_effect(priors.palpation, muscle_id, option.side)
        reasons += said
        scored.append(_Scored(muscle, option, option.score * boost * factor, missing, reasons, reproduced))

    candidates = [_candidate(s, drawing) for s in scored]
    groups = _group(kb, candidates, {s.muscle.id: s.option for s in scored})
    ordered = tuple(c for g in groups for c in g.members)
    forced = {c.muscle for c in ordered if c.reproduced}
    cover, unexplained = _cover(ordered, list(drawing), mass, forced)
    return Ranking(ordered, groups, cover, unexplained,
                   entrapment_hypotheses(kb, drawing, qualities), symmetric)


def _candidate(s: _Scored, drawing: Mapping[str, float]) -> Candidate:
    hits = s.option.hits
    division = s.option.patterns[0].division
    return Candidate(
        muscle=s.muscle.id,
        name=s.muscle.name,
        side=s.option.side,
        score=s.score,
        explains=tuple(r for r in drawing if hits.get(r) in (ESSENTIAL, SPILLOVER)),
        essential=tuple(r for r in drawing if hits.get(r) == ESSENTIAL),
        spillover=tuple(r for r in drawing if hits.get(r) == SPILLOVER),
        local=tuple(r for r in drawing if hits.get(r) == LOCAL),
        missing_essential=tuple(s.missing),
        reasons=tuple(s.reasons),
        division=division.label,
        trigger_points=tuple(tp.id for tp in division.trigger_points),
        nearby=tuple(sorted(r for r, k in hits.items() if r not in drawing and k != LOCAL)),
        reproduced=s.reproduced,
    )


def _group(kb: Knowledge, candidates: list[Candidate], options: Mapping[str, _Option]) -> tuple[CandidateGroup, ...]:
    """Rows of the ranking: tied candidates with identical patterns share one row."""

    def key(c: Candidate) -> tuple[object, ...]:
        pats = options[c.muscle].patterns
        return (c.side, round(c.score, 9), tuple(frozenset(p.regions.items()) for p in pats))

    buckets: dict[tuple[object, ...], list[Candidate]] = {}
    for c in candidates:
        buckets.setdefault(key(c), []).append(c)
    named = {m: g.name for g in kb.groups.values() for m in g.members}
    rows: list[CandidateGroup] = []
    for members in buckets.values():
        members.sort(key=lambda c: c.name)
        if len(members) == 1:
            name = members[0].name
        else:
            group_names = {named.get(c.muscle) for c in members}
            common = group_names.pop() if len(group_names) == 1 else None
            listing = ", ".join(c.name for c in members)
            name = f"{common}: {listing}" if common else f"{listing} (same referral pattern)"
            members = [replace(c, group=name) for c in members]
        rows.append(CandidateGroup(name, members[0].side, members[0].score, tuple(members)))
    rows.sort(key=lambda g: (-g.score, g.name))
    return tuple(rows)


def _names(atlas: RegionAtlas, ids: Iterable[str]) -> str:
    return name_list(atlas.regions[r].name for r in ids)


def _explain(
    atlas: RegionAtlas, option: _Option, drawing: Mapping[str, float], beside: Mapping[str, str],
    missing: Sequence[str],
) -> list[str]:
    reasons: list[str] = []
    division = option.patterns[0].division
    if division.label is not None:
        reasons.append(f"best fit: the {division.label} pattern")
    drawn = {r: k for r, k in option.hits.items() if r in drawing}
    for kind, phrase in (
        (ESSENTIAL, "its essential referral zone covers"),
        (SPILLOVER, "its spillover zone covers"),
        (LOCAL, "its trigger points lie in"),
    ):
        ids = [r for r, k in drawn.items() if k == kind]
        if ids:
            reasons.append(f"{phrase} {_names(atlas, ids)}")
    near = sorted(r for r, k in option.hits.items() if r not in drawing and k != LOCAL)
    if near:
        mids = sorted({beside[r] for r in near})
        reasons.append(f"its zone covers {_names(atlas, near)}, beside the midline pain at {_names(atlas, mids)}")
    if missing:
        reasons.append(f"but its essential zone is not drawn at {_names(atlas, missing)}")
    return reasons


def _cover(
    candidates: Sequence[Candidate], regions: Sequence[str], mass: Mapping[str, float], forced: set[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Smallest set of candidates explaining all explainable regions (see module docstring)."""
    bit = {r: 1 << i for i, r in enumerate(regions)}

    def mask_of(c: Candidate) -> int:
        return sum(bit[r] for r in c.explains)

    explainable = 0
    for c in candidates[:COVER_POOL]:
        explainable |= mask_of(c)
    chosen = [c for c in candidates if c.muscle in forced]
    covered = 0
    for c in chosen:
        covered |= mask_of(c)
        explainable |= mask_of(c)
    unexplained = tuple(r for r in regions if not explainable & bit[r])
    # A candidate whose remaining regions are a subset of a better-ranked candidate's can always
    # be swapped for it without losing coverage or score, so only undominated ones are searched.
    pool: list[Candidate] = []
    masks: list[int] = []
    for c in candidates[:COVER_POOL]:
        mask = mask_of(c) & ~covered
        if c.muscle not in forced and mask and not any(m | mask == m for m in masks):
            pool.append(c)
            masks.append(mask)
    need = explainable & ~covered
    base = tuple(c.muscle for c in chosen)
    if not need:
        return base, unexplained
    for size in range(1, MAX_EXACT_COVER + 1):
        best: tuple[float, tuple[int, ...]] | None = None
        for combo in itertools.combinations(range(len(pool)), size):
            got = 0
            for i in combo:
                got |= masks[i]
            if got == need:
                total = sum(pool[i].score for i in combo)
                if best is None or total > best[0]:
                    best = (total, combo)
        if best is not None:
            return base + tuple(pool[i].muscle for i in best[1]), unexplained
    # Greedy fallback: most uncovered pain mass per muscle, ties by rank.
    picked: list[int] = []
    while covered & need != need:
        gains = [
            (sum(mass[r] for r in regions if masks[i] & bit[r] and not covered & bit[r]), -i)
            for i in range(len(pool))
            if i not in picked
        ]
        if not gains:
            break
        gain, neg_i = max(gains)
        if gain <= 0:
            break
        picked.append(-neg_i)
        covered |= masks[-neg_i]
    return base + tuple(pool[i].muscle for i in picked), unexplained


# --- referral maps for display ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralMap:
    """A muscle's referral pattern on one side, as chart regions, for drawing on the body chart."""

    muscle: str
    side: Side
    essential: tuple[str, ...]
    spillover: tuple[str, ...]
    trigger_points: tuple[tuple[str, float, float, str], ...]  # (chart region, u, v, label)
    division: str | None = None


def referral_map(muscle_id: str, side: Side | str, division: str | None = None) -> ReferralMap:
    """The chart regions a muscle refers to when its trigger points are on ``side``: one
    division's pattern when named (as a candidate names its best fit), else all of them."""
    idx = default_index()
    side = Side(side)
    pairs = idx.patterns[muscle_id]
    chosen = [p for p in pairs if division is None or p[0].division.label == division] or list(pairs)
    patterns = [pair[0 if side is Side.LEFT else 1] for pair in chosen]
    m = patterns[0].muscle
    regions: dict[str, str] = {}
    for p in patterns:
        for r, k in p.regions.items():
            if KIND_WEIGHT[k] > KIND_WEIGHT.get(regions.get(r, ""), 0.0):
                regions[r] = k
    tps = tuple(
        (idx.atlas.for_side(tp.region, side).id, tp.at[0], tp.at[1], f"{m.name} {tp.id.upper()}")
        for p in patterns
        for tp in p.division.trigger_points
    )
    return ReferralMap(
        muscle=m.id,
        side=side,
        essential=tuple(r for r, k in regions.items() if k == ESSENTIAL),
        spillover=tuple(r for r, k in regions.items() if k == SPILLOVER),
        trigger_points=tps,
        division=division if len(chosen) < len(pairs) else None,
    )
