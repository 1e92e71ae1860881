"""The concurrency benchmark: N receipts from N chats at once take about as long as one.

Runs the real local stack with the Gemini stand-in answering after BENCH_LATENCY seconds (only
the model is a stand-in). A real receipt scan is turned into a 1280 px phone photo, so
preprocess does real work. For N = 1, 2, 5, 20, 50, N chats post one photo each at the same
instant; per receipt it measures the webhook's acknowledgement (the POST round trip) and the
end-to-end time, from the start of the POST to the moment the Telegram stand-in records the
final answer (its own timestamp of the edit, not our polling). The same is done on a
sequential baseline: one process, one thread per function, one message at a time per
subscription. Then the cold-start import time of each function and the bytes sent to Gemini.

Writes bench/results.json, docs/img/bench.png and the generated part of docs/bench.md; the last
line printed is machine-readable:

    bench n1_p50=<s> n5_p95=<s> n50_p95=<s> ack_p99_ms=<ms> seq_n5_p95=<s> import_webhook_s=<s> ...

Usage: python -m tools.bench [--latency 3.0] [--sizes 1,2,5,20,50] [--seq-sizes 1,2,5,20]
(BENCH_LATENCY in the environment sets the default latency).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import requests

from devstack.stack import PIPELINE, LocalStack, StackConfig
from devstack.user import INTERIM_TEXTS, TelegramUser
from tools.phone_photos import phone_photo

REPO = Path(__file__).resolve().parent.parent

RECEIPT = REPO.parent / "shared" / "receipts" / "dev" / "lidl_07042020_06_01569.jpg"
FALLBACK = REPO / "samples" / "lidl_receipt.jpg"
RESULTS = REPO / "bench" / "results.json"
PLOT = REPO / "docs" / "img" / "bench.png"
DOC = REPO / "docs" / "bench.md"
DOC_BEGIN, DOC_END = "<!-- bench:begin (written by tools/bench.py) -->", "<!-- bench:end -->"
README = REPO / "README.md"
README_BEGIN = "<!-- bench-summary:begin (written by tools/bench.py) -->"
README_END = "<!-- bench-summary:end -->"

SIZES = (1, 2, 5, 20, 50)
# The sequential baseline at N=50 would take 50 x (latency + overhead), about 3 minutes: opt-in.
SEQ_SIZES = (1, 2, 5, 20)
# Small N gets several rounds so that its percentiles rest on more than one or two receipts.
ROUNDS = {1: 6, 2: 3, 5: 3, 20: 2, 50: 1}
SEQ_ROUNDS = {1: 3}
IMPORT_RUNS = 5
# What the cloud imports on a cold start: main, plus the engine extract imports lazily (Gemini in the cloud).
IMPORTS = {"webhook": ["main"], "preprocess": ["main"], "extract": ["main", "receiptbot.reading.gemini"]}
# The third-party libraries each function cannot do without, imported alone: the floor under its
# cold start that no change to our code can go below.
LIBRARIES = {
    "webhook": ["functions_framework", "google.cloud.storage", "google.pubsub_v1", "pydantic"],
    "preprocess": ["functions_framework", "google.cloud.storage", "google.pubsub_v1", "pydantic", "cv2"],
    "extract": ["functions_framework", "google.cloud.storage", "pydantic", "google.genai"],
}
TARGETS = {
    "n1_p50": 3.4,
    "n5_p95": 3.6,
    "n50_p95": 5.0,
    "ack_p99_ms": 250,
    "gemini_kb_median": 250,
    "import_webhook_s": 0.4,
    "import_preprocess_s": 1.0,
    "import_extract_s": 1.5,
}
GEMINI_TILE, GEMINI_SMALL_SIDE, GEMINI_TOKENS_PER_TILE = 768, 384, 258


# -- the input ---------------------------------------------------------------------------------
def bench_photo() -> tuple[bytes, str]:
    """A 1280 px phone photo of a real receipt scan (the sample if the shared set is absent)."""
    source = RECEIPT
    if not source.exists():
        print(f"The shared receipt set is not here ({RECEIPT.parent}): using {FALLBACK.relative_to(REPO)}.")
        source = FALLBACK
    return phone_photo(source.read_bytes(), seed=0, long_side=1280), source.name


# -- one burst ---------------------------------------------------------------------------------
def final_answers(stack: LocalStack, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
    """(chat, message) -> (the stand-in's time of the final answer, its text), for those answered.

    Read in place, in one pass under the stand-in's lock: the stand-ins and the relay share this
    process, so a costly poll would slow the very pipeline it measures.
    """
    found = {}
    with stack.telegram.lock:
        for m in stack.telegram.messages.values():
            if (m.chat_id, m.reply_to) in wanted and m.text not in INTERIM_TEXTS:
                found[(m.chat_id, m.reply_to)] = (m.edited_at or m.at, m.text)
    return found


def burst(stack: LocalStack, photo: bytes, n: int, first_chat: int, timeout: float) -> list[dict[str, Any]]:
    """N chats post one photo each at the same instant; one sample per receipt."""
    users = [
        TelegramUser(stack.url("webhook"), stack.url("telegram"), stack.webhook_secret, first_chat + i)
        for i in range(n)
    ]
    updates = [user.photo_update(photo) for user in users]  # uploads happen before the clock starts
    cpu_before = cpu_seconds(stack)
    barrier = threading.Barrier(n)
    samples: list[dict[str, Any]] = [{} for _ in range(n)]

    def send(i: int) -> None:
        barrier.wait()
        started, clock = time.time(), time.monotonic()
        try:
            status = users[i].post(updates[i]).status
        except requests.RequestException:
            status = 0  # no answer from the webhook: a failed receipt, counted in the table
        samples[i] = {
            "chat_id": users[i].chat_id,
            "message_id": updates[i]["message"]["message_id"],
            "status": status,
            "posted_at": started,
            "ack_ms": (time.monotonic() - clock) * 1000,
        }

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    deadline = time.monotonic() + timeout
    for sample in samples:
        sample["e2e_s"] = None  # until answered; a refused update is never answered
    pending = {(s["chat_id"], s["message_id"]): s for s in samples if s["status"] == 200}
    while pending and time.monotonic() < deadline:
        time.sleep(0.1)  # the answer's time is the stand-in's record, so polling slowly costs no precision
        for key, (answered_at, answer) in final_answers(stack, set(pending)).items():
            sample = pending.pop(key)
            sample["e2e_s"] = answered_at - sample["posted_at"]
            sample["correct"] = "15.69" in answer  # the stand-in's receipt total
    cpu_after = cpu_seconds(stack)
    for name in cpu_after:
        samples[0].setdefault("cpu_s", {})[name] = cpu_after[name] - cpu_before.get(name, 0.0)
    return samples


def cpu_seconds(stack: LocalStack) -> dict[str, float]:
    """CPU seconds used so far by each process of the stack (gunicorn's workers included) and by this one."""
    used = {name: _tree_cpu(p.pid) for name, p in stack.processes.items()}
    # This process only: its children are the stack's processes, counted above.
    return used | {"bench (relay, stand-ins)": time.process_time()}


def _tree_cpu(pid: int) -> float:
    """utime + stime of a process and its children, from /proc (0 where /proc has nothing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_tree_cpu(int(child)) for child in children)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


def summarise(n: int, samples: list[dict[str, Any]], latency: float) -> dict[str, Any]:
    e2e = [s["e2e_s"] for s in samples if s["e2e_s"] is not None]
    acks = [s["ack_ms"] for s in samples]
    overhead = [t - latency for t in e2e]
    cpu: dict[str, float] = {}
    for sample in samples:
        for name, seconds in sample.get("cpu_s", {}).items():
            cpu[name] = cpu.get(name, 0.0) + seconds
    return {
        "n": n,
        "receipts": len(samples),
        "rounds": len(samples) // n,
        "unanswered": sum(s["e2e_s"] is None for s in samples),  # counted, never hidden
        "wrong_answers": sum(not s.get("correct", True) for s in samples),
        "webhook_errors": sum(s["status"] != 200 for s in samples),
        "e2e_p50": percentile(e2e, 50),
        "e2e_p95": percentile(e2e, 95),
        "e2e_max": max(e2e, default=math.nan),
        "overhead_p50": percentile(overhead, 50),
        "overhead_p95": percentile(overhead, 95),
        "ack_p50_ms": percentile(acks, 50),
        "ack_p99_ms": percentile(acks, 99),
        # Where the CPU goes: CPU milliseconds per receipt of each process while the bursts ran.
        "cpu_ms_per_receipt": {name: round(1000 * sec / len(samples)) for name, sec in cpu.items()},
        "e2e_samples": [round(t, 3) for t in e2e],
        "ack_samples_ms": [round(a, 1) for a in acks],
    }


def run_setup(
    name: str,
    config: StackConfig,
    photo: bytes,
    sizes: tuple[int, ...],
    rounds: dict[int, int],
    latency: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every burst size on one stack; returns the summaries and what Gemini was sent."""
    print(f"\n== {name}: starting the local stack", flush=True)
    results = []
    chat = 1_000_000
    with LocalStack(config) as stack:
        # One receipt first, not measured: lazy imports and connection pools warm up, as in a warm instance.
        burst(stack, photo, 1, chat, timeout=60)
        chat += 1
        for n in sizes:
            samples = []
            for _ in range(rounds.get(n, 1)):
                samples += burst(stack, photo, n, chat, timeout=60 + 2 * n * (latency + 2))
                chat += n
                time.sleep(0.5)  # let the last receipt's bookkeeping finish before the next burst
            summary = summarise(n, samples, latency)
            results.append(summary)
            print(
                f"   N={n:<3} rounds={summary['rounds']} e2e p50={summary['e2e_p50']:.2f} s "
                f"p95={summary['e2e_p95']:.2f} s ack p99={summary['ack_p99_ms']:.0f} ms",
                flush=True,
            )
        gemini_requests = list(stack.gemini.requests)
    return results, gemini_requests


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(table_lines(rows, markdown=False))


def table_lines(rows: list[dict[str, Any]], markdown: bool) -> str:
    header = [
        "N",
        "receipts",
        "e2e p50 s",
        "e2e p95 s",
        "e2e max s",
        "overhead p50 s",
        "overhead p95 s",
        "ack p50 ms",
        "ack p99 ms",
        "failed",
    ]
    lines = []
    for r in rows:
        failed = r["unanswered"] + r["wrong_answers"]  # refused updates are unanswered too
        lines.append(
            [
                str(r["n"]),
                str(r["receipts"]),
                f"{r['e2e_p50']:.2f}",
                f"{r['e2e_p95']:.2f}",
                f"{r['e2e_max']:.2f}",
                f"{r['overhead_p50']:.2f}",
                f"{r['overhead_p95']:.2f}",
                f"{r['ack_p50_ms']:.0f}",
                f"{r['ack_p99_ms']:.0f}",
                str(failed),
            ]
        )
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
        return "\n".join(out + ["| " + " | ".join(line) + " |" for line in lines])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:>{w}}}" for w in widths)
    return "\n".join([fmt.format(*header)] + [fmt.format(*line) for line in lines])


