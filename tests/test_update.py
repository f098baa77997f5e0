"""The update path: `copier update` between two releases delivers a fix and keeps the user's work.

Every test works on throwaway git clones of the current template tree (uncommitted changes
included), built once per pytest worker by `releases`:

- `updates`: v0.1.0 is the current tree; v0.2.0 is a simulated security fix touching a shared
  source file, an infrastructure file and the README (a file users edit too); v0.3.0 starts
  shipping a `uv.lock` and a `.env`, the files `_skip_if_exists` protects.
- `migrations`: v0.1.0 again; v0.2.0 renames the `aws_region` answer to `region` and moves a
  user-owned local file, through a `_migrations` entry; v0.3.0 changes nothing that matters.
- `cookiecutter_source`: a clone of `updates` checked out at v0.1.0, the folder a user ran
  cookiecutter on.

Run with `uv run pytest -m update -n auto` (each xdist worker builds its own set in seconds).
Proof that the updated projects' full suites pass is the matrix's job (tests/test_matrix.py runs them
on the same tree, and test 1 shows an updated project equals a fresh render of the new release);
here the default row and one Lambda row also run their own `ruff check`, `ruff format --check` and
a fast pytest selection after the update.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import copier
import pytest
import yaml
from combinations import DEFAULT, SUPPORTED, Combination
from cookiecutter.main import cookiecutter
from matrix_env import project_env, sync_project
from rendering import ANSWERS_FILE, ROOT, project_files
from workflow_steps import JobRun, run_job

pytestmark = pytest.mark.update

for _key, _value in {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}.items():
    os.environ.setdefault(_key, _value)

PACKAGE = "src/{{ cookiecutter.package_name }}"
# The simulated security fix of v0.2.0, one change per kind of file.
SHARED_FIX = (f"template/{PACKAGE}/presentation/errors.py", '\n\nSECURITY_FIX_RELEASE = "0.2.0"\n')
INFRA_FIX = (
    "template/infra/cloudformation/network.yaml.jinja",
    "# Security fix 0.2.0: tightened defaults.\n",
)
README_LINE = "## Run it locally"
README_FIXED = "## Run it locally (security fix 0.2.0: the dev issuer binds to loopback only)"
# What the releases' changelog says (the template-update pull request lists it, security first).
CHANGELOG_0_2_0 = """## [0.2.0]

Security fixes: 1.

