"""Pain drawing pages: record one on the chart (or the checklist), view it, compare two, and
correct it: edit or sign it, delete it with a reason, restore it (the clinic owner)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from myomap.atlas.regions import load_atlas
from myomap.knowledge.library import load_knowledge
from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.clients.models import Client
from myomap.records.clients.service import get_client_for_user
from myomap.records.errors import ValidationFailed, VersionConflict
from myomap.records.pain.models import PainDrawing
from myomap.records.pain.schemas import MAX_INTENSITY, QUALITIES, PainDrawingCreate
from myomap.records.pain.service import (
    compare_drawings,
    create_drawing,
    delete_drawing,
    get_drawing_for_user,
    list_drawings,
    read_drawing,
    restore_drawing,
    sign_drawing,
    summary,
    to_read,
    update_drawing,
)
from myomap.records.pain.validation import check_drawing
from myomap.records.palpation.service import list_targets
from myomap.records.validation import parse
from myomap.web import chart
from myomap.web.deps import DbSession, WebActor, WebForm
from myomap.web.notices import see_other
from myomap.web.params import RecordId, record_id_query
from myomap.web.templating import FORM_ERRORS_STATUS, render

router = APIRouter()

INTENSITY = "intensity__"
QUALITY = "qualities__"
NOTE = "note__"


def region_groups() -> list[tuple[Any, list[Any]]]:
    """Chart regions grouped by area, in atlas order (for the checklist)."""
    atlas = load_atlas()
    groups: dict[str, list[Any]] = {area: [] for area in atlas.areas}
    for region in atlas.regions.values():
        groups[region.area].append(region)
    return [(atlas.areas[a], regions) for a, regions in groups.items() if regions]


def drawing_from_form(form: FormData) -> tuple[PainDrawingCreate | None, dict[str, dict[str, Any]], dict[str, str]]:
    """Parse the pain form: (drawing or None, values to show again, problems)."""
    errors: dict[str, str] = {}
    values: dict[str, dict[str, Any]] = {}
    region_ids: list[str] = []
    for key in form.keys():
        for prefix in (INTENSITY, QUALITY, NOTE):
            if key.startswith(prefix):
                rid = key[len(prefix) :]
                if rid not in region_ids:
                    region_ids.append(rid)
    marks: list[dict[str, object]] = []
    for rid in region_ids:
        raw = str(form.get(INTENSITY + rid) or "").strip()
        qualities = [str(q) for q in form.getlist(QUALITY + rid)]
        note = str(form.get(NOTE + rid) or "").strip()
        if not raw and not qualities and not note:
            continue
        values[rid] = {"intensity": raw, "qualities": qualities, "note": note}
        if not raw:
            errors[f"marks.{rid}.intensity"] = f"{_name(rid)}: give an intensity from 0 to {MAX_INTENSITY} for a region with qualities or a note"
            continue
        try:
            intensity = int(raw)
        except ValueError:
            errors[f"marks.{rid}.intensity"] = f"{_name(rid)}: intensity must be a whole number from 0 to {MAX_INTENSITY}, not {raw!r}"
            continue
        marks.append({"region_id": rid, "intensity": intensity, "qualities": qualities, "note": note or None})
    drawn_on_raw = str(form.get("drawn_on") or "").strip()
    drawn_on: date | None = None
    try:
        drawn_on = date.fromisoformat(drawn_on_raw)
    except ValueError:
        errors["drawn_on"] = "Date: give the date as YYYY-MM-DD"
    overall = str(form.get("overall_note") or "").strip()
    if drawn_on is None:
        return None, values, errors
    try:  # the schema's bounds (note lengths, one mark per region, no NUL characters)
        data = parse(PainDrawingCreate, {"drawn_on": drawn_on, "overall_note": overall or None, "marks": marks})
    except ValidationFailed as exc:
        return None, values, {**errors, **exc.errors}
    return data, values, errors


def _name(rid: str) -> str:
    region = load_atlas().regions.get(rid)
    return region.name if region else repr(rid)


def _form_page(request: Request, client: Client, *, values: dict[str, Any], drawn_on: str, overall_note: str,
               errors: dict[str, str], status: int = 200, **editing: Any) -> Response:
    """The drawing form; ``editing`` (form_title, form_action, version, conflict...) makes it the
    edit form of an existing drawing."""
    intensities: dict[str, float] = {}
    known = load_atlas().regions
    for rid, v in values.items():
        if rid not in known:
            continue
        try:
            intensities[rid] = float(int(v.get("intensity", "")))
        except ValueError:
            pass
    return render(
        request, "pain/form.html",
        {
            "client": client, "groups": region_groups(), "qualities": QUALITIES, "values": values,
            "drawn_on": drawn_on, "overall_note": overall_note, "errors": errors,
            "chart": chart.render(intensities, interactive=True, dom_id="bodychart",
                                  caption="Tap or click a region to mark it, then set its intensity."),
            "max_intensity": MAX_INTENSITY, **editing,
        },
        status_code=status,
    )


@router.get("/clients/{client_id}/pain-drawings/new", include_in_schema=False)
def new_drawing_form(request: Request, db: DbSession, actor: WebActor, client_id: RecordId) -> Response:
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    return _form_page(request, client, values={}, drawn_on=date.today().isoformat(), overall_note="", errors={})


@router.post("/clients/{client_id}/pain-drawings", include_in_schema=False)
def create_drawing_submit(request: Request, db: DbSession, actor: WebActor, form: WebForm, client_id: RecordId) -> Response:
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    data, values, errors = drawing_from_form(form)
    if data is not None and errors:
        try:  # report the atlas and scale problems too, all at once
            check_drawing(data)
        except ValidationFailed as exc:
            errors = {**errors, **exc.errors}
    elif data is not None:
        try:
            drawing = create_drawing(db=db, actor=actor, client_id=client.id, data=data)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/pain-drawings/{drawing.id}", "drawing_saved")
    return _form_page(
        request, client, values=values, drawn_on=str(form.get("drawn_on") or ""),
        overall_note=str(form.get("overall_note") or ""), errors=errors, status=FORM_ERRORS_STATUS,
    )


@router.get("/pain-drawings/compare", include_in_schema=False)
def compare_page(
    request: Request, db: DbSession, actor: WebActor,
    a: Annotated[int, record_id_query("one drawing id")],
    b: Annotated[int, record_id_query("the other drawing id")],
) -> Response:
    result = compare_drawings(db=db, actor=actor, first_id=a, second_id=b)
    client = get_client_for_user(db, actor, result.after.client_id)
    before_chart = chart.render(chart.intensities_of(result.before.marks), dom_id="chart-before",
                                caption=f"Before: {result.before.drawn_on:%-d %b %Y}")
    after_chart = chart.render(chart.intensities_of(result.after.marks), dom_id="chart-after",
                               caption=f"After: {result.after.drawn_on:%-d %b %Y}")
    return render(
        request, "pain/compare.html",
        {"client": client, "cmp": result, "before_chart": before_chart, "after_chart": after_chart},
    )


@router.get("/pain-drawings/{drawing_id}", include_in_schema=False)
def drawing_page(request: Request, db: DbSession, actor: WebActor, drawing_id: RecordId) -> Response:
    return _drawing_page(request, db, actor, read_drawing(db=db, actor=actor, drawing_id=drawing_id))


def _drawing_page(request: Request, db: Session, actor: Actor, drawing: PainDrawing, *,
                  delete_errors: dict[str, str] | None = None, reason: str = "") -> Response:
    client = get_client_for_user(db, actor, drawing.client_id)
    others = [summary(d) for d in list_drawings(db=db, actor=actor, client_id=client.id, audit=False) if d.id != drawing.id]
    data = to_read(db, drawing)
    heat = chart.render(chart.intensities_of(data.marks), zoomable=True, dom_id="bodychart",
                        caption=f"Pain on {drawing.drawn_on:%-d %b %Y}")
    kb = load_knowledge()
    to_palpate = [(kb.muscles[t.muscle_id].name, t.side)
                  for t in list_targets(db=db, actor=actor, drawing_id=drawing.id) if t.muscle_id in kb.muscles]
    return render(request, "pain/view.html", {"client": client, "drawing": data, "chart": heat, "others": others,
                                              "to_palpate": to_palpate, "delete_errors": delete_errors or {},
                                              "reason": reason}, status_code=FORM_ERRORS_STATUS if delete_errors else 200)


def _marks_as_values(drawing: PainDrawing) -> dict[str, dict[str, Any]]:
    """A saved drawing's marks as the form's values (what a therapist would have typed)."""
    return {m.region_id: {"intensity": str(m.intensity), "qualities": list(m.qualities or []), "note": m.note or ""}
            for m in drawing.marks}


def _edit_page(request: Request, client: Client, drawing_id: int, *, version: int, status: int = 200,
               **form: Any) -> Response:
    return _form_page(
        request, client, status=status, version=version, form_title="Correct pain drawing",
        form_action=f"/pain-drawings/{drawing_id}/edit", cancel_href=f"/pain-drawings/{drawing_id}",
        submit_label="Save my version" if form.get("conflict") else "Save changes", **form,
    )


@router.get("/pain-drawings/{drawing_id}/edit", include_in_schema=False)
def edit_drawing_form(request: Request, db: DbSession, actor: WebActor, drawing_id: RecordId) -> Response:
    drawing = read_drawing(db=db, actor=actor, drawing_id=drawing_id)
    if drawing.signed_at is not None:  # final: the page says so instead of a form that cannot save
        return RedirectResponse(f"/pain-drawings/{drawing.id}", status_code=303)
    client = get_client_for_user(db, actor, drawing.client_id)
    return _edit_page(request, client, drawing.id, version=drawing.version, values=_marks_as_values(drawing),
                      drawn_on=drawing.drawn_on.isoformat(), overall_note=drawing.overall_note or "", errors={})


@router.post("/pain-drawings/{drawing_id}/edit", include_in_schema=False)
def edit_drawing_submit(request: Request, db: DbSession, actor: WebActor, form: WebForm, drawing_id: RecordId) -> Response:
    data, values, errors = drawing_from_form(form)
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        version = -1  # a form without its version cannot prove it saw the latest: a conflict
    typed = {"values": values, "drawn_on": str(form.get("drawn_on") or ""),
             "overall_note": str(form.get("overall_note") or "")}
    if data is not None and not errors:
        try:
            drawing = update_drawing(db=db, actor=actor, drawing_id=drawing_id, data=data, version=version)
        except ValidationFailed as exc:
            errors = exc.errors
        except VersionConflict as exc:
            client = get_client_for_user(db, actor, get_drawing_for_user(db, actor, drawing_id).client_id)
            return _edit_page(request, client, drawing_id, version=exc.current, conflict=exc, errors={},
                              status=409, **typed)
        else:
            return see_other(f"/pain-drawings/{drawing.id}", "drawing_corrected")
    elif data is not None:
        try:  # report the atlas and scale problems too, all at once
            check_drawing(data)
        except ValidationFailed as exc:
            errors = {**errors, **exc.errors}
    client = get_client_for_user(db, actor, get_drawing_for_user(db, actor, drawing_id).client_id)
    return _edit_page(request, client, drawing_id, version=version, errors=errors, status=FORM_ERRORS_STATUS, **typed)


def _form_version(form: WebForm) -> int:
    raw = str(form.get("version") or "")
    if not raw.isdigit():
        raise ValidationFailed({"version": "the page was out of date; open the drawing again"})
    return int(raw)


@router.post("/pain-drawings/{drawing_id}/sign", include_in_schema=False)
def sign_submit(db: DbSession, actor: WebActor, form: WebForm, drawing_id: RecordId) -> Response:
    sign_drawing(db=db, actor=actor, drawing_id=drawing_id, version=_form_version(form))
    return see_other(f"/pain-drawings/{drawing_id}", "drawing_signed")


@router.post("/pain-drawings/{drawing_id}/delete", include_in_schema=False)
def delete_submit(request: Request, db: DbSession, actor: WebActor, form: WebForm, drawing_id: RecordId) -> Response:
    reason = str(form.get("reason") or "")
    try:
        drawing = delete_drawing(db=db, actor=actor, drawing_id=drawing_id, reason=reason, version=_form_version(form))
    except ValidationFailed as exc:
        return _drawing_page(request, db, actor, get_drawing_for_user(db, actor, drawing_id),
                             delete_errors=exc.errors, reason=reason)
    return see_other(f"/clients/{drawing.client_id}", "drawing_deleted")


@router.post("/pain-drawings/{drawing_id}/restore", include_in_schema=False)
def restore_submit(db: DbSession, actor: WebActor, drawing_id: RecordId) -> Response:
    restore_drawing(db=db, actor=actor, drawing_id=drawing_id)
    return see_other(f"/pain-drawings/{drawing_id}", "drawing_restored")
