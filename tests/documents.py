"""Real documents for the tests: PDFs with and without a text layer (made with PDFium, the library
the bot reads them with), bad PDFs written by hand, HEIC photos (pillow-heif), and the ГОСТ Р
56042-2014 payment QR code of a utility bill."""

from __future__ import annotations

import ctypes
import io
import zlib
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Cyrillic; Debian's fonts-dejavu-core
POINTS_PER_MM = 72 / 25.4

E_RECEIPT_LINES = [
    'ООО "Агроторг" Пятёрочка',
    "Кассовый чек. Приход",
    "15.01.2024 18:30",
    "Молоко 3,2% 930мл 2 x 89,99 =179,98",
    "Хлеб Бородинский =64,99",
    "ИТОГ =244,97",
    "БЕЗНАЛИЧНЫМИ =244,97",
    "ФН 9289000100123456",
    "ФД 12345 ФП 1234567890",
]

PAYMENT_QR = (
    "ST00012|Name=ГБУ «Жилищник района Марьино»|PersonalAcc=40603810300000000123|"
    "BankName=ПАО СБЕРБАНК|BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7723456789|"
    "KPP=772301001|Sum=684327|PersAcc=1234567890|PaymPeriod=03.2024|Purpose=Оплата ЖКУ за 03.2024"
)


def bill_scan(qr_text: str) -> np.ndarray:
    """A scanned utility bill: an A4 page at 100 dpi, lines of print, the payment QR code at the bottom."""
    paper = np.full((1170, 830), 250, np.uint8)
    for i in range(18):
        line = f"USLUGA {i:02d} VODOSNABZHENIE   {i * 101.37:8.2f}"
        cv2.putText(paper, line, (40, 60 + 34 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 20, 2)
    code = qr_image(qr_text, 4)
    paper[700 : 700 + code.shape[0], 40 : 40 + code.shape[1]] = code
    return paper


def qr_image(text: str, module_px: int = 6) -> np.ndarray:
    """The QR code of ``text`` (UTF-8), grayscale, with its quiet zone."""
    code = cv2.QRCodeEncoder.create().encode(text)
    return cv2.resize(code, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def _save(document: pdfium.PdfDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_text(document: pdfium.PdfDocument, page: pdfium.PdfPage, font: int, lines: list[str]) -> None:
    height = page.get_height()
    for number, line in enumerate(lines):
        obj = pdfium_c.FPDFPageObj_CreateTextObj(document.raw, font, ctypes.c_float(10))
        encoded = (line + "\0").encode("utf-16-le")
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(encoded), pdfium_c.FPDF_WIDESTRING))
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 10, height - 30 - 16 * number)
        pdfium_c.FPDFPage_InsertObject(page.raw, obj)


def _add_image(
    document: pdfium.PdfDocument, page: pdfium.PdfPage, pixels: np.ndarray, x: float, y: float
) -> None:
    image = pdfium.PdfImage.new(document)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(Image.fromarray(pixels).convert("RGB")))
    height, width = pixels.shape[:2]
    image.set_matrix(pdfium.PdfMatrix().scale(width * 0.75, height * 0.75).translate(x, y))
    page.insert_obj(image)


def text_pdf(lines: list[str] = E_RECEIPT_LINES, qr_text: str | None = None) -> bytes:
    """An e-receipt as an operator's mail sends it: an 80 mm page with a text layer (and a QR code)."""
    document = pdfium.PdfDocument.new()
    page = document.new_page(80 * POINTS_PER_MM, 200 * POINTS_PER_MM)
    font_data = FONT.read_bytes()
    font = pdfium_c.FPDFText_LoadFont(
        document.raw,
        ctypes.cast(ctypes.c_char_p(font_data), ctypes.POINTER(ctypes.c_uint8)),
        len(font_data),
        pdfium_c.FPDF_FONT_TRUETYPE,
        True,
    )
    _add_text(document, page, font, lines)
    if qr_text:
        _add_image(document, page, qr_image(qr_text, 4), 30, 40)
    page.gen_content()
    return _save(document)


def scan_pdf(pixels: np.ndarray, pages: int = 1) -> bytes:
    """A scanner's PDF: each page one image, no text layer."""
    document = pdfium.PdfDocument.new()
    height, width = pixels.shape[:2]
    for _ in range(pages):
        page = document.new_page(width * 0.75, height * 0.75)
        _add_image(document, page, pixels, 0, 0)
        page.gen_content()
    return _save(document)


def many_pages_pdf(pages: int) -> bytes:
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    return _save(document)


def _pdf_by_hand(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered objects (1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def _stream(content: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        content, extra = zlib.compress(content, 9), extra + b" /Filter /FlateDecode"
    return b"<< /Length %d %s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def encrypted_pdf() -> bytes:
    """Protected by a user password (the Standard security handler, RC4 40-bit): it cannot be opened
    without the password, which is not the empty one."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
    key = b"<" + b"1f" * 32 + b">"
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O " + key + b" /U " + key + b" /P -44 >>"
    file_id = b"<00112233445566778899aabbccddeeff>"
    return _pdf_by_hand([catalog, pages, page, encrypt], b"/Encrypt 4 0 R /ID [%s %s]" % (file_id, file_id))


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R" + b"\x00garbage" * 50


def bomb_pdf(levels: int = 9, fan_out: int = 12) -> bytes:
    """A few kilobytes that take forever to draw: each form draws the next one ``fan_out`` times,
    ``levels`` deep, so the page is fan_out**levels rectangles (12**9: five billion)."""
    first_form = 5
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R "
        b"/Resources << /XObject << /F %d 0 R >> >> >>" % first_form,
        _stream(b"/F Do"),
    ]
    for level in range(levels):
        number = first_form + level
        if level == levels - 1:
            content, resources = b"0 0 600 800 re f", b""
        else:
            content = b" ".join(b"q 1 0 0 1 0 0 cm /N Do Q" for _ in range(fan_out))
            resources = b"/Resources << /XObject << /N %d 0 R >> >>" % (number + 1)
        objects.append(_stream(content, b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] " + resources))
    return _pdf_by_hand(objects)


def inflating_pdf(inflated_bytes: int = 1 << 31) -> bytes:
    """A page whose content stream inflates from a few MB to ``inflated_bytes`` of drawing operators."""
    chunk = zlib.compressobj(9)
    unit = b"0 0 1 1 re f\n" * 4096
    compressed = b"".join(chunk.compress(unit) for _ in range(inflated_bytes // len(unit))) + chunk.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed) + compressed + b"\nendstream",
    ]
    return _pdf_by_hand(objects)


def heic(pixels: np.ndarray, quality: int = 90) -> bytes:
    """An iPhone-style HEIC of ``pixels`` (grayscale or BGR)."""
    import pillow_heif

    rgb = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.fromarray(rgb).convert("RGB")).save(out, quality=quality)
    return out.getvalue()
