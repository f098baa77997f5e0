"""Each flavor's output for the same answers, for prod: what the parity test compares.

- CloudFormation and SAM: the project's own stacks, evaluated for Environment=prod by its
  tests/infra/stacks.deployment (the SAM template transformed offline by aws-sam-translator);
- CDK: the app synthesised for environment=prod (with the matrix's shared aws-cdk-lib environment
  and jsii cache), its templates evaluated by the same evaluator;
- Terraform: the plan of the whole root module for prod (and of the baseline root module), in
  `terraform show -json` form, from the project's own prod run (tests/contract.tftest.hcl,
  baseline/tests/baseline.tftest.hcl) against the mocked provider with its mock values.

Outputs are cached per answers and per content of the template (`.matrix/parity/`), so a rerun
with an unchanged template reads them back; xdist workers share the cache under a file lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from filelock import FileLock
from rendering import ROOT, render_copier

CACHE = ROOT / ".matrix" / "parity"
COLLECT = Path(__file__).with_name("collect.py")
# Files whose content decides a flavor's output: its own infrastructure folders, the helper functions'
# sources, which files the answers bring (copier.yml is generated from questions.yml and the tree),
# and how outputs are produced here. A change to one flavor leaves the others' cached outputs valid.
COMMON_SOURCES = (
    "questions.yml",
    "template/infra/functions",
    "tests/parity/collect.py",
    "tests/parity/outputs.py",
)
FLAVOR_SOURCES = {
    "cloudformation": (
        "template/infra/cloudformation",
        "template/infra/deploy.sh.jinja",
        "template/tests/infra",
    ),
    "sam": ("template/infra/cloudformation", "template/infra/sam", "template/tests/infra"),
    "terraform": ("template/infra/terraform", "template/tests/terraform"),
    "cdk": ("template/infra/cdk", "template/tests/infra/cloudformation.py"),
}
PARITY_REQUIREMENTS = ["cfn-lint>=1.57", "aws-sam-translator>=1.110", "boto3>=1.35"]
ENVIRONMENT = "prod"
TERRAFORM = "infra/terraform"
# The service's root module is planned by the prod run of its contract test; every other root module
# (a folder of infra/terraform with its own providers.tf: the account baseline, the deploy identity)
# by the first run of its tests, which plans what it creates by default.
CONTRACT_RUN = ("tests/contract.tftest.hcl", "prod")


@dataclass(frozen=True)
class Resource:
    """One resource of a flavor's output: its type as the flavor names it and its evaluated values."""

    type: str
    address: str
    properties: dict[str, Any]
    deletion_policy: str | None = None
    ref: str = ""  # what other resources name it by (Ref, or Terraform's id)
    arn: str = ""


@dataclass(frozen=True)
class Tools:
    parity_python: Path
    cdk_python: Path
    terraform_mirror: str
    jsii_cache: Path


@cache
def template_digest(flavor: str) -> str:
    digest = hashlib.sha256()
    for source in (*COMMON_SOURCES, *FLAVOR_SOURCES[flavor]):
        path = ROOT / source
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                digest.update(file.relative_to(ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def output(flavor: str, answers: Mapping[str, Any], tools: Tools) -> list[Resource]:
    """The flavor's prod resources for these answers (from the cache when the template is unchanged)."""
    key = hashlib.sha256(
        json.dumps([flavor, dict(answers), template_digest(flavor)], sort_keys=True).encode()
    )
    cached = CACHE / f"{flavor}-{key.hexdigest()[:20]}.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cached) + ".lock"):
        if not cached.exists():
            work = CACHE / "work" / cached.stem
            shutil.rmtree(work, ignore_errors=True)
            project = render_copier(work / "project", {**answers, "iac": flavor})
            produced = PRODUCERS[flavor](project, tools)
            record = {"flavor": flavor, "answers": dict(answers), "resources": produced}
            cached.write_text(json.dumps(record), encoding="utf-8")
            shutil.rmtree(work, ignore_errors=True)
    return read(cached)


def read(cached: Path) -> list[Resource]:
    return [Resource(**entry) for entry in json.loads(cached.read_text(encoding="utf-8"))["resources"]]


def _run(command: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=dict(env or os.environ), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:3])} failed in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def _collected(tools: Tools, mode: str, where: Path) -> list[dict[str, Any]]:
    resources = json.loads(_run([str(tools.parity_python), str(COLLECT), mode, str(where)], cwd=where))
    return [
        {
            "type": entry["type"],
            "address": f"{entry['stack']}/{entry['logical_id']}",
            "properties": entry["properties"],
            "deletion_policy": entry["deletion_policy"],
            "ref": str(entry["ref"]),
            "arn": str(entry["arn"]),
        }
        for entry in resources
    ]


def cloudformation(project: Path, tools: Tools) -> list[dict[str, Any]]:
    return _collected(tools, "project", project)


# The app as synthesis.py builds it, without cdk-nag's packs: they are the project's own validation
# (make validate), they change no template, and they are most of the synthesis time.
SYNTH = """
import pathlib, sys, types
import app, synthesis
no_packs = types.SimpleNamespace(add_plugins=lambda *packs: None)
app.Validations = types.SimpleNamespace(of=lambda scope: no_packs)
synthesis.OUT = pathlib.Path(sys.argv[1])
result = synthesis.synthesise(sys.argv[2])
if not result.templates:
    sys.exit("synthesis failed: " + result.error)
"""


def cdk(project: Path, tools: Tools) -> list[dict[str, Any]]:
    app = project / "infra" / "cdk"
    out = project / "build" / "cdk"
    env = {
        **os.environ,
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(tools.jsii_cache),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    env.pop("PYTHONPATH", None)
    _run([str(tools.cdk_python), "-c", SYNTH, str(out), ENVIRONMENT], cwd=app, env=env)
    return _collected(tools, "templates", out / ENVIRONMENT)


def terraform(project: Path, tools: Tools) -> list[dict[str, Any]]:
    config = project / "build" / "terraform.tfrc"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path = {json.dumps(tools.terraform_mirror)}\n"
        '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n',
        encoding="utf-8",
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    env["CHECKPOINT_DISABLE"] = "1"
    resources: list[dict[str, Any]] = []
    root = project / TERRAFORM
    modules = [root, *sorted(path.parent for path in root.glob("*/providers.tf"))]
    for where in modules:
        _run(["terraform", "init", "-backend=false", "-no-color"], cwd=where, env=env)
        test_file, run = (
            CONTRACT_RUN if where == root else (f"tests/{min(where.glob('tests/*.tftest.hcl')).name}", "")
        )
        lines = _run(
            ["terraform", "test", "-no-color", "-json", "-verbose", f"-filter={test_file}"], where, env
        )
        plans = [
            entry
            for line in lines.splitlines()
            if (entry := json.loads(line)).get("type") == "test_plan"
            and entry.get("@testrun") == (run or entry.get("@testrun"))
        ]
        if not plans:
            raise RuntimeError(f"{where}: no plan from {test_file}")
        prefix = "" if where == root else f"{where.name}."
        resources += [
            {
                "type": change["type"],
                "address": prefix + change["address"],
                "properties": change["change"]["after"] or {},
                "deletion_policy": None,
                "ref": str((change["change"]["after"] or {}).get("id") or ""),
                "arn": str((change["change"]["after"] or {}).get("arn") or ""),
            }
            for change in plans[0]["test_plan"]["resource_changes"]
            if change["mode"] == "managed" and "create" in change["change"]["actions"]
        ]
    return resources


PRODUCERS = {"cloudformation": cloudformation, "sam": cloudformation, "cdk": cdk, "terraform": terraform}
