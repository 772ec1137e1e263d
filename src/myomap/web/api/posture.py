"""``/api/posture`` and ``/api/.../posture-assessments``: analyse a photo, recompute metrics from
landmarks, and a client's postural assessments (create, upload a view, correct landmarks, compare).

Photos go up as ``multipart/form-data`` (field ``photo``). Unusable photos and file types get 422
with a ``detail`` fit to show the therapist; photos over ``upload_max_bytes`` get 413. When the
photo shows several people, the optional field ``box`` ("X,Y,W,H" in pixels of the upright photo)
marks the client; without it such a photo gets 422 saying so and naming ``box``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response

from myomap.posture.annotate import IMAGE_FORMATS, ImageFormat
from myomap.posture.people import BOX_MIN_HEIGHT, BOX_MIN_WIDTH
from myomap.records.accounts.permissions import Permission, require
from myomap.records.errors import ValidationFailed
from myomap.records.posture.photos import PhotoTooLarge, SeveralPeople, recompute_view
from myomap.records.posture.presentation import summary, to_read
from myomap.records.posture.schemas import (
    MAX_HEIGHT_CM,
    MIN_HEIGHT_CM,
    LandmarksUpdate,
    PhotoAnalysisRead,
    PostureAssessmentCreate,
    PostureAssessmentRead,
    PostureAssessmentSummary,
    PostureAssessmentUpdate,
    PostureComparison,
    RecomputeRequest,
    RecomputeResult,
    View,
)
from myomap.records.posture.service import (
    analyse_photo_releasing_lock,
    annotated_image,
    compare_assessments,
    create_assessment,
    delete_photo,
    get_assessment_for_user,
    list_assessments,
    photo_image,
    read_assessment,
    update_assessment,
    update_landmarks,
    upload_photo_releasing_lock,
)
from myomap.records.validation import NO_NUL_PATTERN
from myomap.web.api.common import CONFLICT, ERRORS, ErrorDetail
from myomap.web.deps import ApiActor, DbSession, SettingsDep
from myomap.web.params import RecordId, record_id_query, version_in

router = APIRouter(prefix="/api", tags=["posture"], responses=ERRORS)

TOO_LARGE: dict[int | str, dict[str, object]] = {
    413: {"model": ErrorDetail, "description": "The photo (or the request) is larger than `upload_max_bytes`."}
}
PNG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/png": {}}, "description": "PNG image."}}
JPEG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/jpeg": {}}, "description": "JPEG image."}}
IMAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The stored photo (no EXIF)."}
}

PhotoField = Annotated[UploadFile, File(description="The photo: JPEG, PNG, HEIC/HEIF or WebP.")]
BoxField = Annotated[str | None, Form(
    max_length=60, pattern=NO_NUL_PATTERN,
    description=f"Optional, when the photo shows several people: the client's box as `X,Y,W,H` (whole pixels of "
    f"the photo as displayed, i.e. after its EXIF orientation: left edge, top edge, width, height; at least "
    f"{BOX_MIN_WIDTH}×{BOX_MIN_HEIGHT}, inside the photo). Only the client inside it is analysed; the landmarks "
    "come back in whole-photo pixels.",
    examples=["720,0,720,1280"],
)]


@contextmanager
def _api_upload_errors() -> Iterator[None]:
    """An upload's refusals in the API's words: too large is 413; several people names the ``box`` field."""
    try:
        yield
    except PhotoTooLarge as exc:
        raise HTTPException(413, "Nothing was saved: " + exc.errors["photo"] + ".") from None
    except SeveralPeople as exc:
        raise ValidationFailed({
            "photo": f"{exc.count} people found in the photo, and only the client may be analysed",
            "box": "send the client's box in the form field `box` as X,Y,W,H (whole pixels of the upright photo: "
                   "left edge, top edge, width, height), or photograph the client alone",
        }) from None


# ---- analysis only --------------------------------------------------------------------------------


@router.post("/posture", response_model=PhotoAnalysisRead, responses=TOO_LARGE, summary="Analyse a photo (nothing stored)")
def analyse(
    db: DbSession,
    actor: ApiActor,
    settings: SettingsDep,
    photo: PhotoField,
    view: Annotated[View, Form(description="anterior, posterior, left or right.")],
    height_cm: Annotated[float | None, Form(ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM, description="Client's height.")] = None,
    box: BoxField = None,
) -> PhotoAnalysisRead:
    """Find the landmarks with the pose model, compute the view's metrics and the patterns they
    support. The photo is not kept. A photo showing several people needs `box`."""
    with _api_upload_errors():
        analysis = analyse_photo_releasing_lock(db=db, actor=actor, data=photo.file.read(), view=view,
                                                height_cm=height_cm, box=box, max_bytes=settings.upload_max_bytes)
    return PhotoAnalysisRead.model_validate({**analysis.to_json(), "details": analysis.details_json()})


@router.post("/posture/recompute", response_model=RecomputeResult, summary="Recompute metrics from landmarks")
def recompute(actor: ApiActor, data: RecomputeRequest) -> RecomputeResult:
    """The metrics of a view from the landmarks given (model points, moved points, therapist
    points), without the model and without saving: what the landmark editor calls after each move."""
    require(actor, Permission.CLINICAL)
    return recompute_view(data.landmarks, view=data.view, image_size=data.image_size, height_cm=data.height_cm)


# ---- a client's assessments -----------------------------------------------------------------------


@router.get("/clients/{client_id}/posture-assessments", response_model=list[PostureAssessmentSummary],
            summary="A client's postural assessments")
def list_for_client(db: DbSession, actor: ApiActor, client_id: RecordId) -> list[PostureAssessmentSummary]:
    """Newest first."""
    return [summary(a) for a in list_assessments(db=db, actor=actor, client_id=client_id)]


@router.post("/clients/{client_id}/posture-assessments", response_model=PostureAssessmentRead, status_code=201,
             summary="Create a postural assessment")
def create(db: DbSession, actor: ApiActor, client_id: RecordId, data: PostureAssessmentCreate) -> PostureAssessmentRead:
    return to_read(db, create_assessment(db=db, actor=actor, client_id=client_id, data=data))


@router.get("/posture-assessments/compare", response_model=PostureComparison, summary="Compare two assessments")
def compare(
    db: DbSession,
    actor: ApiActor,
    a: Annotated[int, record_id_query("One assessment id.")],
    b: Annotated[int, record_id_query("The other (same client); the earlier becomes 'before'.")],
) -> PostureComparison:
    return compare_assessments(db=db, actor=actor, first_id=a, second_id=b)


@router.get("/posture-assessments/{assessment_id}", response_model=PostureAssessmentRead, summary="Read an assessment")
def read(db: DbSession, actor: ApiActor, assessment_id: RecordId) -> PostureAssessmentRead:
    """With every view's landmarks, metrics and warnings, and the patterns of all views pooled."""
    return to_read(db, read_assessment(db=db, actor=actor, assessment_id=assessment_id))


