"""Where the print is on the flat document, how crisp it is, and the light it was taken in.

The text lines give the skew and the text size (which sizes the output), and the sharpness
decides "blurry". The light is evened out by dividing by the paper's own brightness, then the
contrast is stretched.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from receiptbot.reading.imaging.pixels import _hist_percentile, _histogram, _percentile, _resize_long

MIN_INK_LINES = 3  # text-line blobs on the document; fewer means there is nothing to read
FAINT_ANALYSIS_LONG = 512  # px: the faint-print analysis is done this small
FAINT_WINDOW_LINES = 3  # text-line heights around a place in which its darkest print is found
MIN_DEPTH = 100.0  # grey levels: the most faint print is deepened is 255 / MIN_DEPTH (2.55x)
PAPER_DARKEST = 215  # a place whose darkest pixel is lighter than this is bare paper
# On a page of faint print, three quarters of the places with print have their darkest pixel
# lighter than this (scans of dot-matrix slips: 155-166; of black print, photos too: 0-128).
FAINT_PRINT = 140


@dataclass
class _Layout:
    angle: float  # degrees the text lines are tilted
    text_height: float | None  # median height of a text line, px; None when there is no text
    line_length: float  # px of text line found: more on a page turned the right way


def _layout(flat: np.ndarray) -> _Layout:
    """Where the print is: the text lines' skew and height.

    Ink is thresholded locally, the characters of a line are merged by a wide closing, and each
    elongated blob's minimum-area rectangle gives one line's angle and height.
    """
    ink = cv2.adaptiveThreshold(flat, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    # Drop the paper's (and the table's) edges: no character is an eighth of the image tall, and an
    # edge touching the print would merge every line into one blob.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    edges = np.flatnonzero(stats[1:, cv2.CC_STAT_HEIGHT] > flat.shape[0] / 8) + 1
    if len(edges):
        ink[np.isin(labels, edges)] = 0
    k = max(9, flat.shape[1] // 40)
    lines = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    contours, _ = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, heights, weights = [], [], []
    for contour in contours:
        (_, _), (rw, rh), rect_angle = cv2.minAreaRect(contour)
        long_side, short_side = max(rw, rh), min(rw, rh)
        if short_side < 3 or long_side < 4 * short_side or long_side < flat.shape[1] / 10:
            continue
        # OpenCV's angle is that of the rectangle's "width" side; bring it to the long side, ±45°.
        angle = rect_angle if rw >= rh else rect_angle - 90
        angle = (angle + 45) % 90 - 45
        angles.append(angle)
        heights.append(short_side)
        weights.append(long_side)
    if len(heights) < MIN_INK_LINES:
        return _Layout(0.0, None, float(sum(weights)))
    return _Layout(_weighted_median(angles, weights), float(np.median(heights)), float(sum(weights)))


def _weighted_median(values: list[float], weights: list[float]) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(values)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _sharpness(flat: np.ndarray, text_height: float) -> float:
    """How crisp the print is, independent of its size and contrast.

    At a scale where text lines are 12 px high, the strongest Laplacian responses (the 99.5th
    percentile) divided by the ink-to-paper contrast: a sharp stroke edge scores high, a blurred
    one is spread out and scores low, whatever the lighting.
    """
    s = min(1.0, 12.0 / text_height)
    img = cv2.resize(flat, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else flat
    histogram = _histogram(img)
    lo, hi = _hist_percentile(histogram, 1), _hist_percentile(histogram, 99)
    if hi - lo < 1:
        return 0.0
    lap = cv2.Laplacian(cv2.GaussianBlur(img, (3, 3), 0), cv2.CV_16S, ksize=3)
    # |Laplacian| / 4 fits a byte (the 3x3 kernel's response is at most 4 x 255), for the histogram.
    return _percentile(cv2.convertScaleAbs(lap, alpha=0.25), 99.5) / (hi - lo)


# --- light ----------------------------------------------------------------------------------------


def _even_light(gray: np.ndarray, text_height: float | None) -> np.ndarray:
    """Divide by the paper's own brightness, estimated with the print closed away, at a small scale."""
    small, s = _resize_long(gray, 256)
    # The closing must be wider than a character; without a text size, guess from the width.
    k = int(2 * text_height * s) if text_height else max(small.shape[1] // 20, 3)
    k = max(3, min(k, 31)) | 1
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = cv2.GaussianBlur(background, (0, 0), k / 2)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(background, 1), scale=255)


def _stretch_contrast(flat: np.ndarray) -> np.ndarray:
    """Darkest ink to black, the paper (already ~255 after _even_light) to white."""
    lo = _percentile(flat, 0.5)
    hi = 235.0
    if lo >= hi - 20:
        return flat
    lut = np.clip((np.arange(256, dtype=np.float32) - lo) * 255 / (hi - lo), 0, 255).astype(np.uint8)
    return cv2.LUT(flat, lut)


def _deepen_faint_print(flat: np.ndarray, text_height: float) -> np.ndarray:
    """A page of faint print (dot-matrix, faded thermal paper) made dark; any other page as it is.

    The stretch above takes its black from the page's darkest pixels; beside a black stamp or a
    scanner's border, faint print stays light grey and Tesseract's binarisation drops it. Where
    there is print, the darkest pixel a few lines around is found; when that is light grey on
    three quarters of the page, each place's darkest print is taken to black (the gain is bounded, so bare
    paper does not turn grey).
    """
    small, s = _resize_long(flat, FAINT_ANALYSIS_LONG)
    k = max(3, int(FAINT_WINDOW_LINES * text_height * s)) | 1
    darkest = cv2.erode(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    printed = darkest[darkest < PAPER_DARKEST]
    if not printed.size or np.percentile(printed, 25) < FAINT_PRINT:
        return flat
    darkest = cv2.resize(cv2.GaussianBlur(darkest, (0, 0), k / 2), (flat.shape[1], flat.shape[0]))
    depth = np.maximum(255 - darkest.astype(np.float32), MIN_DEPTH)
    out = 255 - (255 - flat.astype(np.float32)) * (255 / depth)
    return np.clip(out, 0, 255).astype(np.uint8)
