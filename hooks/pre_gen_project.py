"""Cookiecutter pre-generation hook: refuse invalid answers before any file is written.

The rules come from questions.yml through cookiecutter.json's `_rules`, the same
rules copier.yml's validators are generated from. Importable for unit tests.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any


def rule_fails(rule: dict[str, Any], value: Any, answers: dict[str, Any]) -> bool:
    if "pattern" in rule:
        return re.search(rule["pattern"], str(value)) is None
    if "not_in" in rule:
        return value in rule["not_in"]
    applies = all(answers.get(key) == expected for key, expected in rule["when"].items())
    return applies and any(answers.get(key) != needed for key, needed in rule["require"].items())


def check_answers(answers: dict[str, Any], rules: dict[str, list[dict[str, Any]]]) -> list[str]:
    """One message per invalid field, naming the field and the rule it breaks."""
    errors = []
    for name, field_rules in rules.items():
        value = answers.get(name)
        for rule in field_rules:
            if rule_fails(rule, value, answers):
                errors.append(f"{name}: {rule['message']} (got {json.dumps(value)})")
                break
    return errors


def main(context_json: str) -> int:
    context = json.loads(context_json)
    errors = check_answers(context, context["_rules"])
    for error in errors:
        print(f"Invalid answer: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main({{cookiecutter | jsonify | tojson}}))  # type: ignore[name-defined]  # noqa: F821
