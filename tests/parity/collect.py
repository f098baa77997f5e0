"""One CloudFormation-family flavor's output for prod, every resource evaluated, as JSON on stdout.

Runs in the parity tool environment (cfn-lint, aws-sam-translator, boto3), not in the test process:

    collect.py project <rendered project>     CloudFormation and SAM: the project's own stacks, read by
                                              its tests/infra/stacks.deployment (SAM transformed offline)
    collect.py templates <folder>             CDK: the synthesised *.template.json files, evaluated by the
                                              same evaluator (the template's tests/infra/cloudformation.py)

Each resource is {"stack", "logical_id", "type", "properties", "deletion_policy", "ref", "arn"}: conditions
resolved, intrinsic functions evaluated, deploy-time values (what `Ref` and `Fn::GetAtt ... Arn` return)
replaced by placeholders of the right shape.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

EVALUATOR = Path(__file__).resolve().parents[2] / "template" / "tests" / "infra" / "cloudformation.py"


def _resources(deployment: Any) -> list[dict[str, Any]]:
    return [
        {
            "stack": stack.name,
            "logical_id": resource.logical_id,
            "type": resource.type,
            "properties": resource.properties,
            "deletion_policy": resource.deletion_policy,
            "ref": stack.value({"Ref": resource.logical_id}),
            "arn": stack.value({"Fn::GetAtt": [resource.logical_id, "Arn"]}),
        }
        for stack, resource in deployment.resources()
    ]


def from_project(project: Path) -> list[dict[str, Any]]:
    sys.path.insert(0, str(project))
    from tests.infra.stacks import deployment  # type: ignore[import-not-found]  # the rendered project's module

    return _resources(deployment("prod"))


def from_templates(folder: Path) -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("parity_cloudformation", EVALUATOR)
    assert spec and spec.loader
    evaluator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = evaluator
    spec.loader.exec_module(evaluator)
    templates = {
        path.name.removesuffix(".template.json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.template.json"))
    }
    return _resources(evaluator.Deployment(templates, {}))


def main() -> None:
    mode, where = sys.argv[1], Path(sys.argv[2])
    resources = from_project(where) if mode == "project" else from_templates(where)
    json.dump(resources, sys.stdout, default=str)


if __name__ == "__main__":
    main()
