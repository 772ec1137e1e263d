"""Benchmark: one posture photo end to end (decode, landmarks, metrics + patterns, annotated PNG).

The pose model is loaded once; after a warm-up, N runs are timed per stage. Prints the median and
90th percentile in ms and the peak resident memory. Pinned to one CPU core where the OS allows it,
so figures compare across machines. Target: median end to end under 150 ms. Prints, never asserts.

    .venv/bin/python bench/posture_bench.py [--photo PATH] [--view anterior] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

DEFAULT_PHOTO = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "tfjs_pose.jpg"


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (os.sched_setaffinity unavailable on this platform)"
    allowed = sorted(os.sched_getaffinity(0))
    core = allowed[0]
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU core {core} (of {len(allowed)} allowed)"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--view", default="anterior", choices=("anterior", "posterior", "left", "right"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    if not args.photo.exists():
        print(f"posture bench skipped: photo {args.photo} not found")
        return 0
    pinning = pin_to_one_core()
    data = args.photo.read_bytes()

    t0 = time.perf_counter()
    from myomap.posture import decode_photo, default_backend, detect_landmarks, recompute

    import_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    default_backend().load()
    load_ms = (time.perf_counter() - t0) * 1000

    stages: dict[str, list[float]] = {"decode": [], "landmarks": [], "metrics+patterns": [], "annotate": [], "total": []}
    recompute_ms: list[float] = []
    size = None
    for i in range(args.warmup + args.runs):
        t0 = time.perf_counter()
        photo = decode_photo(data)
        t1 = time.perf_counter()
        landmarks = detect_landmarks(photo)
        t2 = time.perf_counter()
        analysis = recompute(landmarks, view=args.view, image_size=photo.size, height_cm=170)
        t3 = time.perf_counter()
        png = analysis.annotated_png(photo.rgb)
        t4 = time.perf_counter()
        size = photo.size
        if i >= args.warmup:
            for name, (a, b) in {"decode": (t0, t1), "landmarks": (t1, t2), "metrics+patterns": (t2, t3),
                                 "annotate": (t3, t4), "total": (t0, t4)}.items():
                stages[name].append((b - a) * 1000)
            recompute_ms.append((t3 - t2) * 1000)
    assert png  # keep the result alive until here

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"posture bench: {args.photo.name} ({size[0]}x{size[1]}), view {args.view}, {args.runs} runs after {args.warmup} warm-up")
    print(f"  {pinning}")
    print(f"  import {import_ms:.0f} ms, model load {load_ms:.0f} ms (once per process)")
    print(f"  {'stage':<18}{'median ms':>10}{'p90 ms':>10}")
    for name, values in stages.items():
        print(f"  {name:<18}{statistics.median(values):>10.1f}{pct(values, 0.9):>10.1f}")
    print(f"  peak RSS {peak_mb:.0f} MB; annotated PNG {len(png) / 1024:.0f} KB")
    target = 150.0
    median_total = statistics.median(stages["total"])
    print(f"  target: median end to end under {target:.0f} ms -> {'met' if median_total < target else 'NOT met'} ({median_total:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
