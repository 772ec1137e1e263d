"""Postural assessment pages: a client's assessments, a new one, the four views with their photos,
metrics and the pooled patterns, the landmark editor, and two assessments compared.

Uploads are plain multipart forms (they work without JavaScript; ``capture`` lets a tablet take the
photo with its camera). When the photo shows several people, the form's "Several people in the
photo?" step gives the client's box (four number fields; with JavaScript, a rectangle dragged on a
preview of the chosen photo fills them in). The landmark editor is ``static/landmarks.js``: it recomputes the metrics
through ``POST /api/posture/recompute`` after each move and saves through the form here.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response

from myomap.knowledge.library import UnknownMuscleError, load_knowledge
from myomap.posture import CAPTURE_STEPS, CLINICAL_LANDMARKS, VIEW_INSTRUCTIONS
from myomap.posture.annotate import IMAGE_FORMATS, ImageFormat
from myomap.posture.landmarks import landmark_label
from myomap.posture.metrics import value_text
from myomap.posture.people import BOX_MIN_HEIGHT, BOX_MIN_WIDTH, Box
from myomap.records.accounts.permissions import Permission, require
from myomap.records.clients.service import get_client_for_user
from myomap.records.errors import ValidationFailed, VersionConflict
from myomap.records.posture.models import VIEWS
from myomap.records.posture.photos import PhotoTooLarge, SeveralPeople, parse_box_text
from myomap.records.posture.presentation import summary, to_read
from myomap.records.posture.schemas import (
    MAX_HEIGHT_CM,
    MIN_HEIGHT_CM,
    LandmarksUpdate,
    PostureAssessmentCreate,
    PostureAssessmentRead,
    PostureAssessmentUpdate,
)
from myomap.records.posture.service import (
    annotated_image,
    compare_assessments,
    create_assessment,
    get_assessment_for_user,
    list_assessments,
    photo_image,
    read_assessment,
    update_assessment,
    update_landmarks,
    upload_photo_releasing_lock,
)
from myomap.records.posture.service import delete_photo as delete_photo_service
from myomap.records.validation import parse
from myomap.web.deps import DbSession, SettingsDep, WebActor, WebForm
from myomap.web.notices import see_other
from myomap.web.params import RecordId, record_id_query
from myomap.web.templating import FORM_ERRORS_STATUS, render, templates

router = APIRouter()

ANNOTATED_EXTENSIONS: dict[str, ImageFormat] = {"jpg": "jpeg", "png": "png"}

VIEW_TITLES = {v.view: v.title for v in VIEW_INSTRUCTIONS}
#: The upload form's box fields (x, y, width, height), in that order.
BOX_FIELDS = ("box_x", "box_y", "box_w", "box_h")
BOX_STEP = "Several people in the photo?"
VIEW_HINTS = {v.view: v.instruction for v in VIEW_INSTRUCTIONS}

#: Clinical points worth placing in each view (the metrics of that view use them); the rest are listed after.
SUGGESTED_POINTS: dict[str, tuple[str, ...]] = {
    "anterior": ("acromion_left", "acromion_right", "asis_left", "asis_right", "patella_left", "patella_right",
                 "tibial_tuberosity_left", "tibial_tuberosity_right"),
    "posterior": ("acromion_left", "acromion_right", "psis_left", "psis_right", "calcaneus_top_left",
                  "calcaneus_bottom_left", "calcaneus_top_right", "calcaneus_bottom_right"),
    "left": ("tragus", "c7", "acromion_left", "asis_left", "psis_left", "greater_trochanter", "lateral_malleolus"),
    "right": ("tragus", "c7", "acromion_right", "asis_right", "psis_right", "greater_trochanter", "lateral_malleolus"),
}


def metric_value(m: Any) -> str:
    """A metric's value shown one way (``myomap.posture.metrics.value_text``): '4.2° ± 0.5° varus', '—'."""
    data = m if isinstance(m, dict) else m.model_dump()
    return str(data.get("value_text") or value_text(data.get("metric") or data["id"], data.get("value"), data.get("unit", ""),
                                                     data.get("uncertainty")))


