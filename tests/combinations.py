"""The supported answer combinations the template promises, and the unsupported ones.

Every compute x iac x auth_provider triple that is valid appears once (21 rows).
The security-module booleans are spread so that, within each compute, every pair
of module values occurs at least once (tests/test_questions.py checks this);
two extra rows turn all modules on and all off, and two rows use Python 3.13.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MODULES = ("waf", "pii_encryption", "audit_log", "rate_limiting", "security_baseline")


@dataclass(frozen=True)
class Combination:
    compute: str
    iac: str
    auth_provider: str
    modules: tuple[bool, bool, bool, bool, bool]
    python_version: str = "3.12"
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        parts = [self.compute, self.iac, self.auth_provider]
        if self.label:
            parts.append(self.label)
        if self.python_version != "3.12":
            parts.append(f"py{self.python_version}")
        return "-".join(parts)

    @property
    def answers(self) -> dict[str, Any]:
        return {
            "compute": self.compute,
            "iac": self.iac,
            "auth_provider": self.auth_provider,
            "python_version": self.python_version,
            **dict(zip(MODULES, self.modules, strict=True)),
            **self.extra,
        }


def _row(compute: str, iac: str, auth: str, flags: str, **kwargs: Any) -> Combination:
    modules = tuple(flag == "1" for flag in flags.replace(" ", ""))
    return Combination(compute, iac, auth, modules, **kwargs)  # type: ignore[arg-type]


# The defaults every engine renders with no answers given (the README's first command).
DEFAULT = _row("fargate", "cloudformation", "cognito", "1 1 1 1 0", label="default")

#                  compute    iac               auth_provider   waf pii audit rate baseline
SUPPORTED: tuple[Combination, ...] = (
    _row("fargate", "cloudformation", "cognito",     "1 1 1 0 0"),
    _row("fargate", "cloudformation", "oidc",        "0 0 0 1 1"),
    _row("fargate", "cloudformation", "self_issued", "1 1 0 1 0"),
    _row("fargate", "terraform",      "cognito",     "0 0 1 0 1"),
    _row("fargate", "terraform",      "oidc",        "1 1 0 0 1"),
    _row("fargate", "terraform",      "self_issued", "0 0 1 1 0"),
    _row("fargate", "cdk",            "cognito",     "1 0 1 1 0"),
    _row("fargate", "cdk",            "oidc",        "0 1 0 0 1", python_version="3.13"),
    _row("fargate", "cdk",            "self_issued", "1 1 0 0 0"),
    _row("lambda",  "cloudformation", "cognito",     "1 1 1 0 0"),
    _row("lambda",  "cloudformation", "oidc",        "0 0 0 1 1"),
    _row("lambda",  "cloudformation", "self_issued", "1 1 0 1 0"),
    _row("lambda",  "terraform",      "cognito",     "0 0 1 0 1"),
    _row("lambda",  "terraform",      "oidc",        "1 1 0 0 1"),
    _row("lambda",  "terraform",      "self_issued", "0 0 1 1 0"),
    _row("lambda",  "cdk",            "cognito",     "1 0 1 1 0"),
    _row("lambda",  "cdk",            "oidc",        "0 1 0 0 1"),
    _row("lambda",  "cdk",            "self_issued", "1 1 0 0 0"),
    _row("lambda",  "sam",            "cognito",     "0 0 1 1 1", python_version="3.13"),
    _row("lambda",  "sam",            "oidc",        "1 0 1 0 1"),
    _row("lambda",  "sam",            "self_issued", "0 1 0 1 0"),
    _row("lambda",  "sam",            "self_issued", "1 1 1 1 1", label="all-on"),
    _row("fargate", "terraform",      "oidc",        "0 0 0 0 0", label="all-off"),
    DEFAULT,
)  # fmt: skip

UNSUPPORTED: tuple[Combination, ...] = tuple(
    _row("fargate", "sam", auth, "1 1 1 1 0") for auth in ("cognito", "oidc", "self_issued")
)
