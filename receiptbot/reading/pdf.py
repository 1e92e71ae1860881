"""PDF e-receipts and bills (ОФД e-mails, ЕПД from mos.ru and Госуслуги, bank confirmations).

A PDF made by a program has a text layer: it is the receipt's exact text and needs no OCR. A scan
has none: its first pages are rendered to pixels for the reader, like a photo. Every PDF is
opened in a separate process with a memory and a time limit, because PDFium inflates whatever
the file's streams hold: a "PDF bomb" (a few MB that inflate to gigabytes), or a page that takes
minutes to draw, ends that process, not this instance, and gets a plain answer.
"""

from __future__ import annotations

import multiprocessing
import resource
from dataclasses import dataclass, field
from typing import Any

PDF_MAGIC = b"%PDF-"
MAX_PAGES = 30  # a receipt or a ЕПД is 1-4 pages; a longer document is not one receipt
PAGES_READ = 2  # the first pages: a receipt's total and QR code are on them
MIN_TEXT_CHARS = 40  # less is a scan's stray label, not a text layer worth reading
RENDER_DPI = 200  # small print stays legible; an A4 page is ~3.9 Mpx
MAX_PAGE_PIXELS = 8_000_000  # a page of any size is rendered at most this big (scaled down)
TIME_LIMIT_SECONDS = 20.0  # the whole PDF: preprocess has 60 s
MEMORY_LIMIT_BYTES = 768 * 2**20  # the worker's address space; preprocess has 1 GiB
PDF_REJECTION_REASONS = ("pdf_encrypted", "pdf_broken", "pdf_too_long", "pdf_too_complex")


class PdfRejected(Exception):
    """The PDF cannot be read; ``reason`` (one of PDF_REJECTION_REASONS) is the user's text key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in PDF_REJECTION_REASONS:
            raise ValueError(f"unknown PDF rejection reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class RenderedPage:
    """One page as 8-bit grayscale pixels, row by row (``stride`` bytes per row)."""

    width: int
    height: int
    stride: int
    pixels: bytes


@dataclass
class PdfContent:
    page_count: int
    text: str | None  # the first pages' text layer; None for a scan
    pages: list[RenderedPage] = field(default_factory=list)


def is_pdf(data: bytes) -> bool:
    """PDF readers accept the header anywhere in the first 1024 bytes, so this does too."""
    return PDF_MAGIC in data[:1024]


def read_pdf(data: bytes, render: bool = True) -> PdfContent:
    """The text layer of the first pages, and (``render``) those pages as pixels.

    Raises PdfRejected: encrypted, broken, too many pages, or over the memory or time limit.
    The caller checks the byte limit first (the upload limit, as for a photo).
    """
    context = multiprocessing.get_context("spawn")  # no fork: the parent's threads hold locks
    with context.Pool(1, initializer=_limit_memory, maxtasksperchild=1) as pool:
        job = pool.apply_async(_open_and_read, (data, render))
        try:
            outcome = job.get(TIME_LIMIT_SECONDS)
        except multiprocessing.TimeoutError:
            raise PdfRejected("pdf_too_complex", f"over {TIME_LIMIT_SECONDS:g} s") from None
        except MemoryError:
            raise PdfRejected("pdf_too_complex", "over the memory limit") from None
        finally:
            pool.terminate()
    if isinstance(outcome, str):
        raise PdfRejected(outcome)
    return outcome


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def _open_and_read(data: bytes, render: bool) -> PdfContent | str:
    """In the worker: the content, or a rejection reason (an exception would cross as a traceback)."""
    import pypdfium2 as pdfium  # the worker's only heavy import
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        encrypted = exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY)
        return "pdf_encrypted" if encrypted else "pdf_broken"
    try:
        page_count = len(document)
        if page_count == 0:
            return "pdf_broken"
        if page_count > MAX_PAGES:
            return "pdf_too_long"
        texts, pages = [], []
        for index in range(min(PAGES_READ, page_count)):
            page = document[index]
            texts.append(page.get_textpage().get_text_bounded())
            if render:
                pages.append(_render(page))
        text = "\n".join(texts).replace("\r\n", "\n").strip()
        return PdfContent(page_count, text if len(text) >= MIN_TEXT_CHARS else None, pages)
    except pdfium.PdfiumError:
        return "pdf_broken"
    finally:
        document.close()


def _render(page: Any) -> RenderedPage:  # a pypdfium2 page: pypdfium2 is imported in the worker only
    width, height = page.get_size()  # points, 1/72 inch
    scale = min(RENDER_DPI / 72, (MAX_PAGE_PIXELS / max(width * height, 1)) ** 0.5)
    bitmap = page.render(scale=scale, grayscale=True)
    return RenderedPage(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
