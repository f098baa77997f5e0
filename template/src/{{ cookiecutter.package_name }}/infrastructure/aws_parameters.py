"""Secrets Manager and SSM reads through Powertools Parameters, cached with a TTL.

The cache expires (max_age) instead of living forever so rotated secrets are
picked up by warm Fargate tasks and Lambda environments without a restart.
"""

from __future__ import annotations

from typing import Any, cast

from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider
from botocore.config import Config


class AwsParameters:
    def __init__(self, *, region: str, max_age_seconds: int) -> None:
        # Short timeouts and few retries: a stuck call must not eat the request budget.
        config = Config(region_name=region, connect_timeout=2, read_timeout=5, retries={"max_attempts": 3})
        self._secrets = SecretsProvider(boto_config=config)
        self._ssm = SSMProvider(boto_config=config)
        self._max_age = max_age_seconds

    def secret_json(self, secret_id: str) -> dict[str, Any]:
        value = self._secrets.get(secret_id, max_age=self._max_age, transform="json")
        if not isinstance(value, dict):
            raise TypeError(f"secret {secret_id} is not a JSON object")
        return cast("dict[str, Any]", value)

    def secret_string(self, secret_id: str) -> str:
        """The whole SecretString, e.g. a URL that carries its own credentials."""
        return str(self._secrets.get(secret_id, max_age=self._max_age))

    def parameter(self, name: str) -> str:
        return str(self._ssm.get(name, max_age=self._max_age, decrypt=True))