- **[fixed]** The README's local-run heading says what the dev issuer binds to.
- **[security]** The dev issuer binds to loopback only
  (a simulated fix of this test's release).

"""
CHANGELOG_0_3_0 = """## [0.3.0]

Security fixes: none.

- **[added]** A starter `uv.lock` and `.env`.

"""
LAMBDA_ROW = next(c for c in SUPPORTED if c.compute == "lambda" and c.iac == "sam" and c.label == "all-on")
FAST_TESTS = ["tests/test_domain.py", "tests/test_dependency_rule.py", "tests/test_static_security.py"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    if tag:
        git(repo, "tag", tag)


def copy_working_tree(dst: Path) -> None:
    """The template as it is on disk: tracked and untracked files, without what git ignores."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in sorted(set(filter(None, listed))):
        source = ROOT / name
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the working tree
        target = dst / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def edit(repo: Path, name: str, old: str | None, new: str) -> None:
    """Replace `old` by `new` in one template file (`old=None` appends `new`)."""
    path = repo / name
    text = path.read_text(encoding="utf-8")
    if old is None:
        text += new
    else:
        assert text.count(old) == 1, f"{name}: expected {old!r} once (did the template change?)"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


MIGRATION_SCRIPT = '''\
"""v0.2.0 migration: the `aws_region` answer is now `region`; the dev key moves under .local/keys/."""
import os
from pathlib import Path

answers = Path(".copier-answers.yml")
answers.write_text(answers.read_text().replace("\\naws_region:", "\\nregion:"))
old_key = Path(".local/issuer-key.pem")
if old_key.exists():
    Path(".local/keys").mkdir(parents=True, exist_ok=True)
    old_key.rename(".local/keys/issuer-key.pem")
Path(".local").mkdir(exist_ok=True)
with Path(".local/migrations.log").open("a") as log:
    log.write(f"v0.2.0 {os.environ['STAGE']} {os.environ['VERSION_FROM']} -> {os.environ['VERSION_TO']}\\n")
'''
MIGRATIONS = [
    {
        "version": "v0.2.0",
        "when": "{{ _stage == 'before' }}",
        "command": ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/migrations/v0_2_0.py"],
    }
]


@dataclass(frozen=True)
class Releases:
    updates: Path
    migrations: Path
    cookiecutter_source: Path


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    base = tmp_path_factory.mktemp("releases")
    updates = base / "updates"
    copy_working_tree(updates)
    git(updates, "init", "-q", "-b", "main")
    commit_all(updates, "release 0.1.0", "v0.1.0")

    migrations = base / "migrations"
    git(base, "clone", "-q", str(updates), str(migrations))

    edit(updates, *SHARED_FIX[:1], None, SHARED_FIX[1])
    edit(updates, *INFRA_FIX[:1], None, INFRA_FIX[1])
    edit(updates, "template/README.md.jinja", README_LINE, README_FIXED)
    edit(updates, "CHANGELOG.md", "## [0.1.0]", CHANGELOG_0_2_0 + "## [0.1.0]")
    commit_all(updates, "security fix", "v0.2.0")
    (updates / "template" / "uv.lock").write_text("# starter lock of 0.3.0\n", encoding="utf-8")
    (updates / "template" / ".env").write_text("LOG_LEVEL=INFO\n", encoding="utf-8")
    # New top-level files of template/ reach copier through its views (tools/sync_engines.py).
    subprocess.run([sys.executable, str(updates / "tools" / "sync_engines.py")], check=True)
    edit(updates, "CHANGELOG.md", "## [0.2.0]", CHANGELOG_0_3_0 + "## [0.2.0]")
    commit_all(updates, "ship a starter uv.lock and .env", "v0.3.0")

    config = migrations / "copier.yml"
    text = config.read_text(encoding="utf-8").replace("aws_region", "region")
    text = text.replace("    region: {{ region | tojson }}", "    aws_region: {{ region | tojson }}")
    config.write_text(text + yaml.safe_dump({"_migrations": MIGRATIONS}, sort_keys=False), encoding="utf-8")
    (migrations / "migrations").mkdir()
    (migrations / "migrations" / "v0_2_0.py").write_text(MIGRATION_SCRIPT, encoding="utf-8")
    commit_all(migrations, "rename aws_region to region", "v0.2.0")
    commit_all(migrations, "nothing to migrate", "v0.3.0")

    cookiecutter_source = base / "cookiecutter-source"
    git(base, "clone", "-q", str(updates), str(cookiecutter_source))
    git(cookiecutter_source, "checkout", "-q", "v0.1.0")
    return Releases(updates, migrations, cookiecutter_source)


def render(template: Path, dst: Path, answers: dict[str, Any], ref: str) -> Path:
    copier.run_copy(str(template), dst, data=answers, defaults=True, quiet=True, unsafe=False, vcs_ref=ref)
    return dst


def start_project(template: Path, dst: Path, answers: dict[str, Any], ref: str = "v0.1.0") -> Path:
    """What a user has after `copier copy` and a first commit."""
    render(template, dst, answers, ref)
    git(dst, "init", "-q", "-b", "main")
    commit_all(dst, "generated")
    return dst


def update(project: Path, ref: str, data: dict[str, Any] | None = None, **options: Any) -> None:
    options = {"unsafe": False, "conflict": "inline", **options}
    copier.run_update(
        project, data=data or {}, defaults=True, overwrite=True, quiet=True, vcs_ref=ref, **options
    )


def answers_of(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    return loaded


def load_conflict_check() -> ModuleType:
    """The generated project's own check (template/scripts/check_conflicts.py): one implementation."""
    spec = importlib.util.spec_from_file_location(
        "check_conflicts", ROOT / "template/scripts/check_conflicts.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def conflicts(project: Path) -> list[str]:
    found: list[str] = load_conflict_check().find_conflicts(project)
    return found


def fix_landed(project: Path) -> list[str]:
    """What of the v0.2.0 fix is missing from `project` (each part where its file exists)."""
    missing = []
    package = answers_of(project)["package_name"]
    errors = project / PACKAGE.replace("{{ cookiecutter.package_name }}", package) / "presentation/errors.py"
    if SHARED_FIX[1] not in errors.read_text(encoding="utf-8"):
        missing.append("shared source fix")
    network = project / "infra/cloudformation/network.yaml"
    if network.exists() and not network.read_text(encoding="utf-8").endswith(INFRA_FIX[1]):
        missing.append("infrastructure fix")
    if README_FIXED not in (project / "README.md").read_text(encoding="utf-8"):
        missing.append("README fix")
    return missing


def without_answers_file(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: content for name, content in files.items() if name != ANSWERS_FILE}


# (1) A security fix reaches every combination, cleanly.


@pytest.mark.parametrize("combination", [pytest.param(c, id=c.id) for c in SUPPORTED])
def test_security_fix_reaches_an_unedited_project(
    releases: Releases, tmp_path: Path, combination: Combination
) -> None:
    project = start_project(releases.updates, tmp_path / "project", combination.answers)
    assert answers_of(project)["_commit"] == "v0.1.0"
    update(project, "v0.2.0")
    assert conflicts(project) == []
    assert fix_landed(project) == []
    assert answers_of(project)["_commit"] == "v0.2.0"
    # Nothing else moved: the updated project is what v0.2.0 renders for the same answers.
    fresh = render(releases.updates, tmp_path / "fresh", combination.answers, "v0.2.0")
    assert without_answers_file(project_files(project)) == without_answers_file(project_files(fresh))


@pytest.mark.parametrize(
    "combination", [pytest.param(DEFAULT, id=DEFAULT.id), pytest.param(LAMBDA_ROW, id=LAMBDA_ROW.id)]
)
def test_updated_project_passes_its_fast_checks(
    releases: Releases, tmp_path: Path, combination: Combination
) -> None:
    project = start_project(releases.updates, tmp_path / "project", combination.answers)
    update(project, "v0.2.0")
    env = project_env(project, combination.python_version, {})
    synced = sync_project(project, env)
    assert synced.returncode == 0, synced.stderr[-3000:]
    for command in (
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *FAST_TESTS],
    ):
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
        assert " skipped" not in result.stdout


# (2) User edits are kept; overlapping edits are reported, never silently merged.

ENDPOINT = '''\
"""A route the team added after generation."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/ping-team")
async def ping_team() -> dict[str, str]:
    return {"team": "pong"}
'''
ENDPOINT_TEST = """\
from {package}.presentation.routers import team_ping


def test_team_ping_router_has_its_route() -> None:
    assert [route.path for route in team_ping.router.routes] == ["/ping-team"]
"""
README_APPENDIX = "\n## Team notes\n\nOn-call rota lives in the wiki.\n"


def make_user_edits(project: Path) -> dict[str, str]:
    """Add an endpoint and its test, change a setting default, extend the README; commit."""
    package = answers_of(project)["package_name"]
    routers = project / "src" / package / "presentation" / "routers"
    settings = project / "src" / package / "infrastructure" / "settings.py"
    edits = {
        str(routers / "team_ping.py"): ENDPOINT,
        str(project / "tests" / "test_team_ping.py"): ENDPOINT_TEST.format(package=package),
    }
    text = settings.read_text(encoding="utf-8")
    assert text.count('log_level: str = "INFO"') == 1
    edits[str(settings)] = text.replace('log_level: str = "INFO"', 'log_level: str = "WARNING"')
    edits[str(project / "README.md")] = (project / "README.md").read_text(encoding="utf-8") + README_APPENDIX
    for name, content in edits.items():
        Path(name).write_text(content, encoding="utf-8")
    commit_all(project, "user edits")
    return edits


def lost_user_lines(project: Path, edits: dict[str, str]) -> list[str]:
    lost = []
    for name, content in edits.items():
        now = Path(name).read_text(encoding="utf-8").splitlines()
        lost += [f"{name}: {line}" for line in content.splitlines() if line.strip() and line not in now]
    return lost


def _user_edits_kept(releases: Releases, project: Path) -> None:
    edits = make_user_edits(project)
    update(project, "v0.2.0")
    assert conflicts(project) == []
    assert fix_landed(project) == []
    # Every user line is still there, except the README line the fix replaced (a template line).
    assert [line for line in lost_user_lines(project, edits) if README_LINE not in line] == []


def _overlap_reported(project: Path, conflict_style: str) -> list[str]:
    readme = project / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(README_LINE, "## Running on a laptop"), encoding="utf-8"
    )
    commit_all(project, "user renames a README heading the fix also changes")
    update(project, "v0.2.0", conflict=conflict_style)
    found = conflicts(project)
    assert found, "an overlapping edit must be reported"
    return found


def test_user_edits_are_kept(releases: Releases, tmp_path: Path) -> None:
    project = start_project(releases.updates, tmp_path / "project", DEFAULT.answers)
    _user_edits_kept(releases, project)


@pytest.mark.parametrize("conflict_style", ["inline", "rej"])
def test_overlapping_edit_is_reported(releases: Releases, tmp_path: Path, conflict_style: str) -> None:
    project = start_project(releases.updates, tmp_path / "project", DEFAULT.answers)
    found = _overlap_reported(project, conflict_style)
    if conflict_style == "inline":
        assert any(entry.startswith("README.md:") and "conflict marker" in entry for entry in found)
        text = (project / "README.md").read_text(encoding="utf-8")
        assert "## Running on a laptop" in text and README_FIXED in text  # both sides shown
    else:
        # copier writes the template's side and leaves the user's hunk in the .rej, still in git's HEAD.
        assert "README.md.rej: rejected hunks" in found
        assert "+## Running on a laptop" in (project / "README.md.rej").read_text(encoding="utf-8")
        assert "## Running on a laptop" in git(project, "show", "HEAD:README.md")
    # The rest of the fix landed regardless.
    assert [m for m in fix_landed(project) if m != "README fix"] == []


def test_conflict_check_passes_files_and_flags_markers(tmp_path: Path) -> None:
    check = load_conflict_check()
    (tmp_path / "clean.md").write_text("Title\n=======\n\ntext\n", encoding="utf-8")
    assert check.find_conflicts(tmp_path) == []
    (tmp_path / "a.py").write_text(
        "x = 1\n<<<<<<< before updating\ny = 1\n=======\ny = 2\n>>>>>>> after updating\n"
    )
    assert check.find_conflicts(tmp_path) == ["a.py:2: conflict marker", "a.py:6: conflict marker"]
    assert check.find_conflicts(tmp_path, [Path("clean.md")]) == []
    (tmp_path / "b.yaml.rej").write_text("@@ -1 +1 @@\n")
    assert check.find_conflicts(tmp_path, [Path("clean.md")]) == ["b.yaml.rej: rejected hunks"]
    script = ROOT / "template/scripts/check_conflicts.py"
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1 and "a.py:2: conflict marker" in result.stderr


# (3) Migrations run once, on the right version range, and only with --trust.


def test_migration_renames_an_answer_and_moves_a_file_once(releases: Releases, tmp_path: Path) -> None:
    project = start_project(releases.migrations, tmp_path / "project", {"aws_region": "us-east-2"})
    key = project / ".local" / "issuer-key.pem"  # user-owned and ignored by git: no merge can move it
    key.parent.mkdir()
    key.write_text("local dev key\n", encoding="utf-8")
    with pytest.raises(copier.errors.UnsafeTemplateError):
        update(project, "v0.2.0")
    assert answers_of(project)["_commit"] == "v0.1.0"

    update(project, "v0.2.0", unsafe=True)
    log = project / ".local" / "migrations.log"
    assert log.read_text(encoding="utf-8").splitlines() == ["v0.2.0 before v0.1.0 -> v0.2.0"]
    answers = answers_of(project)
    assert answers["region"] == "us-east-2" and "aws_region" not in answers
    assert 'aws_region: str = "us-east-2"' in (
        project / "src/customer_service/infrastructure/settings.py"
    ).read_text(encoding="utf-8")  # without the migration, --defaults would have reset it to eu-west-1
    assert not key.exists()
    assert (project / ".local/keys/issuer-key.pem").read_text(encoding="utf-8") == "local dev key\n"
    assert conflicts(project) == []

    commit_all(project, "update to 0.2.0")
    update(project, "v0.3.0", unsafe=True)  # 0.3.0 >= 0.2.0 but 0.2.0 is not > 0.2.0: not run again
    assert log.read_text(encoding="utf-8").splitlines() == ["v0.2.0 before v0.1.0 -> v0.2.0"]
    assert answers_of(project)["_commit"] == "v0.3.0"


def test_migration_is_not_run_for_a_project_already_past_it(releases: Releases, tmp_path: Path) -> None:
    project = start_project(releases.migrations, tmp_path / "project", {"region": "us-east-2"}, ref="v0.2.0")
    update(project, "v0.3.0", unsafe=True)
    assert not (project / ".local" / "migrations.log").exists()
    assert answers_of(project)["region"] == "us-east-2"


# (4) Projects made with cookiecutter update with copier.


def cookiecutter_project(releases: Releases, output: Path, answers: dict[str, Any]) -> Path:
    project = Path(
        cookiecutter(
            str(releases.cookiecutter_source), no_input=True, extra_context=answers, output_dir=str(output)
        )
    )
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "generated with cookiecutter")
    return project


