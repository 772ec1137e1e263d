"""Typed schema of the knowledge files (muscles, trigger points, zones, conditions, sites, sources).

The YAML files under ``knowledge/data`` are parsed into these models; anything malformed fails
loudly at load time with the file and field named, so bad data never reaches a therapist.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


Text = Annotated[str, Field(min_length=2)]


class SourceRef(_Strict):
    """A citation: a source id from sources.yaml plus where in it (chapter, section, page)."""

    source: str
    locator: Text


class Source(_Strict):
    id: str
    citation: Text


class ZoneSide(StrEnum):
    """Which side a referral zone is on, relative to the trigger point."""

    IPSILATERAL = "ipsilateral"
    CONTRALATERAL = "contralateral"
    BILATERAL = "bilateral"


class Zone(_Strict):
    """A referral zone: a base region id, usually on the trigger point's own side."""

    region: str
    side: ZoneSide = ZoneSide.IPSILATERAL


def _coerce_zone(value: object) -> object:
    return {"region": value} if isinstance(value, str) else value


def _coerce_zones(value: object) -> object:
    return [_coerce_zone(z) for z in value] if isinstance(value, list) else value


class TriggerPoint(_Strict):
    """A trigger-point site. ``at`` places it inside its region's box on the chart:
    u from medial (0) to lateral (1), v from top (0) to bottom (1); mirror-invariant.

    Where the references draw a separate pattern for this trigger point (SCM sternal vs
    clavicular division, gluteus minimus anterior vs posterior...), it carries its own zones and
    the ``division`` they belong to; otherwise it refers to the muscle's zones."""

    id: str
    location: Text
    region: str
    at: tuple[float, float] = (0.5, 0.5)
    division: Text | None = None
    essential_zones: list[Zone] | None = None
    spillover_zones: list[Zone] | None = None
    pattern_source: SourceRef | None = None

    _zones = field_validator("essential_zones", "spillover_zones", mode="before")(
        classmethod(lambda cls, v: _coerce_zones(v))
    )

    @field_validator("at")
    @classmethod
    def _in_box(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not all(0.0 <= c <= 1.0 for c in v):
            raise ValueError("trigger point position must lie within 0..1")
        return v


class FactorKind(StrEnum):
    POSTURAL = "postural"
    MECHANICAL = "mechanical"
    SYSTEMIC = "systemic"
    ACTIVITY = "activity"


class Factor(_Strict):
    kind: FactorKind
    text: Text


class Entrapment(_Strict):
    """A nerve (or vessel) this muscle can compress: where, and the test that provokes it.

    ``nerve_id`` names a distribution in nerves.yaml when the structure is a nerve with a
    cutaneous territory; vessels and motor-only branches have none."""

    nerve: Text
    note: Text
    site: Text
    nerve_id: str | None = None
    test: str | None = None


class Palpation(_Strict):
    position: Text
    technique: Literal["flat", "pincer", "flat or pincer"]
    direction: Text


class Muscle(_Strict):
    id: str
    name: Text
    synonyms: list[str] = []
    area: str
    attachments: Text
    action: Text
    innervation: Text
    trigger_points: Annotated[list[TriggerPoint], Field(min_length=1)]
    essential_zones: Annotated[list[Zone], Field(min_length=1)]
    spillover_zones: list[Zone] = []
    symptoms: list[Text] = []
    perpetuating_factors: list[Factor] = []
    entrapments: list[Entrapment] = []
    conditions: list[str] = []
    palpation: Palpation
    cautions: list[Text] = []
    endangerment_sites: list[str] = []
    self_care: Text
    sources: Annotated[list[SourceRef], Field(min_length=1)]

    _zones = field_validator("essential_zones", "spillover_zones", mode="before")(
        classmethod(lambda cls, v: _coerce_zones(v))
    )


class Condition(_Strict):
    """A condition NMT addresses, with its codes for the record and for data exchange.

    ``icd10cm`` is a billable ICD-10-CM code and ``icd10cm_term`` its title in the tabular list;
    ``snomed`` a SNOMED CT concept id and ``snomed_term`` its preferred term. Each code travels
    with its term so a reader sees which concept it names; a missing code says why in
    ``code_note`` rather than being silently absent."""

    id: str
    name: Text
    icd10cm: str | None = None
    icd10cm_term: Text | None = None
    snomed: Annotated[str, Field(pattern=r"^\d{6,18}$")] | None = None
    snomed_term: Text | None = None
    code_note: Text | None = None
    codes_source: list[SourceRef] = []
    source: SourceRef

    @model_validator(mode="after")
    def _codes_named(self) -> Condition:
        for code, term in ((self.icd10cm, self.icd10cm_term), (self.snomed, self.snomed_term)):
            if (code is None) != (term is None):
                raise ValueError(f"{self.id}: a code and its term come together")
        if (self.icd10cm is None or self.snomed is None) and self.code_note is None:
            raise ValueError(f"{self.id}: a missing code needs a code_note saying why")
        if (self.icd10cm or self.snomed) and not self.codes_source:
            raise ValueError(f"{self.id}: codes need a codes_source")
        return self


class EndangermentSite(_Strict):
    """An area where deep or sustained pressure can harm vessels, nerves or organs."""

    id: str
    name: Text
    structures: Annotated[list[Text], Field(min_length=1)]
    regions: Annotated[list[str], Field(min_length=1)]
    guidance: Text
    sources: Annotated[list[SourceRef], Field(min_length=1)]


class MuscleGroup(_Strict):
    """Muscles the references describe with one referral pattern (the scalenes, the
    suboccipitals): a tie between them is shown as one row under this name."""

    id: str
    name: Text
    members: Annotated[list[str], Field(min_length=2)]
    source: SourceRef


class ProvocativeTest(_Strict):
    """A clinical test that provokes a nerve entrapment, with how it is done and read."""

    id: str
    name: Text
    procedure: Text
    positive: Text
    caveat: Text | None = None
    sources: Annotated[list[SourceRef], Field(min_length=1)]


class Nerve(_Strict):
    """A peripheral nerve and the chart regions its skin territory covers (base region ids)."""

    id: str
    name: Text
    regions: Annotated[list[str], Field(min_length=1)]
    source: SourceRef


class MidlineNeighbours(_Strict):
    """Regions beside a midline region that pain drawn on the midline usually spills into, so
    muscles referring next to the spine are considered too (at reduced weight)."""

    region: str
    neighbours: Annotated[list[str], Field(min_length=1)]
    source: SourceRef
