"""One shared virtualenv per Python version for all generated projects.

The generated projects run from their `src/` folder (pytest `pythonpath`, mypy
`mypy_path`), so they need not be installed: the union of their declared
dependencies is installed once, into a venv named by the hash of that union,
and reused by every combination and by later runs.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jinja2
from filelock import FileLock

from combinations import Combination
from rendering import ROOT

VENVS = ROOT / ".matrix" / "venvs"


def find_python(version: str) -> str:
    """An interpreter for `version`: on PATH, or in pyenv's or uv's install folders."""
    candidates = [shutil.which(f"python{version}") or ""]
    home = Path.home() if "PYENV_ROOT" not in os.environ else Path(os.environ["PYENV_ROOT"])
    for pattern in (
        os.path.join(os.environ.get("PYENV_ROOT", "/root/.pyenv"), f"versions/{version}*/bin/python{version}"),
        str(home / f".pyenv/versions/{version}*/bin/python{version}"),
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ):
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    raise RuntimeError(
        f"Python {version} is needed to test combinations with python_version={version}; "
        f"install it (for example `pyenv install {version}`) and put python{version} on PATH."
    )


def rendered_requirements(combination: Combination, defaults: dict[str, Any]) -> list[str]:
    """Runtime and dev requirements of one combination, read from its rendered pyproject."""
    source = (ROOT / "template" / "pyproject.toml.jinja").read_text(encoding="utf-8")
    context = {**defaults, **combination.answers}
    text = jinja2.Template(source, keep_trailing_newline=True).render(cookiecutter=context)
    project = tomllib.loads(text)["project"]
    return [*project.get("dependencies", []), *project.get("optional-dependencies", {}).get("dev", [])]


def shared_venv(version: str, requirements: list[str], purpose: str = "projects") -> Path:
    """Create (once, under a lock shared by xdist workers) the venv for these requirements."""
    wanted = sorted(set(requirements))
    digest = hashlib.sha256("\n".join([version, *wanted]).encode()).hexdigest()[:12]
    prefix = f"{purpose}-py{version}-"
    venv = VENVS / f"{prefix}{digest}"
    VENVS.mkdir(parents=True, exist_ok=True)
    with FileLock(str(venv) + ".lock"):
        if (venv / ".complete").exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        uv = [sys.executable, "-m", "uv"]
        subprocess.run([*uv, "venv", "--quiet", "--python", find_python(version), str(venv)], check=True)
        requirements_file = venv / "requirements.in"
        requirements_file.write_text("\n".join(wanted) + "\n", encoding="utf-8")
        subprocess.run(
            [*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "-r", str(requirements_file)],
            check=True,
        )
        (venv / ".complete").touch()
        for stale in VENVS.glob(f"{prefix}*"):
            if stale != venv and stale.is_dir():  # an older union of requirements
                shutil.rmtree(stale, ignore_errors=True)
    return venv