def test_cookiecutter_project_updates_like_a_copier_one(releases: Releases, tmp_path: Path) -> None:
    project = cookiecutter_project(releases, tmp_path / "cc", {})
    answers = answers_of(project)
    assert answers["_src_path"] == str(releases.cookiecutter_source)
    assert (Path(answers["_src_path"]) / ".git").is_dir() and answers["_commit"] == "v0.1.0"
    copier_made = start_project(releases.updates, tmp_path / "copier" / project.name, {})
    update(project, "v0.2.0")
    update(copier_made, "v0.2.0")
    assert conflicts(project) == [] and fix_landed(project) == []
    assert without_answers_file(project_files(project)) == without_answers_file(project_files(copier_made))


def test_cookiecutter_project_keeps_user_edits_and_reports_overlaps(
    releases: Releases, tmp_path: Path
) -> None:
    _user_edits_kept(releases, cookiecutter_project(releases, tmp_path / "kept", {}))
    found = _overlap_reported(cookiecutter_project(releases, tmp_path / "overlap", {}), "inline")
    assert any(entry.startswith("README.md:") for entry in found)


# (5) Answer changes through update bring or remove exactly a module's files.

SWITCHED = {"waf": DEFAULT, "pii_encryption": DEFAULT, "rate_limiting": LAMBDA_ROW}


