"""Secrets Manager and SSM reads through Powertools Parameters, cached with a TTL.

The cache expires (max_age) instead of living forever so rotated secrets are
picked up by warm Fargate tasks and Lambda environments without a restart.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider
    from botocore.config import Config


class AwsParameters:
    """Its clients are made on first read: Powertools Parameters imports boto3, a third of a second at init."""

    def __init__(self, *, region: str, max_age_seconds: int) -> None:
        self._region = region
        self._max_age = max_age_seconds

    def _config(self) -> Config:
        from botocore.config import Config  # noqa: PLC0415 - deferred with the clients

        # Short timeouts and few retries: a stuck call must not eat the request budget.
        return Config(region_name=self._region, connect_timeout=2, read_timeout=5, retries={"max_attempts": 3})

    @cached_property
    def _secrets(self) -> SecretsProvider:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider  # noqa: PLC0415 - see the class

        return SecretsProvider(boto_config=self._config())

    @cached_property
    def _ssm(self) -> SSMProvider:
        from aws_lambda_powertools.utilities.parameters import SSMProvider  # noqa: PLC0415 - see the class

        return SSMProvider(boto_config=self._config())

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
