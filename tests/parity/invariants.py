"""Security invariants, evaluated on each flavor's own prod output.

CloudFormation, SAM and CDK outputs are CloudFormation resources (properties evaluated for prod);
Terraform's are planned values of Terraform resources. Each invariant reads both shapes and says,
resource by resource, where it does not hold. The outputs are prod's, so "in prod" properties
(deletion protection, Multi-AZ) must hold everywhere here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from parity.outputs import ENVIRONMENT, Resource

Answers = Mapping[str, Any]
WORLD = {"0.0.0.0/0", "::/0"}
LOAD_BALANCER_PORTS = {80, 443}
GITHUB_OIDC = "token.actions.githubusercontent.com"
BOUNDARY_NAME = f"-{ENVIRONMENT}-permissions-boundary"  # <project>-<environment>-permissions-boundary
# The boundary's denies (docs/deploy-identity.md), by Sid: their actions, on "*" or on the boundary itself.
BOUNDARY_DENIES: dict[str, tuple[frozenset[str], str]] = {
    "RolesOnlyWithThisBoundary": (frozenset({"iam:CreateRole", "iam:PutRolePermissionsBoundary"}), "*"),
    "PoliciesOnlyOnRolesWithThisBoundary": (
        frozenset(
            {"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"}
        ),
        "*",
    ),
    "TheBoundaryStays": (frozenset({"iam:DeleteRolePermissionsBoundary"}), "*"),
    "TheBoundaryPolicyStays": (
        frozenset(
            {
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            }
        ),
        "boundary",
    ),
    "NoLongLivedCredentials": (
        frozenset(
            {
                "iam:CreateUser",
                "iam:CreateAccessKey",
                "iam:UpdateAccessKey",
                "iam:CreateLoginProfile",
                "iam:UpdateLoginProfile",
                "iam:CreateServiceSpecificCredential",
                "iam:UploadSSHPublicKey",
            }
        ),
        "*",
    ),
    "TheAccountBaselineStays": (
        frozenset(
            {
                "cloudtrail:StopLogging",
                "cloudtrail:DeleteTrail",
                "guardduty:DeleteDetector",
                "config:StopConfigurationRecorder",
                "config:DeleteConfigurationRecorder",
                "config:DeleteDeliveryChannel",
                "securityhub:DisableSecurityHub",
            }
        ),
        "*",
    ),
}
# Only roles and role policies that carry the boundary (the two Sids above whose denies are conditional).
WITHOUT_THE_BOUNDARY = {"RolesOnlyWithThisBoundary", "PoliciesOnlyOnRolesWithThisBoundary"}
# The account every flavor's output is evaluated for (tests/infra/cloudformation.py, Terraform's mocks).
ACCOUNT_ARN = "arn:aws:iam::123456789012"
# `OnlyThisEnvironmentsIam`: iam:* is denied on all but these, `<prefix>` being `<project>-<environment>-`.
OWN_IAM = frozenset(
    {
        f"{ACCOUNT_ARN}:role/<prefix>*",
        f"{ACCOUNT_ARN}:policy/<prefix>*",
        f"{ACCOUNT_ARN}:instance-profile/<prefix>*",
        f"{ACCOUNT_ARN}:role/aws-service-role/*",  # service-linked roles, which AWS names
        "arn:aws:iam::aws:policy/*",  # AWS's managed policies, which no account changes
    }
)


class Output:
    """A flavor's resources with the lookups the invariants share."""

    def __init__(self, flavor: str, resources: list[Resource]) -> None:
        self.flavor = flavor
        self.terraform = flavor == "terraform"
        self.resources = resources

    def of(self, cloudformation: str, terraform: str) -> list[Resource]:
        wanted = terraform if self.terraform else cloudformation
        return [resource for resource in self.resources if resource.type == wanted]

    def customer_keys(self) -> set[str]:
        """Every way a resource may name a KMS key this output creates: id, ARN, alias."""
        keys = self.of("AWS::KMS::Key", "aws_kms_key")
        names = {key.ref for key in keys} | {key.arn for key in keys}
        if self.terraform:
            names |= {str(key.properties.get("key_id") or "") for key in keys}
        for alias in self.of("AWS::KMS::Alias", "aws_kms_alias"):
            names.add(str(alias.properties.get("AliasName" if not self.terraform else "name") or ""))
        return {name for name in names if name}

    def is_customer_key(self, value: Any) -> bool:
        if not isinstance(value, str) or not value:
            return False
        keys = self.customer_keys()
        return value in keys or value.rsplit("/", 1)[-1] in {key.rsplit("/", 1)[-1] for key in keys}


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _get(resource: Resource, cloudformation: str, terraform: str, output: Output) -> Any:
    return resource.properties.get(terraform if output.terraform else cloudformation)