@pytest.mark.parametrize("module", sorted(SWITCHED))
def test_module_switched_through_update(releases: Releases, tmp_path: Path, module: str) -> None:
    base = SWITCHED[module].answers
    off, on = {**base, module: False}, {**base, module: True}
    fresh_off = project_files(render(releases.updates, tmp_path / "fresh-off", off, "v0.1.0"))
    fresh_on = project_files(render(releases.updates, tmp_path / "fresh-on", on, "v0.1.0"))
    assert set(fresh_on) - set(fresh_off), f"{module} brings no file of its own"

    project = start_project(releases.updates, tmp_path / "project", off)
    update(project, "v0.1.0", data={module: True})
    assert conflicts(project) == []
    assert without_answers_file(project_files(project)) == without_answers_file(fresh_on)
    assert answers_of(project)[module] is True

    commit_all(project, f"{module} on")
    update(project, "v0.1.0", data={module: False})
    assert conflicts(project) == []
    assert without_answers_file(project_files(project)) == without_answers_file(fresh_off)


# _skip_if_exists: files the user owns are never overwritten; a deleted one comes back.


def test_user_owned_files_are_not_overwritten(releases: Releases, tmp_path: Path) -> None:
    project = start_project(releases.updates, tmp_path / "project", DEFAULT.answers, ref="v0.2.0")
    (project / "uv.lock").write_text("# the team's lock\n", encoding="utf-8")
    commit_all(project, "lock")
    (project / ".env").write_text("LOG_LEVEL=DEBUG\n", encoding="utf-8")  # ignored by git
    update(project, "v0.3.0")
    assert (project / "uv.lock").read_text(encoding="utf-8") == "# the team's lock\n"
    assert (project / ".env").read_text(encoding="utf-8") == "LOG_LEVEL=DEBUG\n"
    assert conflicts(project) == []