def cpu_table(rows: list[dict[str, Any]]) -> str:
    """Markdown: CPU milliseconds per receipt of each process, per N (where a 2-core box runs out).

    "2-core floor" is the burst's CPU divided by the cores: the seconds the machine needs for that
    work alone, however it is scheduled. When the overhead p95 is close to it, the cores are the limit.
    """
    names = list(rows[0]["cpu_ms_per_receipt"])
    cores = os.cpu_count() or 1
    out = [
        "| N | " + " | ".join(names) + " | total | 2-core floor s | overhead p95 s |",
        "|" + "---:|" * (len(names) + 4),
    ]
    for r in rows:
        cpu = r["cpu_ms_per_receipt"]
        total = sum(cpu.values())
        floor = r["n"] * total / 1000 / cores
        out.append(
            f"| {r['n']} | "
            + " | ".join(str(cpu[k]) for k in names)
            + f" | {total} | {floor:.2f} | {r['overhead_p95']:.2f} |"
        )
    return "\n".join(out)


def deployed_table(threads: dict[str, int]) -> str:
    """Markdown: the deployed limits (infra/pipeline.json) beside the local processes' threads."""
    out = [
        "| function | deployed vCPU | `max_instance_request_concurrency` | `max_instance_count` "
        "| receipts in flight, deployed | local: one process, THREADS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, f in PIPELINE["functions"].items():
        in_flight = f["max_instance_request_concurrency"] * f["max_instance_count"]
        out.append(
            f"| {name} | {f['cpu']} | {f['max_instance_request_concurrency']} | "
            f"{f['max_instance_count']} | {in_flight} | {threads[name]} |"
        )
    return "\n".join(out)


# -- cold start --------------------------------------------------------------------------------
def import_seconds(function: str, modules: list[str]) -> tuple[float, float]:
    """One fresh interpreter: wall and CPU seconds to import the modules (start-up excluded).

    CPU seconds stay close to the quiet-machine wall time when other work shares the cores.
    """
    code = (
        "import importlib, time\nt, c = time.perf_counter(), time.process_time()\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "functions" / function)}  # main.py; receiptbot is installed
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO / "functions" / function,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def cold_starts() -> dict[str, dict[str, Any]]:
    result = {}
    for function, modules in IMPORTS.items():
        # Alternated, so that a burst of load on the shared machine hits both series alike.
        runs, floor = [], []
        for _ in range(IMPORT_RUNS):
            runs.append(import_seconds(function, modules))
            floor.append(import_seconds(function, LIBRARIES[function]))
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        libraries = statistics.median(r[0] for r in floor)
        result[function] = {
            "modules": modules,
            "median_s": wall,
            "cpu_median_s": cpu,
            "runs_s": [round(r[0], 3) for r in runs],
            "libraries": LIBRARIES[function],
            "libraries_median_s": libraries,
        }
        print(
            f"   {function:<11} import {' + '.join(modules)}: median {wall:.3f} s "
            f"(CPU {cpu:.3f} s) of {IMPORT_RUNS} fresh processes; its libraries alone {libraries:.3f} s",
            flush=True,
        )
    return result


# -- what Gemini is sent -----------------------------------------------------------------------
def inline_images(node: Any) -> list[bytes]:
    """Every inline image in a generateContent body (the SDK sends inlineData, base64)."""
    if isinstance(node, dict):
        inline = node.get("inlineData") or node.get("inline_data")
        if isinstance(inline, dict) and "data" in inline:
            # The SDK encodes bytes URL-safe; accept either alphabet.
            return [base64.urlsafe_b64decode(inline["data"].replace("+", "-").replace("/", "_"))]
        return [image for value in node.values() for image in inline_images(value)]
    if isinstance(node, list):
        return [image for value in node for image in inline_images(value)]
    return []


def image_tokens(width: int, height: int) -> int:
    """Gemini's documented image cost: 258 tokens up to 384 px both sides, else 258 per 768x768 tile."""
    if width <= GEMINI_SMALL_SIDE and height <= GEMINI_SMALL_SIDE:
        return GEMINI_TOKENS_PER_TILE
    return math.ceil(width / GEMINI_TILE) * math.ceil(height / GEMINI_TILE) * GEMINI_TOKENS_PER_TILE


def gemini_cost(requests: list[dict[str, Any]]) -> dict[str, Any]:
    import cv2

    images = [image for r in requests for image in inline_images(r["body"])]
    if not images:
        raise SystemExit("Gemini was sent no inline image: the benchmark cannot report its cost")
    shapes = [
        cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_UNCHANGED).shape[:2] for image in images
    ]
    tokens = [image_tokens(w, h) for h, w in shapes]
    height, width = shapes[len(shapes) // 2]
    return {
        "requests": len(requests),
        "image_kb_median": statistics.median(len(image) for image in images) / 1000,
        "request_kb_median": statistics.median(r["bytes"] for r in requests) / 1000,
        "image_px_example": [width, height],
        "image_tokens_median": statistics.median(tokens),
        "token_formula": "258 if both sides <= 384 px, else ceil(w/768) * ceil(h/768) * 258",
    }


# -- outputs -----------------------------------------------------------------------------------
def plot(parallel: list[dict[str, Any]], sequential: list[dict[str, Any]], latency: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=100)
    for rows, label, colour in (
        (parallel, "parallel (default stack)", "tab:blue"),
        (sequential, "sequential baseline", "tab:red"),
    ):
        ns = [r["n"] for r in rows]
        ax.plot(ns, [r["e2e_p50"] for r in rows], "o-", color=colour, label=f"{label}, p50")
        ax.plot(ns, [r["e2e_p95"] for r in rows], "s--", color=colour, alpha=0.6, label=f"{label}, p95")
    ax.axhline(latency, color="grey", linestyle=":", label=f"model latency ({latency:g} s)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(SIZES, [str(n) for n in SIZES])
    ticks = [t for t in (2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 70, 100) if t <= 1.2 * ax.get_ylim()[1]]
    ax.set_yticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("receipts sent at once (N chats)")
    ax.set_ylabel("end-to-end seconds (photo to answer)")
    ax.set_title("Receipts in parallel on the local stack (2 cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT, dpi=100)
    plt.close(fig)


def listing(mapping: dict, prefix: str = "", sep: str = " ") -> str:
    return ", ".join(f"{prefix}{key}{sep}{value}" for key, value in mapping.items())


def markdown(results: dict[str, Any]) -> str:
    cold, gemini, cfg = results["cold_start"], results["gemini"], results["config"]
    imports = "\n".join(
        f"| {name} | `{' + '.join(c['modules'])}` | {c['median_s']:.2f} s | {c['cpu_median_s']:.2f} s | "
        f"{c['libraries_median_s']:.2f} s | {TARGETS[f'import_{name}_s']:.1f} s |"
        for name, c in cold.items()
    )
    libraries = "; ".join(f"{name}: `{', '.join(c['libraries'])}`" for name, c in cold.items())
    return f"""{DOC_BEGIN}
Measured {cfg["date"]} on {cfg["cpus"]} cores (load average {cfg["load_before"]} before the run), model
latency {cfg["latency_s"]:g} s, input `{cfg["input"]}` as a {cfg["photo_kb"]:.0f} KB 1280 px phone photo.
Rounds pooled per N: {listing(cfg["rounds"], "N=", " x")} (parallel), {listing(cfg["seq_rounds"], "N=", " x")}
(sequential).

**Parallel** (the default stack: THREADS {listing(cfg["threads"])},
relay up to {cfg["max_in_flight"]} messages in flight per subscription):

{table_lines(results["parallel"], markdown=True)}

**Sequential baseline** (THREADS=1, WORKERS=1 for every function, relay one message at a time):

{table_lines(results["sequential"], markdown=True)}

![end-to-end time against N](img/bench.png)

**CPU per receipt** (milliseconds, by process, parallel stack; the bench process hosts the push relay
and the Telegram and Gemini stand-ins):

{cpu_table(results["parallel"])}

**Deployed configuration** (`infra/pipeline.json`) against the local model:

{deployed_table(cfg["threads"])}

**Cold start** (the median of {IMPORT_RUNS} fresh processes; import time, interpreter start excluded):

| function | imports | median (wall) | median (CPU) | its libraries alone (wall) | target |
|---|---|---:|---:|---:|---:|
{imports}

"Its libraries alone" imports only the third-party packages the function cannot do without
({libraries}), in the same fresh processes, alternated with the full import: the floor under the
function's cold start that no change to our code can go below.

**Sent to Gemini per receipt** (median of {gemini["requests"]} requests): image
{gemini["image_kb_median"]:.0f} KB ({gemini["image_px_example"][0]}x{gemini["image_px_example"][1]} px,
grayscale JPEG), request body {gemini["request_kb_median"]:.0f} KB (base64 and prompt), about
{gemini["image_tokens_median"]:.0f} image tokens ({gemini["token_formula"]}).

`{results["last_line"]}`
{DOC_END}"""


def readme_summary(results: dict[str, Any]) -> str:
    """The README's short table: parallel figures with the sequential baseline's p95 beside them."""
    seq = {r["n"]: r for r in results["sequential"]}
    rows = "\n".join(
        f"| {r['n']} | {r['e2e_p50']:.2f} s | {r['e2e_p95']:.2f} s | {r['ack_p99_ms']:.0f} ms | "
        + (f"{seq[r['n']]['e2e_p95']:.2f} s |" if r["n"] in seq else "– |")
        for r in results["parallel"]
    )
    return f"""{README_BEGIN}
| N | end-to-end p50 | p95 | webhook ack p99 | sequential baseline p95 |
|---:|---:|---:|---:|---:|
{rows}

![end-to-end time against N](docs/img/bench.png)

`{results["last_line"]}`
{README_END}"""


def replace_between(path: Path, begin: str, end: str, generated: str) -> bool:
    """Rewrite the generated part of a page between its markers; False when it has none."""
    text = path.read_text() if path.exists() else ""
    if begin not in text:
        return False
    start, stop = text.index(begin), text.index(end) + len(end)
    path.write_text(text[:start] + generated + text[stop:])
    return True


def write_doc(results: dict[str, Any]) -> None:
    if not replace_between(DOC, DOC_BEGIN, DOC_END, markdown(results)):
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(f"# The concurrency benchmark\n\n`make bench`\n\n{markdown(results)}\n")
    replace_between(README, README_BEGIN, README_END, readme_summary(results))


def last_line(parallel: list[dict], sequential: list[dict], cold: dict, gemini: dict) -> str:
    by_n = {r["n"]: r for r in parallel}
    seq = {r["n"]: r for r in sequential}
    figures = {
        "n1_p50": f"{by_n[1]['e2e_p50']:.2f}" if 1 in by_n else "nan",
        "n5_p95": f"{by_n[5]['e2e_p95']:.2f}" if 5 in by_n else "nan",
        "n50_p95": f"{by_n[50]['e2e_p95']:.2f}" if 50 in by_n else "nan",
        "ack_p99_ms": f"{by_n[max(by_n)]['ack_p99_ms']:.0f}",
        "seq_n5_p95": f"{seq[5]['e2e_p95']:.2f}" if 5 in seq else "nan",
        **{f"import_{name}_s": f"{c['median_s']:.2f}" for name, c in cold.items()},
        "gemini_kb_median": f"{gemini['image_kb_median']:.0f}",
    }
    return "bench " + " ".join(f"{k}={v}" for k, v in figures.items())


def verdicts(line: str) -> list[str]:
    figures = dict(pair.split("=") for pair in line.split()[1:])
    return [
        f"   {name:<20} {float(figures[name]):>8g}  target <= {target:g}  "
        f"{'met' if float(figures[name]) <= target else 'MISSED'}"
        for name, target in TARGETS.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=float(os.environ.get("BENCH_LATENCY") or 3.0))
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--seq-sizes", default=",".join(map(str, SEQ_SIZES)))
    args = parser.parse_args()
    sizes = tuple(int(n) for n in args.sizes.split(","))
    seq_sizes = tuple(int(n) for n in args.seq_sizes.split(","))
    latency = args.latency
    load_before = round(os.getloadavg()[0], 1)

    print("== cold start: each function's imports in fresh processes", flush=True)
    cold = cold_starts()
    photo, source = bench_photo()
    print(
        f"\nInput: {source} as a {len(photo) / 1000:.0f} KB 1280 px phone photo; model latency {latency:g} s"
    )

    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    parallel_config = StackConfig(engine="gemini", gemini_latency_seconds=latency, log_dir=logs / "parallel")
    parallel, gemini_requests = run_setup("parallel", parallel_config, photo, sizes, ROUNDS, latency)
    sequential_config = StackConfig(
        engine="gemini",
        gemini_latency_seconds=latency,
        threads=dict.fromkeys(PIPELINE["functions"], 1),
        workers=dict.fromkeys(PIPELINE["functions"], 1),
        max_in_flight=1,
        log_dir=logs / "sequential",
    )
    sequential, _ = run_setup("sequential baseline", sequential_config, photo, seq_sizes, SEQ_ROUNDS, latency)
    gemini = gemini_cost(gemini_requests)

    line = last_line(parallel, sequential, cold, gemini)
    results = {
        "config": {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": round(os.getloadavg()[0], 1),
            "latency_s": latency,
            "input": source,
            "photo_kb": len(photo) / 1000,
            "rounds": {n: ROUNDS.get(n, 1) for n in sizes},
            "seq_rounds": {n: SEQ_ROUNDS.get(n, 1) for n in seq_sizes},
            "threads": parallel_config.threads,
            "max_in_flight": parallel_config.max_in_flight,
            "deployed": {
                name: {k: f[k] for k in ("cpu", "max_instance_request_concurrency", "max_instance_count")}
                for name, f in PIPELINE["functions"].items()
            },
            "logs": str(logs),
        },
        "parallel": parallel,
        "sequential": sequential,
        "cold_start": cold,
        "gemini": gemini,
        "targets": TARGETS,
        "last_line": line,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    plot(parallel, sequential, latency)
    write_doc(results)

    print_table(f"Parallel (default stack), model latency {latency:g} s:", parallel)
    print_table("Sequential baseline (one process, one thread, one message at a time):", sequential)
    print("\nCPU ms per receipt by process (parallel):\n" + cpu_table(parallel))
    print(
        f"\nSent to Gemini: image median {gemini['image_kb_median']:.0f} KB, "
        f"~{gemini['image_tokens_median']:.0f} image tokens ({gemini['token_formula']})"
    )
    print(
        f"Wrote {RESULTS.relative_to(REPO)}, {PLOT.relative_to(REPO)}, {DOC.relative_to(REPO)}; "
        f"function logs in {logs}\nTargets:"
    )
    print("\n".join(verdicts(line)))
    print(line)


if __name__ == "__main__":
    main()