# Each invariant: output, answers -> the places it does not hold ------------------------------------


def databases_encrypted_and_protected(output: Output, answers: Answers) -> Iterator[str]:
    instances = output.of("AWS::RDS::DBInstance", "aws_db_instance")
    if not instances:
        yield "no database instance"
    for db in instances:
        if not _true(_get(db, "StorageEncrypted", "storage_encrypted", output)):
            yield f"{db.address}: storage not encrypted"
        if not output.is_customer_key(_get(db, "KmsKeyId", "kms_key_id", output)):
            yield f"{db.address}: not encrypted with a customer key of this output"
        if not _true(_get(db, "DeletionProtection", "deletion_protection", output)):
            yield f"{db.address}: no deletion protection in prod"
        if not _true(_get(db, "MultiAZ", "multi_az", output)):
            yield f"{db.address}: not Multi-AZ in prod"
        if _true(_get(db, "PubliclyAccessible", "publicly_accessible", output)):
            yield f"{db.address}: publicly accessible"
        if not output.terraform and db.deletion_policy not in {"Snapshot", "Retain"}:
            yield f"{db.address}: DeletionPolicy {db.deletion_policy} loses the data"
    for cache in output.of("AWS::ElastiCache::ReplicationGroup", "aws_elasticache_replication_group"):
        if not _true(_get(cache, "AtRestEncryptionEnabled", "at_rest_encryption_enabled", output)):
            yield f"{cache.address}: cache not encrypted at rest"
        if not output.is_customer_key(_get(cache, "KmsKeyId", "kms_key_id", output)):
            yield f"{cache.address}: cache not encrypted with a customer key of this output"
        if not _true(_get(cache, "TransitEncryptionEnabled", "transit_encryption_enabled", output)):
            yield f"{cache.address}: cache without TLS"


def log_groups_encrypted_with_retention(output: Output, answers: Answers) -> Iterator[str]:
    for group in output.of("AWS::Logs::LogGroup", "aws_cloudwatch_log_group"):
        if not output.is_customer_key(_get(group, "KmsKeyId", "kms_key_id", output)):
            yield f"{group.address}: log group not encrypted with a customer key of this output"
        retention = _get(group, "RetentionInDays", "retention_in_days", output)
        if not retention or int(retention) <= 0:
            yield f"{group.address}: log group without retention"


def keys_rotate(output: Output, answers: Answers) -> Iterator[str]:
    for key in output.of("AWS::KMS::Key", "aws_kms_key"):
        if not _true(_get(key, "EnableKeyRotation", "enable_key_rotation", output)):
            yield f"{key.address}: key rotation off"


def secrets_topics_queues_use_customer_keys(output: Output, answers: Answers) -> Iterator[str]:
    for secret in output.of("AWS::SecretsManager::Secret", "aws_secretsmanager_secret"):
        if not output.is_customer_key(_get(secret, "KmsKeyId", "kms_key_id", output)):
            yield f"{secret.address}: secret not encrypted with a customer key of this output"
    for topic in output.of("AWS::SNS::Topic", "aws_sns_topic"):
        if not output.is_customer_key(_get(topic, "KmsMasterKeyId", "kms_master_key_id", output)):
            yield f"{topic.address}: topic not encrypted with a customer key of this output"
    for queue in output.of("AWS::SQS::Queue", "aws_sqs_queue"):
        key = _get(queue, "KmsMasterKeyId", "kms_master_key_id", output)
        if not (
            output.is_customer_key(key)
            or _true(_get(queue, "SqsManagedSseEnabled", "sqs_managed_sse_enabled", output))
        ):
            yield f"{queue.address}: queue not encrypted"


def _containers(output: Output, task: Resource) -> list[dict[str, Any]]:
    if output.terraform:
        definitions = task.properties.get("container_definitions")
        return list(json.loads(definitions)) if isinstance(definitions, str) else []
    return list(task.properties.get("ContainerDefinitions") or [])


