"""Decoding uploads: type sniffing, limits, EXIF orientation, and EXIF stripped from the stored copy."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from myomap.posture import PhotoError, decode_photo
from myomap.posture.images import sniff_type

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _jpeg(image: Image.Image, **save: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=95, **save)
    return buf.getvalue()


def _two_colour(width: int = 40, height: int = 80) -> Image.Image:
    """Top half red, bottom half blue."""
    arr = np.zeros((height, width, 3), np.uint8)
    arr[: height // 2] = (255, 0, 0)
    arr[height // 2 :] = (0, 0, 255)
    return Image.fromarray(arr)


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "MyPhoneMaker"  # Make
    exif[0x0110] = "SecretModel 9"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    return exif


def test_text_file_is_rejected_by_content() -> None:
    with pytest.raises(PhotoError, match=r"unsupported file type: text; upload a JPEG, PNG, HEIC/HEIF or WebP"):
        decode_photo(b"name,age\nAnna,41\n")


def test_gif_is_rejected_naming_the_type() -> None:
    buf = io.BytesIO()
    _two_colour().save(buf, format="GIF")
    with pytest.raises(PhotoError, match="GIF"):
        decode_photo(buf.getvalue())


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"%PDF-1.7", "pdf"), (b"PK\x03\x04rest", "zip archive"), (b"BM\x00\x00", "bmp"), (b"", "empty file"),
     (b"\x00\x00\x00\x18ftypavif", "avif"), (b"\x00\x00\x00\x18ftypheic", "heif"), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp")],
)
def test_sniffing(head: bytes, kind: str) -> None:
    assert sniff_type(head) == kind


def test_too_many_bytes() -> None:
    data = _jpeg(_two_colour())
    with pytest.raises(PhotoError, match="over the 0.0 MB limit|over the"):
        decode_photo(data, max_bytes=len(data) - 1)


def test_too_many_pixels_is_refused_before_decoding() -> None:
    # A PNG whose header claims 10000 x 10000 pixels (100 megapixels) but holds almost no data.
    buf = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", 10000, 10000)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    with pytest.raises(PhotoError, match=r"10000x10000 \(100.0 megapixels\), over the 40 megapixel limit"):
        decode_photo(bytes(data))
    with pytest.raises(PhotoError, match="megapixel limit"):
        decode_photo(_jpeg(_two_colour()), max_pixels=1000)


def test_truncated_jpeg() -> None:
    data = _jpeg(_two_colour(200, 400))
    with pytest.raises(PhotoError, match="could not be decoded"):
        decode_photo(data[: len(data) // 3])


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored sideways: rotate 90 deg clockwise to display
    photo = decode_photo(_jpeg(_two_colour(40, 80), exif=exif.tobytes()))
    assert photo.size == (80, 40)
    # After a clockwise quarter turn the red top half is on the right.
    assert photo.rgb[20, 70, 0] > 200 and photo.rgb[20, 70, 2] < 60
    assert photo.rgb[20, 10, 2] > 200 and photo.rgb[20, 10, 0] < 60


def test_exif_and_gps_are_stripped_from_the_stored_jpeg() -> None:
    original = _jpeg(_two_colour(64, 128), exif=_gps_exif().tobytes())
    assert b"MyPhoneMaker" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    photo = decode_photo(original)
    assert photo.stored_type == "jpeg" and photo.stored_media_type == "image/jpeg"
    stored = Image.open(io.BytesIO(photo.stored))
    assert stored.format == "JPEG"
    assert len(stored.getexif()) == 0
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert "exif" not in stored.info
    assert b"MyPhoneMaker" not in photo.stored and b"SecretModel" not in photo.stored and b"Exif\x00\x00" not in photo.stored


def test_png_stays_png_without_metadata() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Anna Client")
    buf = io.BytesIO()
    Image.new("RGBA", (40, 80), (10, 20, 30, 128)).save(buf, format="PNG", pnginfo=info, exif=_gps_exif().tobytes())
    photo = decode_photo(buf.getvalue())
    assert photo.source_type == "png" and photo.stored_type == "png"
    assert photo.rgb.shape == (80, 40, 3)
    stored = Image.open(io.BytesIO(photo.stored))
    assert stored.format == "PNG" and stored.mode == "RGB"
    assert len(stored.getexif()) == 0 and "Author" not in stored.info
    assert b"Anna Client" not in photo.stored and b"MyPhoneMaker" not in photo.stored


def test_heic_upload_is_decoded_and_stored_as_jpeg() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    try:
        _two_colour(64, 128).save(buf, format="HEIF", quality=90, exif=_gps_exif().tobytes())
    except (KeyError, OSError, ValueError) as exc:  # no HEVC encoder in this build
        pytest.skip(f"cannot write HEIF here: {exc}")
    photo = decode_photo(buf.getvalue())
    assert photo.source_type == "heif" and photo.size == (64, 128)
    assert photo.stored_type == "jpeg" and b"MyPhoneMaker" not in photo.stored


def test_webp_upload() -> None:
    buf = io.BytesIO()
    _two_colour().save(buf, format="WEBP")
    photo = decode_photo(buf.getvalue())
    assert photo.source_type == "webp" and photo.size == (40, 80)


def test_the_decoded_size_is_checked_from_the_header_before_decoding() -> None:
    """A 75 KB PNG of 6200x6200 16-bit grey would take 183 MB decoded: refused before any pixel is read."""
    from myomap.posture.images import DEFAULT_MAX_DECODED_BYTES, decoded_bytes

    buf = io.BytesIO()
    Image.fromarray(np.zeros((6200, 6200), dtype=np.uint16)).save(buf, format="PNG", compress_level=9)
    assert decoded_bytes(6200, 6200, "I;16") == 6200 * 6200 * 5 > DEFAULT_MAX_DECODED_BYTES
    with pytest.raises(PhotoError, match=r"\(6200x6200, 16-bit grey\) would take 183\.3 MB of memory to decode, over the 160\.0 MB limit"):
        decode_photo(buf.getvalue())
    small = io.BytesIO()
    Image.fromarray(np.full((300, 200), 40000, dtype=np.uint16)).save(small, format="PNG")
    photo = decode_photo(small.getvalue(), max_decoded_bytes=300 * 200 * 5)  # exactly at the limit: decoded
    assert photo.size == (200, 300) and photo.rgb[0, 0].tolist() == [155, 155, 155]  # 40000/257, the 16-bit scale


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(orientation: int) -> None:
    from PIL import ImageOps

    rgb = np.arange(40 * 64 * 3, dtype=np.uint32).reshape(40, 64, 3).astype(np.uint8)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue()))).convert("RGB"))
    assert np.array_equal(decode_photo(buf.getvalue()).rgb, expected)
