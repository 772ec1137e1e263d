"""``/api/refer`` and ``/api/muscles``: referral inference and the trigger-point atlas."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from myomap.atlas.regions import UnknownRegionError
from myomap.knowledge.library import UnknownMuscleError, load_knowledge, muscle_to_json
from myomap.knowledge.search import search_muscles
from myomap.records.errors import NotFound, ValidationFailed
from myomap.records.palpation.service import referral_for_drawing
from myomap.referral import EmptyDrawingError, PainMark, Priors, rank_muscles
from myomap.web.api.common import ERRORS
from myomap.web.deps import ApiActor, DbSession

router = APIRouter(prefix="/api", tags=["trigger points"], responses=ERRORS)


class ReferRegion(BaseModel):
    region: str = Field(description="Chart region id (`temple.right`), or a name/synonym with `side`.",
                        examples=["temple.right", "angle of jaw"])
    side: str | None = Field(None, description="left or right, when `region` is a two-sided name.")
    intensity: float = Field(5, ge=0, le=10, description="Pain intensity 0-10.")


class ReferRequest(BaseModel):
    regions: list[ReferRegion] = Field(description="The pain drawing.", max_length=300)
    conditions: list[str] = Field(default_factory=list, description="Client condition ids used as priors.")
    findings: dict[str, float] = Field(
        default_factory=dict,
        description="Muscle id (both sides) or `muscle.left` / `muscle.right` -> weight 0..1 from posture or "
                    "movement findings (priors).",
        examples=[{"upper_trapezius.right": 1.0}],
    )
    top: int = Field(10, ge=1, le=200, description="How many candidates to return.")


class CandidateOut(BaseModel):
    muscle: str
    name: str
    side: str = Field(description="left, right, both (symmetric pain or a true tie) or either (midline only).")
    score: float
    division: str | None = Field(description="The best-fitting pattern, when the muscle has several.")
    trigger_points: list[str] = Field(description="Trigger points of that pattern, to palpate.")
    group: str | None = Field(description="Name of the row shared with muscles of the same pattern (a tie).")
    explains: list[str]
    essential: list[str]
    spillover: list[str]
    local: list[str]
    nearby: list[str] = Field(description="Undrawn regions beside midline pain that the pattern covers.")
    missing_essential: list[str]
    reasons: list[str]


class GroupOut(BaseModel):
    name: str
    side: str
    score: float
    members: list[str]


class EntrapmentOut(BaseModel):
    nerve: str
    nerve_id: str
    site: str
    muscle: str
    muscle_name: str
    side: str
    test: str | None
    test_name: str | None
    regions: list[str]
    qualities: list[str]
    reason: str


class RankingOut(BaseModel):
    candidates: list[CandidateOut] = Field(description="Every member of the rows shown, best row first.")
    groups: list[GroupOut] = Field(description="Rows of the ranking: one muscle, or muscles tied on one pattern.")
    cover: list[str] = Field(description="Smallest set of muscles explaining every explainable region.")
    unexplained: list[str] = Field(description="Regions no referral pattern explains.")
    symmetric: bool = Field(description="The same regions are painted on both sides.")
    entrapments: list[EntrapmentOut] = Field(
        description="Nerve entrapments to test where tingling, numbness or burning lie in a nerve's territory.")


@router.post("/refer", response_model=RankingOut, summary="Rank muscles for a pain drawing")
def refer(actor: ApiActor, data: ReferRequest) -> dict[str, Any]:
    """Which muscles' trigger points may refer pain to these regions, best first, with reasons."""
    kb = load_knowledge()
    errors: dict[str, str] = {}
    marks: list[PainMark] = []
    for i, item in enumerate(data.regions):
        try:
            marks.append(PainMark(kb.atlas.resolve(item.region, item.side).id, item.intensity))
        except (UnknownRegionError, ValueError) as exc:
            errors[f"regions.{i}.region"] = str(exc)
    for c in data.conditions:
        if c not in kb.conditions:
            errors[f"conditions.{c}"] = f"unknown condition {c!r}"
    findings: dict[tuple[str, str | None], tuple[float, str]] = {}
    for key, weight in data.findings.items():
        m, _, side = key.partition(".")
        if m not in kb.muscles:
            errors[f"findings.{key}"] = f"unknown muscle {m!r}"
        elif side not in ("", "left", "right"):
            errors[f"findings.{key}"] = f"side must be left or right, not {side!r}"
        else:
            findings[(m, side or None)] = (weight, "a posture or movement finding")
    if errors:
        raise ValidationFailed(errors)
    priors = Priors(conditions=frozenset(data.conditions), findings=findings)
    try:
        return rank_muscles(marks, priors).to_json(data.top)
    except EmptyDrawingError as exc:
        raise ValidationFailed({"regions": str(exc)}) from None


@router.get("/pain-drawings/{drawing_id}/referral", response_model=RankingOut, summary="Rank muscles for a saved drawing")
def refer_drawing(
    db: DbSession, actor: ApiActor, drawing_id: int, top: Annotated[int, Query(ge=1, le=200)] = 10
) -> dict[str, Any]:
    try:
        return referral_for_drawing(db=db, actor=actor, drawing_id=drawing_id).to_json(top)
    except EmptyDrawingError as exc:
        raise ValidationFailed({"regions": str(exc)}) from None


class MuscleSummary(BaseModel):
    id: str
    name: str
    area: str
    synonyms: list[str]
    essential_zones: list[str]
    spillover_zones: list[str]
    matched: list[str] = Field(default_factory=list, description="What matched the search, if any.")


@router.get("/muscles", response_model=list[MuscleSummary], summary="List or search muscles")
def muscles(actor: ApiActor, q: Annotated[str, Query(max_length=200, description="Name, symptom, condition or area.")] = "") -> list[dict[str, Any]]:
    kb = load_knowledge()
    return [
        {"id": h.muscle.id, "name": h.muscle.name, "area": h.muscle.area, "synonyms": h.muscle.synonyms,
         "essential_zones": [z.region for z in h.muscle.essential_zones],
         "spillover_zones": [z.region for z in h.muscle.spillover_zones], "matched": list(h.matched)}
        for h in search_muscles(kb, q, limit=len(kb.muscles))
    ]


@router.get("/muscles/{muscle}", summary="One muscle, everything the atlas holds")
def muscle(actor: ApiActor, muscle: str) -> dict[str, Any]:
    """Zones are base region ids (`essential_zones`, `spillover_zones`); they are mirrored to the
    side of the trigger point when used."""
    kb = load_knowledge()
    try:
        return muscle_to_json(kb.muscle(muscle), kb.atlas)
    except UnknownMuscleError:
        raise NotFound("muscle") from None
