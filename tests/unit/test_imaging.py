"""The preprocessing core: bad inputs get their clear answer, receipts come out flat and readable."""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from helpers import SHARED_RECEIPTS
from PIL import Image
from synthetic import FISCAL, encode, synthetic_scan

from receiptbot.config import Settings
from receiptbot.reading.fiscal import parse_fiscal_qr
from receiptbot.reading.imaging import REJECTION_REASONS, ImageRejected, PreparedImage, prepare
from receiptbot.reading.imaging.document import _find_paper
from receiptbot.reading.imaging.layout import _deepen_faint_print
from receiptbot.reading.imaging.pixels import _resize_long
from tools.phone_photos import CASES, phone_photo

DEV = SHARED_RECEIPTS
needs_dev = pytest.mark.skipif(not DEV.is_dir(), reason=f"the shared receipt scans are not at {DEV}")
DEFAULTS = Settings.model_construct()  # the deployed settings: the upload limits preprocess passes


def prepared(data: bytes, reader: str = "gemini", **limits: int) -> PreparedImage:
    """prepare() with the deployed upload limits, unless the test sets one."""
    limits = {"max_bytes": DEFAULTS.max_upload_bytes, "max_pixels": DEFAULTS.max_pixels, **limits}
    return prepare(data, reader, **limits)


