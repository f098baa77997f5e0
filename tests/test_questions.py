"""The question source, the generated engine files and the combination table agree."""

from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import copier
import pytest
import yaml
from combinations import MODULES, SUPPORTED, UNSUPPORTED
from cookiecutter.main import cookiecutter
from rendering import ROOT, project_files

QUESTIONS = yaml.safe_load((ROOT / "questions.yml").read_text(encoding="utf-8"))["questions"]


def test_engine_files_are_generated_from_questions() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sync_engines.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
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


# --- brings: folders, paths under several questions, nested folders -----------------


def _load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync = _load_tool("sync_engines")

PKG = "src/{{ cookiecutter.package_name }}"
CFN_EDGE = "infra/cloudformation/edge.yaml"
# A small template that uses every shape of `brings:` the real one needs.
SHAPES: dict[str, Any] = {
    "questions": {
        "project_slug": {"type": "str", "help": "slug", "default": "demo"},
        "package_name": {"type": "str", "help": "package", "default": "demo_pkg"},
        "compute": {
            "type": "str", "help": "compute", "default": "fargate",
            "choices": {"fargate": "Fargate", "lambda": "Lambda"},
            # a folder inside a folder another question brings
            "brings": {"lambda": ["handler.py", "infra/terraform/lambda", "ops/lambda-alarms.md"]},
        },
        "iac": {
            "type": "str", "help": "iac", "default": "cloudformation",
            "choices": {"cloudformation": "CloudFormation", "terraform": "Terraform", "sam": "SAM"},
            "brings": {
                # one path for two answers of one question
                "cloudformation": ["infra/deploy.sh", "infra/cloudformation/network.yaml", CFN_EDGE],
                "sam": ["infra/deploy.sh", "infra/cloudformation/network.yaml", CFN_EDGE],
                # a folder brought by one answer
                "terraform": ["infra/terraform", "docs/edge-terraform.md"],
            },
        },
        "waf": {
            "type": "bool", "help": "waf", "default": True,
            # files under several questions need all of them; a file inside a brought folder
            "brings": {True: [
                CFN_EDGE, "docs/edge-terraform.md", "infra/terraform/waf.tf",
                f"{PKG}/edge", "ops/waf-runbook.md",
            ]},
        },
    }
}  # fmt: skip
SHAPE_FILES = (
    "README.md", "handler.py", "docs/index.md", "docs/edge-terraform.md",
    "infra/deploy.sh.jinja", "infra/cloudformation/network.yaml", "infra/cloudformation/edge.yaml",
    "infra/terraform/main.tf", "infra/terraform/waf.tf", "infra/terraform/lambda/function.tf",
    "ops/waf-runbook.md", "ops/lambda-alarms.md",
    f"{PKG}/__init__.py", f"{PKG}/edge/acl.py.jinja",
)  # fmt: skip
# Every pair of answers of two questions occurs once.
SHAPE_ANSWERS = [
    {"compute": compute, "iac": iac, "waf": waf}
    for compute, iac, waf in (
        ("fargate", "cloudformation", True), ("fargate", "terraform", False), ("fargate", "sam", True),
        ("lambda", "cloudformation", False), ("lambda", "terraform", True), ("lambda", "sam", False),
    )
]  # fmt: skip


@pytest.fixture(scope="module")
def shapes_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shapes")
    for name in SHAPE_FILES:
        (root / "template" / name).parent.mkdir(parents=True, exist_ok=True)
        text = "# {{ cookiecutter.project_slug }}\n" if name.endswith(".jinja") else f"{name}\n"
        (root / "template" / name).write_text(text, encoding="utf-8")
    (root / "{{cookiecutter.project_slug}}").symlink_to("template")
    (root / "hooks").symlink_to(ROOT / "hooks")
    assert sync.brings_errors(SHAPES["questions"]) == []
    for path, text in sync.render_engine_files(SHAPES, root).items():
        path.write_text(text, encoding="utf-8")
    sync.write_views(SHAPES, root)
    return root


def _tree(project: Path) -> tuple[list[str], list[str]]:
    entries = sorted(p for p in project.rglob("*") if p.name != ".copier-answers.yml")
    files = [p.relative_to(project).as_posix() for p in entries if p.is_file()]
    folders = [p.relative_to(project).as_posix() for p in entries if p.is_dir()]
    return files, folders


def _expected_files(answers: dict[str, Any]) -> list[str]:
    """A file exists when it and every folder above it are brought by the answers."""
    context = {"package_name": "demo_pkg", **answers}
    listed: dict[str, list[tuple[str, Any]]] = {}
    for name, question in SHAPES["questions"].items():
        for value, paths in question.get("brings", {}).items():
            for path in paths:
                listed.setdefault(path.replace(PKG, "src/demo_pkg"), []).append((name, value))

    def brought(path: str) -> bool:
        needs: dict[str, set[Any]] = {}
        for name, value in listed.get(path, []):
            needs.setdefault(name, set()).add(value)
        return all(context[name] in values for name, values in needs.items())

    files = []
    for raw in SHAPE_FILES:
        path = raw.replace(PKG, "src/demo_pkg").removesuffix(".jinja")
        parts = path.split("/")
        if all(brought("/".join(parts[:depth])) for depth in range(1, len(parts) + 1)):
            files.append(path)
    return sorted(files)


