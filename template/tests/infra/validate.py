"""`make validate`: lint and scan every CloudFormation template of infra/, transformed ones included.

- cfn-lint: errors and warnings, plus the serverless rules of cfn-lint-serverless;
- checkov: 0 failed checks; each skip is inline in the resource's Metadata, with its reason.

Both tools run at the same time, each over all the files in one process. checkov pins
old libraries, so it runs from an environment of its own: the command in $CHECKOV.
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

from tests.checkov_report import checkov_report
from tests.infra.cloudformation import load
from tests.infra.stacks import PROJECT, TRANSFORMED, source_templates

BUILD = PROJECT / "build" / "infra"
DEFAULT_CHECKOV = "uvx --from checkov>=3.2.300 checkov"
LAMBDA_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::")


def write_transformed(region: str) -> list[Path]:
    """What the transforms make of their sources, as JSON files cfn-lint and checkov can read."""
    written = []
    for name, (source, make) in TRANSFORMED.items():
        BUILD.mkdir(parents=True, exist_ok=True)
        path = BUILD / f"{name}.transformed.json"
        path.write_text(json.dumps(make(source, {"AWS::Region": region}), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def runs_lambda(template: Path) -> bool:
    resources = (load(template).get("Resources") or {}).values()
    return any(str(resource.get("Type")).startswith(LAMBDA_TYPES) for resource in resources)


def commands(templates: list[Path], region: str) -> dict[str, list[str]]:
    cfn_lint = [shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or "cfn-lint", "--regions", region]
    checkov = shlex.split(os.environ.get("CHECKOV") or DEFAULT_CHECKOV)
    files = [str(path.relative_to(PROJECT)) for path in templates]
    with_lambda = [str(path.relative_to(PROJECT)) for path in templates if runs_lambda(path)]
    without_lambda = [file for file in files if file not in with_lambda]
    lint = {
        "cfn-lint": [*cfn_lint, "--", *without_lambda],
        # The serverless rules (cfn-lint-serverless) on the templates that define functions.
        "cfn-lint + serverless rules": [*cfn_lint, "--append-rules", "cfn_lint_serverless.rules", "--", *with_lambda],
    }
    return {name: command for name, command in lint.items() if command[-1] != "--"} | {
        "checkov": [
            *checkov,
            "--framework",
            "cloudformation",
            "--skip-download",
            "--output",
            "json",
            *(argument for file in files for argument in ("--file", file)),
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"), help="region to lint for")
    arguments = parser.parse_args(argv)
    started = time.monotonic()
    templates = source_templates() + write_transformed(arguments.region)
    environment = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
    # LOG_LEVEL is also the service's setting; checkov would read it as its own.
    environment.pop("LOG_LEVEL", None)
    running = {
        name: subprocess.Popen(  # noqa: S603 - the tools' own command lines, no shell
            command, cwd=PROJECT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, command in commands(templates, arguments.region).items()
    }
    failed = False
    for name, process in running.items():
        output, errors = process.communicate()
        if name == "checkov":
            problems, counts = checkov_report(output)
            if process.returncode and not problems:
                problems = [f"exit {process.returncode}: {errors[-3000:]}"]
        else:
            problems, counts = ([output.strip() or errors[-3000:]] if process.returncode else []), ""
        failed = failed or bool(problems)
        status = "FAILED" if problems else "clean"
        print(f"{name}: {status}" + (f" ({counts})" if counts else ""))  # noqa: T201 - command-line output
        for problem in problems:
            print("  " + problem.replace("\n", "\n  "))  # noqa: T201
    print(f"{len(templates)} templates validated in {time.monotonic() - started:.1f} s")  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
