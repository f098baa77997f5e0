"""Settings of the in-app rate limits (presentation/rate_limit.py), in `limits` notation."""

from __future__ import annotations

from pydantic import Field, SecretStr

from .module_settings import ModuleSettings


class RateLimitSettings(ModuleSettings):
    rate_limit_storage_uri: SecretStr = Field(
        default=SecretStr("memory://"), description="memory:// locally; async+redis(s)://host:6379 when deployed"
    )
    rate_limit_storage_secret_id: str | None = Field(
        default=None, description="Secrets Manager secret whose whole value is the storage URI; wins over the URI"
    )
    rate_limit_per_ip: str = "300/minute"
    rate_limit_per_principal: str = "120/minute"
    rate_limit_fail_open: bool = Field(
        default=True, description="Serve requests when the limit store is down (the WAF rule still applies)"
    )

    def insecure_module_settings(self, *, production: bool) -> list[str]:
        # Deployed tasks and Lambda environments each have their own memory: only a shared store limits.
        in_memory = self.rate_limit_storage_uri.get_secret_value().startswith("memory://")
        if production and self.rate_limit_storage_secret_id is None and in_memory:
            return ["RATE_LIMIT_STORAGE_URI (or RATE_LIMIT_STORAGE_SECRET_ID) must name a shared store"]
        return []
