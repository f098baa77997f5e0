"""bandit over the service code: no finding of medium or high severity (ruff's S rules also cover tests)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_finds_nothing_in_src() -> None:
    if importlib.util.find_spec("bandit") is None:
        pytest.fail("bandit is not installed: it is a dev dependency, run `uv sync` (make install)")
    result = subprocess.run(  # noqa: S603  # fixed arguments: this interpreter running bandit on src/
        [sys.executable, "-m", "bandit", "-q", "--severity-level", "medium", "-r", str(ROOT / "src")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
