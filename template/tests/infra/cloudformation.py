"""CloudFormation templates evaluated the way CloudFormation evaluates them, for tests.

A `Stack` resolves conditions, `Fn::If`, `Ref`, `Fn::Sub` and the other intrinsic
functions for given parameter values, so a property that only prod has (Multi-AZ,
deletion protection) is checked where it must hold. A `Deployment` evaluates several
stacks together: an `Fn::ImportValue` reads the export of the stack that declares
it, and one that no stack exports is an error, as it is at deploy time. Values that
exist only once deployed (physical ids, attributes) become placeholders of the right
shape (ARNs, host names, ids) named after the resource they stand for.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.decode import decode  # type: ignore[import-untyped]  # cfn-lint ships no type information

REGION = "eu-west-1"
ACCOUNT = "123456789012"
AVAILABILITY_ZONES = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
PORTS = {"RDS": "5432", "ElastiCache": "6379"}
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_ARN_SERVICES = {"ElasticLoadBalancingV2": "elasticloadbalancing", "Cognito": "cognito-idp", "Serverless": "lambda"}


class _NoValue:
    """`AWS::NoValue`: the property is removed."""


NO_VALUE = _NoValue()


def load(path: Path) -> dict[str, Any]:
    """A YAML or JSON template, short-form tags (`!Ref`, `!Sub`) read as their long form."""
    template, matches = decode(str(path))
    if matches or not isinstance(template, dict):
        raise ValueError(f"{path}: " + "; ".join(str(match) for match in matches))
    return template


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def resource_arn(resource_type: str, slug: str) -> str:
    """An ARN of the shape AWS gives a resource of this type (some stacks split ARNs apart)."""
    shapes = {
        "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{slug}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{slug}",
        "AWS::RDS::DBProxy": arn("rds", f"db-proxy:prx-{slug}"),
        "AWS::RDS::DBInstance": arn("rds", f"db:{slug}"),
        "AWS::Lambda::Function": arn("lambda", f"function:{slug}"),
        "AWS::Logs::LogGroup": arn("logs", f"log-group:/{slug}:*"),
        "AWS::SNS::Topic": arn("sns", slug),
        "AWS::SQS::Queue": arn("sqs", slug),
        "AWS::ElasticLoadBalancingV2::LoadBalancer": arn(
            "elasticloadbalancing", f"loadbalancer/app/{slug}/0a1b2c3d4e5f6a7b"
        ),
        "AWS::ElasticLoadBalancingV2::TargetGroup": arn("elasticloadbalancing", f"targetgroup/{slug}/0a1b2c3d4e5f6a7b"),
    }
    if resource_type in shapes:
        return shapes[resource_type]
    parts = resource_type.split("::")
    service = _ARN_SERVICES.get(parts[1], parts[1].lower()) if len(parts) == 3 else "service"
    return arn(service, f"{parts[-1].lower()}/{slug}")


def placeholder(name: str, resource_type: str = "") -> str:
    """A value shaped like what `name` (an export, parameter or attribute) holds once deployed."""
    service = resource_type.split("::")[1] if resource_type.count("::") == 2 else ""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    rules: list[tuple[bool, str]] = [
        (name.endswith(("KeyArn", "KeyId")), arn("kms", f"key/{KEY_ID}")),
        ("SecretArn" in name or name.endswith("SecretId"), arn("secretsmanager", f"secret:{slug}-AbCdEf")),
        (name.endswith("TopicArn"), arn("sns", slug)),
        (name.endswith("CertificateArn"), arn("acm", f"certificate/{KEY_ID}")),
        (name.endswith("UserPoolArn"), arn("cognito-idp", f"userpool/{REGION}_Example1")),
        (name.endswith("Arn"), resource_arn(resource_type, slug)),
        (name.endswith("UserPoolId"), f"{REGION}_Example1"),
        (name.endswith(("Issuer", "ProviderURL")), f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Example1"),
        (name.endswith("ClientId"), f"{slug.replace('-', '')}0123456789"[:26]),
        (name.endswith("Url"), f"https://{slug}.execute-api.{REGION}.amazonaws.com/prod"),
        (name.endswith("Cidrs"), "10.0.0.0/24,10.0.1.0/24"),
        (name.endswith("SubnetIds"), "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002"),
        (name.endswith("SecurityGroupId"), "sg-0a1b2c3d4e5f60001"),
        (name.endswith("VpcId"), "vpc-0a1b2c3d4e5f60001"),
        (name.endswith("Port"), PORTS.get(service, "5432")),
        (
            name.endswith(("Endpoint", "Address", "DNSName", "DnsName", "Host")),
            f"{slug}.example.{REGION}.amazonaws.com",
        ),
        (name.endswith("ResourceId"), "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    ]
    return next((value for matches, value in rules if matches), slug)


def kms_key_id(stack: str, logical_id: str) -> str:
    """An id of its own for each resource (a key ARN then tells which key it is)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{stack}/{logical_id}"))