def tasks_read_only_and_non_root(output: Output, answers: Answers) -> Iterator[str]:
    tasks = output.of("AWS::ECS::TaskDefinition", "aws_ecs_task_definition")
    if answers["compute"] == "fargate" and not tasks:
        yield "no task definition"
    for task in tasks:
        containers = _containers(output, task)
        if not containers:
            yield f"{task.address}: no container definition could be read"
        for container in containers:
            # ECS's JSON names (Terraform) are the CloudFormation property names in camelCase.
            field = {key.lower(): value for key, value in container.items()}
            name = field.get("name")
            if not _true(field.get("readonlyrootfilesystem")):
                yield f"{task.address} {name}: root filesystem writable"
            user = str(field.get("user") or "")
            if not user or user.split(":")[0] in {"root", "0"}:
                yield f"{task.address} {name}: runs as root (User {user!r})"
            if _true(field.get("privileged")):
                yield f"{task.address} {name}: privileged"


def _rules(output: Output) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(group it belongs to, where it is written, rule) for every ingress rule, inline or separate."""
    for group in output.of("AWS::EC2::SecurityGroup", "aws_security_group"):
        for rule in (
            group.properties.get("ingress")
            if output.terraform
            else group.properties.get("SecurityGroupIngress")
        ) or []:
            yield group.ref, group.address, rule
    for rule in output.of("AWS::EC2::SecurityGroupIngress", "aws_vpc_security_group_ingress_rule"):
        yield str(_get(rule, "GroupId", "security_group_id", output) or ""), rule.address, rule.properties


def _world_open(output: Output, rule: Mapping[str, Any]) -> bool:
    if output.terraform:
        blocks = [rule.get("cidr_ipv4"), rule.get("cidr_ipv6"), *(rule.get("cidr_blocks") or [])]
        blocks += list(rule.get("ipv6_cidr_blocks") or [])
    else:
        blocks = [rule.get("CidrIp"), rule.get("CidrIpv6")]
    return bool(WORLD & {str(block) for block in blocks if block})


def only_the_load_balancer_is_open_to_the_world(output: Output, answers: Answers) -> Iterator[str]:
    balancers = output.of("AWS::ElasticLoadBalancingV2::LoadBalancer", "aws_lb")
    balancer_groups = {
        str(group)
        for balancer in balancers
        for group in (_get(balancer, "SecurityGroups", "security_groups", output) or [])
    }
    for group, where, rule in _rules(output):
        if not _world_open(output, rule):
            continue
        protocol = str(
            rule.get("ip_protocol" if output.terraform else "IpProtocol", rule.get("protocol", ""))
        )
        low = rule.get("from_port" if output.terraform else "FromPort")
        high = rule.get("to_port" if output.terraform else "ToPort")
        ports_ok = protocol in {"tcp", "6"} and low == high and int(low or -1) in LOAD_BALANCER_PORTS
        # Terraform's mocked ids are one value for every group: there the rule must at least sit with the ALB.
        on_balancer = group in balancer_groups and (
            not output.terraform or "lb" in where or "balancer" in where
        )
        if not (balancers and on_balancer and ports_ok):
            yield f"{where}: open to the world ({protocol} {low}-{high}) and not the load balancer's 443/80"


def waf_associated_when_on(output: Output, answers: Answers) -> Iterator[str]:
    acls = output.of("AWS::WAFv2::WebACL", "aws_wafv2_web_acl")
    associations = output.of("AWS::WAFv2::WebACLAssociation", "aws_wafv2_web_acl_association")
    if not answers["waf"]:
        if acls or associations:
            yield "waf is off but a web ACL or association exists"
        return
    if len(acls) != 1 or len(associations) != 1:
        yield f"waf is on: expected one web ACL and one association, got {len(acls)} and {len(associations)}"
    for association in associations:
        if not _get(association, "ResourceArn", "resource_arn", output):
            yield f"{association.address}: associated with nothing"
        if not _get(association, "WebACLArn", "web_acl_arn", output):
            yield f"{association.address}: no web ACL"
    for acl in acls:
        logged = output.of("AWS::WAFv2::LoggingConfiguration", "aws_wafv2_web_acl_logging_configuration")
        if not logged:
            yield f"{acl.address}: web ACL without logging"


def load_balancer_listeners_are_tls_or_redirect(output: Output, answers: Answers) -> Iterator[str]:
    for listener in output.of("AWS::ElasticLoadBalancingV2::Listener", "aws_lb_listener"):
        protocol = _get(listener, "Protocol", "protocol", output)
        actions = _get(listener, "DefaultActions", "default_action", output) or []
        kinds = {str(action.get("type" if output.terraform else "Type")) for action in actions}
        if protocol == "HTTP" and kinds != {"redirect"}:
            yield f"{listener.address}: HTTP listener that does more than redirect to HTTPS"
        if protocol == "HTTPS" and "TLS13" not in str(_get(listener, "SslPolicy", "ssl_policy", output)):
            yield f"{listener.address}: HTTPS listener without a TLS 1.3 policy"
    for balancer in output.of("AWS::ElasticLoadBalancingV2::LoadBalancer", "aws_lb"):
        if output.terraform:
            drops = balancer.properties.get("drop_invalid_header_fields")
        else:
            attributes = {
                a["Key"]: a["Value"] for a in balancer.properties.get("LoadBalancerAttributes") or []
            }
            drops = attributes.get("routing.http.drop_invalid_header_fields.enabled")
        if not _true(drops):
            yield f"{balancer.address}: invalid headers are not dropped"


def buckets_encrypted_and_private(output: Output, answers: Answers) -> Iterator[str]:
    buckets = output.of("AWS::S3::Bucket", "aws_s3_bucket")
    if output.terraform:
        blocks = output.of("", "aws_s3_bucket_public_access_block")
        encrypted = output.of("", "aws_s3_bucket_server_side_encryption_configuration")
        if len(blocks) != len(buckets) or len(encrypted) != len(buckets):
            yield f"{len(buckets)} buckets, {len(blocks)} public access blocks, {len(encrypted)} encryptions"
        settings = [block.properties for block in blocks]
        names = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    else:
        for bucket in buckets:
            if not bucket.properties.get("BucketEncryption"):
                yield f"{bucket.address}: bucket without default encryption"
        settings = [bucket.properties.get("PublicAccessBlockConfiguration") or {} for bucket in buckets]
        names = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    for setting in settings:
        if not all(_true(setting.get(name)) for name in names):
            yield f"a bucket is not fully private: {setting}"


def trails_cover_every_region(output: Output, answers: Answers) -> Iterator[str]:
    for trail in output.of("AWS::CloudTrail::Trail", "aws_cloudtrail"):
        if not _true(_get(trail, "IsMultiRegionTrail", "is_multi_region_trail", output)):
            yield f"{trail.address}: trail not multi-region"
        if not _true(_get(trail, "EnableLogFileValidation", "enable_log_file_validation", output)):
            yield f"{trail.address}: trail without log file validation"
        if not output.is_customer_key(_get(trail, "KMSKeyId", "kms_key_id", output)):
            yield f"{trail.address}: trail not encrypted with a customer key of this output"


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        document = json.loads(document)
    statements = (document or {}).get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def _trusts_github(statement: Mapping[str, Any]) -> bool:
    conditions = json.dumps(statement.get("Condition") or {})
    return (
        "sts:AssumeRoleWithWebIdentity" in json.dumps(statement.get("Action")) and GITHUB_OIDC in conditions
    )


def github_deploy_role_trust_is_pinned(output: Output, answers: Answers) -> Iterator[str]:
    """The deploy role exists in every flavor and trusts one repository's one GitHub environment only."""
    trusting = 0
    for role in output.of("AWS::IAM::Role", "aws_iam_role"):
        document = _get(role, "AssumeRolePolicyDocument", "assume_role_policy", output)
        for statement in _statements(document):
            if not _trusts_github(statement):
                continue
            trusting += 1
            conditions = statement.get("Condition") or {}
            equals = conditions.get("StringEquals") or {}
            if equals.get(f"{GITHUB_OIDC}:aud") != "sts.amazonaws.com":
                yield f"{role.address}: GitHub trust without aud = sts.amazonaws.com"
            subjects = equals.get(f"{GITHUB_OIDC}:sub")
            subjects = [subjects] if isinstance(subjects, str) else list(subjects or [])
            if not subjects or any("*" in subject or ":environment:" not in subject for subject in subjects):
                yield f"{role.address}: GitHub trust not pinned to one repository environment: {subjects}"
            if set(conditions) - {"StringEquals"}:
                yield f"{role.address}: GitHub trust with other conditions ({sorted(conditions)}): wildcards?"
    if not trusting:
        yield "no role trusts GitHub's OIDC provider: the deploy role is missing"


