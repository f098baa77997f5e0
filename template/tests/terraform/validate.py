"""`make validate` for the Terraform flavor: every check of infra/terraform, with a verdict per check.

- terraform fmt -check, init -backend=false and validate, for the service's root module, the
  account baseline and the deploy identity (root modules of their own);
- terraform test: plan-level assertions against the mocked AWS provider (infra/terraform/tests,
  infra/terraform/baseline/tests, infra/terraform/deploy-identity/tests);
- the infrastructure-app contract: the prod plan's app environments, handed to the app's
  Settings (tests/terraform/contract.py);
- checkov: 0 failed checks; each skip is inline in its resource, with its reason.

Terraform comes from $TERRAFORM or PATH, hashicorp/aws from the registry, or from the
filesystem mirror in $TF_PLUGIN_MIRROR (offline). checkov pins old libraries, so it runs
from an environment of its own: the command in $CHECKOV.
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
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.checkov_report import checkov_report
from tests.terraform.contract import environments_from_plan, problems

PROJECT = Path(__file__).resolve().parents[2]
ROOT = PROJECT / "infra" / "terraform"
BASELINE = ROOT / "baseline"
DEPLOY_IDENTITY = ROOT / "deploy-identity"
BUILD = PROJECT / "build" / "infra"
CONTRACT_TEST = "tests/contract.tftest.hcl"
DEFAULT_CHECKOV = "uvx --from checkov>=3.2.300 checkov"
INSTALL_TERRAFORM = (
    "Terraform >= 1.9 was not found: install it (https://developer.hashicorp.com/terraform/install) "
    "or point $TERRAFORM at its binary."
)
PROVIDER_HINT = (
    "terraform init could not install hashicorp/aws: it needs the Terraform registry, or a filesystem "
    "mirror holding registry.terraform.io/hashicorp/aws named by TF_PLUGIN_MIRROR=<mirror root>."
)


@dataclass(frozen=True)
class Outcome:
    name: str
    problems: list[str]
    summary: str = ""


def terraform_binary() -> str:
    binary = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not binary or not Path(binary).exists():
        raise SystemExit(INSTALL_TERRAFORM)
    return binary


def terraform_environment() -> dict[str, str]:
    """The environment terraform runs in: no prompts, no update check, the mirror when one is named."""
    environment = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}
    mirror = os.environ.get("TF_PLUGIN_MIRROR")
    if mirror:
        if not (Path(mirror) / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            raise SystemExit(f"TF_PLUGIN_MIRROR={mirror} holds no registry.terraform.io/hashicorp/aws provider.")
        BUILD.mkdir(parents=True, exist_ok=True)
        config = BUILD / "terraform-mirror.tfrc"
        config.write_text(
            "provider_installation {\n"
            f"  filesystem_mirror {{\n    path    = {json.dumps(str(Path(mirror).resolve()))}\n"
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n',
            encoding="utf-8",
        )
        environment["TF_CLI_CONFIG_FILE"] = str(config)
    return environment


def run(command: Sequence[str], cwd: Path, environment: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the tools' own command lines, no shell
        command, cwd=cwd, env=dict(environment), capture_output=True, text=True, check=False
    )


def failed(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [(result.stdout + result.stderr).strip()[-4000:]] if result.returncode else []


def test_files(module: Path) -> list[str]:
    return sorted(str(path.relative_to(module)) for path in (module / "tests").glob("*.tftest.hcl"))


def terraform_tests(terraform: str, module: Path, environment: Mapping[str, str], exclude: str = "") -> Outcome:
    files = [name for name in test_files(module) if name != exclude]
    name = f"terraform test ({module.relative_to(PROJECT)})"
    if not files:
        return Outcome(name, [f"no test file in {module.relative_to(PROJECT)}/tests"])
    result = run([terraform, "test", "-no-color", *(f"-filter={file}" for file in files)], module, environment)
    summary = next((line for line in reversed(result.stdout.splitlines()) if "passed" in line), "")
    return Outcome(name, failed(result), summary.strip())


def contract(terraform: str, environment: Mapping[str, str]) -> Outcome:
    name = "infrastructure-app contract (prod)"
    result = run([terraform, "test", "-no-color", "-json", "-verbose", f"-filter={CONTRACT_TEST}"], ROOT, environment)
    if result.returncode:
        return Outcome(name, failed(result))
    plans = [
        entry["test_plan"]
        for line in result.stdout.splitlines()
        if (entry := json.loads(line)).get("type") == "test_plan"
    ]
    if len(plans) != 1:
        return Outcome(name, [f"expected the plan of one run in {CONTRACT_TEST}, got {len(plans)}"])
    environments = environments_from_plan(plans[0])
    return Outcome(name, problems(environments), f"{len(environments)} workload(s): {', '.join(sorted(environments))}")


def checkov() -> Outcome:
    command = shlex.split(os.environ.get("CHECKOV") or DEFAULT_CHECKOV)
    environment = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
    # LOG_LEVEL is also the service's setting; checkov would read it as its own.
    environment.pop("LOG_LEVEL", None)
    directory = str(ROOT.relative_to(PROJECT))
    result = run(
        [*command, "--directory", directory, "--framework", "terraform", "--skip-download", "--output", "json"],
        PROJECT,
        environment,
    )
    found, summary = checkov_report(result.stdout)
    if result.returncode and not found:
        found = [f"exit {result.returncode}: {result.stderr[-3000:]}"]
    return Outcome("checkov", found, summary)


def modules() -> list[Path]:
    """The service's root module, then the root modules applied apart (account baseline, deploy identity)."""
    return [ROOT, *(module for module in (BASELINE, DEPLOY_IDENTITY) if module.is_dir())]


