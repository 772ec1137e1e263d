"""Entrapment hypotheses: tingling, numbness or burning where a nerve's skin territory lies.

Neuropathic qualities point at a nerve rather than a trigger point's referral (Simons, Travell
& Simons vol. 1, 2nd ed., ch. 2, on nerve entrapment by taut bands). For each muscle the atlas
says can compress a nerve, when any region marked with such a quality lies in that nerve's
territory (``nerves.yaml``), the hypothesis names the nerve, the site, the muscle and the
provocative test to do next, with the marked regions as the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from myomap.atlas.regions import name_list
from myomap.knowledge.library import Knowledge

NEUROPATHIC = frozenset({"tingling", "numbness", "burning"})


@dataclass(frozen=True)
class EntrapmentHypothesis:
    nerve: str
    nerve_id: str
    site: str
    muscle: str
    muscle_name: str
    side: str  # "left", "right", "both" or "either"
    test: str | None  # provocative test id
    test_name: str | None
    regions: tuple[str, ...]  # marked chart regions in the nerve's territory
    qualities: tuple[str, ...]
    reason: str

    def to_json(self) -> dict[str, object]:
        return {
            "nerve": self.nerve, "nerve_id": self.nerve_id, "site": self.site, "muscle": self.muscle,
            "muscle_name": self.muscle_name, "side": self.side, "test": self.test, "test_name": self.test_name,
            "regions": list(self.regions), "qualities": list(self.qualities), "reason": self.reason,
        }


def entrapment_hypotheses(
    kb: Knowledge, drawing: Mapping[str, float], qualities: Mapping[str, set[str]]
) -> tuple[EntrapmentHypothesis, ...]:
    """Hypotheses ordered by the summed intensity of the neuropathic regions they explain."""
    atlas = kb.atlas
    marked = {r: sorted(q & NEUROPATHIC) for r, q in qualities.items() if q & NEUROPATHIC}
    if not marked:
        return ()
    found: list[tuple[float, EntrapmentHypothesis]] = []
    for m in sorted(kb.muscles.values(), key=lambda m: m.id):
        for e in m.entrapments:
            if e.nerve_id is None:
                continue
            territory = set(kb.nerves[e.nerve_id].regions)
            regions = tuple(r for r in marked if atlas.regions[r].base.id in territory)
            if not regions:
                continue
            sides = {atlas.regions[r].side for r in regions} - {None}
            side = "either" if not sides else "both" if len(sides) == 2 else str(sides.pop())
            quals = tuple(sorted({q for r in regions for q in marked[r]}))
            test = kb.tests.get(e.test) if e.test else None
            names = name_list(atlas.regions[r].name for r in regions)
            reason = f"{' and '.join(quals)} at {names}, in the territory of the {kb.nerves[e.nerve_id].name}"
            hyp = EntrapmentHypothesis(
                nerve=e.nerve, nerve_id=e.nerve_id, site=e.site, muscle=m.id, muscle_name=m.name,
                side=side, test=e.test, test_name=test.name if test else None, regions=regions,
                qualities=quals, reason=reason,
            )
            found.append((sum(drawing[r] for r in regions), hyp))
    found.sort(key=lambda x: (-x[0], x[1].nerve, x[1].muscle))
    return tuple(h for _, h in found)
