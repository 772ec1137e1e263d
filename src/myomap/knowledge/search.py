"""Find muscles the way a therapist asks: by name, synonym, symptom, condition or painful region."""

from __future__ import annotations

from dataclasses import dataclass

from myomap.knowledge.library import Knowledge
from myomap.knowledge.schema import Muscle


@dataclass(frozen=True)
class MuscleHit:
    muscle: Muscle
    matched: tuple[str, ...]  # what matched, e.g. "name", "symptom: headache at the temple"


def search_muscles(kb: Knowledge, query: str, limit: int = 50) -> list[MuscleHit]:
    """Muscles matching every word of ``query``; name matches first, then by how much matched.

    An empty query lists every muscle, by body area and name.
    """
    words = [w for w in query.lower().replace(",", " ").split() if w]
    muscles = sorted(kb.muscles.values(), key=lambda m: (m.area, m.name))
    if not words:
        return [MuscleHit(m, ()) for m in muscles[:limit]]
    hits: list[tuple[int, str, MuscleHit]] = []
    for m in muscles:
        fields = _fields(kb, m)
        matched: list[str] = []
        rank = 0
        for word in words:
            found = [(label, text) for label, text in fields if word in text.lower()]
            if not found:
                break
            label, text = found[0]
            rank += {"name": 0, "synonym": 1}.get(label, 2)
            entry = label if label in ("name", "synonym") else f"{label}: {text}"
            if entry not in matched:
                matched.append(entry)
        else:
            hits.append((rank, m.name, MuscleHit(m, tuple(matched))))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [h[2] for h in hits[:limit]]


def _fields(kb: Knowledge, m: Muscle) -> list[tuple[str, str]]:
    fields = [("name", m.name), ("name", m.id.replace("_", " "))]
    fields += [("synonym", s) for s in m.synonyms]
    fields += [("symptom", s) for s in m.symptoms]
    fields += [("condition", kb.conditions[c].name) for c in m.conditions]
    zones = [z.region for z in (*m.essential_zones, *m.spillover_zones)]
    fields += [("refers to", kb.atlas.bases[r].name) for r in zones]
    fields += [("refers to", syn) for r in zones for syn in kb.atlas.bases[r].synonyms]
    fields += [("entrapment", e.nerve) for e in m.entrapments]
    return fields
