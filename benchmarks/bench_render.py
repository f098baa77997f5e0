"""Benchmark rendering: copier and cookiecutter, one combination, N repetitions.

Run `make bench` (or `python benchmarks/bench_render.py --runs 10`). Prints the
median and min wall time per render. The full-matrix time is what
`make test` reports at its end (pytest's duration line).

`--whole-process` times what a user waits for instead: a fresh `copier copy
--defaults --vcs-ref HEAD` process (and `cookiecutter --no-input`), interpreter
start and imports included, next to `copier --version` (the floor: imports only).
The engines are the ones installed beside this Python; `--template` renders another
checkout (a clean clone compares like with like while the work tree is dirty).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
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


def whole_process(template: str, runs: int) -> None:
    scripts = Path(sys.executable).parent
    copy = ["copy", "--defaults", "--vcs-ref", "HEAD", "-q", template]
    commands = {
        "copier --version": lambda dst: [scripts / "copier", "--version"],
        "copier copy": lambda dst: [scripts / "copier", *copy, dst],
        "cookiecutter": lambda dst: [scripts / "cookiecutter", "--no-input", "-o", dst, template],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(runs):  # interleaved, so a busy moment of the host hits every command
        for name, command in commands.items():
            with tempfile.TemporaryDirectory() as tmp:
                argv = [str(part) for part in command(Path(tmp) / f"run{index}")]
                used = _children_cpu()
                start = time.perf_counter()
                subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "HOME": tmp})
                times[name].append(time.perf_counter() - start)
                cpu[name].append(_children_cpu() - used)
    for name, measured in times.items():
        median, best, on_cpu = statistics.median(measured), min(measured), statistics.median(cpu[name])
        # CPU time (user + system of the process and its children) varies less on a shared host.
        print(f"{name:16s} median {median:.3f} s  min {best:.3f} s  cpu {on_cpu:.3f} s  ({runs} runs)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--whole-process", action="store_true", help="time fresh engine processes")
    parser.add_argument("--template", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    if args.whole_process:
        whole_process(args.template, args.runs)
        return
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
