"""Synthetic receipt images for the tests: a flat printed receipt, with a fiscal QR code if asked."""

from __future__ import annotations

import cv2
import numpy as np

FISCAL = "t=20240115T1830&s=1234.50&fn=9289000100123456&i=12345&fp=1234567890&n=1"


def synthetic_scan(qr_text: str | None = None) -> np.ndarray:
    """A flat white receipt with lines of print (and a QR code at the bottom), BGR."""
    paper = np.full((1500, 640, 3), 250, np.uint8)
    for i in range(30):
        text = f"ARTIKEL {i:02d} MILCH BROT   {i * 1.37:6.2f} A"
        cv2.putText(paper, text, (30, 60 + 36 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 2)
    if qr_text:
        code = cv2.QRCodeEncoder.create().encode(qr_text)
        code = cv2.resize(code, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
        y, x = 1140, (640 - code.shape[1]) // 2
        paper[y : y + code.shape[0], x : x + code.shape[1]] = code[..., None]
    return paper


def qr_close_up(qr_text: str, side: int) -> np.ndarray:
    """A phone close-up of only a QR code, ``side`` px square, grayscale: no text lines, nothing else
    to read (users of the tax service's app photograph a receipt's fiscal QR code so)."""
    code = cv2.QRCodeEncoder.create().encode(qr_text)  # with its white quiet zone
    code = cv2.resize(code, (side * 3 // 4, side * 3 // 4), interpolation=cv2.INTER_NEAREST)
    paper = np.full((side, side), 235, np.uint8)
    y = (side - code.shape[0]) // 2
    paper[y : y + code.shape[0], y : y + code.shape[1]] = np.minimum(code, 235)
    noise = np.random.default_rng(1).normal(0, 4, paper.shape)
    return cv2.GaussianBlur((paper + noise).clip(0, 255).astype(np.uint8), (0, 0), 1.0)


def encode(img: np.ndarray, ext: str = ".jpg") -> bytes:
    return cv2.imencode(ext, img)[1].tobytes()
