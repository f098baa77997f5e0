"""Benchmark rendering: copier and cookiecutter, one combination, N repetitions.

Run `make bench` (or `python benchmarks/bench_render.py --runs 10`). Prints the
median and min wall time per render. The full-matrix time is what
`make test` reports at its end (pytest's duration line).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from combinations import DEFAULT  # noqa: E402
from rendering import isolate_home, render_cookiecutter, render_copier  # noqa: E402


def timed(render, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for index in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            render(Path(tmp) / f"run{index}")
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        isolate_home(Path(home))
        engines = {
            "copier copy": lambda dst: render_copier(dst, DEFAULT.answers),
            "cookiecutter": lambda dst: render_cookiecutter(dst, DEFAULT.answers),
        }
        for name, render in engines.items():
            times = timed(render, args.runs)
            print(f"{name:14s} median {statistics.median(times):.3f} s  min {min(times):.3f} s  ({args.runs} runs)")


if __name__ == "__main__":
    main()
