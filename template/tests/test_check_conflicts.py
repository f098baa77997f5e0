"""scripts/check_conflicts.py catches what `copier update` can leave behind, before it is committed."""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT / "scripts" / "check_conflicts.py"


def run_check(folder: Path, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter running a script of this project
        [sys.executable, str(SCRIPT), *names], cwd=folder, capture_output=True, text=True, check=False
    )


def test_files_without_conflicts_pass(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("Title\n=======\n\ntext\n", encoding="utf-8")
    assert run_check(tmp_path).returncode == 0


@pytest.mark.parametrize("marker", ["<<<<<<< before updating", ">>>>>>> after updating"])
def test_an_inline_conflict_marker_fails(tmp_path: Path, marker: str) -> None:
    (tmp_path / "settings.py").write_text(f"x = 1\n{marker}\n", encoding="utf-8")
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert "settings.py:2: conflict marker" in result.stderr


def test_rejected_hunks_fail_even_when_only_other_files_are_checked(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "README.md.rej").write_text("@@ -1 +1 @@\n-old\n+new\n", encoding="utf-8")
    result = run_check(tmp_path, "clean.py")
    assert result.returncode == 1
    assert "README.md.rej: rejected hunks" in result.stderr


def test_this_project_has_no_conflict_left() -> None:
    result = run_check(PROJECT)
    assert result.returncode == 0, result.stderr
