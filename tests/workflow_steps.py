"""Run one job of a GitHub Actions workflow on this machine, step by step, as a runner would.

Enough of the runner for the generated workflows' own steps (tests/test_update.py runs the
template-update job with it), and strict about the rest, so a workflow cannot drift into syntax the
test would silently misread:

- `run:` steps run with the job's shell (`bash --noprofile --norc -eo pipefail`), with the workflow's,
  the job's and the step's `env:`, and `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `RUNNER_TEMP` files;
- `${{ }}` is evaluated for `steps.<id>.outputs.<name>` and the names given in `context`
  (`github.token`, ...); anything else raises;
- `if:` understands `<expression> == '<text>'` / `!=`, joined by `&&`, with GitHub's implicit
  `success()`: once a step failed, the remaining steps are skipped;
- `uses:` steps are the caller's to provide (a checkout is the folder the job runs in): the caller
  names each action it stands in for, and an unexpected one raises; steps whose id is in `skip`
  (tool installation the test environment already has) do not run.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
STEP_OUTPUT = re.compile(r"steps\.([\w-]+)\.outputs\.([\w-]+)")
COMPARISON = re.compile(r"(?P<left>[\w.-]+)\s*(?P<operator>==|!=)\s*'(?P<right>[^']*)'")


@dataclass
class StepRun:
    id: str
    name: str
    returncode: int | None  # None: skipped
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobRun:
    steps: list[StepRun]
    summary: str

    def step(self, step_id: str) -> StepRun:
        return next(step for step in self.steps if step.id == step_id)

    @property
    def failed(self) -> bool:
        return any(step.returncode not in (None, 0) for step in self.steps)


def evaluate(expression: str, outputs: dict[str, dict[str, str]], context: dict[str, str]) -> str:
    step_output = STEP_OUTPUT.fullmatch(expression)
    if step_output:
        return outputs.get(step_output[1], {}).get(step_output[2], "")
    if expression in context:
        return context[expression]
    raise ValueError(f"the workflow uses an expression this runner does not know: {expression}")


def substitute(text: str, outputs: dict[str, dict[str, str]], context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda match: evaluate(match[1], outputs, context), text)


def condition_holds(condition: str, outputs: dict[str, dict[str, str]], context: dict[str, str]) -> bool:
    results = []
    for part in condition.split("&&"):
        comparison = COMPARISON.fullmatch(part.strip())
        if not comparison:
            raise ValueError(f"the workflow uses a condition this runner does not know: {condition}")
        value = evaluate(comparison["left"], outputs, context)
        results.append((value == comparison["right"]) == (comparison["operator"] == "=="))
    return all(results)


def read_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "<<" in line.split("=", 1)[0]:
            raise ValueError(f"multi-line outputs are not supported by this runner: {line}")
        name, _, value = line.partition("=")
        outputs[name] = value
    return outputs


def run_job(
    workflow_file: Path,
    job_name: str,
    workdir: Path,
    *,
    runner_temp: Path,
    provided_actions: set[str],
    skip: set[str],
    context: dict[str, str],
    environment: dict[str, str],
) -> JobRun:
    """Run `job_name` of `workflow_file` in `workdir`; `environment` is the machine's environment."""
    import yaml

    workflow: dict[str, Any] = yaml.safe_load(workflow_file.read_text(encoding="utf-8"))
    job = workflow["jobs"][job_name]
    shell = ((job.get("defaults") or workflow.get("defaults") or {}).get("run") or {}).get("shell", "bash")
    if shell != "bash":
        raise ValueError(f"only bash steps are supported, not {shell}")
    runner_temp.mkdir(parents=True, exist_ok=True)
    summary = runner_temp / "step-summary.md"
    summary.touch()
    outputs: dict[str, dict[str, str]] = {}
    runs: list[StepRun] = []
    failed = False
    for number, step in enumerate(job["steps"]):
        step_id = str(step.get("id", f"step-{number}"))
        name = str(step.get("name") or step.get("uses") or step.get("run", "")[:40])
        if "uses" in step:
            action = str(step["uses"]).split("@", 1)[0]
            if action not in provided_actions:
                raise ValueError(f"step {name!r} uses {action}, which the caller does not provide")
            runs.append(StepRun(step_id, name, None))
            continue
        condition = str(step.get("if", "")).strip()
        if step_id in skip or failed or (condition and not condition_holds(condition, outputs, context)):
            runs.append(StepRun(step_id, name, None))
            continue
        output_file = runner_temp / f"output-{number}"
        output_file.write_text("", encoding="utf-8")
        env = dict(environment)
        for scope in (workflow.get("env") or {}, job.get("env") or {}, step.get("env") or {}):
            env.update({key: substitute(str(value), outputs, context) for key, value in scope.items()})
        env |= {
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(runner_temp),
        }
        script = runner_temp / f"step-{number}.sh"
        script.write_text(substitute(str(step["run"]), outputs, context), encoding="utf-8")
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workdir, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        outputs[step_id] = read_outputs(output_file)
        runs.append(StepRun(step_id, name, result.returncode, result.stdout, result.stderr, outputs[step_id]))
        failed = failed or result.returncode != 0
    return JobRun(runs, summary.read_text(encoding="utf-8"))
