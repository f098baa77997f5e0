"""copier and cookiecutter turn the same answers into the same project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from combinations import DEFAULT, SUPPORTED, Combination
from rendering import (
    ANSWERS_FILE,
    ROOT,
    project_files,
    project_folders,
    render_cookiecutter,
    render_copier,
    template_is_clean,
)


def executable_files(project: Path) -> list[str]:
    return sorted(name for name in project_files(project) if os.access(project / name, os.X_OK))


def _params(combination: Combination) -> object:
    marks = [pytest.mark.smoke] if combination is DEFAULT else []
    return pytest.param(combination, id=combination.id, marks=marks)


@pytest.mark.parametrize("combination", [_params(c) for c in SUPPORTED])
def test_engines_render_identical_trees(tmp_path: Path, combination: Combination) -> None:
    by_copier = render_copier(tmp_path / "copier" / "svc", combination.answers)
    by_cookiecutter = render_cookiecutter(tmp_path / "cookiecutter", combination.answers)

    copier_files = project_files(by_copier)
    cookiecutter_files = project_files(by_cookiecutter)
    copier_answers = yaml.safe_load(copier_files.pop(ANSWERS_FILE))
    cookiecutter_answers = yaml.safe_load(cookiecutter_files.pop(ANSWERS_FILE))

    assert sorted(copier_files) == sorted(cookiecutter_files)
    # No option leaves an empty folder behind. Only a work tree can hold an empty folder
    # (git keeps none): cookiecutter copies it, copier renders from a commit.
    assert [folder for folder in project_folders(by_copier) if not any((by_copier / folder).iterdir())] == []
    if template_is_clean():
        assert project_folders(by_copier) == project_folders(by_cookiecutter)
    different = [name for name in copier_files if copier_files[name] != cookiecutter_files[name]]
    assert different == []
    # Copier takes a file's mode from git's index: a path git stores as a symlink (copier.yml's views)
    # would lose its executable bit.
    assert executable_files(by_copier) == executable_files(by_cookiecutter)
    # Both record the answers and the template source, so `copier update` works on either.
    for answers in (copier_answers, cookiecutter_answers):
        assert answers["_src_path"] in (str(ROOT), ROOT.as_posix())
        assert answers["compute"] == combination.compute
    assert {k: v for k, v in copier_answers.items() if not k.startswith("_")} == {
        k: v for k, v in cookiecutter_answers.items() if not k.startswith("_")
    }
    if template_is_clean():  # copier records a temporary commit for dirty work trees
        assert copier_answers["_commit"] == cookiecutter_answers["_commit"]


@pytest.mark.smoke
def test_defaults_need_no_answers(tmp_path: Path) -> None:
    project = render_copier(tmp_path / "svc", {})
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["project_slug"] == "customer-service"
    assert answers["package_name"] == "customer_service"
    assert (project / "src" / "customer_service").is_dir()
