"""Unit tests of the cookiecutter hooks' functions (they are importable modules)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rendering import ROOT


def load_hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")

RULES = {
    "project_slug": [{"pattern": r"^[a-z][a-z-]*\Z", "message": "must be kebab-case"}],
    "package_name": [{"not_in": ["json", "class"], "message": "must not be reserved"}],
    "iac": [{"when": {"iac": "sam"}, "require": {"compute": "lambda"}, "message": "sam needs lambda"}],
}


def test_valid_answers_pass() -> None:
    answers = {"project_slug": "svc", "package_name": "svc", "iac": "sam", "compute": "lambda"}
    assert pre.check_answers(answers, RULES) == []


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"project_slug": "Bad"}, 'project_slug: must be kebab-case (got "Bad")'),
        ({"project_slug": "ok\n"}, 'project_slug: must be kebab-case (got "ok\\n")'),
        ({"package_name": "json"}, 'package_name: must not be reserved (got "json")'),
        ({"iac": "sam", "compute": "fargate"}, 'iac: sam needs lambda (got "sam")'),
    ],
)
def test_invalid_answer_names_field_and_rule(answers: dict[str, str], error: str) -> None:
    base = {"project_slug": "svc", "package_name": "svc", "iac": "terraform", "compute": "fargate"}
    assert pre.check_answers({**base, **answers}, RULES) == [error]


def test_main_reports_every_invalid_field(capsys: pytest.CaptureFixture[str]) -> None:
    context = {
        "project_slug": "Bad",
        "package_name": "class",
        "iac": "cdk",
        "compute": "lambda",
        "_rules": RULES,
    }
    import json

    assert pre.main(json.dumps(context)) == 1
    assert capsys.readouterr().err.count("Invalid answer:") == 2


def test_post_hook_strips_suffix_and_removes_unselected(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "app.py.jinja").write_text("x = 1\n")
    (tmp_path / "src" / "pkg" / "lambda_handler.py").write_text("y = 2\n")
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "v2.json").write_text("{}")
    context = {
        "package_name": "pkg",
        "compute": "fargate",
        "_template": "/templates/svc",
        "_option_paths": {
            "src/{{ cookiecutter.package_name }}/lambda_handler.py": {"compute": ["lambda"]},
            "events": {"compute": ["lambda"]},
            "src/{{ cookiecutter.package_name }}/app.py": {"compute": ["fargate"]},
        },
    }
    post.finalize(tmp_path, context)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [".copier-answers.yml", "src/pkg/app.py"]


def test_answers_document_matches_copier_layout() -> None:
    context = {"project_name": "Svc", "waf": True, "_template": "/t", "_rules": {}}
    text = post.answers_document(context, "v1.2.0")
    assert text.splitlines() == [
        "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY",
        "_commit: v1.2.0",
        "_src_path: /t",
        "project_name: Svc",
        "waf: true",
    ]


def _write(project: Path, *names: str) -> None:
    for name in names:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(name)


def _left(project: Path) -> tuple[list[str], list[str]]:
    entries = sorted(project.rglob("*"))
    return (
        [p.relative_to(project).as_posix() for p in entries if p.is_file()],
        [p.relative_to(project).as_posix() for p in entries if p.is_dir()],
    )


OPTION_PATHS = {
    # a folder one answer brings
    "infra/terraform": {"iac": ["terraform"]},
    # a folder inside it, under another question: needs both
    "infra/terraform/lambda": {"compute": ["lambda"]},
    # a file inside it with a condition of its own
    "infra/terraform/waf.tf": {"waf": [True]},
    # one path for two answers of one question
    "infra/deploy.sh": {"iac": ["cloudformation", "sam"]},
    # a file under two questions: needs both
    "docs/edge-terraform.md": {"iac": ["terraform"], "waf": [True]},
    "src/{{ cookiecutter.package_name }}/edge": {"waf": [True]},
}
SHAPE_FILES = (
    "README.md", "docs/index.md", "docs/edge-terraform.md", "infra/deploy.sh", "infra/terraform/main.tf",
    "infra/terraform/waf.tf", "infra/terraform/lambda/function.tf", "src/pkg/edge/acl.py",
)  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "files"),
    [
        (
            {"iac": "terraform", "compute": "lambda", "waf": True},
            ["README.md", "docs/edge-terraform.md", "docs/index.md", "infra/terraform/lambda/function.tf",
             "infra/terraform/main.tf", "infra/terraform/waf.tf", "src/pkg/edge/acl.py"],
        ),
        (
            {"iac": "terraform", "compute": "fargate", "waf": False},
            ["README.md", "docs/index.md", "infra/terraform/main.tf"],
        ),
        (
            # the nested folder's own answer holds, but the folder around it is not brought
            {"iac": "sam", "compute": "lambda", "waf": True},
            ["README.md", "docs/index.md", "infra/deploy.sh", "src/pkg/edge/acl.py"],
        ),
        (
            {"iac": "cdk", "compute": "lambda", "waf": False},
            ["README.md", "docs/index.md"],
        ),
    ],
)  # fmt: skip
def test_remove_unselected_applies_folders_and_several_questions(
    tmp_path: Path, answers: dict[str, object], files: list[str]
) -> None:
    _write(tmp_path, *SHAPE_FILES)
    post.remove_unselected(tmp_path, {"package_name": "pkg", **answers, "_option_paths": OPTION_PATHS})
    left, folders = _left(tmp_path)
    assert left == files
    # folders emptied by the removals go too, as copier never creates them
    assert folders == sorted({"/".join(f.split("/")[:d]) for f in files for d in range(1, f.count("/") + 1)})


def test_remove_unselected_keeps_folders_that_still_hold_files(tmp_path: Path) -> None:
    _write(tmp_path, "tests/infra/validate.py", "tests/infra/sam.py", "tests/test_app.py")
    context = {"iac": "cloudformation", "_option_paths": {"tests/infra/sam.py": {"iac": ["sam"]}}}
    post.remove_unselected(tmp_path, context)
    assert _left(tmp_path) == (["tests/infra/validate.py", "tests/test_app.py"], ["tests", "tests/infra"])
