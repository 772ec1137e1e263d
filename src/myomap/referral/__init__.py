"""Referral inference: from a pain drawing to the muscles whose trigger points refer there."""

from myomap.referral.engine import (
    Candidate,
    EmptyDrawingError,
    PainMark,
    Priors,
    Ranking,
    ReferralMap,
    rank_muscles,
    referral_map,
)

__all__ = ["Candidate", "EmptyDrawingError", "PainMark", "Priors", "Ranking", "ReferralMap", "rank_muscles", "referral_map"]