def function_permissions_are_scoped(output: Output, answers: Answers) -> Iterator[str]:
    """Every invoke permission names the one source (API stage, log group, user pool) that may invoke."""
    for permission in output.of("AWS::Lambda::Permission", "aws_lambda_permission"):
        if not _get(permission, "SourceArn", "source_arn", output):
            yield f"{permission.address}: invoke permission without a SourceArn"


def _listed(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value or [])


def _is_the_boundary(value: Any, boundary: Resource, name: str) -> bool:
    """The boundary's ARN in this account as a stack builds it (from partition, account and name), or the
    policy's own Ref/ARN: never the same name in another account or partition."""
    if not isinstance(value, str) or not value:
        return False
    return value == f"{ACCOUNT_ARN}:policy/{name}" or value in {boundary.ref, boundary.arn} - {""}


def _deploy_identity_roles(output: Output) -> list[tuple[Resource, str]]:
    """The pipeline's own roles (GitHub's deploy role; CloudFormation's execution role), with their names."""
    found = []
    for role in output.of("AWS::IAM::Role", "aws_iam_role"):
        statements = _statements(_get(role, "AssumeRolePolicyDocument", "assume_role_policy", output))
        services = {
            str(service)
            for statement in statements
            if isinstance(principal := statement.get("Principal"), dict)
            for service in _listed(principal.get("Service"))
        }
        if any(_trusts_github(statement) for statement in statements) or (
            "cloudformation.amazonaws.com" in services
        ):
            found.append((role, str(_get(role, "RoleName", "name", output) or "")))
    return found