def test_deleted_user_owned_file_is_written_again(releases: Releases, tmp_path: Path) -> None:
    project = start_project(releases.updates, tmp_path / "project", DEFAULT.answers, ref="v0.3.0")
    (project / "uv.lock").unlink()
    (project / ".env").unlink()
    commit_all(project, "drop the starter lock")
    update(project, "v0.3.0")
    assert (project / "uv.lock").read_text(encoding="utf-8") == "# starter lock of 0.3.0\n"
    assert (project / ".env").read_text(encoding="utf-8") == "LOG_LEVEL=INFO\n"


# (6) The generated template-update workflow, its steps run against the throwaway releases.

UPDATE_WORKFLOW = ".github/workflows/template-update.yml"
# A stand-in for the GitHub CLI: records each call; `pr list` finds no open pull request.
FAKE_GH = """#!/usr/bin/env bash
set -euo pipefail
printf '%s\\n' "$*" >> "$GH_LOG"
if [ "$1 $2" = "pr create" ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --body-file ]; then cp "$2" "$GH_LOG.body"; fi
    shift
  done
  echo "https://github.example.invalid/pull/1"
fi
"""


@dataclass(frozen=True)
class WorkflowRun:
    job: JobRun
    gh_calls: list[str]
    body: str
    remote: Path


