"""`make validate` for the CDK flavor: synth + cdk-nag + assertions, then cfn-lint, checkov and the app contract.

1. The CDK environment's python ($CDK_PYTHON, default infra/cdk/.venv/bin/python) runs infra/cdk/tests:
   it synthesises every environment into build/infra/cdk/<environment>/ (cdk-nag's AwsSolutions and
   NIST 800-53 rev 5 packs run at synth) and asserts the security properties on the templates.
2. cfn-lint (from the CDK environment) and checkov ($CHECKOV, its own environment) scan the
   synthesised templates at the same time: no error or warning, 0 failed checks, every skip with a reason.
3. This interpreter (the service's environment) runs infra/cdk/contract: the app's Settings accept, with
   ENVIRONMENT=prod, what the synthesised compute stack gives the service.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CDK_APP = Path(__file__).resolve().parent
PROJECT = CDK_APP.parents[1]
OUT = PROJECT / "build" / "infra" / "cdk"
DEFAULT_CHECKOV = "uvx --from checkov>=3.2.300 checkov"
# CDK writes DependsOn on each role's policy next to the GetAtt that already implies it: its own
# pattern, harmless, and not ours to change.
CFN_LINT_IGNORED = ["W3005"]


def environment(cache: Path) -> dict[str, str]:
    """jsii unpacks ~200 MB and aws-cdk-lib writes ~/.cdk: both under `cache`, not the user's home."""
    variables = {
        **os.environ,
        "CDK_OUT": str(OUT),
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT": os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(cache / "jsii")),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_VERSION_CHECK": "true",
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    }
    variables.pop("LOG_LEVEL", None)  # the service's setting; checkov would read it as its own
    return variables


def checkov_problems(output: str) -> tuple[list[str], str]:
    try:
        parsed: Any = json.loads(output)
    except json.JSONDecodeError:
        return [f"checkov printed no JSON report:\n{output[-3000:]}"], ""
    reports = parsed if isinstance(parsed, list) else [parsed]
    problems: list[str] = []
    counts = dict.fromkeys(("passed", "failed", "skipped", "parsing_errors"), 0)
    for report in reports:
        for key in counts:
            counts[key] += int(report.get("summary", {}).get(key, 0))
        results = report.get("results", {})
        for check in results.get("failed_checks", []):
            problems.append(
                f"{check['file_path'].lstrip('/')}: {check['check_id']} {check['resource']}: {check['check_name']}"
            )
        for check in results.get("skipped_checks", []):
            if not (check.get("check_result", {}).get("suppress_comment") or "").strip():
                problems.append(f"{check['file_path'].lstrip('/')}: skip of {check['check_id']} gives no reason")
    if counts["parsing_errors"]:
        problems.append(f"checkov could not parse {counts['parsing_errors']} file(s)")
    if not counts["passed"] + counts["failed"]:
        problems.append("checkov ran no check: were the templates found?")
    return problems, ", ".join(f"{count} {key.replace('_', ' ')}" for key, count in counts.items())


def run(name: str, command: list[str], variables: dict[str, str], cwd: Path) -> bool:
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=variables, check=False)  # noqa: S603 - our own tools, no shell
    status = "clean" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    print(f"{name}: {status} in {time.monotonic() - started:.1f} s")  # noqa: T201 - command-line output
    return result.returncode == 0


def scan(cdk_python: str, region: str, variables: dict[str, str]) -> bool:
    templates = sorted(str(path.relative_to(PROJECT)) for path in OUT.glob("*/*.template.json"))
    if not templates:
        print(f"no synthesised template under {OUT}")  # noqa: T201
        return False
    checkov = shlex.split(os.environ.get("CHECKOV") or DEFAULT_CHECKOV)
    ignored = [argument for check in CFN_LINT_IGNORED for argument in ("--ignore-checks", check)]
    commands = {
        "cfn-lint": [str(Path(cdk_python).parent / "cfn-lint"), "--regions", region, *ignored, "--", *templates],
        "checkov": [
            *checkov,
            "--framework",
            "cloudformation",
            "--skip-download",
            "--output",
            "json",
            *(argument for template in templates for argument in ("--file", template)),
        ],
    }
    started = time.monotonic()
    running = {
        name: subprocess.Popen(  # noqa: S603 - our own tools, no shell
            command, cwd=PROJECT, env=variables, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, command in commands.items()
    }
    clean = True
    for name, process in running.items():
        output, errors = process.communicate()
        if name == "checkov":
            problems, counts = checkov_problems(output)
            if process.returncode and not problems:
                problems = [f"exit {process.returncode}: {errors[-3000:]}"]
        else:
            problems, counts = ([output.strip() or errors[-3000:]] if process.returncode else []), ""
        clean = clean and not problems
        print(f"{name}: {'FAILED' if problems else 'clean'}" + (f" ({counts})" if counts else ""))  # noqa: T201
        for problem in problems:
            print("  " + problem.replace("\n", "\n  "))  # noqa: T201
    print(f"{len(templates)} templates scanned in {time.monotonic() - started:.1f} s")  # noqa: T201
    return clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"), help="region to lint for")
    arguments = parser.parse_args(argv)
    cdk_python = os.environ.get("CDK_PYTHON") or str(CDK_APP / ".venv" / "bin" / "python")
    if "/" in cdk_python:  # the steps run in other folders
        cdk_python = str(Path(cdk_python).absolute())
    if not (Path(cdk_python).exists() or shutil.which(cdk_python)):
        print(  # noqa: T201
            f"The CDK environment is missing ({cdk_python}). Create it with `make cdk-env`, or point CDK_PYTHON "
            "at a python that has infra/cdk/requirements.txt installed."
        )
        return 1
    variables = environment(PROJECT / "build" / "cache")
    started = time.monotonic()
    steps = [
        lambda: run(
            "synth + cdk-nag + assertions",
            [cdk_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
            variables,
            CDK_APP,
        ),
        lambda: scan(cdk_python, arguments.region, variables),
        lambda: run(
            "app contract",
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                str(PROJECT),
                "-c",
                str(PROJECT / "pyproject.toml"),
                str(CDK_APP / "contract"),
            ],
            variables,
            PROJECT,
        ),
    ]
    clean = all(step() for step in steps)  # stops at the first failed step: later ones read its output
    print(f"CDK validation {'clean' if clean else 'FAILED'} in {time.monotonic() - started:.1f} s")  # noqa: T201
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
