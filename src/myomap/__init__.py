"""Myomap: assessment and practice system for Neuromuscular Therapy.

The public library API. Names load lazily so ``import myomap`` stays fast and never pulls in the
web server or the pose model unless they are used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "PainMark": "myomap.referral",
    "Priors": "myomap.referral",
    "Ranking": "myomap.referral",
    "EmptyDrawingError": "myomap.referral",
    "rank_muscles": "myomap.referral",
    "load_atlas": "myomap.atlas.regions",
    "UnknownRegionError": "myomap.atlas.regions",
    "load_knowledge": "myomap.knowledge.library",
    "UnknownMuscleError": "myomap.knowledge.library",
    "analyse_photo": "myomap.posture",
    "recompute": "myomap.posture",
    "PostureAnalysis": "myomap.posture",
    "PhotoError": "myomap.posture",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'myomap' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return __all__
