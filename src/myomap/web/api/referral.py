"""``/api/refer`` and ``/api/muscles``: referral inference and the trigger-point atlas."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, StringConstraints

from myomap.knowledge.library import UnknownMuscleError, load_knowledge, muscle_summary, muscle_to_json
from myomap.knowledge.search import search_muscles
from myomap.records.accounts.permissions import Permission, require
from myomap.records.errors import NotFound, ValidationFailed
from myomap.records.pain.schemas import MAX_MARKS, MAX_REGION_TEXT, QUALITIES, Quality
from myomap.records.palpation.schemas import PalpationFindingUpdate, PalpationTargetRead
from myomap.records.palpation.service import record_finding, referral_for_drawing, target_read
from myomap.records.validation import RequestModel
from myomap.referral import SCORE_MEANING, EmptyDrawingError
from myomap.referral.drawing import DrawingInputError, PainPhrase, refer_phrases
from myomap.web.api.common import CONFLICT, ERRORS
from myomap.web.deps import ApiActor, DbSession
from myomap.web.params import AtlasId, RecordId

router = APIRouter(prefix="/api", tags=["trigger points"], responses=ERRORS)


class ReferRegion(RequestModel):
    region: str = Field(min_length=1, max_length=MAX_REGION_TEXT, description="Chart region id (`temple.right`), or words a therapist uses ('angle of jaw', "
                                    "'wrist': a coarse area expands to its regions), with `side` for two-sided places.",
                        examples=["temple.right", "angle of jaw"])
    side: str | None = Field(None, max_length=10, description="left or right, when `region` is a two-sided name.")
    intensity: float = Field(5, description="Pain intensity 0-10.")
    qualities: list[Quality] = Field(default_factory=list, max_length=len(QUALITIES), description="Pain qualities: tingling, numbness and burning "
                                 "raise entrapment hypotheses.", examples=[["tingling"]])


class ReferRequest(RequestModel):
    regions: list[ReferRegion] = Field(description="The pain drawing.", max_length=MAX_MARKS)
    conditions: list[Annotated[str, StringConstraints(max_length=80)]] = Field(
        default_factory=list, max_length=100, description="Client condition ids used as priors.")
    findings: dict[Annotated[str, StringConstraints(max_length=80)], float] = Field(
        default_factory=dict, max_length=400,
        description="Muscle id (both sides) or `muscle.left` / `muscle.right` -> weight 0..1 from posture or "
                    "movement findings (priors).",
        examples=[{"upper_trapezius.right": 1.0}],
    )
    top: int = Field(10, ge=1, le=200, description="How many rows (a muscle or a tie group) to return.")


class CandidateOut(BaseModel):
    muscle: str
    name: str
    side: str = Field(description="left, right, both (symmetric pain or a true tie) or either (midline only).")
    score: float = Field(description=SCORE_MEANING)
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


class ReadingOut(BaseModel):
    text: str
    regions: list[str]
    expanded_from: str | None = Field(description="The coarse area a phrase expanded from.")
    corrected: str | None = Field(description="The term a typo was corrected to.")


class RankingOut(BaseModel):
    candidates: list[CandidateOut] = Field(description="Every member of the rows shown, best row first.")
    groups: list[GroupOut] = Field(description="Rows of the ranking: one muscle, or muscles tied on one pattern.")
    cover: list[str] = Field(description="Smallest set of muscles explaining every explainable region.")
    unexplained: list[str] = Field(description="Regions no referral pattern explains.")
    symmetric: bool = Field(description="The same regions are painted on both sides.")
    entrapments: list[EntrapmentOut] = Field(
        description="Nerve entrapments to test where tingling, numbness or burning lie in a nerve's territory.")


class ReferOut(RankingOut):
    readings: list[ReadingOut] = Field(description="How each typed place was read onto the chart.")


def _ranked(data: ReferRequest) -> dict[str, Any]:
    """The drawing read and ranked (pure CPU work: words matched against the atlas, a few close-match
    searches at most) in a worker thread, before the request takes a database slot: a handler's
    parameters are solved in order, so this comes before the sign-in check."""
    phrases = [PainPhrase(r.region, r.side, r.intensity, tuple(r.qualities)) for r in data.regions]
    try:
        return refer_phrases(phrases, conditions=data.conditions, findings=data.findings).to_json(data.top)
    except DrawingInputError as exc:
        raise ValidationFailed(exc.errors) from None


@router.post("/refer", response_model=ReferOut, summary="Rank muscles for a pain drawing",
             description="Which muscles' trigger points may refer pain to these regions, best first, with reasons. "
                         f"{SCORE_MEANING} Places that cannot be read are all reported in one 422 (with close "
                         "matches for the first few). Therapists and owners only: it is clinical decision "
                         "support, as the posture analysis is.")
def refer(ranked: Annotated[dict[str, Any], Depends(_ranked)], actor: ApiActor) -> dict[str, Any]:
    require(actor, Permission.CLINICAL)
    return ranked


class DrawingRankingOut(RankingOut):
    palpation: list[PalpationTargetRead] = Field(
        description="The drawing's to-palpate list with each finding; the ranking and `cover` reflect them.")


@router.get("/pain-drawings/{drawing_id}/referral", response_model=DrawingRankingOut,
            summary="Rank muscles for a saved drawing",
            description="The ranking takes the client's latest postural assessment and the palpation findings recorded "
                        f"for this drawing into account (each changed candidate says so in its reasons). {SCORE_MEANING}")
def refer_drawing(
    db: DbSession, actor: ApiActor, drawing_id: RecordId, top: Annotated[int, Query(ge=1, le=200)] = 10
) -> dict[str, Any]:
    try:
        referral = referral_for_drawing(db=db, actor=actor, drawing_id=drawing_id)
    except EmptyDrawingError as exc:
        raise ValidationFailed({"regions": str(exc)}) from None
    return {**referral.ranking.to_json(top), "palpation": [target_read(db, t) for t in referral.targets]}


@router.put("/pain-drawings/{drawing_id}/palpation/{muscle}", response_model=PalpationTargetRead, responses=CONFLICT,
            summary="Record a palpation finding")
def put_finding(db: DbSession, actor: ApiActor, drawing_id: RecordId, muscle: AtlasId, data: PalpationFindingUpdate) -> PalpationTargetRead:
    """What palpating `muscle` (atlas id, name or synonym) on `side` found, replacing its previous
    finding. A muscle not yet on the drawing's to-palpate list is added (leave `version` out);
    changing an entry needs the `version` read (409 if it changed since). A reproduced referral
    puts the muscle first in the drawing's ranking and smallest explaining set; "not tender"
    lowers it. Therapists and owners only."""
    return target_read(db, record_finding(db=db, actor=actor, drawing_id=drawing_id, muscle_id=muscle, data=data))


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
    return [muscle_summary(h.muscle, h.matched) for h in search_muscles(kb, q, limit=len(kb.muscles))]


@router.get("/muscles/{muscle}", summary="One muscle, everything the atlas holds")
def muscle(actor: ApiActor, muscle: AtlasId) -> dict[str, Any]:
    """Zones are base region ids (`essential_zones`, `spillover_zones`); they are mirrored to the
    side of the trigger point when used."""
    kb = load_knowledge()
    try:
        return muscle_to_json(kb.muscle(muscle), kb.atlas)
    except UnknownMuscleError:
        raise NotFound("muscle") from None