def change_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{value:.1f}°" if unit == "deg" else f"{sign}{value:.1f} {unit}"


templates.env.filters["landmark_label"] = landmark_label
templates.env.filters["metric_value"] = metric_value
templates.env.globals["posture_change_value"] = change_value
templates.env.globals["posture_value"] = value_text


def muscle_links(refs: list[Any]) -> list[dict[str, Any]]:
    """Pattern muscles with their atlas names and links."""
    kb = load_knowledge()
    out = []
    for ref in refs:
        data = ref if isinstance(ref, dict) else ref.model_dump()
        try:
            name = kb.muscle(data["muscle"]).name
        except UnknownMuscleError:
            name = data["muscle"].replace("_", " ")
        side = data.get("side")
        url = f"/atlas/muscles/{data['muscle']}" + (f"?side={side}" if side in ("left", "right") else "")
        out.append({"id": data["muscle"], "name": name, "side": side, "url": url})
    return out


def _views(read: PostureAssessmentRead) -> list[dict[str, Any]]:
    return [
        {"view": v, "title": VIEW_TITLES[v], "hint": VIEW_HINTS[v], "photo": read.photos.get(v)}
        for v in VIEWS
    ]


def _patterns(read: PostureAssessmentRead) -> list[dict[str, Any]]:
    return [
        {**p.model_dump(), "shortened_links": muscle_links(p.shortened), "lengthened_links": muscle_links(p.lengthened)}
        for p in read.patterns
    ]


def _assessment_page(
    request: Request, db: Any, actor: Any, assessment_id: int, settings: Any, *,
    upload_errors: dict[str, str] | None = None, details_errors: dict[str, str] | None = None, status: int = 200,
    box_values: dict[str, dict[str, str]] | None = None, box_open: set[str] | None = None,
    box_invalid: set[str] | None = None,
) -> Response:
    assessment = read_assessment(db=db, actor=actor, assessment_id=assessment_id)
    client = get_client_for_user(db, actor, assessment.client_id)
    read = to_read(db, assessment)
    others = [summary(a) for a in list_assessments(db=db, actor=actor, client_id=client.id, audit=False) if a.id != assessment.id]
    return render(
        request, "posture/view.html",
        {
            "client": client, "a": read, "views": _views(read), "patterns": _patterns(read), "others": others,
            "steps": CAPTURE_STEPS, "view_instructions": VIEW_INSTRUCTIONS, "upload_errors": upload_errors or {},
            "details_errors": details_errors or {}, "max_bytes": settings.upload_max_bytes,
            "max_mb": f"{settings.upload_max_bytes / (1024 * 1024):.0f}",
            "box_values": box_values or {}, "box_open": box_open or set(), "box_invalid": box_invalid or set(),
            "box_step": BOX_STEP, "box_min": (BOX_MIN_WIDTH, BOX_MIN_HEIGHT),
        },
        status_code=status,
    )


def _box_from_form(form: FormData) -> tuple[dict[str, str], Box | None]:
    """(values to show again, the box) from the upload form's four box fields (or one ``box`` field
    "X,Y,W,H"). All empty: no box. Raises ValidationFailed (``box``) with what is wrong."""
    values = {k: str(form.get(k) or "").strip() for k in BOX_FIELDS}
    if not any(values.values()):
        return values, parse_box_text(str(form.get("box") or ""))
    if not all(values.values()):
        missing = [label for k, label in zip(BOX_FIELDS, ("x", "y", "width", "height"), strict=True) if not values[k]]
        raise ValidationFailed({"box": f"the box needs all four numbers (missing: {', '.join(missing)}); "
                                       "give x, y, width and height, or leave all four empty"})
    return values, parse_box_text([values[k] for k in BOX_FIELDS])


