"""A posture photo without the database: analyse an upload, recompute from landmarks, draw it.

The pose model runs in :func:`prepare_photo`, which touches no database; the use cases in
``service.py`` call it between ending the read transaction and storing the result. The CLI calls it
directly (it stores nothing). Errors are :class:`ValidationFailed` with the therapist-facing message
under the field at fault (``photo``, ``box``, ``landmarks``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from myomap.posture import PhotoError, PostureAnalysis, SeveralPeopleError, analyse_photo, recompute
from myomap.posture import Settings as PostureSettings
from myomap.posture.annotate import ImageFormat
from myomap.posture.people import Box, BoxError, check_box_fits, read_box
from myomap.records.errors import ValidationFailed
from myomap.records.posture.models import VIEWS, PosturePhoto
from myomap.records.posture.schemas import RecomputeResult


def check_view(view: str) -> None:
    if view not in VIEWS:
        raise ValidationFailed({"view": f"view must be one of {', '.join(VIEWS)}, not {view!r}"})


class EmptyPhoto(ValidationFailed):
    """No bytes arrived. On a page or the API that means no photo was chosen; the CLI words it as the
    empty file it read."""

    def __init__(self) -> None:
        super().__init__({"photo": "no photo was received: choose or take a photo first"})


class PhotoTooLarge(ValidationFailed):
    """The uploaded photo is over the size limit (faces answer 413)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__({"photo": f"the photo is {_mb(size)}; the largest accepted is {_mb(limit)}. "
                                   "Use the camera's normal (not RAW or maximum) quality, or a smaller copy"})
        self.size = size
        self.limit = limit


class SeveralPeople(ValidationFailed):
    """The photo shows more than one person and no box was given: each face says how to give one
    (the API names its ``box`` field, the page its "Several people in the photo?" step)."""

    def __init__(self, count: int, message: str) -> None:
        super().__init__({"photo": message})
        self.count = count


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def result_json(analysis: PostureAnalysis) -> dict[str, Any]:
    """What is cached per photo: metrics, the view's own patterns, warnings and the scale."""
    data = analysis.to_json()
    return {
        "metrics": data["metrics"],
        "patterns": data["patterns"],
        "warnings": list(analysis.warnings),
        "scale": analysis.details_json()["scale"],
        "height_cm": analysis.height_cm,
    }


def parse_box_text(text: str | Sequence[Any] | None) -> Box | None:
    """A client box from ``"X,Y,W,H"`` (or four numbers); None or blank means no box.

    ``myomap.posture.people.read_box`` is the one parser; its message goes under the field ``box``.
    """
    try:
        return read_box(text)
    except BoxError as exc:
        raise ValidationFailed({"box": str(exc)}) from None


def check_box(box: Box, size: tuple[int, int]) -> None:
    """Refuse a box that reaches beyond the upright photo (``size`` is its width and height)."""
    try:
        check_box_fits(box, *size)
    except BoxError as exc:
        raise ValidationFailed({"box": str(exc)}) from None


def upright_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of the photo once its EXIF orientation is applied (as ``decode_photo`` does),
    read from the file's header without decoding the pixels; None when it cannot be read."""
    try:
        from PIL import Image

        from myomap.posture.images import _register_heif, sniff_type

        if sniff_type(data) == "heif":
            _register_heif()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 -- any unreadable header: the analysis then says why
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def prepare_photo(
    data: bytes,
    *,
    view: str,
    height_cm: float | None = None,
    max_bytes: int | None = None,
    settings: PostureSettings | Mapping[str, Any] | None = None,
    box: Box | str | Sequence[Any] | None = None,
) -> PostureAnalysis:
    """Analyse an uploaded photo (the pose model runs here). No database is touched.

    ``box`` (x, y, width, height in pixels of the upright photo, or the text ``"X,Y,W,H"``) limits
    the analysis to the client when the photo shows several people; without it such a photo raises
    :class:`SeveralPeople`. Raises :class:`EmptyPhoto` for no bytes, :class:`PhotoTooLarge` over ``max_bytes`` (the app's
    ``upload_max_bytes``) and :class:`ValidationFailed` with the therapist-facing message for an
    unusable photo, file type or box.
    """
    check_view(view)
    if not data:
        raise EmptyPhoto
    cfg = PostureSettings.coerce(settings)
    if max_bytes is not None:
        if len(data) > max_bytes:
            raise PhotoTooLarge(len(data), max_bytes)
        cfg = replace(cfg, max_bytes=min(cfg.max_bytes, max_bytes))
    client_box = parse_box_text(box)
    extra: dict[str, Any] = {}
    if client_box is not None:
        size = upright_size(data)
        if size is not None:
            check_box(client_box, size)
        extra["box"] = client_box
    try:
        return analyse_photo(data, view=view, height_cm=height_cm, settings=cfg, **extra)
    except SeveralPeopleError as exc:
        if client_box is None:
            raise SeveralPeople(exc.count, str(exc)) from None
        raise ValidationFailed({"photo": str(exc)}) from None
    except BoxError as exc:
        raise ValidationFailed({"box": str(exc)}) from None
    except PhotoError as exc:
        raise ValidationFailed({"photo": str(exc)}) from None


def recompute_view(
    landmarks: Mapping[str, Any], *, view: str, image_size: tuple[int, int], height_cm: float | None = None
) -> RecomputeResult:
    """A view's metrics from given landmarks (no model, nothing stored)."""
    check_view(view)
    try:
        analysis = recompute(landmark_dicts(landmarks), view=view, image_size=image_size, height_cm=height_cm)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed({"landmarks": str(exc)}) from None
    return RecomputeResult.model_validate({"view": view, **result_json(analysis)})


def landmark_dicts(landmarks: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in landmarks.items():
        if hasattr(value, "model_dump"):
            value = value.model_dump()
        out[name] = value
    return out


def stored_box(photo: PosturePhoto) -> Box | None:
    """The client's box the photo was analysed in (kept in the ``result`` JSON), if any."""
    raw = (photo.result or {}).get("box")
    if isinstance(raw, (list, tuple)) and len(raw) == 4 and all(isinstance(v, int) for v in raw):
        return raw[0], raw[1], raw[2], raw[3]
    return None


BOX_COLOUR = (255, 214, 0)  # yellow, apart from the landmark colours


def draw_box(rgb: Any, box: Box) -> Any:
    """A copy of the photo with the client's box outlined (under the landmarks drawn later)."""
    import cv2
    import numpy as np

    out = np.array(rgb, dtype=np.uint8, copy=True)
    height, width = out.shape[:2]
    x, y, w, h = box
    thickness = max(2, round(max(width, height) / 400))
    x1, y1 = min(width - 1, x + w - 1), min(height - 1, y + h - 1)
    cv2.rectangle(out, (x, y), (x1, y1), (0, 0, 0), thickness + 2, lineType=cv2.LINE_AA)
    cv2.rectangle(out, (x, y), (x1, y1), BOX_COLOUR, thickness, lineType=cv2.LINE_AA)
    return out




def render_annotated(photo: PosturePhoto, *, height_cm: float | None, max_side: int = 1600,
                     image_format: ImageFormat = "jpeg") -> bytes:
    """A stored photo with its current landmarks, lines, angles (with their ±) and box drawn on it."""
    from myomap.posture import decode_photo

    rgb = decode_photo(photo.image).rgb
    box = stored_box(photo)
    if box is not None:
        rgb = draw_box(rgb, box)
    analysis = recompute(photo.landmarks, view=photo.view, image_size=(photo.width, photo.height), height_cm=height_cm)
    return analysis.annotated_image(rgb, max_side=max_side, image_format=image_format)