def published_project(releases: Releases, tmp_path: Path, ref: str = "v0.1.0") -> Path:
    """A generated project as GitHub holds it: a clone of a bare `origin` with main pushed."""
    project = start_project(releases.updates, tmp_path / "project", DEFAULT.answers, ref=ref)
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    git(project, "push", "-q", "origin", "main")
    return project


def run_update_workflow(project: Path, tmp_path: Path) -> WorkflowRun:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    (bin_dir / "python3").symlink_to(sys.executable)  # the scripts are standard library only
    log = tmp_path / "gh.log"
    log.touch()
    # copier is the suite's own (>= the template's _min_copier_version), where the job installs COPIER_VERSION.
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    job = run_job(
        project / UPDATE_WORKFLOW,
        "update",
        project,
        runner_temp=tmp_path / "runner-temp",
        provided_actions={"actions/checkout", "astral-sh/setup-uv"},
        skip={"install-copier"},
        context={"github.token": "token-of-the-test"},
        environment={**os.environ, "PATH": path, "GH_LOG": str(log)},
    )
    body = Path(f"{log}.body")
    return WorkflowRun(job, log.read_text().splitlines(), body.read_text() if body.exists() else "", project)


def failure_report(run: WorkflowRun) -> str:
    return "\n".join(f"{s.id}: {s.returncode}\n{s.stdout[-1500:]}\n{s.stderr[-1500:]}" for s in run.job.steps)


