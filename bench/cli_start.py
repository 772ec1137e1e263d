"""Benchmark: how long ``myomap refer temple=7 --side right`` takes as a whole command.

Runs the installed ``myomap`` command (or ``python -c 'from myomap.cli import main; main()'``)
as a new process, --runs times each, and prints the median and best wall time (and the median
CPU time, steadier when other programs share the CPUs) of:

- a bare ``python -c pass`` (the interpreter's own start, the floor);
- ``import myomap.cli`` alone;
- the whole command with a warm compiled knowledge cache (the usual case);
- the whole command with an empty cache folder (first run after an install or a data change:
  parses the YAML and writes the cache).

Python writes its bytecode (``__pycache__``) as an installed package has it, even where
PYTHONDONTWRITEBYTECODE is set: without it every run compiles the sources again (about 40 ms).
Each figure uses a fresh temporary cache folder (MYOMAP_CACHE_DIR) so the user's cache is left
alone. Goal (issue #8): the warm whole command under 250 ms. Prints, never asserts.

    .venv/bin/python bench/cli_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REFER = ["refer", "temple=7", "--side", "right"]


def myomap_command() -> list[str]:
    exe = Path(sys.executable).with_name("myomap")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from myomap.cli import main; main()"]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one run of ``cmd``; CPU time is steadier on a busy machine."""
    cpu_before, started = _children_cpu_s(), time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall, cpu = (time.perf_counter() - started) * 1000, (_children_cpu_s() - cpu_before) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return wall, cpu


def timings(cmd: list[str], env: dict[str, str], runs: int, *, cold_cache: Path | None = None) -> list[tuple[float, float]]:
    out = []
    for _ in range(runs):
        if cold_cache is not None:
            shutil.rmtree(cold_cache, ignore_errors=True)
        out.append(run_once(cmd, env))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "MYOMAP_CACHE_DIR": str(cache)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: with bytecode, not compiling each run
        myomap = myomap_command()
        run_once([*myomap, *REFER], env)  # fills the cache (and the OS file cache) once
        rows = [
            ("python -c pass", timings([sys.executable, "-c", "pass"], env, args.runs)),
            ("import myomap.cli", timings([sys.executable, "-c", "import myomap.cli"], env, args.runs)),
            ("myomap refer (warm cache)", timings([*myomap, *REFER], env, args.runs)),
            ("myomap refer (empty cache)", timings([*myomap, *REFER], env, args.runs, cold_cache=cache)),
        ]
    print(f"myomap {' '.join(REFER)}; {args.runs} runs each, {os.cpu_count()} CPUs")
    print(f"{'':30} {'wall median ms':>15} {'wall best ms':>13} {'CPU median ms':>14}")
    for label, values in rows:
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        print(f"{label:30} {statistics.median(walls):>15.0f} {min(walls):>13.0f} {statistics.median(cpus):>14.0f}")


if __name__ == "__main__":
    main()
