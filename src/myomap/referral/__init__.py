"""Referral inference: from a pain drawing to the muscles whose trigger points refer there."""

from myomap.referral.engine import (
    Candidate,
    EmptyDrawingError,
    PainMark,
    Priors,
    Ranking,
    rank_muscles,
)

__all__ = ["Candidate", "EmptyDrawingError", "PainMark", "Priors", "Ranking", "rank_muscles"]
