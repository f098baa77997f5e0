"""pii_encryption: prod seals with KMS keys and a blind-index secret, never the dev-only keyring."""

PROD: dict[str, object] = {"pii_kms_key_ids": {"1": "alias/pii-1"}, "pii_blind_index_secret_id": "pii-blind-index"}