def _form_values(form: FormData) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """(values to show again, parsed fields, problems) of the date / height / note form."""
    values = {k: str(form.get(k) or "").strip() for k in ("assessed_on", "height_cm", "note")}
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {"note": values["note"] or None}
    try:
        fields["assessed_on"] = date.fromisoformat(values["assessed_on"])
    except ValueError:
        errors["assessed_on"] = "give the date as YYYY-MM-DD"
    if values["height_cm"]:
        try:
            fields["height_cm"] = float(values["height_cm"].replace(",", "."))
        except ValueError:
            fields["height_cm"] = None
        if fields["height_cm"] is None or not MIN_HEIGHT_CM <= fields["height_cm"] <= MAX_HEIGHT_CM:
            errors["height_cm"] = (
                f"give the height in centimetres (e.g. 172), between {MIN_HEIGHT_CM:g} and {MAX_HEIGHT_CM:g}, or leave it empty"
            )
    else:
        fields["height_cm"] = None
    return values, fields, errors


def _sentence(text: str) -> str:
    """'the box is ...' -> 'The box is ....' (a message shown on its own)."""
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


# ---- a client's assessments -------------------------------------------------------------------------


@router.get("/clients/{client_id}/posture-assessments", include_in_schema=False)
def assessments_page(request: Request, db: DbSession, actor: WebActor, client_id: RecordId) -> Response:
    client = get_client_for_user(db, actor, client_id)
    items = [summary(a) for a in list_assessments(db=db, actor=actor, client_id=client.id)]
    return render(request, "posture/list.html", {"client": client, "items": items, "view_titles": VIEW_TITLES})


@router.get("/clients/{client_id}/posture-assessments/new", include_in_schema=False)
def new_assessment_form(request: Request, db: DbSession, actor: WebActor, client_id: RecordId) -> Response:
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    return render(request, "posture/new.html",
                  {"client": client, "values": {"assessed_on": date.today().isoformat()}, "errors": {}})


@router.post("/clients/{client_id}/posture-assessments", include_in_schema=False)
def create_assessment_submit(request: Request, db: DbSession, actor: WebActor, form: WebForm, client_id: RecordId) -> Response:
    client = get_client_for_user(db, actor, client_id)
    require(actor, Permission.CLINICAL)
    values, fields, errors = _form_values(form)
    if not errors:
        try:
            data = parse(PostureAssessmentCreate, fields)
            assessment = create_assessment(db=db, actor=actor, client_id=client.id, data=data)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/posture-assessments/{assessment.id}", "assessment_created")
    return render(request, "posture/new.html", {"client": client, "values": values, "errors": errors}, status_code=FORM_ERRORS_STATUS)


@router.get("/posture-assessments/compare", include_in_schema=False)
def compare_page(
    request: Request, db: DbSession, actor: WebActor,
    a: Annotated[int, record_id_query("one assessment id")],
    b: Annotated[int, record_id_query("the other assessment id")],
) -> Response:
    result = compare_assessments(db=db, actor=actor, first_id=a, second_id=b)
    client = get_client_for_user(db, actor, result.after.client_id)
    by_view: dict[str, list[Any]] = {}
    for change in result.changes:
        by_view.setdefault(change.view, []).append(change)
    return render(request, "posture/compare.html",
                  {"client": client, "cmp": result, "by_view": by_view, "view_titles": VIEW_TITLES})


# ---- one assessment ---------------------------------------------------------------------------------


@router.get("/posture-assessments/{assessment_id}", include_in_schema=False)
def assessment_page(request: Request, db: DbSession, actor: WebActor, settings: SettingsDep, assessment_id: RecordId) -> Response:
    return _assessment_page(request, db, actor, assessment_id, settings)


