"""PII envelope encryption: the data-key KMS key (PII_KMS_KEY_IDS) and the blind-index key secret."""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.common import Target, acknowledge, customer_key
from stacks.wiring import Runtime, Wiring

# The encryption context the app binds to every PII data key; the key policy's grant requires it.
PII_CONTEXT = {"kms:EncryptionContext:purpose": "customer-pii"}


class PiiStack(Stack, Wiring):
    def __init__(self, scope: Construct, construct_id: str, *, target: Target) -> None:
        super().__init__(
            scope, construct_id, description=f"PII keys of {target.project} ({target.environment})", env=target.env
        )
        self.key = customer_key(self, "PiiKey", target, "pii")
        self.key.apply_removal_policy(RemovalPolicy.RETAIN)
        # {"1": "<64 letters and digits>"}: the app base64-decodes each version to a 48-byte HMAC key. Not
        # rotated automatically: a new version means re-indexing every row (the app's re-encryption command).
        self.blind_index = secretsmanager.Secret(
            self,
            "BlindIndexSecret",
            secret_name=f"{target.project}/{target.environment}/pii/blind-index-keys",
            description="HMAC keys of the PII blind index, by version",
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 - a JSON template, not a password
                generate_string_key="1",
                password_length=64,
                exclude_punctuation=True,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        reason = (
            "A new blind-index key version means re-indexing every row (the app's re-encryption command), "
            "which a Secrets Manager rotation function cannot do."
        )
        acknowledge(
            self.blind_index,
            {"AwsSolutions-SMG4": reason, "NIST.800.53.R5-SecretsManagerRotationEnabled": reason},
        )

    def wire(self, service: Runtime) -> None:
        service.set("PII_KMS_KEY_IDS", json.dumps({"1": "KEY"}).replace("KEY", self.key.key_arn))
        service.read_secret("PII_BLIND_INDEX_SECRET_ID", self.blind_index, self.key)
        service.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="PiiDataKeys",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[self.key.key_arn],
                conditions={"StringEquals": PII_CONTEXT},
            )
        )
