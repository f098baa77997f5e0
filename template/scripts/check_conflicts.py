"""Fail while a `copier update` left a conflict unresolved.

Copier reports conflicts in two ways and exits 0 with either: inline markers
(`<<<<<<< before updating` ... `>>>>>>> after updating`) in the merged file, or a
`<name>.rej` file next to it (`copier update --conflict rej`). Run it before a commit
(`python scripts/check_conflicts.py`, also the pre-commit hook in the README); given
file names it checks those, and always looks for `.rej` files in the whole project.
Exit status 1 and one line per conflict when any is left.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

MARKERS = ("<<<<<<<", ">>>>>>>")
SKIPPED_FOLDERS = {".git", ".venv", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache", "cdk.out"}


def _project_files(root: Path) -> Iterable[Path]:
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        yield from (Path(folder) / name for name in sorted(files))


def _marker_lines(path: Path) -> list[int]:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if any(line == marker or line.startswith(marker + " ") for marker in MARKERS)
    ]


def find_conflicts(root: Path, paths: Iterable[Path] | None = None) -> list[str]:
    """Unresolved conflicts under `root`: `.rej` files anywhere, markers in `paths` (default: every file)."""
    rejected = (path for path in _project_files(root) if path.suffix == ".rej")
    found = [f"{path.relative_to(root).as_posix()}: rejected hunks" for path in rejected]
    checked = _project_files(root) if paths is None else (root / path for path in paths)
    for path in checked:
        if path.suffix != ".rej" and path.is_file():
            name = path.resolve().relative_to(root.resolve()).as_posix()
            found += [f"{name}:{number}: conflict marker" for number in _marker_lines(path)]
    return found


def main(argv: list[str]) -> int:
    conflicts = find_conflicts(Path.cwd(), [Path(name) for name in argv] or None)
    for conflict in conflicts:
        sys.stderr.write(conflict + "\n")
    if conflicts:
        sys.stderr.write("Resolve these conflicts from `copier update` (README: Updating from the template).\n")
    return 1 if conflicts else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
