"""Settings of PII envelope encryption; without KMS keys the dev-only local keyring is used, which every
environment but local refuses."""

from __future__ import annotations

from pydantic import Field

from ..module_settings import ModuleSettings


class PiiSettings(ModuleSettings):
    pii_kms_key_ids: dict[int, str] = Field(
        default_factory=dict, description='Key version -> KMS key id/ARN/alias, e.g. {"1": "alias/x-pii-1"}'
    )
    pii_active_key_version: int = Field(default=1, ge=1, le=65_535)
    pii_blind_index_secret_id: str | None = Field(
        default=None, description='Secrets Manager secret {"1": "<base64 32-byte key>"} for the e-mail blind index'
    )
    pii_blind_index_active_version: int | None = Field(default=None, ge=1)
    pii_data_key_max_age_seconds: float = Field(default=300, gt=0, le=3600)
    pii_data_key_max_messages: int = Field(default=10_000, ge=1, le=1_000_000)
    pii_search_scan_limit: int = Field(default=500, ge=1, le=5_000)

    def insecure_module_settings(self, *, production: bool) -> list[str]:
        if production and (not self.pii_kms_key_ids or self.pii_blind_index_secret_id is None):
            return ["PII_KMS_KEY_IDS and PII_BLIND_INDEX_SECRET_ID must be set (no dev-only keys)"]
        return []
