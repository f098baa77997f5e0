"""Environments for the matrix: each generated project gets its own, as its user gets it.

A rendered project's environment is made by `uv sync` from that project's own
`pyproject.toml` (writing its `uv.lock`), so a dependency one combination forgets
fails there even when another combination declares it. uv links every package from
its shared cache, so an environment costs seconds, not an install.

Tools with conflicting pins (checkov) get one shared virtualenv per run instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from filelock import FileLock
from find_python import find_python  # tools/, on pytest's pythonpath
from rendering import ROOT
from uv import find_uv_bin

VENVS = ROOT / ".matrix" / "venvs"
# Compiled bytecode of every environment's modules, written on first import and read by every later
# process. uv does not compile at install, and where PYTHONDONTWRITEBYTECODE is set (as on this host)
# each of a row's processes (pytest and the subprocesses its tests start, cfn-lint, checkov, CDK synth)
# would compile every module it imports again: measured, a fifth to a third of a row's pytest CPU and
# a tenth of a CDK `make validate`. Bytecode is keyed by the source's absolute path and checked against its mtime,
# which uv's links from its cache keep, so it stays valid from one run to the next.
PYCACHE = ROOT / ".matrix" / "pycache"
UV = find_uv_bin()


def uv_cache_dir() -> str:
    """The user's uv cache (read before the suite points HOME elsewhere), shared by every environment."""
    return subprocess.run([UV, "cache", "dir"], capture_output=True, text=True, check=True).stdout.strip()


def uv(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run uv offline first (the shared cache usually holds everything: no index round trips),
    then online when the cache lacks something. Returns the last attempt."""
    result = subprocess.run([UV, *args, "--offline"], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        result = subprocess.run([UV, *args], cwd=cwd, env=env, capture_output=True, text=True)
    return result


def shared_venv(version: str, requirements: list[str], purpose: str) -> Path:
    """A tool venv for these requirements, made once per set (under a lock shared by xdist workers)."""
    wanted = sorted(set(requirements))
    digest = hashlib.sha256("\n".join([version, *wanted]).encode()).hexdigest()[:12]
    prefix = f"{purpose}-py{version}-"
    venv = VENVS / f"{prefix}{digest}"
    VENVS.mkdir(parents=True, exist_ok=True)
    with FileLock(str(venv) + ".lock"):
        if (venv / ".complete").exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        python = find_python(version)
        subprocess.run([UV, "venv", "--quiet", "--python", python, str(venv)], check=True, env=env)
        created = uv("pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *wanted, env=env)
        if created.returncode != 0:
            raise RuntimeError(f"installing {wanted} failed:\n{created.stderr[-3000:]}")
        (venv / ".complete").touch()
        for stale in VENVS.glob(f"{prefix}*"):
            if stale != venv and stale.is_dir():  # an older set of requirements
                shutil.rmtree(stale, ignore_errors=True)
    return venv


def project_env(project: Path, python_version: str, extra: dict[str, str]) -> dict[str, str]:
    """The environment a generated project's commands run in: its own .venv first on PATH, then uv."""
    venv = project / ".venv"
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(venv / "bin"), str(Path(UV).parent), os.environ["PATH"]]),
        "VIRTUAL_ENV": str(venv),
        "UV_PYTHON": find_python(python_version),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
        **extra,
    }
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def sync_project(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`uv sync` in a rendered project: its .venv and uv.lock from its own pyproject.toml."""
    return uv("sync", env=env, cwd=project)
