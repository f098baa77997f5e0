"""Render the template with either engine, in-process, the way a user would."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import copier
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
ANSWERS_FILE = ".copier-answers.yml"
# Template syntax that must never survive a render: a Jinja expression or statement, or an answer
# reference. Output may hold doubled braces of its own (Python f-strings `{{1,64}}`, HCL heredocs,
# CloudFormation's `{{resolve:...}}`, GitHub's `${{ ... }}`), so only Jinja's shapes count.
LEFTOVER_PATTERNS = {
    "{{ expression }}": re.compile(r"(?<!\$)\{\{-?\s*[A-Za-z_][\w.]*\s*(\|[^{}]*)?-?\}\}"),
    "{% statement %}": re.compile(r"\{%-?\s*(if|elif|else|endif|for|endfor|set|raw|endraw|include|macro)\b"),
    "cookiecutter.<name>": re.compile(r"\bcookiecutter\.[A-Za-z_]"),
}


def render_copier(dst: Path, answers: dict[str, Any]) -> Path:
    copier.run_copy(str(ROOT), dst, data=answers, defaults=True, quiet=True, unsafe=False, vcs_ref="HEAD")
    return dst


def render_cookiecutter(output_dir: Path, answers: dict[str, Any]) -> Path:
    project = cookiecutter(str(ROOT), no_input=True, extra_context=answers, output_dir=str(output_dir))
    return Path(project)


def project_files(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def project_folders(project: Path) -> list[str]:
    return [
        path.relative_to(project).as_posix()
        for path in sorted(project.rglob("*"))
        if path.is_dir() and ".git" not in path.relative_to(project).parts
    ]


def leftover_template_syntax(project: Path) -> list[str]:
    found = []
    for name, content in project_files(project).items():
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            continue
        for label, pattern in LEFTOVER_PATTERNS.items():
            if pattern.search(text) or pattern.search(name):
                found.append(f"{name}: {label}")
    return found


def isolate_home(home: Path) -> None:
    """Engines write replay files and caches under HOME; keep them out of the user's."""
    home.mkdir(parents=True, exist_ok=True)
    os.environ["HOME"] = str(home)
    config = home / ".cookiecutterrc"
    config.write_text(
        "replay_dir: " + json.dumps(str(home / "replay")) + "\n"
        "cookiecutters_dir: " + json.dumps(str(home / "cookiecutters")) + "\n",
        encoding="utf-8",
    )
    os.environ["COOKIECUTTER_CONFIG"] = str(config)


def template_context(answers: dict[str, Any]) -> dict[str, Any]:
    """What templates see as `cookiecutter` for `answers`, defaults and derived answers included.

    Copier computes it (a dry run that writes nothing), so it cannot drift from a real render.
    """
    with tempfile.TemporaryDirectory() as tmp:
        worker = copier.run_copy(
            str(ROOT), Path(tmp) / "project", data=answers, defaults=True, quiet=True,
            pretend=True, unsafe=False, vcs_ref="HEAD",
        )  # fmt: skip
    return dict(worker.answers.combined["cookiecutter"])


def default_answers() -> dict[str, Any]:
    """The answers both engines use when none are given (derived ones computed)."""
    return template_context({})


def template_is_clean() -> bool:
    import subprocess

    status = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True, check=False
    )
    return status.returncode == 0 and not status.stdout.strip()
