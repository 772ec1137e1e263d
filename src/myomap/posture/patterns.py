"""Postural distortion patterns recognised from metric results (``data/patterns.yaml``).

Triggers are data (a small condition tree over metric statuses, signs and sides), so a pattern can
be reviewed or changed without reading code. A client assessment has up to four views; the results
of all of them are pooled, so a pattern may rest on a lateral and a frontal photo together. Each
detected pattern carries the metric results that triggered it, in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from myomap.posture.catalog import load_catalog
from myomap.posture.metrics import STATUSES, MetricResult, ViewMetrics

PatternKind = Literal["pattern", "referral"]


@dataclass(frozen=True, slots=True)
class MuscleRef:
    muscle: str
    side: str | None  # "left" / "right" once resolved, None = both sides

    def to_dict(self) -> dict[str, Any]:
        return {"muscle": self.muscle, "side": self.side}


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    name: str
    kind: PatternKind
    side: str | None  # "left", "right", "both" or None
    reasons: tuple[str, ...]
    shortened: tuple[MuscleRef, ...]
    lengthened: tuple[MuscleRef, ...]
    note: str
    sources: tuple[dict[str, str], ...]
    views: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "side": self.side,
            "views": list(self.views),
            "reasons": list(self.reasons),
            "shortened": [m.to_dict() for m in self.shortened],
            "lengthened": [m.to_dict() for m in self.lengthened],
            "note": self.note,
            "sources": [dict(s) for s in self.sources],
        }


MUSCLE_ROLES: dict[str, str] = {"shortened": "short and tight", "lengthened": "long and weak"}
"""What a pattern implies for a muscle, in a therapist's words (Janda's tight and weak muscles:
Page, Frank & Lardner 2010, ch. 4), for every face that names it."""


@dataclass(frozen=True, slots=True)
class PatternDef:
    id: str
    name: str
    kind: PatternKind
    sided: Literal["none", "one", "each"]
    trigger: Mapping[str, Any]
    shortened: tuple[tuple[str, str], ...]  # (muscle id, same|opposite|both)
    lengthened: tuple[tuple[str, str], ...]
    note: str
    sources: tuple[dict[str, str], ...]

    def muscle_ids(self) -> set[str]:
        return {m for m, _ in self.shortened} | {m for m, _ in self.lengthened}


_LEAF_KEYS = {"metric", "status", "sign", "side"}


def _check_condition(cond: Any, metric_ids: set[str], where: str) -> None:
    if not isinstance(cond, Mapping) or len(cond) == 0:
        raise ValueError(f"{where}: a condition must be a non-empty mapping")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if len(cond) != 1 or not isinstance(cond[key], list) or not cond[key]:
            raise ValueError(f"{where}: '{key}' takes a non-empty list and nothing else")
        for i, child in enumerate(cond[key]):
            _check_condition(child, metric_ids, f"{where}.{key}[{i}]")
    elif "not" in cond:
        _check_condition(cond["not"], metric_ids, f"{where}.not")
    elif "sides_differ" in cond:
        pair = cond["sides_differ"]
        if not (isinstance(pair, list) and len(pair) == 2 and all(p in metric_ids for p in pair)):
            raise ValueError(f"{where}: sides_differ takes two known metric ids")
    else:
        unknown = set(cond) - _LEAF_KEYS
        if unknown or cond.get("metric") not in metric_ids:
            raise ValueError(f"{where}: bad leaf {dict(cond)} (unknown keys {sorted(unknown)} or metric)")
        if cond.get("status", "deviation") not in STATUSES:
            raise ValueError(f"{where}: unknown status {cond.get('status')!r}")
        if cond.get("sign") not in (None, "positive", "negative"):
            raise ValueError(f"{where}: sign must be positive or negative")


def _muscles(raw: Iterable[Mapping[str, str]], where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for m in raw:
        side = m.get("side", "both")
        if side not in ("same", "opposite", "both"):
            raise ValueError(f"{where}: muscle side must be same, opposite or both")
        out.append((m["muscle"], side))
    return tuple(out)


@cache
def load_patterns() -> tuple[PatternDef, ...]:
    text = resources.files("myomap.posture").joinpath("data/patterns.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    metric_ids = set(load_catalog().metrics)
    out: list[PatternDef] = []
    for raw in data["patterns"]:
        pid = raw["id"]
        _check_condition(raw["trigger"], metric_ids, pid)
        if raw["kind"] not in ("pattern", "referral") or raw["sided"] not in ("none", "one", "each"):
            raise ValueError(f"{pid}: bad kind or sided")
        out.append(
            PatternDef(
                id=pid,
                name=raw["name"],
                kind=raw["kind"],
                sided=raw["sided"],
                trigger=raw["trigger"],
                shortened=_muscles(raw.get("shortened") or (), pid),
                lengthened=_muscles(raw.get("lengthened") or (), pid),
                note=raw.get("note", ""),
                sources=tuple({k: str(v) for k, v in s.items()} for s in raw["sources"]),
            )
        )
    if len({p.id for p in out}) != len(out):
        raise ValueError("pattern ids must be unique")
    return tuple(out)


def _matches(cond: Mapping[str, Any], results: Sequence[MetricResult]) -> tuple[bool, list[MetricResult]]:
    """Whether the condition holds, and the results that made it hold."""
    if "all" in cond:
        hits: list[MetricResult] = []
        for child in cond["all"]:
            ok, found = _matches(child, results)
            if not ok:
                return False, []
            hits += found
        return True, hits
    if "any" in cond:
        hits = []
        any_ok = False
        for child in cond["any"]:
            ok, found = _matches(child, results)
            if ok:
                any_ok = True
                hits += found
        return any_ok, hits
    if "not" in cond:
        ok, _ = _matches(cond["not"], results)
        return not ok, []
    if "sides_differ" in cond:
        a_id, b_id = cond["sides_differ"]
        a = [r for r in results if r.base_id == a_id and r.status == "deviation" and r.side in ("left", "right")]
        b = [r for r in results if r.base_id == b_id and r.status == "deviation" and r.side in ("left", "right")]
        for ra in a:
            for rb in b:
                if ra.side != rb.side:
                    return True, [ra, rb]
        return False, []
    status = cond.get("status", "deviation")
    found = []
    for r in results:
        if r.base_id != cond["metric"] or r.status != status:
            continue
        if "side" in cond and r.side != cond["side"]:
            continue
        sign = cond.get("sign")
        if sign and (r.value is None or (r.value > 0) != (sign == "positive") or r.value == 0):
            continue
        found.append(r)
    return bool(found), found


def _describe(r: MetricResult) -> str:
    value = "" if r.value is None else f" {r.value:.1f}{'°' if r.unit == 'deg' else ' ' + r.unit}"
    return f"{r.view} view: {r.name}{value} ({r.status}; normal {r.threshold}) - {r.reason}"


def _resolve(muscles: Sequence[tuple[str, str]], side: str | None) -> tuple[MuscleRef, ...]:
    out: list[MuscleRef] = []
    for muscle, rel in muscles:
        if side in ("left", "right") and rel != "both":
            out.append(MuscleRef(muscle, side if rel == "same" else ("right" if side == "left" else "left")))
        else:
            out.append(MuscleRef(muscle, None))
    return tuple(out)


def _flatten(results_by_view: Mapping[str, Any] | Iterable[MetricResult]) -> list[MetricResult]:
    if isinstance(results_by_view, Mapping):
        flat: list[MetricResult] = []
        for view, value in results_by_view.items():
            items = value.results if isinstance(value, ViewMetrics) else value
            for r in items:
                flat.append(r if r.view else _with_view(r, view))
        return flat
    return list(results_by_view)


def _with_view(r: MetricResult, view: str) -> MetricResult:
    from dataclasses import replace

    return replace(r, view=view)


def detect_patterns(results_by_view: Mapping[str, Sequence[MetricResult] | ViewMetrics] | Iterable[MetricResult]) -> list[Pattern]:
    """Patterns supported by the pooled results of one or more views (``{view: results}``)."""
    results = _flatten(results_by_view)
    found: list[Pattern] = []
    for p in load_patterns():
        ok, hits = _matches(p.trigger, results)
        if not ok:
            continue
        hits = list({(h.view, h.id, h.side): h for h in hits}.values())  # keep order, drop repeats
        note = p.note
        side: str | None = None
        if p.sided != "none":
            sides = {h.side for h in hits if h.side in ("left", "right")}
            if len(sides) == 1:
                side = sides.pop()
            elif len(sides) == 2:
                side = "both"
                if p.sided == "one":
                    note = f"{note} The views disagree on the side: re-check the photos and the landmarks.".strip()
        found.append(
            Pattern(
                id=p.id,
                name=p.name,
                kind=p.kind,
                side=side,
                reasons=tuple(_describe(h) for h in hits),
                shortened=_resolve(p.shortened, side),
                lengthened=_resolve(p.lengthened, side),
                note=note,
                sources=p.sources,
                views=tuple(dict.fromkeys(h.view for h in hits)),
            )
        )
    return found
