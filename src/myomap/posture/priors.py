"""Turn posture findings into referral priors: which muscles a distortion pattern implicates.

Shortened/overactive muscles weigh 1.0 and lengthened/inhibited ones 0.5: both can harbour
trigger points, but the shortened side of an imbalance is the usual first suspect (Page, Frank &
Lardner 2010, ch. 4; Travell & Simons vol. 1, 2nd ed., ch. 4 on perpetuating factors).
Referral flags (the scoliosis screen) implicate no muscle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from myomap.posture.patterns import MUSCLE_ROLES, Pattern

SHORTENED_WEIGHT = 1.0
LENGTHENED_WEIGHT = 0.5


def muscle_findings(
    patterns: Iterable[Pattern | Mapping[str, Any]], *, label: str = "posture"
) -> dict[tuple[str, str | None], tuple[float, str]]:
    """(muscle id, side) -> (weight, reason) for :class:`myomap.referral.Priors` ``findings``.

    The side is the one the pattern names ("left"/"right"), or None when it implicates both
    sides, so a right elevated shoulder raises the right upper trapezius only. Accepts patterns
    or their stored JSON (``Pattern.to_dict()``); a muscle and side named by several patterns
    keeps its highest weight and lists every pattern in its reason.
    """
    found: dict[tuple[str, str | None], tuple[float, list[str]]] = {}
    for p in patterns:
        data = p.to_dict() if isinstance(p, Pattern) else p
        if data.get("kind") == "referral":
            continue
        for key, weight in (("shortened", SHORTENED_WEIGHT), ("lengthened", LENGTHENED_WEIGHT)):
            for ref in data.get(key, []):
                side: str | None = str(ref["side"]) if ref.get("side") in ("left", "right") else None
                said = f" on the {side}" if side else ""
                why = f"{data['name'].lower()} ({label}) suggests it is {MUSCLE_ROLES[key]}{said}"
                slot = (str(ref["muscle"]), side)
                old_weight, reasons = found.get(slot, (0.0, []))
                if why not in reasons:
                    reasons.append(why)
                found[slot] = (max(old_weight, weight), reasons)
    return {m: (w, "; ".join(r)) for m, (w, r) in found.items()}
