"""How fast and how lean is preprocessing? One core, real receipts turned into phone photos.

Times ``prepare`` per image on 12-megapixel (4032x3024) and 1280 px phone photos synthesised from
the scans in RECEIPTS_DIR, and measures the peak memory of a fresh process preparing one ~20 MB
upload. Runs on one core (CPU affinity and cv2.setNumThreads(1)).

    RECEIPTS_DIR=../shared/receipts/dev python -m tools.bench_preprocess [--reader gemini|tesseract]

Last line: bench-preprocess ms_12mp_median=<ms> ms_1280_median=<ms> peak_mib=<MiB>
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from receiptbot.config import Settings
from receiptbot.reading.imaging import READERS, PreparedImage, prepare
from tools.phone_photos import phone_photo

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = Settings.model_construct()  # the deployed settings: the upload limits preprocess passes

# Runs in a fresh interpreter, so the peak covers one prepare() call and nothing of the benchmark.
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report this
# benchmark's own (large) peak at fork time.
PEAK_PROBE = """
import json, re, sys
def hwm_kib():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
import cv2
cv2.setNumThreads(1)
from receiptbot.config import Settings
from receiptbot.reading.imaging import prepare
limits = Settings.model_construct()
data = open(sys.argv[1], "rb").read()
base = hwm_kib()
result = prepare(data, reader=sys.argv[2], max_bytes=limits.max_upload_bytes, max_pixels=limits.max_pixels)
print(json.dumps({"base_kib": base, "peak_kib": hwm_kib(), "size": [result.width, result.height]}))
"""


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)


def timings(photos: list[bytes], reader: str, repeats: int) -> list[float]:
    """CPU milliseconds per prepare() call. prepare() runs on one thread, so on an idle core this is
    its wall time; on a shared, busy machine wall time would mostly measure the neighbours."""
    for photo in photos:  # warm-up: first calls pay for lazy initialisation
        prepare_deployed(photo, reader)
    out = []
    for _ in range(repeats):
        for photo in photos:
            start = time.thread_time()
            prepare_deployed(photo, reader)
            out.append((time.thread_time() - start) * 1000)
    return out


def prepare_deployed(photo: bytes, reader: str) -> PreparedImage:
    return prepare(photo, reader, max_bytes=DEFAULTS.max_upload_bytes, max_pixels=DEFAULTS.max_pixels)


def big_upload(photo: bytes) -> bytes:
    """A ~20 MB JPEG within the pixel limit: the 12 MP photo enlarged to ~48 MP plus sensor noise."""
    img = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
    img = cv2.resize(img, (6000, 8000), interpolation=cv2.INTER_LINEAR)  # portrait, like the photo
    rng = np.random.default_rng(0)
    best = b""
    for sigma in (2, 4, 6, 8, 12):  # more noise, more bytes: keep the largest under the limit
        noisy = cv2.add(img, rng.normal(0, sigma, img.shape).astype(np.int16), dtype=cv2.CV_8U)
        data = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
        if len(data) > DEFAULTS.max_upload_bytes:
            break
        best = data
    return best


def peak_memory(upload: bytes, reader: str) -> dict[str, object]:
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(upload)
        f.flush()
        probe = [sys.executable, "-c", PEAK_PROBE, f.name, reader]
        return json.loads(subprocess.run(probe, check=True, capture_output=True, text=True).stdout)


def summary(label: str, ms: list[float]) -> float:
    median, p95 = float(np.median(ms)), float(np.percentile(ms, 95))
    print(f"{label:18} n={len(ms):3} median={median:6.1f} ms  p95={p95:6.1f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("RECEIPTS_DIR") or ROOT.parent / "shared/receipts/dev"
    parser.add_argument("--receipts", type=Path, default=Path(default_dir))
    parser.add_argument("--reader", choices=READERS, default="gemini")
    parser.add_argument("--scans", type=int, default=6, help="how many scans to photograph")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    one_core()

    scans = sorted(args.receipts.glob("*.jpg"))[: args.scans]
    if not scans:
        raise SystemExit(f"no *.jpg receipts in {args.receipts}")
    photos_12mp = [phone_photo(s.read_bytes(), seed=i, long_side=4032) for i, s in enumerate(scans)]
    photos_1280 = [phone_photo(s.read_bytes(), seed=i) for i, s in enumerate(scans)]

    print(f"reader={args.reader}, one core, {len(scans)} receipts x {args.repeats} runs")
    ms_12mp = summary("12 MP (4032x3024)", timings(photos_12mp, args.reader, args.repeats))
    ms_1280 = summary("1280 px", timings(photos_1280, args.reader, args.repeats))

    upload = big_upload(photos_12mp[0])
    peak = peak_memory(upload, args.reader)
    peak_mib = peak["peak_kib"] / 1024
    print(
        f"20 MB upload: {len(upload) / 1e6:.1f} MB, 6000x8000 -> {peak['size'][0]}x{peak['size'][1]};"
        f" peak RSS {peak_mib:.0f} MiB absolute, {(peak['peak_kib'] - peak['base_kib']) / 1024:.0f} MiB"
        " above the process after imports and reading the file"
    )
    print(
        f"bench-preprocess ms_12mp_median={ms_12mp:.1f} ms_1280_median={ms_1280:.1f} peak_mib={peak_mib:.0f}"
    )


if __name__ == "__main__":
    main()
