"""The app synthesised for one environment: its templates and what cdk-nag left unacknowledged.

The templates land in $CDK_OUT/<environment>/ (default build/infra/cdk under the project), where
validate.py runs cfn-lint, checkov and the app contract test on them.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import App
from aws_cdk.assertions import Template

import app as cdk_app

CDK_APP = Path(__file__).resolve().parent
PROJECT = CDK_APP.parents[1]
OUT = Path(os.environ.get("CDK_OUT") or PROJECT / "build" / "infra" / "cdk")
ENVIRONMENTS = ("dev", "staging", "prod")
# What `cdk deploy` is given on a full deployment (see README); the image tag brings the service.
CONTEXT = {
    "image_tag": "1.0.0",
    "auth_issuer": "https://login.example.com",
    "cors_allow_origins": '["https://app.example.com"]',
    # The administrator's bootstrap synthesis adds the deploy identity stack (checked with the others).
    "deploy_identity": "true",
    "github_repository": "acme-corp/service",
}


@dataclass
class Synthesis:
    """One environment's cloud assembly: its templates, and what cdk-nag left unacknowledged."""

    environment: str
    outdir: Path
    error: str = ""
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What CloudFormation names the stacks (it names their unnamed roles `<stack name>-<logical id>-<suffix>`).
    stack_names: list[str] = field(default_factory=list)

    def template(self, concern: str) -> Template:
        return Template.from_json(self.templates[concern])

    def has(self, concern: str) -> bool:
        return concern in self.templates

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Every resource of `resource_type` in every stack, by `<concern>/<logical id>`."""
        return {
            f"{concern}/{logical_id}": resource
            for concern, template in self.templates.items()
            for logical_id, resource in template.get("Resources", {}).items()
            if resource["Type"] == resource_type
        }

    def violations(self) -> list[str]:
        report_path = self.outdir / "validation-report.json"
        if not report_path.exists():
            return []
        report = json.loads(report_path.read_text(encoding="utf-8"))
        return [
            f"{plugin['pluginName']}: {violation['ruleName']} at {construct['constructPath']}: "
            f"{violation['description']}"
            for plugin in report.get("pluginReports", [])
            for violation in plugin.get("violations", [])
            for construct in violation.get("violatingConstructs", [])
        ]


def as_text(node: Any) -> str:
    """An `Fn::Join` of strings and pseudo-parameter `Ref`s, written `<AWS::Region>`-style."""
    if isinstance(node, dict) and "Ref" in node:
        return f"<{node['Ref']}>"
    if isinstance(node, dict) and "Fn::Join" in node:
        separator, parts = node["Fn::Join"]
        return str(separator).join(as_text(part) for part in parts)
    return str(node)


def permissions_boundary(environment: str) -> str:
    """The ARN of the environment's permissions boundary, as `as_text` writes it."""
    return f"arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/{cdk_app.PROJECT}-{environment}-permissions-boundary"


def synthesise(environment: str) -> Synthesis:
    outdir = OUT / environment
    shutil.rmtree(outdir, ignore_errors=True)  # no report or template of an earlier run survives
    # cdk.json's context (feature flags) as the CDK CLI would pass it, plus what a full deployment is given.
    settings = json.loads((CDK_APP / "cdk.json").read_text(encoding="utf-8")).get("context", {})
    app = App(outdir=str(outdir), context={**settings, **CONTEXT})
    synthesis = Synthesis(environment, outdir)
    try:
        stacks = cdk_app.build(app, environment)
        app.synth()
    except RuntimeError as error:  # jsii raises CDK's errors (cdk-nag's "Validation failed" too) as RuntimeError
        synthesis.error = str(error)
        if not (outdir / "manifest.json").exists():
            return synthesis  # nothing was written: the tests report the error
    prefix = f"{cdk_app.PROJECT}-{environment}-"
    for stack in stacks:
        path = outdir / stack.template_file
        synthesis.templates[stack.stack_name.removeprefix(prefix)] = json.loads(path.read_text(encoding="utf-8"))
        synthesis.stack_names.append(stack.stack_name)
    return synthesis
