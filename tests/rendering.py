"""Render the template with either engine, in-process, the way a user would."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import copier
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
ANSWERS_FILE = ".copier-answers.yml"
# Template syntax that must never survive a render. CloudFormation's dynamic
# references ({{resolve:...}}) are real output, not leftovers.
LEFTOVER_MARKERS = ("{{", "{%", "cookiecutter.")
ALLOWED_BRACES = ("{{resolve:",)


def render_copier(dst: Path, answers: dict[str, Any]) -> Path:
    copier.run_copy(
        str(ROOT), dst, data=answers, defaults=True, quiet=True, unsafe=False, vcs_ref="HEAD"
    )
    return dst


def render_cookiecutter(output_dir: Path, answers: dict[str, Any]) -> Path:
    project = cookiecutter(
        str(ROOT), no_input=True, extra_context=answers, output_dir=str(output_dir)
    )
    return Path(project)


def project_files(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def leftover_template_syntax(project: Path) -> list[str]:
    found = []
    for name, content in project_files(project).items():
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            continue
        for marker in LEFTOVER_MARKERS:
            cleaned = text
            for allowed in ALLOWED_BRACES:
                cleaned = cleaned.replace(allowed, "")
            if marker in cleaned or marker in name:
                found.append(f"{name}: {marker}")
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


def default_answers() -> dict[str, Any]:
    """The answers both engines use when none are given (derived ones computed)."""
    import re

    import jinja2
    import yaml

    questions = yaml.safe_load((ROOT / "questions.yml").read_text(encoding="utf-8"))["questions"]
    env = jinja2.Environment(autoescape=False)  # noqa: S701 - renders plain answers, not HTML
    env.filters["regex_replace"] = lambda value, pattern, repl: re.sub(pattern, repl, value)
    answers: dict[str, Any] = {}
    for name, question in questions.items():
        default = question["default"]
        answers[name] = env.from_string(default).render(**answers) if isinstance(default, str) else default
    return answers


def template_is_clean() -> bool:
    import subprocess

    status = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True, check=False
    )
    return status.returncode == 0 and not status.stdout.strip()