def test_update_workflow_opens_a_pull_request_security_first(releases: Releases, tmp_path: Path) -> None:
    project = published_project(releases, tmp_path)
    run = run_update_workflow(project, tmp_path)
    assert not run.job.failed, failure_report(run)
    assert run.job.step("check").outputs == {
        "update": "true", "current": "0.1.0", "latest": "0.3.0", "branch": "template-update/0.3.0"
    }  # fmt: skip
    assert run.job.step("install-copier").returncode is None
    assert run.job.step("body").outputs == {"conflicts": "false"}
    # The branch on origin holds the updated project; main is untouched.
    branch = git(project, "ls-remote", "origin", "refs/heads/template-update/0.3.0").split()
    assert branch, "the update branch was not pushed"
    assert "_commit: v0.3.0" in git(project, "show", f"{branch[0]}:{ANSWERS_FILE}")
    assert "_commit: v0.1.0" in git(project, "show", f"origin/main:{ANSWERS_FILE}")
    assert fix_landed(project) == [] and conflicts(project) == []
    create = next(call for call in run.gh_calls if call.startswith("pr create"))
    assert "--title Update from the template to 0.3.0 --body-file" in create and "--draft" not in create
    # The pull request lists both releases, the security fix first though the changelog lists it second.
    security = run.body.index("## Security fixes (1)")
    assert security < run.body.index("- 0.2.0: **[security]** The dev issuer binds to loopback only")
    assert run.body.index("## Other changes") < run.body.index("- 0.3.0: **[added]**")
    assert run.body.index("## Other changes") < run.body.index("- 0.2.0: **[fixed]**")
    assert "None: the update merged without conflicts" in run.body
    assert run.body in run.job.summary


def test_update_workflow_reports_conflicts_and_fails(releases: Releases, tmp_path: Path) -> None:
    project = published_project(releases, tmp_path)
    readme = project / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(README_LINE, "## Running on a laptop"), encoding="utf-8"
    )
    commit_all(project, "user renames a README heading the fix also changes")
    run = run_update_workflow(project, tmp_path)
    assert run.job.step("body").outputs == {"conflicts": "true"}
    assert run.job.step("publish").returncode == 0, failure_report(run)
    create = next(call for call in run.gh_calls if call.startswith("pr create"))
    assert "(conflicts to resolve)" in create and create.endswith("--draft")
    marker_lines = [c for c in conflicts(project) if c.startswith("README.md:")]
    assert marker_lines and all(f"- `{line}`" in run.body for line in marker_lines)
    assert f"**{len(conflicts(project))} unresolved**" in run.body
    # The job itself fails, naming the conflicts: a conflicted update is never green.
    last = run.job.steps[-1]
    assert last.returncode == 1 and "README.md:" in last.stderr and run.job.failed


def test_update_workflow_does_nothing_when_up_to_date(releases: Releases, tmp_path: Path) -> None:
    project = published_project(releases, tmp_path, ref="v0.3.0")
    run = run_update_workflow(project, tmp_path)
    assert not run.job.failed, failure_report(run)
    assert run.job.step("check").outputs["update"] == "false"
    assert [step.id for step in run.job.steps if step.returncode is not None] == ["check"]
    assert not any(call.startswith("pr create") for call in run.gh_calls)
    assert git(project, "ls-remote", "origin", "refs/heads/template-update/*") == ""
