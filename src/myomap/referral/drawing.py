"""From a therapist's words to ranking input, once for every face (CLI, API, library).

``temple=7 "posterior neck" mastoid`` or API items ``{"region": "wrist", "side": "left"}`` are
read with the atlas vocabulary (``RegionAtlas.interpret``): a coarse area expands to its regions,
a typo is corrected, and each reading is reported so the therapist sees what was understood.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from myomap.atlas.regions import Resolution, UnknownRegionError, name_list
from myomap.knowledge.library import Knowledge, load_knowledge
from myomap.referral.engine import QUALITIES, EmptyDrawingError, PainMark, Priors, Ranking, rank_muscles

DEFAULT_INTENSITY = 5.0
FINDING_REASON = "a posture or movement finding"
MAX_UNKNOWN_PHRASES = 5
"""Unknown places looked up for close matches per drawing: a miss costs milliseconds of fuzzy
matching (a known id or phrase costs microseconds), so past this many the rest are only counted
(the drawing is refused anyway)."""


class DrawingInputError(ValueError):
    """The typed drawing cannot be read; ``errors`` maps each bad field to a clear message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class PainPhrase:
    """One painful place as typed: words or an id, an optional side, intensity and qualities."""

    text: str
    side: str | None = None
    intensity: float = DEFAULT_INTENSITY
    qualities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """How one phrase was read: the chart regions, and any expansion or correction."""

    text: str
    regions: tuple[str, ...]
    expanded_from: str | None
    corrected: str | None

    def describe(self, names: Mapping[str, str]) -> str:
        where = name_list(names[r] for r in self.regions)
        note = f" (read as {self.corrected!r})" if self.corrected else ""
        return f"{self.text}{note} → {where}"

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "regions": list(self.regions), "expanded_from": self.expanded_from,
                "corrected": self.corrected}


@dataclass(frozen=True)
class Referral:
    ranking: Ranking
    readings: tuple[Reading, ...]

    def to_json(self, top: int | None = None) -> dict[str, object]:
        return {**self.ranking.to_json(top), "readings": [r.to_json() for r in self.readings]}


def parse_phrase(arg: str) -> PainPhrase:
    """``temple=7`` or ``wrist=6:tingling,numbness`` or ``angle of jaw`` -> a phrase.

    Raises DrawingInputError when the intensity is not a number from 0 to 10.
    """
    text, _, rest = arg.partition("=")
    level, _, quals = rest.partition(":")
    try:
        intensity = float(level) if level.strip() else DEFAULT_INTENSITY
    except ValueError:
        raise DrawingInputError({"intensity": f"intensity in {arg!r} must be a number from 0 to 10"}) from None
    return PainPhrase(text.strip(), None, intensity, tuple(q.strip() for q in quals.split(",") if q.strip()))


def read_phrases(
    kb: Knowledge, phrases: Sequence[PainPhrase], side: str | None
) -> tuple[list[PainMark], list[Reading], dict[str, str]]:
    """Marks and readings for the phrases that could be read, and an error per phrase that could not.

    After :data:`MAX_UNKNOWN_PHRASES` unknown places, phrases other than chart ids are not read
    (a hostile list of nonsense costs a few close-match searches, not one per phrase).
    """
    marks: list[PainMark] = []
    readings: list[Reading] = []
    errors: dict[str, str] = {}
    unknown_places = 0
    for i, p in enumerate(phrases):
        if unknown_places >= MAX_UNKNOWN_PHRASES and p.text.strip() not in kb.atlas.regions:
            unknown_places += 1
            continue
        if not 0 <= p.intensity <= 10:
            errors[f"regions.{i}.intensity"] = f"intensity for {p.text!r} must be between 0 and 10, not {p.intensity:g}"
            continue
        unknown = [q for q in p.qualities if q not in QUALITIES]
        if unknown:
            errors[f"regions.{i}.qualities"] = f"unknown pain quality {unknown[0]!r}; known: {', '.join(QUALITIES)}"
            continue
        try:
            found: Resolution = kb.atlas.interpret(p.text, p.side or side)
        except (UnknownRegionError, ValueError) as exc:
            errors[f"regions.{i}.region"] = str(exc)
            unknown_places += 1
            continue
        ids = tuple(r.id for r in found.regions)
        readings.append(Reading(p.text, ids, found.expanded_from, found.corrected))
        marks += [PainMark(r, p.intensity, frozenset(p.qualities)) for r in ids]
    if unknown_places > MAX_UNKNOWN_PHRASES:
        errors["regions"] = (f"{unknown_places - MAX_UNKNOWN_PHRASES} more places were not read after "
                             f"{MAX_UNKNOWN_PHRASES} unknown ones; use chart region ids (`myomap regions list`) or fix those first")
    return marks, readings, errors


def refer_phrases(
    phrases: Sequence[PainPhrase],
    *,
    side: str | None = None,
    conditions: Iterable[str] = (),
    findings: Mapping[str, float] | None = None,
) -> Referral:
    """Read the phrases, check the priors and rank: the one entry point for typed drawings.

    ``findings`` keys are a muscle id (both sides) or ``muscle.left`` / ``muscle.right``.
    Every problem is collected and raised together as DrawingInputError.
    """
    kb = load_knowledge()
    if side is not None and side.lower() not in ("left", "right"):
        raise DrawingInputError({"side": f"side must be left or right, not {side!r}"})
    marks, readings, errors = read_phrases(kb, phrases, side)
    conditions = list(conditions)
    for c in conditions:
        if c not in kb.conditions:
            errors[f"conditions.{c}"] = f"unknown condition {c!r}; known: {', '.join(sorted(kb.conditions))}"
    found: dict[tuple[str, str | None], tuple[float, str]] = {}
    for key, weight in (findings or {}).items():
        muscle, _, where = key.partition(".")
        if muscle not in kb.muscles:
            errors[f"findings.{key}"] = f"unknown muscle {muscle!r}"
        elif where not in ("", "left", "right"):
            errors[f"findings.{key}"] = f"side must be left or right, not {where!r}"
        elif not 0 <= weight <= 1:
            errors[f"findings.{key}"] = f"weight must be between 0 and 1, not {weight:g}"
        else:
            found[(muscle, where or None)] = (weight, FINDING_REASON)
    if errors:
        raise DrawingInputError(errors)
    try:
        ranking = rank_muscles(marks, Priors(conditions=frozenset(conditions), findings=found))
    except EmptyDrawingError as exc:
        raise DrawingInputError({"regions": str(exc)}) from None
    return Referral(ranking, tuple(readings))
