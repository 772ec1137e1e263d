"""Find a muscle the therapist expects in a ranking by name, with its place in the ranking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from myomap.referral.engine import Candidate, CandidateGroup, Ranking


@dataclass(frozen=True, slots=True)
class RankedMatch:
    """A ranked candidate whose name matched: its row number (1 = best) among ``of`` rows."""

    place: int
    of: int
    group: CandidateGroup
    candidate: Candidate


def _words(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def muscles_named(text: str, names: Mapping[str, Sequence[str]]) -> list[str]:
    """Ids of the muscles whose id or one of ``names`` (muscle id -> its name and synonyms)
    contains ``text``, ignoring case, hyphens and underscores. Empty text names none."""
    wanted = _words(text)
    if not wanted:
        return []
    return [m for m, terms in names.items() if any(wanted in _words(t) for t in (m, *terms))]


def find_in_ranking(ranking: Ranking, text: str, names: Mapping[str, Sequence[str]]) -> list[RankedMatch]:
    """The ranking's rows with a muscle :func:`muscles_named` ``text`` (one match per row, for its
    first such member), best row first."""
    wanted = set(muscles_named(text, names))
    found: list[RankedMatch] = []
    for place, group in enumerate(ranking.groups, start=1):
        member = next((c for c in group.members if c.muscle in wanted), None)
        if member is not None:
            found.append(RankedMatch(place, len(ranking.groups), group, member))
    return found
