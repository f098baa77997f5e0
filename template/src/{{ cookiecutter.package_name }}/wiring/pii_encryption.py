"""pii_encryption: customer PII sealed with KMS envelope encryption, e-mail found through a blind index."""

from __future__ import annotations

from ..infrastructure.crypto.customer_pii import build_codec
from ..infrastructure.db.customer_rows import CustomerRowMapper
from ..infrastructure.db.sealed_rows import SealedCustomerRows
from . import Builder


def wire(builder: Builder) -> None:
    def sealed_rows() -> CustomerRowMapper:
        # Without KMS keys this is the dev-only keyring, which refuses any environment but local.
        return SealedCustomerRows(build_codec(builder.settings))

    builder.customer_rows = sealed_rows
