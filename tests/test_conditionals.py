"""`{% if` (and inline `{{ a if c else b }}`) only where an option cannot plug into a seam: the
allow-list below, each entry with its reason.

Shared code knows no option (issue 10): an option brings whole files (`brings:` in
questions.yml) and registers them in the wiring file. A new `{% if` anywhere else
fails here, naming the file; so does an entry that no longer matches a file that
needs it, so the list stays short.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "template"
IF_BLOCK = re.compile(r"\{%[-+]?\s*if\b")
# `{{ a if c else b }}`: a conditional all the same, inline
INLINE_IF = re.compile(r"\{\{(?:(?!\}\}).)*?\bif\b(?:(?!\}\}).)*?\}\}", re.S)
PACKAGE = "src/{{ cookiecutter.package_name }}"

# Glob (relative to template/, `*` also crosses `/`) -> why `{% if` is allowed there.
ALLOWED: dict[str, str] = {
    f"{PACKAGE}/bootstrap.py.jinja": "the composition root: one line per option, naming its wiring module",
    f"{PACKAGE}/infrastructure/settings.py.jinja": "the service settings compose its modules' settings",
    f"{PACKAGE}/infrastructure/db/tables.py.jinja": "one schema per combination (PII columns, token tables)",
    f"{PACKAGE}/infrastructure/db/migrations/versions/*.py.jinja": "migrations are written from that schema",
    "pyproject.toml.jinja": "dependencies per option",
    ".copier-answers.yml.jinja": "copier's own answers file",
    "Makefile.jinja": "the task runner names the flavor's tools (validate, synth, plan, deploy)",
    "README.md.jinja": "documentation describes this combination",
    "SECURITY.md.jinja": "documentation lists the controls of this combination",
    "docs/*.md.jinja": "documentation describes this combination",
    ".github/*.yml.jinja": "GitHub's YAML (workflows, Dependabot) has no import mechanism",
    ".pre-commit-config.yaml.jinja": "pre-commit's YAML has no import mechanism (the flavor's IaC linter hook)",
    "infra/cloudformation/*.yaml.jinja": "CloudFormation YAML has no import mechanism",
    "infra/sam/*.yaml.jinja": "SAM YAML has no import mechanism",
    "infra/deploy.sh.jinja": "the deploy script runs the stacks of this combination",
    "infra/terraform/*.jinja": "HCL root modules and tfvars cannot import conditionally",
    "infra/cdk/app.py.jinja": "the CDK flavor's composition root: one stack per option",
    "infra/cdk/contract/*.py.jinja": "the CDK app's contract with the service, per combination",
    "tests/test_settings.py.jinja": "tests of the composed settings (the provider's roles claim too)",
    "tests/infra/*.py.jinja": "IaC contract tests: the stacks and parameters this combination deploys",
    "tests/terraform/*.py.jinja": "IaC contract tests: the Terraform outputs of this combination",
    "tests/test_contract.py.jinja": "cross-option test: the OAuth endpoints exist only with self_issued",
    "tests/test_auth_oidc.py.jinja": "cross-option test: the gateway authorizer exists only on Lambda",
}


def template_files() -> list[str]:
    return sorted(
        path.relative_to(TEMPLATE).as_posix()
        for path in TEMPLATE.rglob("*.jinja")
        if path.is_file() and ".venv" not in path.parts
    )


def conditionals(text: str) -> int:
    return len(IF_BLOCK.findall(text)) + len(INLINE_IF.findall(text))


def if_blocks(relative: str) -> int:
    return conditionals((TEMPLATE / relative).read_text(encoding="utf-8"))


def allowed(relative: str) -> bool:
    return any(fnmatchcase(relative, pattern) for pattern in ALLOWED)


def test_if_only_in_allow_listed_files() -> None:
    offenders = [
        f"{name} ({if_blocks(name)} conditionals)"
        for name in template_files()
        if if_blocks(name) and not allowed(name)
    ]
    assert not offenders, (
        "`{% if` outside the allow-list of tests/test_conditionals.py; plug the option into a seam "
        "(a wiring module it brings, named in OPTIONS of bootstrap.py.jinja) or add an entry with its reason: "
        + ", ".join(offenders)
    )


def test_every_allow_list_entry_is_still_needed() -> None:
    with_ifs = [name for name in template_files() if if_blocks(name)]
    stale = [pattern for pattern in ALLOWED if not any(fnmatchcase(name, pattern) for name in with_ifs)]
    assert not stale, "allow-list entries matching no file with `{% if` (remove them): " + ", ".join(stale)


def test_every_entry_has_a_reason() -> None:
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_check_sees_every_spelling() -> None:
    assert conditionals("{% if a %}{%- if b %}{%+ if c %}{%if d%}{% endif %}{% elif e %}") == 4
    assert conditionals('X = {{ "1" if a else "0" }}\n{{- b if c }} {{ cookiecutter.iffy }} {{ d }}') == 2
