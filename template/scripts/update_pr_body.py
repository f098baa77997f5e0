"""Write the body of the pull request that `copier update` opens (.github/workflows/template-update.yml).

The template's CHANGELOG.md is read at the release the project now records (`_commit` in
.copier-answers.yml, after the update), from the template's repository (`_src_path`). The body lists
every entry of the releases after `--since` up to that one, **[security]** entries first, then the
unresolved conflicts the update left (scripts/check_conflicts.py), each a line to act on.

    python scripts/update_pr_body.py --since 0.1.0 > body.md

Standard library only, so it runs before the project's environment exists.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_conflicts import find_conflicts  # the sibling script: one implementation of the check

ANSWERS_FILE = ".copier-answers.yml"
RELEASE_HEADING = re.compile(r"^## \[v?(?P<version>\d+(?:\.\d+)*)\]")
LABEL = re.compile(r"^- \*\*\[(?P<label>[a-z]+)\]\*\*")
# copier's shorthands for hosted repositories in `_src_path`
SHORTHANDS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}


@dataclass(frozen=True)
class Entry:
    version: str
    label: str
    text: str  # the Markdown list item, continuation lines included


def version_key(version: str) -> tuple[int, ...]:
    """`v0.2.0`, `0.2.0` -> (0, 2, 0); what follows the numbers (`-3-gabc123`, `rc1`) is not compared."""
    numbers = re.match(r"v?(\d+(?:\.\d+)*)", version)
    if not numbers:
        raise ValueError(f"not a release version: {version!r}")
    return tuple(int(part) for part in numbers[1].split("."))


def changelog_entries(changelog: str, since: str, until: str) -> list[Entry]:
    """The list items of the releases after `since`, up to and including `until`, in file order."""
    low, high = version_key(since), version_key(until)
    entries: list[Entry] = []
    version: str | None = None
    for line in changelog.splitlines():
        if line.startswith("## "):
            heading = RELEASE_HEADING.match(line)
            version = heading["version"] if heading else None  # [Unreleased] and others: not released
            if version is not None and not low < version_key(version) <= high:
                version = None
        elif version is None:
            continue
        elif line.startswith("- "):
            label = LABEL.match(line)
            entries.append(Entry(version, label["label"] if label else "changed", line))
        elif entries and entries[-1].version == version and line.startswith("  ") and line.strip():
            last = entries.pop()
            entries.append(Entry(last.version, last.label, f"{last.text}\n{line}"))
    return entries


def render_body(entries: list[Entry], since: str, until: str, conflicts: list[str]) -> str:
    security = [entry for entry in entries if entry.label == "security"]
    others = [entry for entry in entries if entry.label != "security"]
    lines = [
        f"Updates this project from template release {since} to {until} with `copier update --defaults`"
        " (the scheduled template-update workflow). Review the diff as you would a teammate's change.",
        "",
        f"## Security fixes ({len(security)})",
        "",
    ]
    lines += [_item(entry) for entry in security] or ["None in these releases."]
    lines += ["", "## Other changes", ""]
    lines += [_item(entry) for entry in others] or ["None listed."]
    lines += ["", "## Conflicts", ""]
    if conflicts:
        lines += [
            f"**{len(conflicts)} unresolved** (this pull request is a draft, and its checks fail until they are"
            " resolved): where this project and the template changed the same lines, copier wrote both sides.",
            "",
            *(f"- `{conflict}`" for conflict in conflicts),
            "",
            "Check out this branch, keep the right side of each conflict and delete the marker lines (or apply"
            " the `.rej` hunks by hand and delete the `.rej` files), run `python scripts/check_conflicts.py`"
            ' until it passes, then commit and push. See the README, "Updating from the template".',
        ]
    else:
        lines.append("None: the update merged without conflicts (`python scripts/check_conflicts.py` passes).")
    return "\n".join(lines) + "\n"


def _item(entry: Entry) -> str:
    first, *rest = entry.text.split("\n")
    return "\n".join([f"- {entry.version}: {first[2:]}", *rest])


def read_answers(project: Path) -> dict[str, str]:
    """The top-level `key: value` scalars of the answers file copier writes (quotes removed)."""
    answers = {}
    for line in (project / ANSWERS_FILE).read_text(encoding="utf-8").splitlines():
        key, separator, value = line.partition(":")
        if separator and key and not key.startswith((" ", "#", "-")):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            answers[key.strip()] = value
    return answers


def template_changelog(source: str, ref: str) -> str:
    """CHANGELOG.md of the template at `ref`, from a shallow clone of `source`."""
    for shorthand, prefix in SHORTHANDS.items():
        if source.startswith(shorthand):
            source = prefix + source.removeprefix(shorthand)
    git = shutil.which("git") or "git"
    with tempfile.TemporaryDirectory() as clone:
        subprocess.run(  # noqa: S603 - git with the template's own source and release, no shell
            [git, "clone", "--quiet", "--depth", "1", "--branch", ref, "--", source, clone],
            check=True,
            capture_output=True,
        )
        return (Path(clone) / "CHANGELOG.md").read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--since", required=True, help="the template release the project had before the update")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the updated project (default: here)")
    arguments = parser.parse_args(argv)
    answers = read_answers(arguments.project)
    until = answers["_commit"]
    entries = changelog_entries(template_changelog(answers["_src_path"], until), arguments.since, until)
    since, until = arguments.since.lstrip("v"), until.lstrip("v")
    sys.stdout.write(render_body(entries, since, until, find_conflicts(arguments.project)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
