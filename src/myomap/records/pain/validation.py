"""Check a pain drawing against the atlas and the scales, collecting every problem at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from myomap.atlas.regions import Region, RegionAtlas, UnknownRegionError, load_atlas
from myomap.records.errors import ValidationFailed
from myomap.records.pain.schemas import MAX_INTENSITY, QUALITIES, PainDrawingCreate, PainMarkIn


def _unknown_region_message(atlas: RegionAtlas, text: str, exc: UnknownRegionError) -> str:
    """The atlas's message, with suggestions given as chart ids on the side the user meant."""
    base_text, _, side = text.strip().rpartition(".")
    if side not in ("left", "right") or not base_text:
        return str(exc)
    try:
        atlas.resolve(base_text, side)  # e.g. 'jaw angle.left': the side was never the problem
    except UnknownRegionError as inner:
        suggestions = [
            s if atlas.bases[s].is_midline else f"{s}.{side}" for s in inner.suggestions if s in atlas.bases
        ]
        msg = f"unknown body region {text!r}"
        return msg + ("; did you mean: " + ", ".join(suggestions) + "?" if suggestions else "")
    return str(exc)


def _recorded_region(atlas: RegionAtlas, text: str) -> Region:
    """The one region ``text`` names, read strictly: a clinical record never keeps a guessed
    spelling, so a phrase that only a typo correction reads is refused with its correction offered."""
    found = atlas.interpret(text)
    if found.corrected is not None:
        raise UnknownRegionError(text, [r.id for r in found.regions])
    if len(found.regions) > 1:
        raise UnknownRegionError(text, [r.id for r in found.regions], reason=f"{text!r} covers several regions; name one")
    return found.regions[0]


MAX_UNKNOWN_REGIONS = 5
"""Unknown regions looked up for close matches per drawing: a miss costs milliseconds of fuzzy
matching (a found id or phrase costs microseconds), so past this many the rest are only counted."""


@dataclass(frozen=True, slots=True)
class CheckedDrawing:
    """A drawing that passed :func:`check_drawing`: canonical region ids, tidy notes."""

    drawn_on: date
    overall_note: str | None
    marks: tuple[PainMarkIn, ...]


def check_drawing(data: PainDrawingCreate, *, atlas: RegionAtlas | None = None, today: date | None = None) -> CheckedDrawing:
    """``data`` with canonical region ids, or :class:`ValidationFailed` naming each problem.

    Region ids may be given as ids, names or synonyms with a side (``left temple``); each is
    resolved through the atlas, and unknown ones come back with close matches (for the first
    :data:`MAX_UNKNOWN_REGIONS`; the rest are counted). Pure CPU work: callers that hold a
    database slot should check first (the API does, in a worker thread, before taking one).
    """
    atlas = atlas or load_atlas()
    today = today or date.today()
    errors: dict[str, str] = {}
    if data.drawn_on > today + timedelta(days=1):
        errors["drawn_on"] = "cannot be in the future"
    if not data.marks and not (data.overall_note or "").strip():
        errors["marks"] = "mark at least one region, or write an overall note (for example 'no pain today')"

    out: list[PainMarkIn] = []
    seen: dict[str, int] = {}
    unknown_regions = 0
    for index, mark in enumerate(data.marks):
        where = f"marks.{mark.region_id or index}"
        if unknown_regions >= MAX_UNKNOWN_REGIONS and mark.region_id.strip() not in atlas.regions:
            unknown_regions += 1
            continue
        try:
            region = _recorded_region(atlas, mark.region_id)
        except UnknownRegionError as exc:
            errors[where] = _unknown_region_message(atlas, mark.region_id, exc)
            unknown_regions += 1
            continue
        label = region.name
        if region.id in seen:
            errors[where] = f"{label} is marked twice"
            continue
        seen[region.id] = index
        if not 0 <= mark.intensity <= MAX_INTENSITY:
            errors[f"marks.{region.id}.intensity"] = f"{label}: intensity must be between 0 and {MAX_INTENSITY}, not {mark.intensity}"
        unknown = [q for q in mark.qualities if q not in QUALITIES]
        if unknown:
            errors[f"marks.{region.id}.qualities"] = (
                f"{label}: unknown quality {', '.join(repr(q) for q in unknown)}; choose from {', '.join(QUALITIES)}"
            )
        qualities = [q for q in QUALITIES if q in mark.qualities]
        note = (mark.note or "").strip() or None
        out.append(PainMarkIn(region_id=region.id, intensity=mark.intensity, qualities=qualities, note=note))
    if unknown_regions > MAX_UNKNOWN_REGIONS:
        errors["marks"] = (
            f"{unknown_regions - MAX_UNKNOWN_REGIONS} more marks name no chart region (not looked up); "
            "use the region ids of the atlas (`myomap regions list`)"
        )
    if errors:
        raise ValidationFailed(errors)
    return CheckedDrawing(data.drawn_on, (data.overall_note or "").strip() or None, tuple(out))
