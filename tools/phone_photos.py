"""Turn a flat receipt scan into a synthetic phone photo, deterministically for a given seed.

A user photographs a receipt lying on a table, framing the receipt (not the scanner bed a scan
may have around it): the paper is tilted and seen in perspective,
there is a background around it, the light is uneven, the lens is a little soft, and Telegram
recompresses the photo to 1280 px on the long side. ``phone_photo`` reproduces all of that from a
scan, so the preprocessing can be evaluated and benchmarked on the real receipt scans.

Importable (``phone_photo``, ``CASES``) and a CLI:

    python -m tools.phone_photos ../shared/receipts/dev/*.jpg --out /tmp/photos --seed 0
    python -m tools.phone_photos scan.jpg --out /tmp/photos --case strong_shadow --long-side 4032
"""

from __future__ import annotations

import argparse
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# "normal" draws everything at random within the ranges of an ordinary photo; the others are
# the genuinely hard cases, each pushing one difficulty to its limit.
CASES = ("normal", "strong_shadow", "low_light", "heavy_tilt", "busy_background", "white_table")
FRAME_MARGIN = 0.06  # the paper around the print a photo keeps, as a share of the print's width


@dataclass(frozen=True)
class PhotoParams:
    angle: float  # degrees, the paper's rotation on the table
    perspective: float  # corner jitter, as a fraction of the paper's size
    fill: float  # how much of the frame's height the paper takes
    background: str  # wood | solid | cloth | busy | white
    light_min: float  # darkest point of the smooth light field (1.0 = even light)
    shadow: float  # 0 = no cast shadow, else how much light the shadow removes
    exposure: float  # overall brightness multiplier
    blur: float  # Gaussian sigma, in output pixels
    noise: float  # sensor noise sigma, in grey levels
    jpeg_quality: int


