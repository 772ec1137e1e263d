"""Palpation findings feed back into the ranking.

A trigger point is confirmed by palpation: a taut band, local tenderness and, most telling, the
patient recognising their own pain when it is pressed (referral reproduced). Simons, Travell &
Simons (vol. 1, 2nd ed., ch. 2, diagnostic criteria) weigh recognised referred pain highest;
pressing a suspected muscle that is not tender at all argues against it. The factors below
encode that order; they are model constants, not measured likelihood ratios.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

REPRODUCED_BOOST = 2.0
TENDER_BOOST = 0.25
TAUT_BAND_BOOST = 0.25
NOT_TENDER_FACTOR = 0.3


@dataclass(frozen=True, slots=True)
class PalpationFinding:
    """What the therapist found when palpating a muscle on the to-palpate list (None = not
    recorded)."""

    tender: bool | None = None
    taut_band: bool | None = None
    referral_reproduced: bool | None = None
    note: str | None = None

    @property
    def recorded(self) -> bool:
        return any(v is not None for v in (self.tender, self.taut_band, self.referral_reproduced))


def _applies(finding_side: str, side: str) -> bool:
    return finding_side == side or "both" in (finding_side, side) or "either" in (finding_side, side)


def palpation_effect(
    findings: Mapping[tuple[str, str], PalpationFinding], muscle: str, side: str
) -> tuple[float, list[str], bool]:
    """(score factor, reasons, referral reproduced) for a candidate on ``side``."""
    factor, reasons, reproduced = 1.0, [], False
    for (m, fside), f in sorted(findings.items()):
        if m != muscle or not f.recorded or not _applies(fside, side):
            continue
        where = f" ({fside})" if fside in ("left", "right") else ""
        if f.referral_reproduced:
            factor *= 1 + REPRODUCED_BOOST
            reproduced = True
            reasons.append(f"palpation{where} reproduced the referred pain")
        elif f.tender is False:
            factor *= NOT_TENDER_FACTOR
            reasons.append(f"lowered: palpated{where} and not tender")
        else:
            gain = (TENDER_BOOST if f.tender else 0.0) + (TAUT_BAND_BOOST if f.taut_band else 0.0)
            factor *= 1 + gain
            found = [w for w, v in (("tender", f.tender), ("taut band", f.taut_band)) if v]
            if found:
                reasons.append(f"palpation{where} found: {', '.join(found)}")
        if f.referral_reproduced is False and f.tender:
            reasons.append("referral not reproduced on palpation")
    return factor, reasons, reproduced