def test_real_brings_have_no_mistakes() -> None:
    assert sync.brings_errors(QUESTIONS) == []


def test_copier_exclude_is_one_entry_with_one_test_per_condition() -> None:
    copier_yml = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    [exclude] = copier_yml["_exclude"]
    conditions = {json.dumps(c, sort_keys=True) for c in sync.path_conditions(QUESTIONS).values()}
    tests = [line for line in exclude.splitlines() if line.startswith("{% if")]
    assert len(tests) == len(set(tests)) >= len(conditions)
    patterns = [line for line in exclude.splitlines() if not line.startswith("{%")]
    assert all(line.startswith("/") for line in patterns), "patterns are anchored at the project root"


@pytest.mark.parametrize(
    ("answers", "files"),
    [
        (
            {"compute": "fargate", "iac": "cloudformation", "waf": True},
            ["README.md", "docs/index.md", CFN_EDGE, "infra/cloudformation/network.yaml", "infra/deploy.sh",
             "ops/waf-runbook.md", "src/demo_pkg/__init__.py", "src/demo_pkg/edge/acl.py"],
        ),
        (
            {"compute": "lambda", "iac": "terraform", "waf": False},
            ["README.md", "docs/index.md", "handler.py", "infra/terraform/lambda/function.tf",
             "infra/terraform/main.tf", "ops/lambda-alarms.md", "src/demo_pkg/__init__.py"],
        ),
        (
            {"compute": "fargate", "iac": "terraform", "waf": True},
            ["README.md", "docs/edge-terraform.md", "docs/index.md", "infra/terraform/main.tf",
             "infra/terraform/waf.tf", "ops/waf-runbook.md", "src/demo_pkg/__init__.py",
             "src/demo_pkg/edge/acl.py"],
        ),
    ],
)  # fmt: skip
def test_brings_rule_reads_as_documented(answers: dict[str, Any], files: list[str]) -> None:
    assert _expected_files(answers) == files


@pytest.mark.parametrize("answers", SHAPE_ANSWERS, ids=lambda a: "-".join(str(v) for v in a.values()))
def test_both_engines_apply_brings_to_folders_and_nested_paths(
    shapes_template: Path, tmp_path: Path, answers: dict[str, Any]
) -> None:
    by_copier = tmp_path / "copier"
    copier.run_copy(str(shapes_template), by_copier, data=answers, defaults=True, quiet=True)
    output_dir = str(tmp_path / "cookiecutter")
    by_cookiecutter = Path(
        cookiecutter(str(shapes_template), no_input=True, extra_context=answers, output_dir=output_dir)
    )
    copier_files, copier_folders = _tree(by_copier)
    assert copier_files == _expected_files(answers)
    # No folder is left empty, and cookiecutter's hook leaves the same tree, byte for byte.
    assert {folder for file in copier_files for folder in _parents(file)} == set(copier_folders)
    assert _tree(by_cookiecutter) == (copier_files, copier_folders)
    contents = [project_files(project) for project in (by_copier, by_cookiecutter)]
    contents[1].pop(".copier-answers.yml")  # the hook writes it; this small template has none
    assert contents[0] == contents[1]


def _parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:depth]) for depth in range(1, len(parts))]


@pytest.mark.parametrize(
    ("brings", "error"),
    [
        ({"iac": {"terrafrom": ["infra/tf"]}}, "iac: brings lists 'terrafrom', which is not one of its"),
        ({"waf": {True: ["infra/*.tf"]}}, "waf=True: 'infra/*.tf' is not a plain relative path"),
        ({"waf": {True: ["infra/terraform/"]}}, "waf=True: 'infra/terraform/' is not a plain relative path"),
        ({"waf": {True: ["docs/waf.md", "docs/waf.md"]}}, "waf=True: docs/waf.md is listed twice"),
        ({"waf": {True: ["src/{{ cookiecutter.pakage }}/waf.py"]}}, "waf=True: src/{{ cookiecutter.pakage }}/waf.py names"),
        (
            {"iac": {"terraform": ["infra/terraform"], "cdk": ["infra/terraform/cdk.json"]}},
            "infra/terraform/cdk.json is listed under iac=['cdk'], but it is inside infra/terraform, "
            "which exists only for iac in ['terraform']",
        ),
    ],
)  # fmt: skip
def test_brings_mistakes_are_named(brings: dict[str, dict[Any, list[str]]], error: str) -> None:
    questions = {
        "iac": {"type": "str", "choices": {"terraform": "", "cdk": ""}},
        "waf": {"type": "bool"},
    }
    for name, values in brings.items():
        questions[name]["brings"] = values
    errors = sync.brings_errors(questions)
    assert len(errors) == 1
    assert errors[0].startswith(error)


def test_template_context_is_computed_by_copier() -> None:
    from rendering import template_context

    context = template_context({"project_name": "Billing API", "iac": "terraform"})
    assert list(context) == list(QUESTIONS)
    names = (context["project_slug"], context["package_name"], context["iac"])
    assert names == ("billing-api", "billing_api", "terraform")
    assert context["compute"] == QUESTIONS["compute"]["default"]