def params_for(case: str, rng: np.random.Generator) -> PhotoParams:
    """Random parameters of an ordinary photo, or of one of the hard cases."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; one of {', '.join(CASES)}")
    p = PhotoParams(
        angle=float(rng.uniform(-15, 15)),
        perspective=float(rng.uniform(0.0, 0.06)),
        fill=float(rng.uniform(0.72, 0.9)),
        background=str(rng.choice(["wood", "solid", "cloth"])),
        light_min=float(rng.uniform(0.65, 0.95)),
        shadow=float(rng.choice([0.0, 0.0, rng.uniform(0.2, 0.35)])),
        exposure=float(rng.uniform(0.85, 1.0)),
        blur=float(rng.uniform(0.3, 0.8)),
        noise=float(rng.uniform(1.5, 4.0)),
        jpeg_quality=int(rng.integers(78, 90)),
    )
    hard = {
        "normal": {},
        "strong_shadow": {"shadow": 0.55, "light_min": 0.6},
        "low_light": {"exposure": 0.35, "noise": 6.0, "light_min": 0.7},
        "heavy_tilt": {"angle": float(rng.choice([-1, 1])) * 15.0, "perspective": 0.12},
        "busy_background": {"background": "busy"},
        "white_table": {"background": "white", "light_min": 0.8},
    }[case]
    return PhotoParams(**{**p.__dict__, **hard})


def _background(kind: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A table surface, BGR float32 in 0..255."""
    if kind == "wood":
        base = np.array([40, 80, 130], np.float32) * rng.uniform(0.6, 1.2)
        # Grain varies smoothly: computed on a coarse grid, then enlarged (much cheaper).
        yy, xx = np.mgrid[0 : h // 4 + 1, 0 : w // 4 + 1].astype(np.float32) * 4
        phase = xx / w * rng.uniform(20, 40) + 3 * np.sin(yy / h * rng.uniform(2, 6))
        grain = cv2.resize(0.8 + 0.2 * np.sin(phase), (w, h), interpolation=cv2.INTER_LINEAR)
        img = base[None, None, :] * grain[..., None]
    elif kind == "solid":
        img = np.empty((h, w, 3), np.float32)
        img[:] = rng.uniform(30, 150, size=3)
    elif kind == "white":  # a light table: the paper's edge is faint
        img = np.empty((h, w, 3), np.float32)
        img[:] = rng.uniform(175, 200) + rng.uniform(-8, 8, size=3)
    elif kind == "cloth":
        small = rng.uniform(0, 1, size=(h // 16 + 1, w // 16 + 1)).astype(np.float32)
        tex = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        base = rng.uniform(40, 170, size=3).astype(np.float32)
        img = base[None, None, :] * (0.75 + 0.35 * tex[..., None])
    else:  # busy: papers, objects and light patches scattered on a mid-grey table
        img = np.empty((h, w, 3), np.float32)
        img[:] = rng.uniform(60, 120, size=3)
        for _ in range(30):
            colour = rng.uniform(0, 255, size=3).tolist()
            x, y = int(rng.uniform(0, w)), int(rng.uniform(0, h))
            if rng.uniform() < 0.5:
                dx, dy = int(rng.uniform(w * 0.05, w * 0.3)), int(rng.uniform(h * 0.05, h * 0.3))
                cv2.rectangle(img, (x, y), (x + dx, y + dy), colour, -1)
            else:
                cv2.circle(img, (x, y), int(rng.uniform(w * 0.02, w * 0.15)), colour, -1)
        for _ in range(15):  # lines, like cables, pens or the edge of a laptop
            p1 = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
            p2 = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
            cv2.line(img, p1, p2, rng.uniform(0, 255, size=3).tolist(), int(rng.uniform(2, 12)))
    return img + 6 * rng.standard_normal((h, w, 1), dtype=np.float32)


def _light_field(h: int, w: int, p: PhotoParams, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative light: a smooth gradient from a lamp plus, maybe, a cast shadow.

    Smooth, so it is computed on a grid 8 times coarser and enlarged."""
    yy, xx = np.mgrid[0 : h // 8 + 1, 0 : w // 8 + 1].astype(np.float32) * 8
    cx, cy = rng.uniform(-0.3, 1.3) * w, rng.uniform(-0.3, 1.3) * h
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    dist /= dist.max()
    light = 1.0 - (1.0 - p.light_min) * dist
    if p.shadow > 0:  # a hand or a phone between the lamp and the table: a soft-edged half-plane
        theta = rng.uniform(0, 2 * np.pi)
        offset = rng.uniform(0.3, 0.6)
        side = (xx / w - 0.5) * np.cos(theta) + (yy / h - 0.5) * np.sin(theta) - (offset - 0.5)
        mask = cv2.GaussianBlur((side > 0).astype(np.float32), (0, 0), max(h, w) * 0.01 / 8)
        light *= 1.0 - p.shadow * mask
    return cv2.resize(light * p.exposure, (w, h), interpolation=cv2.INTER_LINEAR)


def framed(scan: np.ndarray) -> np.ndarray:
    """What a user photographs of a scan: its print and a margin around it, not the empty scanner
    bed (some scans are a whole A4 page with a small slip in the middle). The print is what an Otsu
    threshold calls dark, between the 0.5th and 99.5th percentile of its coordinates, so a speck
    does not widen it; a photo's dark table or a scanner's black border keeps the whole image."""
    gray = cv2.cvtColor(scan, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(ink)
    if not len(xs):
        return scan
    (x0, x1), (y0, y1) = np.percentile(xs, [0.5, 99.5]), np.percentile(ys, [0.5, 99.5])
    margin = FRAME_MARGIN * (x1 - x0)
    h, w = gray.shape
    left, right = max(0, int(x0 - margin)), min(w, int(x1 + margin) + 1)
    top, bottom = max(0, int(y0 - margin)), min(h, int(y1 + margin) + 1)
    return scan[top:bottom, left:right]


def phone_photo(scan: np.ndarray | bytes, seed: int, case: str = "normal", long_side: int = 1280) -> bytes:
    """A JPEG phone photo of the receipt in ``scan`` (BGR image or encoded bytes)."""
    if isinstance(scan, bytes | bytearray):
        scan = cv2.imdecode(np.frombuffer(scan, np.uint8), cv2.IMREAD_COLOR)
    scan = framed(scan)
    # The seed and the case together pick the parameters, so each hard case differs from "normal".
    rng = np.random.default_rng([seed, zlib.crc32(case.encode())])
    p = params_for(case, rng)

    # Draw at 1.25x the output size and downscale at the end, like a camera feeding Telegram.
    h, w = round(long_side * 1.25), round(long_side * 1.25 * 3 / 4)  # a 3:4 portrait frame
    sh, sw = scan.shape[:2]
    rad = np.deg2rad(p.angle)
    rot_h = sh * abs(np.cos(rad)) + sw * abs(np.sin(rad))
    rot_w = sw * abs(np.cos(rad)) + sh * abs(np.sin(rad))
    scale = min(p.fill * h / rot_h, 0.9 * w / rot_w)

    # Where the paper's corners land: scaled, rotated around the frame's centre, then jittered.
    corners = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32) - [sw / 2, sh / 2]
    rotation = np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]], np.float32)
    dst = corners * scale @ rotation.T + [w / 2 + rng.uniform(-0.04, 0.04) * w, h / 2]
    jitter = rng.uniform(-p.perspective, p.perspective, size=(4, 2)) * [sw * scale, sh * scale]
    dst = (dst + jitter).astype(np.float32)
    src = (corners + np.array([sw / 2, sh / 2])).astype(np.float32)
    homography = cv2.getPerspectiveTransform(src, dst)

    paper = cv2.warpPerspective(scan, homography, (w, h), flags=cv2.INTER_AREA).astype(np.float32)
    mask = cv2.warpPerspective(np.full((sh, sw), 1.0, np.float32), homography, (w, h))
    img = _background(p.background, h, w, rng)
    # A faint contact shadow under the paper's edge.
    contact = cv2.GaussianBlur(mask, (0, 0), w * 0.006)
    img *= 1.0 - 0.35 * contact[..., None]
    img = img * (1.0 - mask[..., None]) + paper * mask[..., None]

    img *= _light_field(h, w, p, rng)[..., None]
    img = cv2.GaussianBlur(img, (0, 0), p.blur * 1.25)
    img += p.noise * rng.standard_normal((*img.shape[:2], 1), dtype=np.float32)
    img = cv2.resize(
        np.clip(img, 0, 255).astype(np.uint8), None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA
    )
    ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, p.jpeg_quality])
    assert ok
    return jpeg.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scans", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", choices=CASES, default="normal")
    parser.add_argument("--long-side", type=int, default=1280)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for scan in args.scans:
        photo = phone_photo(scan.read_bytes(), args.seed, args.case, args.long_side)
        target = args.out / f"{scan.stem}.{args.case}.jpg"
        target.write_bytes(photo)
        print(target)


if __name__ == "__main__":
    main()