@router.post("/posture-assessments/{assessment_id}/details", include_in_schema=False)
def details_submit(
    request: Request, db: DbSession, actor: WebActor, settings: SettingsDep, form: WebForm, assessment_id: RecordId
) -> Response:
    get_assessment_for_user(db, actor, assessment_id)
    _values, fields, errors = _form_values(form)
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        errors["version"] = "missing version: reload the page and try again"
        version = 0
    if not errors:
        try:
            data = parse(PostureAssessmentUpdate, {**fields, "version": version})
            update_assessment(db=db, actor=actor, assessment_id=assessment_id, data=data)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/posture-assessments/{assessment_id}", "assessment_saved")
    return _assessment_page(request, db, actor, assessment_id, settings, details_errors=errors, status=FORM_ERRORS_STATUS)


@router.post("/posture-assessments/{assessment_id}/views/{view}", include_in_schema=False)
def upload_submit(
    request: Request, db: DbSession, actor: WebActor, settings: SettingsDep, form: WebForm, assessment_id: RecordId, view: str
) -> Response:
    get_assessment_for_user(db, actor, assessment_id)
    if view not in VIEWS:
        raise HTTPException(404, f"There is no such view: use {', '.join(VIEWS)}.")
    upload = form.get("photo")
    data = upload.file.read() if isinstance(upload, UploadFile) else b""
    shown: dict[str, str] = {k: str(form.get(k) or "").strip() for k in BOX_FIELDS}

    def refused(message: str, *, box_problem: bool = False, status: int = FORM_ERRORS_STATUS) -> Response:
        return _assessment_page(
            request, db, actor, assessment_id, settings, upload_errors={view: message}, status=status,
            box_values={view: shown}, box_open={view} if box_problem or any(shown.values()) else set(),
            box_invalid={view} if box_problem else set(),
        )

    try:
        shown, box = _box_from_form(form)
    except ValidationFailed as exc:
        return refused(_sentence(exc.errors.get("box") or str(exc)) + " Choose the photo again after correcting it.",
                       box_problem=True)
    try:
        upload_photo_releasing_lock(db=db, actor=actor, assessment_id=assessment_id, view=view, data=data,
                                    max_bytes=settings.upload_max_bytes, box=box)
    except PhotoTooLarge as exc:
        return refused(_sentence(exc.errors["photo"]), status=413)
    except SeveralPeople as exc:
        return refused(
            f"{exc.count} people found in the photo, and only the client may be analysed. Choose the photo again, "
            f"then use “{BOX_STEP}” below: drag a rectangle around the client on the preview (or type the box's "
            "x, y, width and height in pixels), and upload it. Or photograph the client alone.",
            box_problem=True,
        )
    except ValidationFailed as exc:
        if "box" in exc.errors:
            return refused(_sentence(exc.errors["box"]) + " Choose the photo again after correcting it.", box_problem=True)
        message = exc.errors.get("photo") or str(exc)
        return refused(message)
    return see_other(f"/posture-assessments/{assessment_id}#view-{view}", "photo_analysed")


@router.post("/posture-assessments/{assessment_id}/views/{view}/delete", include_in_schema=False)
def delete_photo(request: Request, db: DbSession, actor: WebActor, form: WebForm, assessment_id: RecordId, view: str) -> Response:
    raw = str(form.get("version") or "")
    delete_photo_service(db=db, actor=actor, assessment_id=assessment_id, view=view,
                         version=int(raw) if raw.isdigit() else None)
    return see_other(f"/posture-assessments/{assessment_id}#view-{view}", "photo_removed")


