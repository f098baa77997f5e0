"""Render every supported combination and run the generated project's own checks.

`pytest -m smoke` runs the default combination only; plain `pytest` runs all.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from combinations import DEFAULT, SUPPORTED, UNSUPPORTED, Combination
from matrix_env import rendered_requirements, shared_venv
from rendering import ROOT, default_answers, leftover_template_syntax, render_copier

DEFAULTS = default_answers()
CHECKS = (
    ("ruff check", ["ruff", "check", "--no-cache", "."]),
    ("ruff format", ["ruff", "format", "--check", "--no-cache", "."]),
    ("mypy", ["mypy"]),
    ("pytest", ["python", "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-x"]),
)


@pytest.fixture(scope="session")
def venvs() -> dict[str, Path]:
    """Python version -> venv holding every supported combination's dependencies."""
    requirements: dict[str, list[str]] = {}
    for combination in SUPPORTED:
        requirements.setdefault(combination.python_version, []).extend(
            rendered_requirements(combination, DEFAULTS)
        )
    return {version: shared_venv(version, wanted) for version, wanted in requirements.items()}


@pytest.fixture(scope="session")
def checkov() -> Path:
    """checkov pins old libraries, so it gets a venv of its own (TOOLING-NOTES)."""
    return shared_venv("3.12", ["checkov>=3.2.300"], purpose="checkov") / "bin" / "checkov"


def _run_check(
    venv: Path, project: Path, command: list[str], checkov: Path
) -> subprocess.CompletedProcess[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(venv),
        # Third-party modules are the same for every combination: one cache per worker.
        "MYPY_CACHE_DIR": str(ROOT / ".matrix" / "mypy-cache" / worker),
        "REQUIRE_POSTGRES": "1",
        "CHECKOV": str(checkov),
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    }
    env.pop("PYTHONPATH", None)
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)


def _params(combination: Combination) -> object:
    marks = [pytest.mark.matrix]
    if combination is DEFAULT:
        marks.append(pytest.mark.smoke)
    return pytest.param(combination, id=combination.id, marks=marks)


@pytest.mark.parametrize("combination", [_params(c) for c in SUPPORTED])
def test_generated_project_passes_its_checks(
    tmp_path: Path, venvs: dict[str, Path], checkov: Path, combination: Combination
) -> None:
    project = render_copier(tmp_path / combination.id, combination.answers)
    assert leftover_template_syntax(project) == []
    failures = []
    for name, command in CHECKS:
        result = _run_check(venvs[combination.python_version], project, command, checkov)
        if result.returncode != 0:
            failures.append(f"--- {name} (exit {result.returncode})\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
        elif name == "pytest" and " skipped" in result.stdout:
            # Every tool a generated test needs is provided here, so a skip hides a gap.
            failures.append(f"--- pytest skipped tests\n{result.stdout[-3000:]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("combination", [pytest.param(c, id=c.id) for c in UNSUPPORTED])
def test_unsupported_combination_is_refused(tmp_path: Path, combination: Combination) -> None:
    with pytest.raises(ValueError, match="sam is only supported with compute=lambda"):
        render_copier(tmp_path / "svc", combination.answers)
    assert not (tmp_path / "svc").exists()
