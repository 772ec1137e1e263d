"""Speed of referral inference: ranking a 10-region drawing in-process, and `myomap refer` whole.

Targets (issue #3): in-process median under 2 ms; the whole command under 1 s including start-up.
Prints the figures; asserts nothing. Usage: .venv/bin/python bench/referral_bench.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from myomap.referral import PainMark, rank_muscles

DRAWING = [
    PainMark("temple.right", 7), PainMark("posterior_neck.right", 5), PainMark("mastoid.right", 4),
    PainMark("top_of_shoulder.right", 6), PainMark("interscapular.right", 3), PainMark("jaw.right", 4),
    PainMark("occiput.right", 5), PainMark("lateral_shoulder.right", 3), PainMark("lumbar_paraspinal.left", 6),
    PainMark("sacrum", 4),
]


def main() -> int:
    rank_muscles(DRAWING)  # load the knowledge base and build the index once
    times = []
    for _ in range(300):
        start = time.perf_counter()
        rank_muscles(DRAWING)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"rank 10-region drawing in-process: median {statistics.median(times):.2f} ms, "
          f"p90 {times[int(len(times) * 0.9)]:.2f} ms over {len(times)} runs")
    exe = Path(sys.executable).with_name("myomap")
    args = [str(exe), "refer", "temple", "posterior neck", "mastoid", "top of shoulder", "jaw", "--side", "right", "--json"]
    walls = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    print(f"`myomap refer` whole command: median {statistics.median(walls) * 1000:.0f} ms, "
          f"max {max(walls) * 1000:.0f} ms over {len(walls)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
