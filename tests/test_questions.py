"""The question source, the generated engine files and the combination table agree."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import yaml

from combinations import MODULES, SUPPORTED, UNSUPPORTED
from rendering import ROOT

QUESTIONS = yaml.safe_load((ROOT / "questions.yml").read_text(encoding="utf-8"))["questions"]


def test_engine_files_are_generated_from_questions() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sync_engines.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_both_engines_ask_the_same_questions_with_the_same_defaults() -> None:
    copier_yml = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    cookiecutter_json = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    copier_questions = [k for k in copier_yml if not k.startswith("_") and k != "cookiecutter"]
    cookiecutter_questions = [k for k in cookiecutter_json if not k.startswith("_")]
    assert copier_questions == cookiecutter_questions == list(QUESTIONS)
    for name, question in QUESTIONS.items():
        if "choices" in question:
            assert sorted(copier_yml[name]["choices"].values()) == sorted(cookiecutter_json[name])
            assert cookiecutter_json[name][0] == copier_yml[name]["default"]
        elif "default_cookiecutter" not in question:
            assert cookiecutter_json[name] == copier_yml[name]["default"]


def test_every_path_an_answer_brings_exists_in_the_template() -> None:
    template_paths = {
        path.relative_to(ROOT / "template").as_posix().removesuffix(".jinja")
        for path in (ROOT / "template").rglob("*")
    }
    for name, question in QUESTIONS.items():
        for value, paths in (question.get("brings") or {}).items():
            for path in paths:
                assert path in template_paths, f"{name}={value} brings {path}, which is not in template/"


def test_supported_rows_cover_every_valid_triple_once() -> None:
    choices = {name: list(QUESTIONS[name]["choices"]) for name in ("compute", "iac", "auth_provider")}
    valid = {
        triple
        for triple in itertools.product(choices["compute"], choices["iac"], choices["auth_provider"])
        if not (triple[1] == "sam" and triple[0] != "lambda")
    }
    unlabelled = [(c.compute, c.iac, c.auth_provider) for c in SUPPORTED if not c.label]
    assert len(valid) == 21
    assert sorted(unlabelled) == sorted(valid)
    assert {(c.compute, c.iac) for c in UNSUPPORTED} == {("fargate", "sam")}


def test_module_pairs_are_covered_within_each_compute() -> None:
    for compute in ("fargate", "lambda"):
        rows = [c.modules for c in SUPPORTED if c.compute == compute and not c.label]
        for (i, _), (j, _) in itertools.combinations(enumerate(MODULES), 2):
            seen = {(row[i], row[j]) for row in rows}
            assert seen == set(itertools.product((False, True), repeat=2)), (compute, MODULES[i], MODULES[j])
    assert any(all(c.modules) for c in SUPPORTED)
    assert any(not any(c.modules) for c in SUPPORTED)


def test_every_offered_choice_is_in_the_matrix() -> None:
    for name, question in QUESTIONS.items():
        if "choices" in question:
            offered = set(question["choices"])
            tested = {c.answers[name] for c in SUPPORTED}
            assert offered == tested, f"{name}: offered {offered}, tested {tested}"


def test_ids_are_unique_and_readable() -> None:
    ids = [c.id for c in SUPPORTED]
    assert len(ids) == len(set(ids))
    assert "fargate-terraform-cognito" in ids
