"""A second recogniser for a few lines of a page: PP-OCR's, through RapidOCR (ONNX Runtime, with
the models in its wheel: nothing is downloaded).

Tesseract misreads some digits of small print (a phone photo of a long receipt has its text 9-11
px high: "08.10.16" read as "05.10.16", "27.02" as "21.02") the same way at every scale and layout,
so its readings agree on the wrong date. PP-OCR's recogniser errs on other characters. It reads
only the lines Tesseract found a date or a time on (one or two a page, ~50 ms each on one core),
never the whole page (its detector costs seconds). Its model reads Latin letters and digits, not
Cyrillic ones.
"""

from __future__ import annotations

import threading
from typing import Any

from PIL import Image

Box = tuple[int, int, int, int]  # left, top, right, bottom: pixels of the page

# Padding around Tesseract's line box, in parts of the line's height: its box is tight on the ink.
_PAD = 0.25
_lock = threading.Lock()
_engine: Any = None  # RapidOCR, loaded on first use (its import and model cost ~0.5 s)


def read_lines(page: Image.Image, boxes: list[Box]) -> list[str]:
    """The text of each line box of ``page``; "" where none is read."""
    global _engine
    texts = []
    with _lock:  # one call at a time: RapidOCR keeps each call's options on the instance
        if _engine is None:
            from rapidocr import RapidOCR

            _engine = RapidOCR(
                params={
                    "Global.log_level": "warning",
                    # One core per receipt, like Tesseract (extract reads several receipts at once).
                    "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
            )
        for left, top, right, bottom in boxes:
            pad = max(2, int((bottom - top) * _PAD))
            left, top = max(0, left - pad), max(0, top - pad)
            line = page.crop((left, top, min(page.width, right + pad), min(page.height, bottom + pad)))
            result = _engine(line, use_det=False, use_cls=False, use_rec=True)
            texts.append(result.txts[0] if result.txts else "")
    return texts
