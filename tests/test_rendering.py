"""The leftover-syntax check finds Jinja that survived a render, and only Jinja."""

from __future__ import annotations

from pathlib import Path

import pytest
from rendering import leftover_template_syntax

LEFTOVERS = [
    "name = {{ cookiecutter.project_slug }}",
    "x = {{package_name|lower}}",
    "{%- if cookiecutter.waf %}",
    "{% endif %}",
    "import cookiecutter.project",
]
REAL_OUTPUT = [
    'EMAIL = f"^(?=[^@]{{1,64}}@)"',
    "password: '{{resolve:secretsmanager:arn:SecretString:password}}'",
    "run: echo ${{ github.sha }}",
    "  filesystem_mirror {{\\n",
    "made with copier or cookiecutter. Read on",
]


@pytest.mark.parametrize("line", LEFTOVERS)
def test_leftover_jinja_is_found(tmp_path: Path, line: str) -> None:
    (tmp_path / "file.txt").write_text(line + "\n", encoding="utf-8")
    assert leftover_template_syntax(tmp_path)


@pytest.mark.parametrize("line", REAL_OUTPUT)
def test_doubled_braces_of_the_output_itself_are_not_leftovers(tmp_path: Path, line: str) -> None:
    (tmp_path / "file.txt").write_text(line + "\n", encoding="utf-8")
    assert leftover_template_syntax(tmp_path) == []


def test_a_templated_file_name_is_a_leftover(tmp_path: Path) -> None:
    (tmp_path / "{{ cookiecutter.package_name }}.py").write_text("", encoding="utf-8")
    assert leftover_template_syntax(tmp_path)