def pil_bytes(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header claiming width x height, with a few bytes of compressed zeros."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 10_000, 9))
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) is patched to claim another size."""
    data = bytearray(encode(np.zeros((64, 64), np.uint8)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def animated_gif() -> bytes:
    frames = [Image.new("L", (400, 400), shade) for shade in (0, 255)]
    return pil_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def rejection(data: bytes, **limits: int) -> str:
    with pytest.raises(ImageRejected) as caught:
        prepared(data, **limits)
    assert caught.value.reason in REJECTION_REASONS
    return caught.value.reason


BAD_INPUTS = {
    "empty": (b"", "not_image"),
    "truncated_jpeg": (encode(synthetic_scan())[:20_000], "not_image"),
    "png_bomb_30000": (png_bomb(30_000, 30_000), "too_large"),
    "jpeg_header_20000": (jpeg_claiming(20_000, 20_000), "too_large"),
    "text_named_jpg": (b"Just some notes, saved as receipt.jpg\n" * 20, "not_image"),
    "one_pixel": (pil_bytes(Image.new("RGB", (1, 1)), "PNG"), "too_small"),
    "thumbnail": (encode(np.full((150, 120), 255, np.uint8)), "too_small"),
    "animated_gif": (animated_gif(), "not_image"),
    "heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 2000, "not_image"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not_image"),
    "black": (encode(np.zeros((1280, 960), np.uint8)), "too_dark"),
    "blank_wall": (encode(np.full((1280, 960), 200, np.uint8)), "no_document"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_inputs_get_their_reason(name: str) -> None:
    data, reason = BAD_INPUTS[name]
    assert rejection(data) == reason


def test_byte_limit_is_checked_before_anything_else() -> None:
    assert rejection(encode(synthetic_scan()), max_bytes=1000) == "too_large"
    assert rejection(b"x" * 2000, max_bytes=1000) == "too_large"


def test_pixel_limit_is_the_callers() -> None:
    assert rejection(encode(synthetic_scan()), max_pixels=500_000) == "too_large"


def test_mangled_jpegs_never_crash() -> None:
    good = phone_photo(encode(synthetic_scan()), seed=1)
    rng = np.random.default_rng(7)
    for _ in range(25):
        data = bytearray(good)
        for pos in rng.integers(0, len(data), size=int(rng.integers(1, 40))):
            data[pos] = int(rng.integers(0, 256))
        try:
            assert isinstance(prepared(bytes(data)), PreparedImage)
        except ImageRejected as rejected:
            assert rejected.reason in REJECTION_REASONS


def test_unknown_reader_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        prepared(encode(synthetic_scan()), reader="llava")


def check_output(result: PreparedImage, max_long: int) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(result.jpeg, np.uint8), cv2.IMREAD_UNCHANGED)
    assert img is not None and img.ndim == 2
    assert (result.height, result.width) == img.shape
    assert result.height > result.width >= 200  # an upright receipt
    assert result.height <= max_long
    return img


def test_cmyk_jpeg_and_16_bit_png_are_read() -> None:
    scan = synthetic_scan()
    cmyk = pil_bytes(Image.fromarray(scan[..., ::-1]).convert("CMYK"), "JPEG", quality=90)
    deep = encode((scan[..., 0].astype(np.uint16) * 257), ".png")
    assert Image.open(io.BytesIO(deep)).mode.startswith("I;16")
    for data in (cmyk, deep):
        check_output(prepared(data), max_long=2048)


def test_exif_orientation_is_applied() -> None:
    sideways = Image.fromarray(np.ascontiguousarray(np.rot90(synthetic_scan()[..., 0])))  # stored lying down
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90 degrees counter-clockwise to view"
    result = prepared(pil_bytes(sideways, "JPEG", exif=exif))
    assert result.height > result.width


def test_phone_photo_is_flattened_and_sized_per_reader() -> None:
    photo = phone_photo(encode(synthetic_scan()), seed=3)
    gemini = prepared(photo, reader="gemini")
    tesseract = prepared(photo, reader="tesseract")
    img = check_output(gemini, max_long=2048)
    # Cropped to the paper: the output is about the receipt's aspect ratio (1500 / 640), not 4:3.
    assert 1.8 < gemini.height / gemini.width < 3.0
    assert np.median(img) > 200  # the paper is white after evening out the light
    assert tesseract.height > gemini.height  # small print is upscaled for OCR
    assert len(gemini.jpeg) < 250_000
    assert gemini.fiscal_qr is None


def test_an_outline_with_three_of_the_frames_corners_is_not_the_paper() -> None:
    # The receipt fills the photo and runs out of it; a thumb and the table cut into its lower left.
    # The bright area's corners are three of the frame's and one on its edge: warping by them
    # would skew the print (the bottom lines by ~8 degrees in ru/nik_perekrestok), so no outline.
    photo = synthetic_scan()[..., 0].copy()
    h, w = photo.shape
    cv2.fillConvexPoly(photo, np.array([[0, int(h * 0.69)], [w - 1, h - 1], [0, h - 1]], np.int32), 60)

    assert _find_paper(_resize_long(photo, 512)[0]) is None


def torn_receipt_on_a_table() -> tuple[np.ndarray, np.ndarray, int, int]:
    """A receipt torn off in a point, on a textured table: neither its bright area nor its edges
    make a quadrilateral. The photo, the receipt's print, and where the receipt lies (x, y)."""
    scan = synthetic_scan()[..., 0]
    sh, sw = scan.shape
    h, w = 2 * sh, 2 * sh * 3 // 4
    texture = np.random.default_rng(0).uniform(70, 120, (h // 32, w // 32))
    photo = cv2.resize(texture, (w, h), interpolation=cv2.INTER_CUBIC).astype(np.uint8)
    torn = np.zeros_like(scan)
    cv2.fillPoly(torn, [np.array([[0, 0], [sw, 0], [sw, 1150], [sw // 2, sh], [0, 1150]], np.int32)], 255)
    y, x = (h - sh) // 2, (w - sw) // 2
    photo[y : y + sh, x : x + sw][torn > 0] = scan[torn > 0]
    return photo, scan, x, y


def test_paper_without_a_four_cornered_outline_is_cropped_to_its_print() -> None:
    # Read whole, the table's texture would break the OCR's layout analysis; the outline of the
    # print's lines (with a margin) is taken instead.
    photo, scan, x, y = torn_receipt_on_a_table()

    small, scale = _resize_long(photo, 512)
    quad = _find_paper(small)

    assert quad is not None
    assert cv2.contourArea(quad) < 0.3 * small.size
    ys, xs = np.nonzero(scan < 128)
    for px, py in [(xs.min(), ys.min()), (xs.max(), ys.min()), (xs.max(), ys.max()), (xs.min(), ys.max())]:
        point = (float(x + px) * scale, float(y + py) * scale)
        assert cv2.pointPolygonTest(quad.reshape(-1, 1, 2), point, False) > 0


def test_no_print_outline_that_leaves_print_outside() -> None:
    # A cable across the receipt's last lines joins them into one tall blob, which is no text line:
    # the lines' outline would end above them, so the whole frame is kept.
    photo, _, x, y = torn_receipt_on_a_table()
    cv2.line(photo, (x + 100, y + 900), (x + 400, photo.shape[0] - 1), 20, 12)

    assert _find_paper(_resize_long(photo, 512)[0]) is None


def test_blurred_photo_is_rejected() -> None:
    photo = cv2.imdecode(np.frombuffer(phone_photo(encode(synthetic_scan()), seed=3), np.uint8), 1)
    # Blurred by most of a text line's height (the photo frames the receipt: its lines are ~18 px).
    assert rejection(encode(cv2.GaussianBlur(photo, (0, 0), 13))) in ("blurry", "no_document")


def test_fiscal_qr_is_read_from_a_photo() -> None:
    photo = phone_photo(encode(synthetic_scan(FISCAL)), seed=5)
    qr = prepared(photo).fiscal_qr
    assert qr is not None
    assert (qr.date, qr.time, qr.total) == ("2024-01-15", "18:30", "1234.50")
    assert (qr.fn, qr.fd, qr.fp, qr.kind) == ("9289000100123456", "12345", "1234567890", 1)


def test_fiscal_qr_text_variants() -> None:
    qr = parse_fiscal_qr("t=20231231T235959&s=99&fn=1&i=2&fp=3&n=2")
    assert qr is not None and (qr.date, qr.time, qr.total, qr.kind) == ("2023-12-31", "23:59", "99.00", 2)
    assert parse_fiscal_qr("https://example.com/?q=1") is None
    assert parse_fiscal_qr("t=20231231T2359&s=abc") is None
    assert parse_fiscal_qr("s=10.00&fn=1") is None
    # Dates, times and amounts that cannot exist: not a fiscal code, so they override nothing.
    for impossible in (
        "t=20241332T1200&s=10.00",
        "t=20240312T1261&s=10.00",
        "t=20240312T1200&s=NaN",
        "t=20240312T1200&s=-5",
        "t=20240312T1200&s=0",
    ):
        assert parse_fiscal_qr(impossible) is None, impossible


@needs_dev
def test_every_dev_scan_and_its_photos_pass_the_quality_gate() -> None:
    """The gate is conservative: no readable receipt, flat or photographed, hard cases included."""
    scans = sorted(DEV.glob("*.jpg"))
    assert scans
    for i, scan in enumerate(scans):
        data = scan.read_bytes()
        check_output(prepared(data), max_long=2048)
        case = CASES[i % len(CASES)]
        photo = phone_photo(data, seed=i, case=case)
        check_output(prepared(photo), max_long=2048)


@needs_dev
def test_dev_photo_for_tesseract_is_bigger_than_the_photo() -> None:
    scan = sorted(DEV.glob("*.jpg"))[0]
    photo = phone_photo(scan.read_bytes(), seed=0)
    result = prepared(photo, reader="tesseract")
    check_output(result, max_long=8000)
    assert result.height > 1280


def _page_of_lines(ink: int) -> np.ndarray:
    """A white page with lines of text printed in grey level ``ink`` and a black scanner's border."""
    page = np.full((900, 600), 255, np.uint8)
    for row in range(60, 840, 40):
        cv2.putText(page, "TOTAL RM 11.50  10-05-17", (30, row), cv2.FONT_HERSHEY_SIMPLEX, 0.8, ink, 2)
    page[-12:] = 0  # the border: the page's darkest pixels, far from the print
    return page


def test_faint_print_is_made_dark_and_black_print_is_left_alone() -> None:
    faint = _page_of_lines(ink=185)  # dot-matrix grey, beside a black border
    deepened = _deepen_faint_print(faint, text_height=24)
    text = faint[40:820] < 200
    assert np.median(deepened[40:820][text]) < 80
    assert np.median(deepened[40:820][~text]) > 240  # the paper stays white
    black = _page_of_lines(ink=20)
    assert np.array_equal(_deepen_faint_print(black, text_height=24), black)
