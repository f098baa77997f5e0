"""The token-verification settings every auth provider shares; each provider's settings extend them.

A provider module (`providers/<name>.py`) subclasses `AuthSettings` with its own fields and
its own `insecure_module_settings` (each class's check runs once: ../module_settings.py). The
service's `Settings` derives from the configured provider's class, so it reads every field
from the environment and runs every check. Nothing here imports the service's settings
module, which imports this one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from ..environment import Environment
from ..module_settings import ModuleSettings

# Claims the verifiers read for their own meaning (RFC 7519, RFC 9068, Cognito): never a tenant's name.
REGISTERED_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "typ", "azp", "client_id", "cid", "scope", "scp", "token_use"}
)


class AuthSettings(ModuleSettings):
    environment: Environment
    auth_enabled: bool = True
    # No defaults here: the service's Settings names its own issuer and audience.
    auth_issuer: str
    auth_audience: str
    local_issuer_key_file: Path | None = Field(
        default=None, description="Where the local issuer keeps its private key; in memory when unset"
    )
    # Leeway is capped at 60 s, algorithms are an allow-list of asymmetric ones (HS* is refused).
    auth_algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    auth_leeway_seconds: int = Field(default=30, ge=0, le=60)
    # How long the key set is kept, and how soon an unknown `kid` may make it be read again.
    auth_jwks_cache_seconds: float = Field(default=300, gt=0, le=86400)
    auth_jwks_cooldown_seconds: float = Field(default=30, ge=0, le=3600)
    auth_token_cache_size: int = Field(default=10_000, ge=0, le=1_000_000)
    auth_token_cache_seconds: float = Field(default=60, ge=0, le=3600)
    auth_roles_claim: str = "roles"
    auth_tenant_claim: str | None = Field(
        default=None, description="Claim naming the caller's tenant, e.g. custom:tenant; tokens without it are refused"
    )

    @property
    def tenant_claim(self) -> str | None:
        """AUTH_TENANT_CLAIM; empty means none, so a deployment can switch it off with `AUTH_TENANT_CLAIM=`."""
        return self.auth_tenant_claim or None

    def insecure_module_settings(self, *, production: bool) -> list[str]:
        # No anonymous access in a deployed environment.
        return [] if self.auth_enabled else ["AUTH_ENABLED must be true"]

    @model_validator(mode="after")
    def _refuse_a_tenant_claim_that_names_another_claim(self) -> Self:
        # An issuer writing the tenant under a claim the verifier reads for something else would let a
        # client's tenant value become its scopes, roles or subject.
        if self.auth_tenant_claim in {*REGISTERED_CLAIMS, self.auth_roles_claim}:
            raise ValueError("AUTH_TENANT_CLAIM must not name a registered, scope, role or client claim")
        return self