def _physical_id(stack: str, logical_id: str, resource_type: str) -> str:
    """What `Ref` returns for a resource of this type."""
    kind = resource_type.rsplit("::", 1)[-1]
    by_type = {
        "AWS::KMS::Key": kms_key_id(stack, logical_id),
        "AWS::KMS::Alias": f"alias/{logical_id}",
        "AWS::SecretsManager::Secret": placeholder(f"{logical_id}SecretArn"),
        "AWS::SNS::Topic": placeholder(f"{logical_id}TopicArn"),
        "AWS::Cognito::UserPool": placeholder("UserPoolId"),
        "AWS::Cognito::UserPoolClient": placeholder(f"{logical_id}ClientId"),
        "AWS::EC2::VPC": placeholder("VpcId"),
        "AWS::EC2::SecurityGroup": f"sg-{kms_key_id(stack, logical_id).replace('-', '')[:17]}",
        "AWS::ElasticLoadBalancingV2::LoadBalancer": placeholder(f"{logical_id}Arn", resource_type),
        "AWS::ElasticLoadBalancingV2::TargetGroup": placeholder(f"{logical_id}Arn", resource_type),
        "AWS::ElasticLoadBalancingV2::Listener": placeholder(f"{logical_id}Arn", resource_type),
        "AWS::WAFv2::WebACL": f"{logical_id}|{KEY_ID}|REGIONAL",
    }
    if resource_type in by_type:
        return by_type[resource_type]
    if kind == "Subnet":
        return f"subnet-{logical_id.lower()}"
    return logical_id.lower() if resource_type == "AWS::S3::Bucket" else logical_id


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    metadata: dict[str, Any]
    deletion_policy: str | None


