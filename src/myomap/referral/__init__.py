"""Referral inference: from a pain drawing to the muscles whose trigger points refer there."""

from myomap.referral.engine import (
    SCORE_MEANING,
    Candidate,
    CandidateGroup,
    EmptyDrawingError,
    PainMark,
    Priors,
    Ranking,
    ReferralMap,
    rank_muscles,
    referral_map,
)
from myomap.referral.entrapment import EntrapmentHypothesis
from myomap.referral.palpation import PalpationFinding

__all__ = [
    "Candidate", "CandidateGroup", "EmptyDrawingError", "EntrapmentHypothesis", "PainMark", "PalpationFinding",
    "Priors", "Ranking", "ReferralMap", "SCORE_MEANING", "rank_muscles", "referral_map",
]