@router.get("/posture-assessments/{assessment_id}/views/{view}/photo", include_in_schema=False)
def photo(db: DbSession, actor: WebActor, assessment_id: RecordId, view: str) -> Response:
    data, media_type = photo_image(db=db, actor=actor, assessment_id=assessment_id, view=view)
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.get("/posture-assessments/{assessment_id}/views/{view}/annotated.{extension}", include_in_schema=False)
def annotated(db: DbSession, actor: WebActor, assessment_id: RecordId, view: str, extension: str) -> Response:
    """``annotated.jpg`` (what the pages show: fast to make) or ``annotated.png`` (lossless)."""
    image_format = ANNOTATED_EXTENSIONS.get(extension)
    if image_format is None:
        raise HTTPException(404, "The annotated photo is annotated.jpg or annotated.png.")
    data = annotated_image(db=db, actor=actor, assessment_id=assessment_id, view=view, image_format=image_format)
    return Response(data, media_type=IMAGE_FORMATS[image_format], headers={"Cache-Control": "no-store"})


# ---- the landmark editor ------------------------------------------------------------------------------


def _editor_page(
    request: Request, db: Any, actor: Any, assessment_id: int, view: str, *,
    errors: dict[str, str] | None = None, conflict: str | None = None, status: int = 200,
) -> Response:
    assessment = read_assessment(db=db, actor=actor, assessment_id=assessment_id)
    client = get_client_for_user(db, actor, assessment.client_id)
    read = to_read(db, assessment)
    photo_read = read.photos.get(view)
    if view not in VIEWS or photo_read is None:
        raise HTTPException(404, f"This assessment has no photo for the {view} view yet: upload one first.")
    landmarks = {k: v.model_dump() for k, v in photo_read.landmarks.items()}
    suggested = SUGGESTED_POINTS[view]
    others = tuple(n for n in CLINICAL_LANDMARKS if n not in suggested)
    size = max(photo_read.width, photo_read.height)
    return render(
        request, "posture/editor.html",
        {
            "client": client, "a": read, "view": view, "title": VIEW_TITLES[view], "photo": photo_read,
            "landmarks": landmarks, "landmarks_json": json.dumps(landmarks, separators=(",", ":")),
            "suggested": [(n, CLINICAL_LANDMARKS[n]) for n in suggested],
            "other_points": [(n, CLINICAL_LANDMARKS[n]) for n in others],
            "radius": round(size / 160, 1), "hit_radius": round(size / 60, 1),
            "errors": errors or {}, "conflict": conflict,
        },
        status_code=status,
    )


@router.get("/posture-assessments/{assessment_id}/views/{view}/edit", include_in_schema=False)
def editor_page(request: Request, db: DbSession, actor: WebActor, assessment_id: RecordId, view: str) -> Response:
    return _editor_page(request, db, actor, assessment_id, view)


@router.post("/posture-assessments/{assessment_id}/views/{view}/landmarks", include_in_schema=False)
def landmarks_submit(request: Request, db: DbSession, actor: WebActor, form: WebForm, assessment_id: RecordId, view: str) -> Response:
    get_assessment_for_user(db, actor, assessment_id)
    try:
        raw = json.loads(str(form.get("landmarks") or ""))
        data = LandmarksUpdate.model_validate({"version": int(str(form.get("version") or "")), "landmarks": raw})
    except (ValueError, TypeError):  # pydantic's ValidationError is a ValueError
        return _editor_page(request, db, actor, assessment_id, view, status=FORM_ERRORS_STATUS,
                            errors={"landmarks": "the landmarks sent were not readable; nothing was saved. Reload the page and try again"})
    try:
        update_landmarks(db=db, actor=actor, assessment_id=assessment_id, view=view, data=data)
    except VersionConflict as exc:
        db.rollback()
        message = str(exc)[0].upper() + str(exc)[1:] + ". The points shown now are the saved ones: make your changes again."
        return _editor_page(request, db, actor, assessment_id, view, conflict=message, status=409)
    except ValidationFailed as exc:
        db.rollback()
        return _editor_page(request, db, actor, assessment_id, view, errors=exc.errors, status=FORM_ERRORS_STATUS)
    return see_other(f"/posture-assessments/{assessment_id}/views/{view}/edit", "landmarks_saved")