class Stack:
    """One template evaluated for one set of parameter values (defaults for the others)."""

    def __init__(
        self,
        name: str,
        template: dict[str, Any],
        parameters: Mapping[str, str],
        imports: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.template = template
        self._imports = imports
        self.parameters: dict[str, Any] = {}
        for key, declaration in (template.get("Parameters") or {}).items():
            value = parameters.get(key, declaration.get("Default"))
            if value is None:
                value = placeholder(key)
            value = str(value)
            kind = str(declaration.get("Type", "String"))
            is_list = kind.startswith("List<") or kind == "CommaDelimitedList"
            self.parameters[key] = [item.strip() for item in value.split(",")] if is_list else value

    # Conditions -----------------------------------------------------------
    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise KeyError(f"{self.name}: no condition {name!r}")
        return self._condition(conditions[name])

    def _condition(self, node: Any) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            ((function, argument),) = node.items()
            if function == "Condition":
                return self.condition(argument)
            if function == "Fn::Equals":
                left, right = (self.value(item) for item in argument)
                return str(left) == str(right)
            if function == "Fn::Not":
                return not self._condition(argument[0])
            if function == "Fn::And":
                return all(self._condition(item) for item in argument)
            if function == "Fn::Or":
                return any(self._condition(item) for item in argument)
        raise ValueError(f"{self.name}: not a condition: {node!r}")

    # Values ---------------------------------------------------------------
    def value(self, node: Any) -> Any:
        """`node` with every intrinsic function resolved; `AWS::NoValue` entries removed."""
        if isinstance(node, list):
            return [item for item in (self.value(entry) for entry in node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((function, argument),) = node.items()
            if function == "Ref" or function.startswith("Fn::") or function == "Condition":
                return self._intrinsic(function, argument)
        return {key: item for key, item in ((k, self.value(v)) for k, v in node.items()) if item is not NO_VALUE}

    def _intrinsic(self, function: str, argument: Any) -> Any:  # noqa: PLR0911, PLR0912 - one branch per function
        if function == "Ref":
            return self._ref(str(argument))
        if function == "Condition":
            return self.condition(argument)
        if function == "Fn::If":
            name, when_true, when_false = argument
            return self.value(when_true if self.condition(name) else when_false)
        if function == "Fn::GetAtt":
            logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
            return self._attribute(str(logical_id), str(self.value(attribute)))
        if function == "Fn::Sub":
            return self._sub(argument)
        if function == "Fn::Join":
            separator, items = argument
            return str(separator).join(str(item) for item in self.value(items))
        if function == "Fn::Select":
            index, items = self.value(argument)
            return items[int(index)]
        if function == "Fn::Split":
            separator, text = self.value(argument)
            return str(text).split(str(separator))
        if function == "Fn::ImportValue":
            return self._import(str(self.value(argument)))
        if function == "Fn::FindInMap":
            mapping, key, attribute = (self.value(item) for item in argument[:3])
            return self.value(self.template["Mappings"][mapping][key][attribute])
        if function == "Fn::GetAZs":
            return AVAILABILITY_ZONES
        if function == "Fn::Cidr":
            block, count, bits = self.value(argument)
            network = ipaddress.ip_network(str(block))
            subnets = network.subnets(new_prefix=network.max_prefixlen - int(bits))
            return [str(subnet) for _, subnet in zip(range(int(count)), subnets, strict=False)]
        if function == "Fn::Base64":
            return self.value(argument)
        if function == "Fn::ToJsonString":
            return json.dumps(self.value(argument), separators=(",", ":"))
        if function == "Fn::Length":
            return len(self.value(argument))
        raise ValueError(f"{self.name}: intrinsic function {function} is not evaluated by these tests")

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": f"{self.name}-stack",
            "AWS::StackId": arn("cloudformation", f"stack/{self.name}-stack/{KEY_ID}"),
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self._declared(name)
        properties = resource.get("Properties") or {}
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and "ManagedPolicyName" in properties:
            # A named policy's ARN is known before it exists: the stacks build it from the name.
            path, policy_name = properties.get("Path", "/"), self.value(properties["ManagedPolicyName"])
            return f"arn:aws:iam::{ACCOUNT}:policy{path}{policy_name}"
        return _physical_id(self.name, name, str(resource["Type"]))

    def _attribute(self, logical_id: str, attribute: str) -> Any:
        resource_type = str(self._declared(logical_id)["Type"])
        if attribute == "KeyId" and resource_type == "AWS::KMS::Key":
            return kms_key_id(self.name, logical_id)
        if attribute == "Arn" and resource_type == "AWS::KMS::Key":
            return arn("kms", f"key/{kms_key_id(self.name, logical_id)}")
        if attribute == "Arn":
            return placeholder(f"{logical_id}Arn", resource_type)
        if attribute == "GroupId" and resource_type == "AWS::EC2::SecurityGroup":
            return _physical_id(self.name, logical_id, resource_type)
        return placeholder(logical_id + attribute.replace(".", ""), resource_type)

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {key: self.value(item) for key, item in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self._attribute(logical_id, attribute))
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(replace, str(text)).replace("${!", "${")

    def _import(self, export_name: str) -> Any:
        if self._imports is None:
            return placeholder(export_name)
        if export_name not in self._imports:
            raise KeyError(f"{self.name} imports {export_name!r}, which no stack of the deployment exports")
        return self._imports[export_name]

    def _declared(self, logical_id: str) -> dict[str, Any]:
        resources = self.template.get("Resources") or {}
        if logical_id not in resources:
            raise KeyError(f"{self.name}: {logical_id!r} is neither a parameter nor a resource")
        declared: dict[str, Any] = resources[logical_id]
        return declared

    def referenced_resource(self, node: Any) -> str | None:
        """The logical id a `Ref` or `Fn::GetAtt` names, when it is a resource of this stack."""
        if not (isinstance(node, dict) and len(node) == 1):
            return None
        ((function, argument),) = node.items()
        if function == "Ref":
            target = argument
        elif function == "Fn::GetAtt":
            target = argument.split(".", 1)[0] if isinstance(argument, str) else argument[0]
        else:
            return None
        return str(target) if target in (self.template.get("Resources") or {}) else None

    # Resources and outputs ---------------------------------------------------
    def resources(self, *types: str) -> Iterator[Resource]:
        """The resources this evaluation creates (their `Condition` holds), of the given types."""
        for logical_id, declared in (self.template.get("Resources") or {}).items():
            if types and declared.get("Type") not in types:
                continue
            if "Condition" in declared and not self.condition(declared["Condition"]):
                continue
            yield Resource(
                logical_id=logical_id,
                type=str(declared["Type"]),
                properties=self.value(declared.get("Properties") or {}),
                metadata=dict(declared.get("Metadata") or {}),
                deletion_policy=self.value(declared.get("DeletionPolicy")),
            )

    def exported_values(self) -> dict[str, Any]:
        """Export name -> the output's value node, still unevaluated."""
        exported = {}
        for output in (self.template.get("Outputs") or {}).values():
            if "Export" not in output or ("Condition" in output and not self.condition(output["Condition"])):
                continue
            exported[str(self.value(output["Export"]["Name"]))] = output["Value"]
        return exported

    def exports(self) -> dict[str, Any]:
        return {name: self.value(node) for name, node in self.exported_values().items()}


class Deployment:
    """Stacks deployed together with shared parameters: each import reads the matching export."""

    def __init__(self, templates: Mapping[str, dict[str, Any]], parameters: Mapping[str, str]) -> None:
        exports = _Exports(self)
        self.stacks = {name: Stack(name, template, parameters, exports) for name, template in templates.items()}

    def stack(self, name: str) -> Stack:
        return self.stacks[name]

    def resources(self, *types: str) -> Iterator[tuple[Stack, Resource]]:
        for stack in self.stacks.values():
            for resource in stack.resources(*types):
                yield stack, resource

    def kms_key(self, key: str) -> tuple[Stack, Resource] | None:
        """The key resource a key id or ARN names, when one of these stacks creates it."""
        for stack, resource in self.resources("AWS::KMS::Key"):
            if key.rsplit("/", 1)[-1] == kms_key_id(stack.name, resource.logical_id):
                return stack, resource
        return None


class _Exports(Mapping[str, Any]):
    """Every stack's exports by name; a value is evaluated when imported (it may import others)."""

    def __init__(self, deployment: Deployment) -> None:
        self._deployment = deployment
        self._index: dict[str, tuple[Stack, Any]] | None = None

    def _outputs(self) -> dict[str, tuple[Stack, Any]]:
        if self._index is None:
            index: dict[str, tuple[Stack, Any]] = {}
            for stack in self._deployment.stacks.values():
                for name, node in stack.exported_values().items():
                    if name in index:
                        raise ValueError(f"{stack.name}: export {name!r} is already exported by {index[name][0].name}")
                    index[name] = (stack, node)
            self._index = index
        return self._index

    def __getitem__(self, key: str) -> Any:
        stack, node = self._outputs()[key]
        return stack.value(node)

    def __iter__(self) -> Iterator[str]:
        return iter(self._outputs())

    def __len__(self) -> int:
        return len(self._outputs())


def is_true(value: Any) -> bool:
    """CloudFormation booleans arrive as YAML booleans or as the strings "true" / "false"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