def _covers(resources: list[Any], role: Resource, name: str) -> bool:
    return any(
        resource == role.arn
        or (
            isinstance(resource, str)
            and ":role/" in resource
            and bool(name)
            and fnmatchcase(name, resource.split(":role/", 1)[1])
        )
        for resource in resources
    )


def _only_by(condition: Any, principal: str) -> bool:
    """The condition is exactly "unless the caller is `principal`" (aws:PrincipalArn, by ARN or string)."""
    return (
        isinstance(condition, Mapping)
        and len(condition) == 1
        and next(iter(condition)) in {"ArnNotEquals", "StringNotEquals"}
        and next(iter(condition.values())) == {"aws:PrincipalArn": principal}
    )


def _all_but_passing_the_role(
    never: Mapping[str, Any],
    statements: Iterable[Mapping[str, Any]],
    role: Resource,
    name: str,
    deploy_role: str,
) -> bool:
    """CloudFormation's deploy role carries the boundary and passes the execution role: every action but
    iam:PassRole is denied, and passing is denied to all but the deploy role (`deploy_role`, its ARN)."""
    return (
        "Action" not in never
        and _listed(never.get("NotAction")) == ["iam:PassRole"]
        and any(
            statement.get("Effect") == "Deny"
            and "iam:PassRole" in _listed(statement.get("Action"))
            and _only_by(statement.get("Condition"), deploy_role)
            and _covers(_listed(statement.get("Resource")), role, name)
            for statement in statements
        )
    )


def _own_iam_problems(statement: Mapping[str, Any] | None, prefix: str) -> Iterator[str]:
    """`OnlyThisEnvironmentsIam`: iam:* denied everywhere but this environment's names (OWN_IAM)."""
    if statement is None:
        yield "no OnlyThisEnvironmentsIam statement"
        return
    expected = {arn.replace("<prefix>", prefix) for arn in OWN_IAM}
    if (
        statement.get("Effect") != "Deny"
        or _listed(statement.get("Action")) != ["iam:*"]
        or {"Resource", "NotAction", "Condition"} & set(statement)
        or set(_listed(statement.get("NotResource"))) != expected
    ):
        yield f"OnlyThisEnvironmentsIam does not deny iam:* outside {prefix}*: {statement}"


def _names_outside(output: Output, prefix: str) -> Iterator[str]:
    """Roles, policies and instance profiles are named under `<project>-<environment>-`, so the boundary's IAM
    reaches them.
    Terraform's are named or prefixed so (the attribute not set holds a mock value); CDK's take their
    stack's name, which the address carries; CloudFormation's unnamed ones take the name deploy.sh gives
    their stack (tests/infra checks that)."""
    named = [
        *((role, "RoleName") for role in output.of("AWS::IAM::Role", "aws_iam_role")),
        *((policy, "ManagedPolicyName") for policy in output.of("AWS::IAM::ManagedPolicy", "aws_iam_policy")),
        *(
            (profile, "InstanceProfileName")
            for profile in output.of("AWS::IAM::InstanceProfile", "aws_iam_instance_profile")
        ),
    ]
    for resource, key in named:
        if output.terraform:
            names = [resource.properties.get("name"), resource.properties.get("name_prefix")]
        elif resource.properties.get(key):
            names = [resource.properties[key]]
        elif output.flavor == "cdk":
            names = [resource.address]
        else:
            continue
        if not any(str(name or "").startswith(prefix) for name in names):
            yield f"{resource.address}: named {names}, outside {prefix}*"


