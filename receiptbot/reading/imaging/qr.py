"""Locate a QR code on the flat document and decode it to text (fiscal.py says what the text means)."""

from __future__ import annotations

import cv2
import numpy as np

_QR_FINDER = cv2.QRCodeDetectorAruco()  # locates codes several times faster than QRCodeDetector
_QR_DECODER = cv2.QRCodeDetector()
_QR_CROP = 400  # px: the side a QR code is cut out at, so each module spans several pixels


def _qr_text(
    gray: np.ndarray,
    flat: np.ndarray,
    to_flat: np.ndarray,
    a: float,
    squares: list[tuple[int, int, int, int]],
) -> str:
    """The QR code's text ("" when there is none), if the layout saw square blocks (a QR's finder patterns).

    The code is located on the small flat copy, in a window around the largest square (a finder
    pattern is 7 of a code's 21-57 modules), then cut out of the decoded image, flattened, at full
    resolution (or enlarged), since the small copy's modules may be too small to read.
    """
    if not squares:
        return ""
    sx, sy, sw, sh = max(squares, key=lambda b: b[2] * b[3])
    reach = 6 * max(sw, sh)
    x0, y0 = max(0, sx - reach), max(0, sy - reach)
    found, points = _QR_FINDER.detect(flat[y0 : sy + sh + reach, x0 : sx + sw + reach])
    if not found or points is None:
        return ""
    x, y, w, h = cv2.boundingRect(points.reshape(-1, 2).astype(np.float32) + np.float32([x0, y0]))
    pad = max(w, h) // 6
    x, y, side = x - pad, y - pad, max(w, h) + 2 * pad
    k = max(1 / a, _QR_CROP / side)
    to_crop = np.array([[k, 0, -x * k], [0, k, -y * k], [0, 0, 1]]) @ to_flat
    crop = cv2.warpPerspective(gray, to_crop, (round(side * k), round(side * k)), flags=cv2.INTER_CUBIC)
    # The corners are known: decode() skips QRCodeDetector's own (slow) search.
    corners = (points.reshape(-1, 2) + np.float32([x0 - x, y0 - y])) * k
    text, _ = _QR_DECODER.decode(crop, corners.reshape(1, -1, 2).astype(np.float32))
    return text
