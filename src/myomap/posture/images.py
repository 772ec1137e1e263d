"""Decode an uploaded photo safely: sniff the type from the bytes, enforce limits, apply the EXIF
orientation, and make the copy to store with every EXIF/XMP field (GPS position, device) removed.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from myomap.posture.errors import PhotoError
from myomap.posture.pose import RGBImage

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
#: The decoded image plus its RGB copy (``decoded_bytes``): 160 MiB is a 24-megapixel colour JPEG
#: or a 33-megapixel 16-bit grey PNG.
DEFAULT_MAX_DECODED_BYTES = 160 * 1024 * 1024
ACCEPTED = "JPEG, PNG, HEIC/HEIF or WebP"

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}


@dataclass(frozen=True, eq=False)
class DecodedPhoto:
    """A decoded, upright photo and the privacy-safe copy to store (encoded on first use)."""

    rgb: RGBImage  # (height, width, 3) uint8, EXIF orientation applied
    source_type: str  # "jpeg" | "png" | "heif" | "webp"
    stored_type: str  # "jpeg" | "png"
    icc_profile: bytes | None = field(default=None, repr=False)

    @cached_property
    def stored(self) -> bytes:
        """The copy to store: JPEG (PNG for PNG uploads) re-encoded from the pixels, so no EXIF,
        XMP, GPS position, device or comment survives; only the colour profile is kept."""
        return encode_clean(self.rgb, self.stored_type, icc_profile=self.icc_profile)

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def stored_media_type(self) -> str:
        return f"image/{self.stored_type}"


def sniff_type(data: bytes) -> str:
    """Name the file type from its first bytes (never from a file name or a client's claim)."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "heif"
        if brand in (b"avif", b"avis"):
            return "avif"
        if brand in (b"qt  ",) or brand.startswith(b"M4") or brand.startswith(b"mp4") or brand.startswith(b"iso"):
            return "video (MP4/QuickTime)"
        return f"ISO media ({brand.decode('ascii', 'replace').strip()})"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip archive"
    stripped = head.lstrip()
    if stripped.startswith((b"<?xml", b"<svg")) or b"<svg" in data[:1024]:
        return "svg/xml"
    if not data:
        return "empty file"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown binary data"
    return "text"


_DISPLAY = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "heif": "HEIC/HEIF", "gif": "GIF", "bmp": "BMP", "tiff": "TIFF", "pdf": "PDF", "avif": "AVIF"}


def decode_photo(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS,
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
) -> DecodedPhoto:
    """Decode an upload. Raises PhotoError with a message for the therapist on anything unusable.

    The memory a decode takes is known from the header before any pixel is decoded (a 75 KB PNG can
    hold 38 megapixels of 16-bit grey): the decoded image plus the RGB copy analysed must fit
    ``max_decoded_bytes``. The conversion to 8-bit RGB then works in bands of rows and the EXIF
    orientation is applied to the array, so a decode peaks at about that estimate, not several times it.
    """
    from PIL import Image

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PhotoError(f"expected the photo's bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        raise PhotoError(f"the photo is {_mb(len(data))}, over the {_mb(max_bytes)} limit; export a smaller JPEG")
    kind = sniff_type(data)
    if kind not in ("jpeg", "png", "webp", "heif"):
        raise PhotoError(f"unsupported file type: {_DISPLAY.get(kind, kind)}; upload a {ACCEPTED} photo")
    if kind == "heif":
        _register_heif()
    try:
        with warnings.catch_warnings():
            # Our own pixel limit is checked right after opening (before any decoding).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise PhotoError(
                    f"the photo is {width}x{height} ({width * height / 1e6:.1f} megapixels), over the "
                    f"{max_pixels / 1e6:.0f} megapixel limit; export a smaller copy"
                )
            needed = decoded_bytes(width, height, image.mode)
            if needed > max_decoded_bytes:
                raise PhotoError(
                    f"the photo ({width}x{height}, {_MODE_WORDS.get(image.mode, image.mode)}) would take {_mb(needed)} of "
                    f"memory to decode, over the {_mb(max_decoded_bytes)} limit; export an 8-bit JPEG of at most "
                    f"{max_decoded_bytes // (_BYTES_PER_PIXEL['RGB'] + 3) / 1e6:.0f} megapixels"
                )
            image.load()
            icc = image.info.get("icc_profile")
            orientation = _orientation(image)
            rgb = _to_rgb_array(image)
            image.close()
            del image
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(f"the photo is far over the {max_pixels / 1e6:.0f} megapixel limit") from None
    except MemoryError:
        raise PhotoError("the photo is too large to decode on this server; export a smaller JPEG") from None
    except Exception as exc:  # truncated or corrupt file: Pillow raises OSError, SyntaxError, ValueError...
        raise PhotoError(f"the {_DISPLAY[kind]} file could not be decoded (damaged or truncated?): {exc}") from None
    rgb = _upright(rgb, orientation)
    if min(rgb.shape[:2]) < 32:
        raise PhotoError(f"the photo is only {rgb.shape[1]}x{rgb.shape[0]} pixels; too small to analyse")
    stored_type = "png" if kind == "png" else "jpeg"
    rgb.setflags(write=False)
    return DecodedPhoto(rgb=rgb, source_type=kind, stored_type=stored_type, icc_profile=icc)


