"""Invalid answers stop both engines before anything is written, naming field and rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException
from rendering import render_cookiecutter, render_copier

BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"project_name": ""}, "project_name: must start with a letter"),
    ({"project_name": "Svc\nX"}, "project_name: must start with a letter"),
    ({"project_slug": "Bad_Slug"}, "project_slug: must be kebab-case"),
    ({"project_slug": "double--dash"}, "project_slug: must be kebab-case"),
    ({"project_slug": "a" * 41}, "project_slug: must be at most 40 characters"),
    ({"package_name": "1service"}, "package_name: must be a valid lowercase Python identifier"),
    ({"package_name": "my-service"}, "package_name: must be a valid lowercase Python identifier"),
    (
        {"package_name": "class"},
        "package_name: must not be a Python keyword or a standard-library module name",
    ),
    (
        {"package_name": "json"},
        "package_name: must not be a Python keyword or a standard-library module name",
    ),
    (
        {"package_name": "asyncio"},
        "package_name: must not be a Python keyword or a standard-library module name",
    ),
    ({"description": 'say "hi"'}, "description: must be one line"),
    ({"author_email": "not-an-email"}, "author_email: must be an e-mail address"),
    ({"author_email": "a@b"}, "author_email: must be an e-mail address"),
    ({"aws_region": "eu-west"}, "aws_region: must be an AWS region code"),
    ({"aws_region": "mars-north-1"}, "aws_region: must be an AWS region code"),
    ({"compute": "fargate", "iac": "sam"}, "iac: sam is only supported with compute=lambda"),
]
IDS = [f"{'+'.join(f'{k}={v!r}'[:30] for k, v in answers.items())}" for answers, _ in BAD_INPUTS]


@pytest.mark.parametrize(("answers", "message"), BAD_INPUTS, ids=IDS)
def test_copier_refuses_and_writes_nothing(tmp_path: Path, answers: dict[str, Any], message: str) -> None:
    destination = tmp_path / "out" / "svc"
    with pytest.raises(ValueError, match="Validation error") as error:
        render_copier(destination, answers)
    assert message in str(error.value)
    assert not destination.exists()


@pytest.mark.parametrize(("answers", "message"), BAD_INPUTS, ids=IDS)
def test_cookiecutter_refuses_and_writes_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, Any], message: str
) -> None:
    output = tmp_path / "out"
    output.mkdir()
    with pytest.raises(FailedHookException):
        render_cookiecutter(output, answers)
    assert f"Invalid answer: {message}" in capfd.readouterr().err
    assert list(output.iterdir()) == []
