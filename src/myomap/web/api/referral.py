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
        default_factory=dict, description="Muscle id -> weight 0..1 from posture or movement findings (priors)."
    )
    top: int = Field(10, ge=1, le=200, description="How many candidates to return.")


class CandidateOut(BaseModel):
    muscle: str
    name: str
    side: str
    score: float
    explains: list[str]
    essential: list[str]
    spillover: list[str]
    local: list[str]
    missing_essential: list[str]
    reasons: list[str]


class RankingOut(BaseModel):
    candidates: list[CandidateOut]
    cover: list[str] = Field(description="Smallest set of muscles explaining every explainable region.")
    unexplained: list[str] = Field(description="Regions no referral pattern explains.")


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
    for m in data.findings:
        if m not in kb.muscles:
            errors[f"findings.{m}"] = f"unknown muscle {m!r}"
    if errors:
        raise ValidationFailed(errors)
    priors = Priors(
        conditions=frozenset(data.conditions),
        findings={m: (w, "a posture or movement finding") for m, w in data.findings.items()},
    )
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
