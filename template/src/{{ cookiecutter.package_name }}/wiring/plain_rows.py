"""Without pii_encryption: customer fields in plain columns, which the database compares and searches."""

from __future__ import annotations

from ..infrastructure.db.plain_rows import PlainCustomerRows
from . import Builder


def wire(builder: Builder) -> None:
    builder.customer_rows = PlainCustomerRows
