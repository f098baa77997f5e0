"""Cookiecutter post-generation hook: make the tree match what copier writes.

Copier renders only `*.jinja` files, strips the suffix, skips paths whose answer
does not bring them (copier.yml `_exclude`) and writes `.copier-answers.yml`.
This hook does the same three things for cookiecutter, from the same manifest.
Importable for unit tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from cookiecutter.environment import StrictEnvironment

SUFFIX = ".jinja"
ANSWERS_FILE = ".copier-answers.yml"
ANSWERS_HEADER = "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"


def strip_template_suffix(project: Path) -> None:
    for path in sorted(project.rglob(f"*{SUFFIX}"), reverse=True):
        path.rename(path.with_name(path.name[: -len(SUFFIX)]))


def is_brought(condition: dict[str, list[Any]], answers: dict[str, Any]) -> bool:
    return all(answers.get(name) in values for name, values in condition.items())


def rendered_path(raw_path: str, context: dict[str, Any]) -> str:
    """The path's name as cookiecutter rendered it (its environment: an unknown name fails)."""
    # This file is itself rendered by cookiecutter, so it never spells out a Jinja opener.
    if "cookiecutter." not in raw_path:
        return raw_path
    return StrictEnvironment().from_string(raw_path).render(cookiecutter=context)


def remove_unselected(project: Path, context: dict[str, Any]) -> None:
    """Remove every path whose answers are not given, then the folders this leaves empty.

    A path inside a removed folder goes with it, whatever its own answers: a path
    exists only when its own condition and those of the folders above it hold.
    Copier leaves no empty folder either (copier.yml excludes folders whose every
    file is optional when none of those files is brought).
    """
    for raw_path, condition in context["_option_paths"].items():
        if is_brought(condition, context):
            continue
        target = project / rendered_path(raw_path, context)
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        else:
            continue
        for folder in target.parents:
            if folder == project or not folder.is_relative_to(project) or any(folder.iterdir()):
                break
            folder.rmdir()


def template_commit(repo_dir: str) -> str | None:
    """The template version, as copier records it: the git tag or commit."""
    try:
        described = subprocess.run(
            ["git", "-C", repo_dir, "describe", "--tags", "--always"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return described.stdout.strip() or None


def answers_document(context: dict[str, Any], commit: str | None) -> str:
    answers = {key: value for key, value in context.items() if not key.startswith("_")}
    if commit:
        answers["_commit"] = commit
    answers["_src_path"] = context["_template"]
    # Same layout as copier's `to_nice_yaml` so `copier update` reads it as its own.
    body = yaml.safe_dump(answers, indent=4, allow_unicode=True, default_flow_style=False, sort_keys=True)
    return ANSWERS_HEADER + body


def finalize(project: Path, context: dict[str, Any]) -> None:
    strip_template_suffix(project)
    remove_unselected(project, context)
    commit = template_commit(context.get("_repo_dir", context["_template"]))
    (project / ANSWERS_FILE).write_text(answers_document(context, commit), encoding="utf-8")


if __name__ == "__main__":
    finalize(Path.cwd(), json.loads({{cookiecutter | jsonify | tojson}}))  # type: ignore[name-defined]  # noqa: F821
    sys.exit(0)
