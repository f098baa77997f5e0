"""The synthesised prod templates, with their values resolved the way CloudFormation would at deploy time.

An `Fn::ImportValue` reads the export of the stack that declares it (a missing export fails, as at
deploy time); values that exist only once deployed (ids, ARNs, endpoints) become placeholders of the
right shape, named after the resource they stand for.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[3]
OUT = Path(os.environ.get("CDK_OUT") or PROJECT / "build" / "infra" / "cdk")
REGION = "eu-west-1"
ACCOUNT = "123456789012"
PSEUDO = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def _ref(resource_type: str, logical_id: str) -> str:
    slug = logical_id.lower()
    shapes = {
        "AWS::SecretsManager::Secret": _arn("secretsmanager", f"secret:{slug}-AbCdEf"),
        "AWS::KMS::Key": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "AWS::Cognito::UserPool": f"{REGION}_Ex4mpl3Pl",
        "AWS::Cognito::UserPoolClient": "1example23456789abcdefghij",
        "AWS::SNS::Topic": _arn("sns", slug),
        "AWS::Logs::LogGroup": f"/example/{slug}",
    }
    return shapes.get(resource_type, slug)


def _attribute(resource_type: str, logical_id: str, attribute: str) -> str:
    slug = logical_id.lower()
    if attribute == "Arn" and resource_type == "AWS::KMS::Key":
        return _arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")
    if attribute.endswith("SecretArn"):
        return _arn("secretsmanager", f"secret:{slug}-AbCdEf")
    if attribute.endswith(("Port",)):
        return "5432"
    if "Endpoint" in attribute or attribute.endswith("Address"):
        return f"{slug}.example.internal"
    if attribute == "Arn":
        return _arn(resource_type.split("::")[1].lower(), slug)
    return f"{slug}-{attribute.lower()}"


class Deployment:
    """Every stack of one synthesised environment, resolved together."""

    def __init__(self, environment: str) -> None:
        folder = OUT / environment
        paths = sorted(folder.glob("*.template.json"))
        if not paths:
            raise AssertionError(f"no synthesised template in {folder}: run `make validate` (it synthesises first)")
        self.templates = {path.name.removesuffix(".template.json"): json.loads(path.read_text()) for path in paths}
        self.exports: dict[str, tuple[str, Any]] = {}
        for name, template in self.templates.items():
            for output in template.get("Outputs", {}).values():
                if "Export" in output:
                    self.exports[output["Export"]["Name"]] = (name, output["Value"])

    def stack(self, suffix: str) -> tuple[str, dict[str, Any]]:
        (match,) = [(name, template) for name, template in self.templates.items() if name.endswith(f"-{suffix}")]
        return match

    def resolve(self, stack: str, value: Any) -> Any:  # noqa: PLR0911 - one return per intrinsic function
        template = self.templates[stack]
        if isinstance(value, list):
            return [self.resolve(stack, item) for item in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            name = value["Ref"]
            if name in PSEUDO:
                return PSEUDO[name]
            if name in template.get("Parameters", {}):
                return template["Parameters"][name].get("Default", f"parameter-{name.lower()}")
            return _ref(template["Resources"][name]["Type"], name)
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            return _attribute(template["Resources"][logical_id]["Type"], logical_id, attribute)
        if "Fn::ImportValue" in value:
            export = self.resolve(stack, value["Fn::ImportValue"])
            if export not in self.exports:
                raise AssertionError(f"{stack} imports {export}, which no stack exports")
            exporter, exported = self.exports[export]
            return self.resolve(exporter, exported)
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(stack, part)) for part in parts)
        if "Fn::Select" in value:
            index, items = value["Fn::Select"]
            return self.resolve(stack, items)[int(index)]
        if "Fn::Split" in value:
            separator, text = value["Fn::Split"]
            return str(self.resolve(stack, text)).split(separator)
        return {key: self.resolve(stack, item) for key, item in value.items()}