#: Bytes per pixel Pillow holds for each mode (RGB is padded to 4), for the decoded-size check.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2, "LA": 4, "La": 4, "PA": 4,
                    "RGB": 4, "RGBA": 4, "RGBa": 4, "RGBX": 4, "CMYK": 4, "YCbCr": 4, "LAB": 4, "HSV": 4, "I": 4, "F": 4}
_MODE_WORDS = {"I;16": "16-bit grey", "I;16L": "16-bit grey", "I;16B": "16-bit grey", "I": "32-bit grey", "F": "32-bit float grey",
               "RGB": "8-bit colour", "RGBA": "8-bit colour with transparency", "L": "8-bit grey", "CMYK": "CMYK"}
_BAND_ROWS = 256  # rows converted at a time: the conversion's own memory stays a few MB


def decoded_bytes(width: int, height: int, mode: str) -> int:
    """Memory a decode takes: Pillow's image in its mode plus the 8-bit RGB array that is analysed."""
    return width * height * (_BYTES_PER_PIXEL.get(mode, 8) + 3)


def _orientation(image: PILImage) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 -- an unreadable EXIF block: take the photo as it is stored
        return 1


def _upright(rgb: RGBImage, orientation: int) -> RGBImage:
    """Apply the EXIF orientation (1-8) to the array, as ImageOps.exif_transpose would to the image."""
    ops: dict[int, Callable[[RGBImage], RGBImage]] = {2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
           5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1), 7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
           8: lambda a: np.rot90(a, 1)}
    op = ops.get(orientation)
    return rgb if op is None else np.ascontiguousarray(op(rgb))


def _to_rgb_array(image: PILImage) -> RGBImage:
    """8-bit RGB pixels, converted a band of rows at a time (no full-size intermediate copies)."""
    width, height = image.size
    out = np.empty((height, width, 3), dtype=np.uint8)
    for top in range(0, height, _BAND_ROWS):
        band = image.crop((0, top, width, min(height, top + _BAND_ROWS)))
        out[top : top + band.height] = np.asarray(_to_rgb(band), dtype=np.uint8)
    return out


def encode_clean(rgb: RGBImage, fmt: str = "jpeg", *, icc_profile: bytes | None = None, quality: int = 92) -> bytes:
    """Encode pixels into a fresh image: no EXIF, XMP, GPS, maker notes or comments, only the colour profile."""
    from PIL import Image

    fresh = Image.fromarray(np.ascontiguousarray(rgb))
    out = io.BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "png":
        fresh.save(out, format="PNG", compress_level=6, **extra)
    elif fmt == "jpeg":
        fresh.save(out, format="JPEG", quality=quality, optimize=False, **extra)
    else:
        raise ValueError(f"stored format must be 'jpeg' or 'png', not {fmt!r}")
    return out.getvalue()


def _to_rgb(image: PILImage) -> PILImage:
    from PIL import Image

    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(image, dtype=np.float64)
        return Image.fromarray(np.clip(arr / 257.0, 0, 255).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"