@router.patch("/posture-assessments/{assessment_id}", response_model=PostureAssessmentRead, responses=CONFLICT,
              summary="Change the date, height or note")
def patch(db: DbSession, actor: ApiActor, assessment_id: RecordId, data: PostureAssessmentUpdate) -> PostureAssessmentRead:
    """A new height recomputes every view's metrics. A stale `version` gets 409."""
    return to_read(db, update_assessment(db=db, actor=actor, assessment_id=assessment_id, data=data))


@router.put("/posture-assessments/{assessment_id}/views/{view}", response_model=PostureAssessmentRead,
            responses={**TOO_LARGE, **CONFLICT}, summary="Upload (or replace) a view's photo")
def upload(
    db: DbSession,
    actor: ApiActor,
    settings: SettingsDep,
    assessment_id: RecordId,
    view: View,
    photo: PhotoField,
    version: Annotated[int | None, version_in(Form, "Optional: the version this upload is based on.")] = None,
    box: BoxField = None,
) -> PostureAssessmentRead:
    """Analyses the photo and stores it with its landmarks and results, replacing the view's earlier
    photo and its corrected landmarks. An unusable photo stores nothing (422). A photo showing
    several people needs `box`; the box is stored with the photo (`photos.{view}.box`)."""
    with _api_upload_errors():
        upload_photo_releasing_lock(db=db, actor=actor, assessment_id=assessment_id, view=view, data=photo.file.read(),
                                    max_bytes=settings.upload_max_bytes, version=version, box=box)
    return to_read(db, get_assessment_for_user(db, actor, assessment_id))


@router.delete("/posture-assessments/{assessment_id}/views/{view}", response_model=PostureAssessmentRead,
               responses=CONFLICT, summary="Remove a view's photo")
def remove(
    db: DbSession, actor: ApiActor, assessment_id: RecordId, view: View,
    version: Annotated[int | None, version_in(Query, "Optional: the version this is based on.")] = None,
) -> PostureAssessmentRead:
    return to_read(db, delete_photo(db=db, actor=actor, assessment_id=assessment_id, view=view, version=version))


@router.put("/posture-assessments/{assessment_id}/views/{view}/landmarks", response_model=PostureAssessmentRead,
            responses=CONFLICT, summary="Store corrected landmarks")
def put_landmarks(db: DbSession, actor: ApiActor, assessment_id: RecordId, view: View, data: LandmarksUpdate) -> PostureAssessmentRead:
    """The view's full set of landmarks. Points moved from the model's position, and points without
    a `source`, are recorded as the therapist's. A stale `version` gets 409."""
    update_landmarks(db=db, actor=actor, assessment_id=assessment_id, view=view, data=data)
    return to_read(db, get_assessment_for_user(db, actor, assessment_id))


def _annotated(db: DbSession, actor: ApiActor, assessment_id: RecordId, view: View, image_format: ImageFormat) -> Response:
    data = annotated_image(db=db, actor=actor, assessment_id=assessment_id, view=view, image_format=image_format)
    return Response(data, media_type=IMAGE_FORMATS[image_format], headers={"Cache-Control": "no-store"})


@router.get("/posture-assessments/{assessment_id}/views/{view}/annotated.jpg", response_class=Response,
            responses=JPEG, summary="The annotated photo of a view (JPEG, fast)")
def annotated_jpeg(db: DbSession, actor: ApiActor, assessment_id: RecordId, view: View) -> Response:
    """Landmarks, reference line and angles drawn on the photo, each measured value labelled with its ± (no two labels overlap)."""
    return _annotated(db, actor, assessment_id, view, "jpeg")


@router.get("/posture-assessments/{assessment_id}/views/{view}/annotated.png", response_class=Response,
            responses=PNG, summary="The annotated photo of a view (PNG, lossless)")
def annotated(db: DbSession, actor: ApiActor, assessment_id: RecordId, view: View) -> Response:
    """As `annotated.jpg`, losslessly encoded (larger, and about 35 ms slower to make)."""
    return _annotated(db, actor, assessment_id, view, "png")


@router.get("/posture-assessments/{assessment_id}/views/{view}/photo", response_class=Response,
            responses=IMAGE, summary="The stored photo of a view")
def photo_file(db: DbSession, actor: ApiActor, assessment_id: RecordId, view: View) -> Response:
    data, media_type = photo_image(db=db, actor=actor, assessment_id=assessment_id, view=view)
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})