def root_module_checks(terraform: str, module: Path, environment: Mapping[str, str]) -> list[Outcome]:
    """init and validate, then (when both pass) the module's tests and, for the service, the contract."""
    where = module.relative_to(PROJECT)
    init = run([terraform, "init", "-backend=false", "-no-color"], module, environment)
    if init.returncode:
        return [Outcome(f"terraform init ({where})", [*failed(init), PROVIDER_HINT])]
    validate = Outcome(
        f"terraform validate ({where})", failed(run([terraform, "validate", "-no-color"], module, environment))
    )
    if validate.problems:
        return [validate]
    if module != ROOT:
        return [validate, terraform_tests(terraform, module, environment)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        tests = pool.submit(terraform_tests, terraform, module, environment, CONTRACT_TEST)
        agreement = pool.submit(contract, terraform, environment)
        return [validate, tests.result(), agreement.result()]


def report(outcomes: list[Outcome]) -> bool:
    for outcome in outcomes:
        status = "FAILED" if outcome.problems else "clean"
        print(f"{outcome.name}: {status}" + (f" ({outcome.summary})" if outcome.summary else ""))  # noqa: T201 - command-line output
        for problem in outcome.problems:
            print("  " + problem.replace("\n", "\n  "))  # noqa: T201
    return not any(outcome.problems for outcome in outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    started = time.monotonic()
    terraform = terraform_binary()
    environment = terraform_environment()
    fmt = [terraform, "fmt", "-check", "-recursive", "-diff", "-no-color"]
    with ThreadPoolExecutor(max_workers=len(modules()) + 1) as pool:
        scan = pool.submit(checkov)
        chains = [pool.submit(root_module_checks, terraform, module, environment) for module in modules()]
        outcomes = [Outcome("terraform fmt -check", failed(run(fmt, ROOT, environment)))]
        outcomes += [outcome for chain in chains for outcome in chain.result()]
        outcomes.append(scan.result())
    clean = report(outcomes)
    print(f"Terraform validated in {time.monotonic() - started:.1f} s")  # noqa: T201 - command-line output
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
