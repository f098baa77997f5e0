"""scripts/update_pr_body.py: the template-update pull request lists the releases in between, security first."""

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT / "scripts" / "update_pr_body.py"

CHANGELOG = """\
# Changelog

## [Unreleased]

- **[security]** not released yet: never listed.

## [0.3.0]

Security fixes: none.

- **[added]** A starter lock file.

## [0.2.0]

Security fixes: 1.

- **[security]** The dev issuer binds to loopback only
  (it listened on every interface).
- **[fixed]** A typo in the README.

## [0.1.0]

- **[security]** Already in the project: never listed.
"""


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_pr_body", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def git(cwd: Path, *args: str) -> None:
    subprocess.run(  # noqa: S603 - git in a temporary repository of this test
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],  # noqa: S607
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_entries_between_the_releases_only() -> None:
    entries = load_script().changelog_entries(CHANGELOG, "0.1.0", "v0.3.0")
    assert [(entry.version, entry.label) for entry in entries] == [
        ("0.3.0", "added"),
        ("0.2.0", "security"),
        ("0.2.0", "fixed"),
    ]
    assert entries[1].text.endswith("\n  (it listened on every interface).")


def test_security_fixes_come_first_and_are_counted() -> None:
    script = load_script()
    body = script.render_body(script.changelog_entries(CHANGELOG, "0.1.0", "0.3.0"), "0.1.0", "0.3.0", [])
    assert "from template release 0.1.0 to 0.3.0" in body
    security = body.index("## Security fixes (1)")
    fix = body.index("- 0.2.0: **[security]** The dev issuer binds to loopback only")
    assert security < fix < body.index("## Other changes") < body.index("- 0.3.0: **[added]**")
    assert "never listed" not in body
    assert "None: the update merged without conflicts" in body


def test_conflicts_are_listed_for_the_reviewer() -> None:
    script = load_script()
    body = script.render_body([], "0.1.0", "0.2.0", ["README.md:12: conflict marker", "a.py.rej: rejected hunks"])
    assert "## Security fixes (0)" in body
    assert "**2 unresolved**" in body
    assert "- `README.md:12: conflict marker`\n- `a.py.rej: rejected hunks`" in body


@pytest.mark.parametrize("version", ["main", "", "latest"])
def test_a_version_that_is_not_a_release_is_refused(version: str) -> None:
    with pytest.raises(ValueError, match="not a release version"):
        load_script().version_key(version)


def test_the_command_reads_the_template_changelog_at_the_recorded_release(tmp_path: Path) -> None:
    template = tmp_path / "template"
    template.mkdir()
    git(template, "init", "-q", "-b", "main")
    (template / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "release")
    git(template, "tag", "v0.3.0")
    (template / "CHANGELOG.md").write_text(CHANGELOG.replace("## [0.3.0]", "## [0.4.0]"), encoding="utf-8")
    git(template, "commit", "-q", "-a", "-m", "after the release")
    project = tmp_path / "project"
    project.mkdir()
    (project / ".copier-answers.yml").write_text(
        f"# Changes here will be overwritten by Copier\n_commit: v0.3.0\n_src_path: '{template}'\nwaf: true\n",
        encoding="utf-8",
    )
    (project / "settings.py").write_text("<<<<<<< before updating\n", encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - this interpreter running a script of this project
        [sys.executable, str(SCRIPT), "--since", "v0.1.0", "--project", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "to 0.3.0" in result.stdout
    assert "- 0.3.0: **[added]** A starter lock file." in result.stdout
    assert "- `settings.py:1: conflict marker`" in result.stdout