def roles_carry_the_environments_permissions_boundary(output: Output, answers: Answers) -> Iterator[str]:
    """Every role carries <project>-<environment>-permissions-boundary, whose denies are the design's."""
    policies = output.of("AWS::IAM::ManagedPolicy", "aws_iam_policy")
    boundaries = [
        (policy, name)
        for policy in policies
        if (name := str(_get(policy, "ManagedPolicyName", "name", output) or "")).endswith(BOUNDARY_NAME)
    ]
    if len(boundaries) != 1:
        yield f"expected one managed policy named <project>{BOUNDARY_NAME}, found {len(boundaries)}"
        return
    boundary, name = boundaries[0]
    for role in output.of("AWS::IAM::Role", "aws_iam_role"):
        carried = _get(role, "PermissionsBoundary", "permissions_boundary", output)
        if not _is_the_boundary(carried, boundary, name):
            yield f"{role.address}: permissions boundary {carried!r}, not {name}"
    statements = {
        str(statement.get("Sid")): statement
        for statement in _statements(_get(boundary, "PolicyDocument", "policy", output))
    }
    for sid, (actions, on) in BOUNDARY_DENIES.items():
        statement = statements.get(sid)
        if statement is None:
            yield f"{boundary.address}: no {sid} statement"
            continue
        resources = _listed(statement.get("Resource"))
        where = ["*"] if on == "*" else [r for r in resources if _is_the_boundary(r, boundary, name)]
        condition = statement.get("Condition") or {}
        if sid in WITHOUT_THE_BOUNDARY:
            not_equals = condition.get("StringNotEquals") or {}
            conditioned = (
                set(condition) == {"StringNotEquals"}
                and set(not_equals) == {"iam:PermissionsBoundary"}
                and _is_the_boundary(not_equals["iam:PermissionsBoundary"], boundary, name)
            )
        else:
            conditioned = not condition
        if (
            statement.get("Effect") != "Deny"
            or not actions <= set(_listed(statement.get("Action")))
            or not resources
            or resources != where
            or not conditioned
        ):
            yield f"{boundary.address}: {sid} is not the design's deny: {statement}"
    prefix = name.removesuffix("permissions-boundary")  # <project>-<environment>-
    for problem in _own_iam_problems(statements.get("OnlyThisEnvironmentsIam"), prefix):
        yield f"{boundary.address}: {problem}"
    yield from _names_outside(output, prefix)
    never = statements.get("NeverTheDeployIdentity") or {}
    pipeline = _deploy_identity_roles(output)
    if not pipeline:
        yield "no deploy identity role for NeverTheDeployIdentity to protect"
    deploy_role = f"{ACCOUNT_ARN}:role/{prefix}github-deploy"
    for role, role_name in pipeline:
        if not (
            never.get("Effect") == "Deny"
            and (
                "iam:*" in _listed(never.get("Action"))
                or _all_but_passing_the_role(never, statements.values(), role, role_name, deploy_role)
            )
            and not never.get("Condition")
            and _covers(_listed(never.get("Resource")), role, role_name)
        ):
            yield f"{boundary.address}: NeverTheDeployIdentity does not deny iam:* on {role.address}"


INVARIANTS: tuple[Callable[[Output, Answers], Iterator[str]], ...] = (
    databases_encrypted_and_protected,
    log_groups_encrypted_with_retention,
    keys_rotate,
    secrets_topics_queues_use_customer_keys,
    tasks_read_only_and_non_root,
    only_the_load_balancer_is_open_to_the_world,
    waf_associated_when_on,
    load_balancer_listeners_are_tls_or_redirect,
    buckets_encrypted_and_private,
    trails_cover_every_region,
    github_deploy_role_trust_is_pinned,
    function_permissions_are_scoped,
    roles_carry_the_environments_permissions_boundary,
)


def violations(flavor: str, answers: Answers, resources: list[Resource]) -> list[str]:
    output = Output(flavor, resources)
    return [f"{check.__name__}: {problem}" for check in INVARIANTS for problem in check(output, answers)]
